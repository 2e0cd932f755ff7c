"""Writing audit events. Callers pass the request's client address as ``ip``."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from besluit.audit.models import AuditEvent


def record(
    action: str,
    *,
    actor=None,
    association=None,
    obj=None,
    ip: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Record an event inside the caller's transaction: it lands only if the change does."""
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        association=association,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        ip=ip,
    )


def record_refusal(action: str, **kwargs: Any) -> AuditEvent:
    """Record a refused request outside any rolled-back transaction: the only trace it leaves."""
    with transaction.atomic():
        return record(action, **kwargs)
