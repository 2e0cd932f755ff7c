"""Writing audit events. Callers pass the request's client address as ``ip``."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class Event:
    """One audit event of a batch (``record_many``), by ids: a batch path (ballots, an
    import, the edge's tokens) has ids at hand and must not load objects to name them."""

    action: str
    object_type: str = ""
    object_id: str = ""
    actor_id: int | None = None
    association_id: int | None = None
    ip: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def record_many(events: Iterable[Event], *, at: datetime | None = None) -> int:
    """Record a batch of events in one statement, inside the caller's transaction (or
    on their own when there is none, as the refusals of ballots). Returns how many."""
    at = at or timezone.now()
    rows = [
        AuditEvent(
            at=at,
            actor_id=e.actor_id,
            association_id=e.association_id,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            data=e.data,
            ip=e.ip,
        )
        for e in events
    ]
    if rows:
        AuditEvent.objects.bulk_create(rows)
    return len(rows)
