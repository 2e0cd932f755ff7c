"""The REST API under /api/v1: one NinjaAPI, errors as problem+json.

Every response carries the ``API-Version`` header; a successful read carries an
``ETag`` and answers ``304 Not Modified`` to a matching ``If-None-Match``. The
OpenAPI document is made to meet the NL API Design Rules in ``api.openapi``.
"""

import functools
import json
import logging

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger, _csrf_needed

from besluit import __version__
from besluit.accounts import tokens as account_tokens
from besluit.api import openapi
from besluit.api.auth import AUTH, refusal_problem
from besluit.api.collections import MAX_QUERY_BYTES
from besluit.core import safetext
from besluit.core.bundle import BundleError
from besluit.errors import DomainError
from besluit.http import problems

logger = logging.getLogger("besluit.api")

# The API's own version (semver), in info.version and in every API-Version header.
# It follows the application's version; the major version is the /v1 in the URL.
API_VERSION = __version__


def with_version_and_etag(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Add API-Version to any response; ETag and 304 handling to successful reads."""
    is_read = request.method in ("GET", "HEAD") and response.status_code == 200
    if is_read and not response.streaming:
        if not response.has_header("ETag"):
            set_response_etag(response)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if not response.has_header("Cache-Control"):
            # Clients may keep a copy but must revalidate it (cheap with the ETag).
            response["Cache-Control"] = "private, no-cache"
        response = get_conditional_response(request, etag=response.get("ETag"), response=response)
    response["API-Version"] = API_VERSION
    return response


def _refused_text(request: HttpRequest) -> dict | None:
    """A path or query string holding what the database refuses (core.safetext): 400
    before any view runs. The bodies are checked by their schemas (schemas.CamelIn)."""
    if found := safetext.problem(request.path):
        return problems.status_body(400, f"The path: {found}", code="invalid")
    for key, values in request.GET.lists():
        if found := safetext.first_problem([key, *values]):
            name = key if safetext.is_clean(key) else "query"
            return problems.status_body(
                400, f"{name}: {found}", code="invalid", errors=[{"name": name, "reason": found}]
            )
    return None


def _wrap(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_BYTES:
            response = problems.problem(
                414,
                "URI too long",
                f"The query string is longer than {MAX_QUERY_BYTES} bytes.",
                code="uri-too-long",
            )
        elif refused := _refused_text(request):
            response = problems.response(refused)
        else:
            response = view(request, *args, **kwargs)
        if (token := getattr(request, "_api_token", None)) is not None:
            account_tokens.record_use(
                token,
                method=request.method,
                path=request.path,
                ip=request.META.get("REMOTE_ADDR"),
                status=response.status_code,
            )
        return with_version_and_etag(response, request)

    return wrapped


class BesluitAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The OpenAPI document, made once per process and server URL: it cannot change
        while the process runs, and making it costs a quarter of a second of CPU, which
        anyone could otherwise ask for again and again (GET /api/v1/openapi.json needs no
        login). Each caller gets a copy of its own to change, read from the kept JSON
        (a tenth of what copying the document object costs)."""
        root = self.get_root_path(path_params or {}).rstrip("/")
        if root not in self._schemas:
            # Paths relative to the server URL, which carries the major version.
            schema = super().get_openapi_schema(path_prefix="", path_params=path_params)
            self._schemas[root] = json.dumps(openapi.conform(schema, server_url=root))
        return json.loads(self._schemas[root])

    @functools.cached_property
    def _schemas(self) -> dict[str, str]:
        return {}

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        wrapped = [
            URLPattern(p.pattern, _wrap(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        return wrapped, app_name, namespace


class LocalSwagger(Swagger):
    """Swagger UI from ninja's own template and static files, which the settings add to
    the template and static directories. Ninja uses them only when "ninja" is an
    installed app, which would load pydantic in every process; otherwise it links a CDN."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = BesluitAPI(
    title="Besluit API",
    version=API_VERSION,
    description="Meetings, motions, amendments, polls and results of associations of "
    "municipalities, and their open data (Popolo). Errors are RFC 9457 problem details "
    "(application/problem+json). Collections are paginated (page, pageSize; Link and "
    "X-Total-Count headers), can be filtered and sorted (sort=-field,field), and every "
    "read has an ETag.",
    urls_namespace="api",
    auth=AUTH,
    # Swagger UI from ninja's own static files (settings.NINJA_DIR), not a CDN the CSP
    # blocks; and no badge from swagger.io's online validator (an outside origin).
    docs=LocalSwagger(settings={"validatorUrl": None}),
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
    return problems.response(problems.domain_error_body(exc))


# An id beyond what a database column holds (schemas.Id) in a path names nothing.
_OUT_OF_RANGE = {"less_than_equal", "greater_than_equal", "int_parsing_size"}


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = exc.errors
    if any(e.get("loc", ())[:1] == ("path",) and e.get("type") in _OUT_OF_RANGE for e in errors):
        return problems.from_status(request, 404, "Not found.", code="not-found")
    return problems.response(problems.invalid_body(errors))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    if refused := refusal_problem(request):
        status, detail, code = refused
        return problems.from_status(request, status, detail, code=code)
    return problems.from_status(request, 401, problems.UNAUTHENTICATED, code="unauthenticated")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.from_status(request, 404, str(exc) or "Not found.", code="not-found")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problems.from_status(request, exc.status_code, str(exc))


@api.exception_handler(BundleError)
def _bundle_error(request, exc: BundleError):
    # A bundle that would not verify is never published; say so, and log what failed.
    logger.error("poll bundle not published at %s: %s", request.path, exc, exc_info=exc)
    return problems.from_status(
        request,
        500,
        "The poll's bundle was not published: it does not pass its own verification. "
        "The administrators can see why in the server log.",
        code="bundle-invalid",
    )


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    # Never Django's HTML error page from the API: problem details, and the traceback
    # in the log (django.request, so error reports reach the administrators as before).
    # Django's own client errors keep their status, as Django would answer them.
    if isinstance(exc, DjangoPermissionDenied):
        return problems.from_status(request, 403, str(exc) or "Forbidden.", code="forbidden")
    if isinstance(exc, SuspiciousOperation | BadRequest):
        return problems.from_status(request, 400, "Invalid request.", code="invalid")
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return problems.from_status(request, 500, "An unexpected error occurred.", code="server-error")


from besluit.api import (  # noqa: E402,F401  (registers the routes)
    associations_admin,
    attendance,
    election_candidacies,  # elections of persons: bodies, candidacies, results (issue 16)
    elections,
    endpoints,
    letters_commitments,
    meetings_admin,
    open_data,
    tokens,
    webhooks,
)
