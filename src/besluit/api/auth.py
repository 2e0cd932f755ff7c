"""API authentication: a bearer token, or the browser's session (with CSRF)."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from besluit.accounts.models import ApiToken, hash_secret
from besluit.security.services import owes_second_factor


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_secret(token), revoked_at__isnull=True, user__is_active=True)
            # A voting code's account works only through its code session (accounts.codes).
            .filter(user__code_meeting__isnull=True)
            .first()
        )
        if found is None:
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
        if owes_second_factor(request):
            return None
        return super().authenticate(request, key)


AUTH = [TokenAuth(), VerifiedSessionAuth()]
