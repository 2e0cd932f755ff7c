"""Signal receivers: logins in the audit log, client addresses on audit events,
the second-factor flag on new sessions, and sessions ended when someone becomes
an officer of an association that requires the second factor."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save

from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.audit.services import record_refusal
from besluit.security import services, throttle
from besluit.security.middleware import client_address


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def on_login(sender, request, user, **kwargs) -> None:
    required = services.second_factor_required(user)
    if request is not None and hasattr(request, "session"):
        request.session[services.SESSION_FLAG] = required
    record_refusal("auth.login", actor=user, ip=_ip(request), second_factor_required=required)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_refusal("auth.logout", actor=user, ip=_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    record_refusal("auth.login_failed", ip=_ip(request), username=username)
    if request is not None:
        limit = settings.BESLUIT_LOGIN_ADDRESS_FAILURE_LIMIT
        seconds = throttle.LOGIN_ADDRESS.fail(_ip(request) or "-", limit)
        if seconds:
            record_refusal("auth.address_locked", ip=_ip(request), seconds=seconds)


def fill_audit_address(sender, instance: AuditEvent, **kwargs) -> None:
    if instance.ip is None and instance._state.adding:
        instance.ip = client_address()


def on_role_saved(sender, instance: Role, created: bool, **kwargs) -> None:
    if instance.kind not in services.OFFICER_KINDS:
        return
    policy = services.policy_for(instance.association)
    if policy.totp_required:
        services.end_sessions({instance.user_id})


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="besluit.security.login")
    user_logged_out.connect(on_logout, dispatch_uid="besluit.security.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="besluit.security.login_failed")
    user_locked_out.connect(
        throttle.on_username_locked_out, dispatch_uid="besluit.security.username_locked"
    )
    pre_save.connect(fill_audit_address, sender=AuditEvent, dispatch_uid="besluit.security.ip")
    post_save.connect(on_role_saved, sender=Role, dispatch_uid="besluit.security.role")
