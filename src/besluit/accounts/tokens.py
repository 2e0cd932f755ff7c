"""API tokens: issued with scopes and an expiry, shown once, revoked, every use audited.

A person issues tokens for themselves. An association's secretariat may also issue one
for a person whose every role is in that association (as it hands out voting codes):
never for a superuser or for someone with a role elsewhere, so no secretariat gains a
credential that reaches beyond its own association.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.accounts.models import ApiToken, User, hash_secret
from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.errors import NotFound, PermissionDenied, ValidationFailed

MAX_DAYS = 366
DEFAULT_DAYS = 90

# What each HTTP method needs; the ballot endpoint needs "vote" (api.auth).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def parse_scopes(value: str | list[str] | tuple[str, ...]) -> list[str]:
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    unknown = sorted({s for s in items if s not in ApiToken.SCOPES})
    if unknown:
        raise ValidationFailed(
            _("Unknown scope(s): %(unknown)s. Choose from: %(scopes)s.")
            % {"unknown": ", ".join(unknown), "scopes": ", ".join(ApiToken.SCOPES)},
            field="scopes",
        )
    if not items:
        raise ValidationFailed(_("A token needs at least one scope."), field="scopes")
    return [s for s in ApiToken.SCOPES if s in items]


def expiry(days: int | None) -> datetime:
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            _("A token expires after 1 to %(max)s days.") % {"max": MAX_DAYS},
            field="expiresInDays",
        )
    return timezone.now() + timedelta(days=days)


def may_issue_for(actor, user: User, association: Association | None = None) -> bool:
    if actor.pk == user.pk:
        return True
    if association is None or user.is_superuser or user.is_code_account:
        return False
    if not access.can_administer(actor, association):
        return False
    # Every role of the person in this association (and at least one).
    associations = set(user.roles.values_list("association_id", flat=True))
    return associations == {association.pk}


def do_issue_token(
    *,
    actor,
    user: User,
    name: str,
    scopes,
    expires_in_days: int | None = None,
    association: Association | None = None,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A token needs a name."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("A token's name has at most 100 characters."), field="name")
    chosen = parse_scopes(scopes)
    expires_at = expiry(expires_in_days)
    if user.is_code_account:
        raise ValidationFailed(_("A voting code's account gets no API token."), field="user")
    if actor is not None and not may_issue_for(actor, user, association):
        raise PermissionDenied(_("You may not issue a token for this person."))
    with transaction.atomic():
        token, raw = ApiToken.issue(
            user, name, scopes=chosen, expires_at=expires_at, created_by=actor
        )
        record(
            "api_token.issued",
            actor=actor,
            association=association,
            obj=token,
            ip=ip,
            user=user.username,
            name=name,
            scopes=chosen,
            expires_at=expires_at.isoformat(),
        )
    return token, raw


def do_revoke_token(*, actor, token: ApiToken, ip: str | None = None) -> ApiToken:
    others = actor is not None and actor.pk not in (token.user_id, token.created_by_id)
    if others and not actor.is_superuser:
        raise NotFound(_("No such token."))
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(
                "api_token.revoked",
                actor=actor,
                obj=token,
                ip=ip,
                user=token.user.username,
                name=token.name,
            )
    return token


def visible_tokens(actor):
    """The tokens a person sees on their page: their own and those they issued."""
    from django.db.models import Q

    return (
        ApiToken.objects.filter(Q(user=actor) | Q(created_by=actor))
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def status(token: ApiToken, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


@dataclass(frozen=True)
class Checked:
    token: ApiToken | None
    refusal: str = ""  # why a known token is refused: "expired", "revoked", "inactive"


def check(raw: str) -> Checked:
    """The token behind a raw secret, and whether it may be used now."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(raw)).first()
    if token is None:
        return Checked(None)
    state = status(token)
    if state != "active":
        return Checked(token, state)
    if not token.user.is_active or token.user.is_code_account:
        return Checked(token, "inactive")
    return Checked(token)


def record_use(token: ApiToken, *, method: str, path: str, ip: str | None, status: int) -> None:
    """Every use of a token lands in the audit log (who, what, from where, the answer)."""
    record(
        "api_token.used",
        actor=token.user,
        obj=token,
        ip=ip,
        method=method,
        path=path[:300],
        status=status,
    )
