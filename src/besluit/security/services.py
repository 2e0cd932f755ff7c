"""The second factor (TOTP through django-otp) and the association's policy for it.

Who needs a second factor: a person with the secretariat or chair role in an
association whose policy requires it, and every superuser once any association
requires it (a superuser can do all that a secretariat can). Whether a session
needs it is decided at login and kept in the session (no query per request);
turning the policy on, or giving someone one of those roles, ends that person's
sessions so the next login asks for the code.
"""

from __future__ import annotations

import base64
import io

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from besluit import access
from besluit.associations.models import Association, Role
from besluit.audit.services import record, record_refusal
from besluit.errors import Conflict, ValidationFailed
from besluit.security.models import SecurityPolicy

SESSION_FLAG = "besluit_2fa_required"
OFFICER_KINDS = (Role.Kind.SECRETARIAT, Role.Kind.CHAIR)
DEVICE_NAME = "Besluit"


def owes_second_factor(request) -> bool:
    """Has this request's session logged in with a password but not yet confirmed the
    TOTP code it must? (After django-otp's middleware, which sets ``is_verified``.)"""
    session = getattr(request, "session", None)
    if session is None or not session.get(SESSION_FLAG):
        return False
    is_verified = getattr(request.user, "is_verified", None)
    return not (is_verified and is_verified())


def policy_for(association: Association) -> SecurityPolicy:
    """The association's policy (unsaved defaults when it has none)."""
    try:
        return association.security_policy
    except SecurityPolicy.DoesNotExist:
        return SecurityPolicy(association=association)


def second_factor_required(user) -> bool:
    """Must this person confirm a TOTP code after the password?"""
    if not getattr(user, "is_authenticated", False):
        return False
    policies = SecurityPolicy.objects.filter(totp_required=True)
    if user.is_superuser and policies.exists():
        return True
    return Role.objects.filter(
        user=user,
        kind__in=OFFICER_KINDS,
        association__security_policy__totp_required=True,
    ).exists()


def affected_user_ids(association: Association) -> set[int]:
    officers = Role.objects.filter(association=association, kind__in=OFFICER_KINDS)
    ids = set(officers.values_list("user_id", flat=True))
    ids |= set(get_user_model().objects.filter(is_superuser=True).values_list("pk", flat=True))
    return ids


def end_sessions(user_ids: set[int]) -> int:
    """Log these people out everywhere (database sessions). Returns how many sessions ended."""
    if not user_ids:
        return 0
    wanted = {str(pk) for pk in user_ids}
    doomed = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) in wanted
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def do_set_totp_policy(
    *, actor, association: Association, required: bool, ip: str | None = None
) -> SecurityPolicy:
    access.require_administer(actor, association)
    with transaction.atomic():
        policy, _created = SecurityPolicy.objects.select_for_update().get_or_create(
            association=association
        )
        was = policy.totp_required
        policy.totp_required = required
        policy.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        policy.save()
        record(
            "security.totp_policy",
            actor=actor,
            association=association,
            obj=policy,
            ip=ip,
            required=required,
            was=was,
        )
        if required and not was:
            # In the same transaction: the sessions end only if the policy is saved.
            end_sessions(affected_user_ids(association) - {getattr(actor, "pk", None)})
    return policy


# --- devices -------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def do_start_totp(*, user) -> TOTPDevice:
    """A new, unconfirmed TOTP device (replacing an earlier unconfirmed one)."""
    if confirmed_device(user) is not None:
        raise Conflict(gettext("You have a second factor already; remove it first."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        record("security.totp_started", actor=user, obj=device)
    return device


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def do_confirm_totp(*, request, token: str) -> TOTPDevice:
    """Confirm the pending device with a first code; the session counts as verified."""
    user = request.user
    device = pending_device(user)
    if device is None:
        raise Conflict(gettext("Start setting up the second factor first."))
    _check_throttle(device, user, request)
    if not _check(device, token):
        record_refusal("security.totp_refused", actor=user, ip=_ip(request), stage="enrol")
        raise ValidationFailed(
            gettext("That code is not right. Check the time on your phone."), field="token"
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("security.totp_enrolled", actor=user, obj=device, ip=_ip(request))
    otp_login(request, device)
    return device


def do_verify_totp(*, request, token: str) -> TOTPDevice:
    """Check a code after the password; marks the session as verified."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        raise Conflict(gettext("You have no second factor yet; set one up first."))
    _check_throttle(device, user, request)
    if not _check(device, token):
        record_refusal("security.totp_refused", actor=user, ip=_ip(request), stage="login")
        raise ValidationFailed(gettext("That code is not right."), field="token")
    otp_login(request, device)
    with transaction.atomic():
        record("security.totp_verified", actor=user, obj=device, ip=_ip(request))
    return device


def do_remove_totp(*, request) -> None:
    user = request.user
    if request.session.get(SESSION_FLAG) or second_factor_required(user):
        raise Conflict(gettext("Your role requires a second factor: it cannot be removed."))
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            record("security.totp_removed", actor=user, ip=_ip(request))


def _check_throttle(device: TOTPDevice, user, request) -> None:
    """django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s, ...)."""
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        record_refusal("security.totp_refused", actor=user, ip=_ip(request), stage="throttled")
        raise ValidationFailed(
            gettext("Too many wrong codes: wait a moment and try again."), field="token"
        )


def _check(device: TOTPDevice, token: str) -> bool:
    token = "".join(token.split())
    return token.isdigit() and len(token) == device.digits and device.verify_token(token)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by img-src)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    """The secret for typing in by hand, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
