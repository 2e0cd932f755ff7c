"""Configure an association's identity provider; turn its claims into a person and roles.

Who is who: a person is found by (provider, ``sub``), never by a name or e-mail the
provider sends, so one provider's user can never become another's account. On the first
login, with ``link_by_email`` and a verified e-mail address, a person of this association
only (every role here, no installation administrator) with that address is linked (e.g.
one imported without a password); otherwise a new person ``NAME@slug`` is made.

Roles follow the claims on every login (``_sync_roles``): a role the claims name is given
and recorded as single sign-on's (``GrantedRole``); a role single sign-on gave is taken
away when the claims no longer name it. A role given in Besluit (by the secretariat, an
import, a command) is never touched by a login, so a provider's typo cannot strip it.

Logout: ``end_session_url`` sends the browser to the provider's ``end_session_endpoint``
with the id token as ``id_token_hint`` (RP-initiated logout), when the provider has one.
"""

import logging
import secrets
from urllib.parse import urlencode

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.accounts.models import User
from besluit.accounts.services import scoped_username
from besluit.associations.models import Association, Role
from besluit.associations.services import do_assign_role, do_remove_role
from besluit.audit.services import record
from besluit.core import people_csv
from besluit.errors import ValidationFailed
from besluit.sso.models import GrantedRole, Identity, Provider

logger = logging.getLogger("besluit.sso")
AMR_SECOND_FACTOR = {"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "pin"}
TIMEOUT = 10


def discover(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ValidationFailed(
            _("No OpenID configuration at %(url)s: %(error)s") % {"url": url, "error": exc},
            field="issuer",
        ) from exc
    missing = [
        k
        for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
        if not data.get(k)
    ]
    if missing:
        raise ValidationFailed(
            _("The configuration lacks %(keys)s.") % {"keys": ", ".join(missing)}, field="issuer"
        )
    return data


def do_configure_provider(
    *,
    actor,
    association: Association,
    issuer: str,
    client_id: str,
    client_secret: str,
    name: str = "",
    role_claim: str = "besluit_roles",
    role_map: dict | None = None,
    member_claim: str = "gemeentecode",
    function_claim: str = "functie",
    accept_amr: bool = True,
    scopes: str = "openid email profile",
) -> Provider:
    """Set the association's provider from its discovery document."""
    if actor is not None:
        access.require_administer(actor, association)
    role_map = role_map or {}
    bad = sorted(v for v in role_map.values() if v not in Role.Kind.values)
    if bad:
        raise ValidationFailed(
            _("Unknown role(s) in the role map: %(roles)s.") % {"roles": ", ".join(bad)},
            field="role_map",
        )
    scopes = " ".join(scopes.split())
    if "openid" not in scopes.split():
        raise ValidationFailed(_("The scopes must include 'openid'."), field="scopes")
    meta = discover(issuer)
    with transaction.atomic():
        provider, _created = Provider.objects.update_or_create(
            association=association,
            defaults={
                "name": name or "Single sign-on",
                "issuer": meta.get("issuer", issuer),
                "client_id": client_id,
                "client_secret": client_secret,
                "authorization_endpoint": meta["authorization_endpoint"],
                "token_endpoint": meta["token_endpoint"],
                "userinfo_endpoint": meta["userinfo_endpoint"],
                "jwks_uri": meta["jwks_uri"],
                "end_session_endpoint": str(meta.get("end_session_endpoint") or "")[:300],
                "role_claim": role_claim,
                "role_map": role_map,
                "member_claim": member_claim,
                "function_claim": function_claim,
                "accept_amr": accept_amr,
                "scopes": scopes[:200],
                "enabled": True,
            },
        )
        record("sso.configured", actor=actor, association=association, obj=provider, issuer=issuer)
    return provider


def _values(claim) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim]
    return [str(claim)]


def second_factor_by_provider(provider: Provider, id_claims: dict) -> bool:
    """Did the provider's login include a second factor, and do we accept its word?"""
    amr = set(_values(id_claims.get("amr")))
    return provider.accept_amr and bool(amr & AMR_SECOND_FACTOR)


def _person(provider: Provider, claims: dict) -> User | None:
    identity = (
        Identity.objects.select_related("user")
        .filter(provider=provider, subject=str(claims["sub"]))
        .first()
    )
    if identity is not None:
        return identity.user
    association = provider.association
    email = str(claims.get("email") or "").strip()
    if provider.link_by_email and email and claims.get("email_verified") is True:
        candidates = (
            User.objects.filter(email__iexact=email, is_superuser=False, code_meeting__isnull=True)
            .filter(roles__association=association)
            .distinct()
        )
        for user in candidates:
            if set(user.roles.values_list("association_id", flat=True)) == {association.pk}:
                return user
    return None


def _new_person(provider: Provider, claims: dict) -> User:
    association = provider.association
    base = (
        people_csv.default_username(str(claims.get("email") or ""))
        if claims.get("email")
        else f"sso.{secrets.token_hex(4)}"
    )
    username = scoped_username(base, association)
    if User.objects.filter(username__iexact=username).exists():
        username = scoped_username(f"{base}.{secrets.token_hex(3)}", association)
    user = User(
        username=username,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
        email=str(claims.get("email") or "")[:254],
    )
    user.set_unusable_password()
    user.save()
    return user


def roles_from_claims(provider: Provider, claims: dict) -> list[tuple[str, str, str]]:
    """(kind, member code, function) for every role the claims name."""
    kinds = {
        provider.role_map[v]
        for v in _values(claims.get(provider.role_claim))
        if v in provider.role_map
    }
    member = str(claims.get(provider.member_claim) or "").strip().upper()
    raw_function = str(claims.get(provider.function_claim) or "").strip().lower()
    function = people_csv.FUNCTIONS.get(raw_function, "")
    return [
        (
            kind,
            member if kind == Role.Kind.REPRESENTATIVE else "",
            function if kind == Role.Kind.REPRESENTATIVE else "",
        )
        for kind in sorted(kinds)
    ]


def _refuse_roleless(association, claims: dict, ip: str | None) -> None:
    record(
        "sso.refused", association=association, ip=ip, subject=str(claims["sub"]), reason="no role"
    )


def do_sign_in(*, provider: Provider, claims: dict, ip: str | None = None) -> User | None:
    """The person behind these (verified) claims, with the roles they name; None when
    the claims name no role and the person has none here (nobody gets in role-less)."""
    association = provider.association
    if not claims.get("sub"):
        return None
    with transaction.atomic():
        user = _person(provider, claims)
        wanted = roles_from_claims(provider, claims)
        if user is None and not wanted:
            _refuse_roleless(association, claims, ip)
            return None
        created = user is None
        if created:
            user = _new_person(provider, claims)
        Identity.objects.update_or_create(
            provider=provider,
            subject=str(claims["sub"]),
            defaults={"user": user, "last_login_at": timezone.now()},
        )
        added, removed = _sync_roles(provider, user, wanted)
        if not user.roles.filter(association=association).exists():
            _refuse_roleless(association, claims, ip)
            return None
        record(
            "sso.login",
            actor=user,
            association=association,
            obj=user,
            ip=ip,
            created=created,
            roles_added=added,
            roles_removed=removed,
        )
    return user


def _sync_roles(
    provider: Provider, user: User, wanted: list[tuple[str, str, str]]
) -> tuple[list[str], list[str]]:
    """Make the roles single sign-on gave this person what the claims say now; leave the
    roles given in Besluit alone. Returns the kinds added and removed."""
    association = provider.association
    current = {r.kind: r for r in Role.objects.filter(user=user, association=association)}
    granted = set(
        GrantedRole.objects.filter(provider=provider, role__in=current.values()).values_list(
            "role_id", flat=True
        )
    )
    added, kept = [], set()
    for kind, code, function in wanted:
        member = None
        if code:
            member = association.members.filter(code=code).first()
            if member is None:
                logger.warning("sso: no member %s in %s for %s", code, association.slug, user)
                continue
        elif kind == Role.Kind.REPRESENTATIVE:
            continue  # a representative without a member in the claims: nothing to act for
        role = current.get(kind)
        if role is not None and role.pk not in granted:
            continue  # given in Besluit: the secretariat's, not the provider's
        kept.add(kind)
        if role is not None and (role.member_id, role.function) == (
            getattr(member, "pk", None),
            function,
        ):
            continue
        role = do_assign_role(
            actor=None,
            user=user,
            association=association,
            kind=kind,
            member=member,
            function=function,
        )
        GrantedRole.objects.get_or_create(role=role, defaults={"provider": provider})
        added.append(kind)
    removed = []
    for kind, role in current.items():
        if role.pk in granted and kind not in kept:
            do_remove_role(actor=None, role=role)  # its GrantedRole goes with it (cascade)
            removed.append(kind)
    return added, removed


def end_session_url(provider: Provider | None, *, id_token: str, after: str) -> str | None:
    """Where the browser goes to log out at the provider too (RP-initiated logout), or
    None when the provider offers no end_session_endpoint or there is no id token."""
    if provider is None or not provider.end_session_endpoint or not id_token:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": after,
            "client_id": provider.client_id,
        }
    )
    separator = "&" if "?" in provider.end_session_endpoint else "?"
    return provider.end_session_endpoint + separator + query
