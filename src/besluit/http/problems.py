"""RFC 9457 problem details for every API error."""

from collections.abc import Iterable

from django.http import HttpRequest, JsonResponse

from besluit.errors import DomainError

PROBLEM_TYPE = "https://besluit.example/problems/"


def body(status: int, title: str, detail: str, *, code: str = "", errors=None, **extra) -> dict:
    """The problem details object; the edge (besluit.edge) sends it without Django."""
    data = {
        "type": PROBLEM_TYPE + (code or str(status)),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    if errors:
        data["invalidParams"] = errors
    return data


def problem(
    status: int, title: str, detail: str, *, code: str = "", errors=None, **extra
) -> JsonResponse:
    return response(body(status, title, detail, code=code, errors=errors, **extra))


def response(data: dict) -> JsonResponse:
    return JsonResponse(data, status=data["status"], content_type="application/problem+json")


TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}


def from_status(request: HttpRequest, status: int, detail: str, **kwargs) -> JsonResponse:
    return problem(status, TITLES.get(status, "Error"), detail, **kwargs)


def status_body(status: int, detail: str, **kwargs) -> dict:
    return body(status, TITLES.get(status, "Error"), detail, **kwargs)


UNAUTHENTICATED = "Log in, or send a valid token as 'Authorization: Bearer ...'."
SECOND_FACTOR_REQUIRED = "Confirm your second factor (TOTP code) first."


def domain_error_body(exc: DomainError) -> dict:
    errors = [{"name": exc.field, "reason": exc.message}] if exc.field else None
    return status_body(exc.status, exc.message, code=exc.code, errors=errors)


def invalid_body(errors: Iterable[dict]) -> dict:
    """400 for a body that fails its schema (pydantic's errors, as ninja or the edge
    gets them)."""
    params = [
        {
            "name": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
            or "body",
            "reason": e.get("msg", ""),
        }
        for e in errors
    ]
    detail = "; ".join(f"{e['name']}: {e['reason']}" for e in params) or "Invalid request."
    return status_body(400, detail, code="invalid", errors=params)
