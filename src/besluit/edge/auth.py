"""The HTTP side of who sent a request to the edge: the session cookie, a bearer token,
Django's own CSRF check. Who is behind a credential is accounts.credentials' business
(the ORM, in a worker thread)."""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware, rotate_token

from besluit.accounts.credentials import (  # noqa: F401 (the edge's vocabulary)
    SECOND_FACTOR_OWED,
    Credential,
    SecondFactorOwed,
    resolve,
    user_behind,
    users_behind,
)


def session_credential(cookies: dict[str, str]) -> Credential | None:
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    return Credential("session", key) if key else None


class CsrfRejected(Exception):
    pass


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check (origin, referer, masked token), raising instead of
    rendering the failure page."""

    def _accept(self, request):
        return None

    def _reject(self, request, reason):
        raise CsrfRejected(reason)


_csrf = _CsrfCheck(lambda request: None)


def check_csrf(request) -> None:
    """Raise CsrfRejected unless the (session-authenticated) request passes CSRF."""
    _csrf.process_view(request, None, (), {})


def rotate_csrf(request, response) -> None:
    """A new CSRF secret and its cookie on ``response``, as Django's login() and its CSRF
    middleware do together."""
    rotate_token(request)
    set_csrf_cookie(request, response)


def read_csrf_cookie(request) -> None:
    """The browser's CSRF secret, as Django's CSRF middleware reads it before a view."""
    _csrf.process_request(request)


def set_csrf_cookie(request, response) -> None:
    """The CSRF cookie on ``response`` when the request's token was used or made, as
    Django's CSRF middleware sets it after a view."""
    _csrf.process_response(request, response)
