"""Helpers the accountability services share: history lines, status, new commitments.

Every change to a commitment writes a ``CommitmentEvent`` and an audit event in the
same transaction (``_log``). A report's text can change until the meeting starts or
votes on it (``editable_problem``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import hooks
from besluit.accountability.models import (
    Commitment,
    CommitmentEvent,
    CommitmentUpdate,
    Demand,
    MotionPart,
    Report,
    Theme,
)
from besluit.audit.services import record
from besluit.errors import Conflict
from besluit.meetings.models import Meeting
from besluit.proposals.models import Motion
from besluit.voting.models import Decision, Poll

Status = Commitment.Status
Kind = CommitmentEvent.Kind

# A new commitment is due a year after the decision unless the secretariat says otherwise.
DEFAULT_TERM = timedelta(days=365)
# Statuses that need a reason when set by hand.
NEEDS_REASON = (Status.NOT_FEASIBLE, Status.CANCELLED)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _log(
    commitment: Commitment,
    *,
    actor,
    kind: str,
    at: datetime | None = None,
    changes: dict | None = None,
    note: str = "",
    update: CommitmentUpdate | None = None,
    report_entry=None,
) -> CommitmentEvent:
    """One history line and its audit event, inside the caller's transaction."""
    event = CommitmentEvent.objects.create(
        commitment=commitment,
        at=at or timezone.now(),
        actor=_user(actor),
        kind=kind,
        changes=changes or {},
        note=note,
        update=update,
        report_entry=report_entry,
    )
    record(
        f"commitment.{kind}",
        actor=actor,
        association=commitment.association,
        obj=commitment,
        changes=changes or {},
        note=note[:500],
    )
    hooks.emit(hooks.CommitmentChanged(commitment=commitment, kind=kind, actor=actor))
    return event


def _set_status(commitment: Commitment, status: str, at: datetime) -> list:
    """Change the status and its closing time; return [before, after] or [] if unchanged."""
    before = commitment.status
    if before == status:
        return []
    commitment.status = status
    if status in Commitment.CLOSED_STATUSES:
        commitment.closed_at = at
    else:
        commitment.closed_at = None
    return [before, status]


def _create(
    *,
    actor,
    source: str,
    meeting,
    title: str,
    text: str,
    at: datetime,
    note: str,
    motion: Motion | None = None,
    part: MotionPart | None = None,
    demand: Demand | None = None,
    decision: Decision | None = None,
    theme: Theme | None = None,
) -> Commitment:
    commitment = Commitment.objects.create(
        association=meeting.association,
        meeting=meeting,
        source=source,
        motion=motion,
        part=part,
        demand=demand,
        decision=decision,
        title=title.strip()[:300],
        text=text,
        theme=theme,
        due_date=timezone.localdate(at) + DEFAULT_TERM,
        created_at=at,
    )
    _log(
        commitment,
        actor=actor,
        kind=Kind.CREATED,
        at=at,
        note=note,
        changes={"status": [None, Status.NEW], "due_date": [None, str(commitment.due_date)]},
    )
    return commitment


def editable_problem(report: Report, now: datetime | None = None) -> str | None:
    """Why the report's text cannot change now, or None when it can."""
    now = now or timezone.now()
    if report.status == Report.Status.DECIDED:
        return _("The meeting has decided on this report.")
    if report.meeting.status == Meeting.Status.CLOSED:
        return _("The meeting is closed.")
    if now >= report.meeting.starts_at:
        return _("The meeting has started: the report can no longer be changed.")
    if report.votes.exclude(poll__status=Poll.Status.DRAFT).exists():
        return _("The meeting is voting on this report.")
    return None


def _require_editable(report: Report, now: datetime | None = None) -> None:
    report.refresh_from_db()  # the caller's copy may predate a publication or a vote
    problem = editable_problem(report, now)
    if problem:
        raise Conflict(problem)
