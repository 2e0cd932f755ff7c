"""API authentication: a bearer token, or the browser's session (with CSRF).

A token counts only while it is neither revoked nor expired, and only for what its
scopes allow: ``read`` for reads, ``write`` for other changes, ``vote`` for ballots.
Why a known token was refused is kept on the request, so the 401/403 problem says it
(api.router); every use, refused ones included, is audited there.
"""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from besluit.accounts import tokens
from besluit.accounts.models import ApiToken
from besluit.security.services import owes_second_factor


def needed_scope(request) -> str:
    if request.method in tokens.SAFE_METHODS:
        return "read"
    if request.method == "POST" and request.path.rstrip("/").endswith("/ballots"):
        return "vote"
    return "write"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        checked = tokens.check(token)
        found = checked.token
        if found is None:
            return None
        request._api_token = found
        if checked.refusal:
            request._api_token_refusal = checked.refusal
            return None
        scope = needed_scope(request)
        if not found.has_scope(scope):
            request._api_token_refusal = f"scope:{scope}"
            return None
        now = timezone.now()
        # Touch the token at most once a minute: no write on every request.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class VerifiedSessionAuth(SessionAuth):
    """The browser's session, but not one that still owes its second factor (the
    security middleware refuses those first; this holds should it ever be bypassed)."""

    def authenticate(self, request, key):
        if getattr(request, "_api_token", None) is not None:
            return None  # a token was sent: it alone decides
        if owes_second_factor(request):
            return None
        return super().authenticate(request, key)


AUTH = [TokenAuth(), VerifiedSessionAuth()]


def refusal_problem(request) -> tuple[int, str, str] | None:
    """(status, detail, code) for a known token that was refused, else None."""
    refusal = getattr(request, "_api_token_refusal", "")
    if not refusal:
        return None
    if refusal.startswith("scope:"):
        scope = refusal.split(":", 1)[1]
        return 403, f"This token does not have the '{scope}' scope.", "token-scope"
    details = {
        "expired": "This token has expired: issue a new one.",
        "revoked": "This token has been revoked.",
        "inactive": "This token's account cannot use the API.",
    }
    return 401, details[refusal], f"token-{refusal}"
