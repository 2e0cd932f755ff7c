"""The REST API under /api/v1: one NinjaAPI, errors as problem+json."""

from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from besluit import __version__
from besluit.api import problems
from besluit.api.auth import AUTH
from besluit.errors import DomainError

api = NinjaAPI(
    title="Besluit API",
    version=__version__,
    description="Meetings, motions, amendments, polls and results of associations of "
    "municipalities. Errors are RFC 9457 problem details (application/problem+json).",
    urls_namespace="api",
    auth=AUTH,
    # camelCase on the wire (NL API Design Rules), snake_case in Python.
    default_router=Router(by_alias=True),
    openapi_extra={
        "info": {
            "contact": {
                "name": "Besluit",
                "url": "https://besluit.example",
                "email": "dev@besluit.example",
            }
        }
    },
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    errors = [{"name": exc.field, "reason": exc.message}] if exc.field else None
    return problems.from_status(request, exc.status, exc.message, code=exc.code, errors=errors)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {
            "name": ".".join(
                str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")
            )
            or "body",
            "reason": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['name']}: {e['reason']}" for e in errors) or "Invalid request."
    return problems.from_status(request, 400, detail, code="invalid", errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problems.from_status(
        request,
        401,
        "Log in, or send a valid token as 'Authorization: Bearer ...'.",
        code="unauthenticated",
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.from_status(request, 404, str(exc) or "Not found.", code="not-found")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problems.from_status(request, exc.status_code, str(exc))


from besluit.api import endpoints  # noqa: E402,F401  (registers the routes)
