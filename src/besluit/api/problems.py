"""RFC 9457 problem details for every API error."""

from django.http import HttpRequest, JsonResponse

PROBLEM_TYPE = "https://besluit.example/problems/"


def problem(
    status: int, title: str, detail: str, *, code: str = "", errors=None, **extra
) -> JsonResponse:
    body = {
        "type": PROBLEM_TYPE + (code or str(status)),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    if errors:
        body["invalidParams"] = errors
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    return response


TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}


def from_status(request: HttpRequest, status: int, detail: str, **kwargs) -> JsonResponse:
    return problem(status, TITLES.get(status, "Error"), detail, **kwargs)
