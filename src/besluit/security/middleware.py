"""Two small middlewares of the security app.

``SecurityMiddleware`` (after django-otp's OTPMiddleware):
- remembers the client address of the request for the audit log, so that every
  audit event records where it came from, also when a service was not handed
  the address (see signals.fill_audit_address);
- sends a session that still owes its second factor to the TOTP page (pages) or
  refuses it with 403 problem+json (the API over the session, the live stream).
  Whatever else the request carries: an ``Authorization`` header does not lift it
  (a request with a valid token and no session cookie has no session flag, so it
  is not concerned). The edge applies the same rule (edge.auth).

Sync and async capable, so the async live stream stays async.
"""

from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from besluit.http.middleware import SyncAndAsyncMiddleware
from besluit.http.problems import SECOND_FACTOR_REQUIRED, problem
from besluit.security.services import SESSION_FLAG

_client_address: ContextVar[str | None] = ContextVar("besluit_client_address", default=None)


def client_address() -> str | None:
    """The address of the request being handled in this context, if any."""
    return _client_address.get()


def _exempt(request) -> bool:
    path = request.path_info
    if path.startswith((settings.STATIC_URL, "/i18n/")):
        return True
    return path in (reverse("login"), reverse("logout")) or path.startswith(
        reverse("security:second_factor")
    )


def _refusal(request):
    if request.path_info.startswith(("/api/", "/live/")):
        return problem(
            403,
            "Forbidden",
            SECOND_FACTOR_REQUIRED,
            code="second-factor-required",
        )
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('security:second_factor')}?{query}")


class SecurityMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request):
        token = _client_address.set(request.META.get("REMOTE_ADDR"))
        try:
            session = getattr(request, "session", None)
            if (
                session is not None
                and session.get(SESSION_FLAG)
                and not _exempt(request)
                and not request.user.is_verified()
            ):
                return _refusal(request)
            return self.get_response(request)
        finally:
            _client_address.reset(token)

    async def ahandle(self, request):
        token = _client_address.set(request.META.get("REMOTE_ADDR"))
        try:
            session = getattr(request, "session", None)
            if session is not None and await session.aget(SESSION_FLAG) and not _exempt(request):
                user = await request.auser()
                if not user.is_verified():
                    return _refusal(request)
            return await self.get_response(request)
        finally:
            _client_address.reset(token)
