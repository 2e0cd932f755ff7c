"""Read queries for accountability: the overview, exports, the feed and timelines.

Each function runs a fixed number of queries whatever the number of commitments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from besluit.accountability.models import (
    Commitment,
    CommitmentEvent,
    CommitmentUpdate,
    Committee,
    MotionPart,
    Outcome,
    PartPoll,
    Report,
    ReportEntry,
    Theme,
)
from besluit.associations.models import Association, Member, Network
from besluit.audit.models import AuditEvent
from besluit.meetings.models import Meeting
from besluit.proposals.models import Motion, PreAdvice, SubmissionStatus
from besluit.voting.models import Decision, Poll

Status = Commitment.Status

# What the status filter offers beyond the stored statuses.
STATUS_OPEN = "open"
STATUS_OVERDUE = "overdue"


@dataclass(frozen=True)
class Filters:
    meeting: Meeting | None = None
    status: str = ""
    theme: Theme | None = None
    member: Member | None = None
    network: Network | None = None
    owner: Committee | None = None
    overdue: bool = False
    q: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters as shown in an export (codes and names, not ids)."""
        out: dict[str, Any] = {}
        if self.meeting:
            out["meeting"] = self.meeting.title
        if self.status:
            out["status"] = self.status
        if self.theme:
            out["theme"] = self.theme.name
        if self.member:
            out["member"] = self.member.code
        if self.network:
            out["network"] = self.network.code
        if self.owner:
            out["owner"] = self.owner.name
        if self.overdue:
            out["overdue"] = True
        if self.q:
            out["q"] = self.q
        return out


def overdue_q(today: date) -> Q:
    return Q(status__in=Commitment.OPEN_STATUSES, due_date__lt=today)


def commitments(association: Association) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(association=association)
        .select_related(
            "meeting",
            "motion__submitter",
            "motion__meeting",
            "part",
            "demand__proposal",
            "theme",
            "owner_committee",
            "owner_user",
        )
        .prefetch_related("motion__co_submitters")
    )


def filtered(association: Association, f: Filters, today: date | None = None):
    today = today or timezone.localdate()
    qs = commitments(association)
    if f.meeting is not None:
        qs = qs.filter(meeting=f.meeting)
    if f.status == STATUS_OPEN:
        qs = qs.filter(status__in=Commitment.OPEN_STATUSES)
    if f.status == STATUS_OVERDUE or f.overdue:
        qs = qs.filter(overdue_q(today))
    if f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.theme is not None:
        qs = qs.filter(theme=f.theme)
    if f.owner is not None:
        qs = qs.filter(owner_committee=f.owner)
    if f.member is not None:
        qs = qs.filter(
            pk__in=Commitment.objects.filter(
                Q(motion__submitter=f.member) | Q(motion__co_submitters=f.member)
            ).values("pk")
        )
    if f.network is not None:
        qs = qs.filter(
            pk__in=Commitment.objects.filter(
                Q(motion__submitter__networks=f.network)
                | Q(motion__co_submitters__networks=f.network)
            ).values("pk")
        )
    if f.q.strip():
        words = f.q.split()
        for word in words[:8]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(text__icontains=word)
                | Q(motion__submitter__name__icontains=word)
            )
    return qs.order_by(
        "-meeting__starts_at",
        F("motion__number").asc(nulls_last=True),  # motions first, then resolution demands
        "part__position",
        "demand__position",
        "pk",
    )


@dataclass(frozen=True)
class Summary:
    total: int
    open: int
    overdue: int
    done: int
    by_status: dict[str, int]


def summary(qs: QuerySet[Commitment], today: date | None = None) -> Summary:
    today = today or timezone.localdate()
    base = Commitment.objects.filter(pk__in=qs.values("pk"))
    counts = base.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=Commitment.OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        **{s: Count("pk", filter=Q(status=s)) for s in Status.values},
    )
    return Summary(
        total=counts["total"],
        open=counts["open"],
        overdue=counts["overdue"],
        done=counts[Status.DONE],
        by_status={s: counts[s] for s in Status.values},
    )


def filter_choices(association: Association) -> dict[str, Any]:
    """What the filter form offers: only meetings that produced commitments."""
    return {
        "meetings": Meeting.objects.filter(
            pk__in=Commitment.objects.filter(association=association).values("meeting")
        ).order_by("-starts_at"),
        "themes": Theme.objects.filter(association=association).order_by("name"),
        "members": Member.objects.filter(association=association).order_by("name"),
        "networks": Network.objects.filter(association=association).order_by("code"),
        "owners": Committee.objects.filter(association=association).order_by("name"),
    }


def commitment_in(association: Association, pk: int) -> Commitment:
    return get_object_or_404(
        commitments(association).prefetch_related(
            "milestones",
            Prefetch(
                "updates",
                queryset=CommitmentUpdate.objects.select_related("posted_by").prefetch_related(
                    "attachments"
                ),
            ),
        ),
        pk=pk,
    )


def history(commitment: Commitment) -> list[CommitmentEvent]:
    return list(
        commitment.events.select_related("actor", "report_entry__report__meeting").order_by(
            "at", "pk"
        )
    )


def report_entries_of(commitment: Commitment) -> list[ReportEntry]:
    return list(
        commitment.report_entries.select_related("report__meeting", "decision").order_by(
            "report__meeting__starts_at"
        )
    )


def motion_in(association: Association, meeting_id: int, number: int) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related("meeting__association", "submitter", "agenda_item"),
        meeting_id=meeting_id,
        number=number,
        meeting__association=association,
    )


# --- timelines ----------------------------------------------------------------------


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # submitted, admitted, pre_advice, split, vote, decided, commitment, update, ...
    title: str
    text: str = ""
    badge: tuple[str, str] | None = None  # (css key, label)
    poll_id: str = ""  # a vote: links to its poll page
    anchor: str = ""  # an event: "event-<pk>", the feed links here
    report_id: int | None = None  # reported or decided: the report
    lines: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    attachments: list = field(default_factory=list)
    actor: str = ""
    commitment: Commitment | None = None


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


STATUS_BADGE = {
    SubmissionStatus.ADOPTED: "adopted",
    SubmissionStatus.REJECTED: "rejected",
    SubmissionStatus.TAKEN_OVER: "taken-over",
    SubmissionStatus.HELD_OVER: "held-over",
    SubmissionStatus.WITHDRAWN: "withdrawn",
    SubmissionStatus.ADMITTED: "admitted",
    SubmissionStatus.NOT_ADMITTED: "rejected",
    SubmissionStatus.SUBMITTED: "submitted",
}
COMMITMENT_BADGE = {
    Status.NEW: "submitted",
    Status.IN_PROGRESS: "open",
    Status.HELD_OVER: "held-over",
    Status.DONE: "adopted",
    Status.NOT_FEASIBLE: "withdrawn",
    Status.CANCELLED: "withdrawn",
    STATUS_OVERDUE: "late",
}
DECISION_BADGE = {
    Decision.Outcome.ADOPTED: "adopted",
    Decision.Outcome.REJECTED: "rejected",
    Decision.Outcome.NO_QUORUM: "rejected",
    Decision.Outcome.NO_MAJORITY: "rejected",
    Decision.Outcome.NOTED: "submitted",
}


def motion_timeline(motion: Motion, *, labels) -> list[TimelineItem]:
    """The motion's life in order: submission, pre-advice, votes, commitments, reports.

    ``labels`` translates keys to display words (the view passes gettext-based labels),
    so that this module stays free of presentation.
    """
    items: list[TimelineItem] = []
    co = list(motion.co_submitters.all())
    items.append(
        TimelineItem(
            at=motion.submitted_at,
            kind="submitted",
            title=labels["submitted"],
            text=motion.submitter.name
            + (" c.s. (" + ", ".join(m.name for m in co) + ")" if co else ""),
            badge=("late", labels["late"]) if motion.is_late else None,
        )
    )
    audit = AuditEvent.objects.filter(
        object_type="Motion",
        object_id=str(motion.pk),
        action__in=[
            "submission.admitted",
            "submission.not_admitted",
            "submission.pre_advice",
            "submission.withdrawn",
            "submission.status_changed",
            "motion.split",
        ],
    ).order_by("at", "pk")
    for event in audit:
        if event.action == "submission.pre_advice":
            advice = event.data.get("advice", "")
            label = PreAdvice(advice).label if advice in PreAdvice.values else advice
            items.append(
                TimelineItem(
                    at=event.at,
                    kind="pre_advice",
                    title=labels["pre_advice"],
                    text=str(label),
                    lines=[motion.pre_advice_reason]
                    if advice == motion.pre_advice and motion.pre_advice_reason
                    else [],
                )
            )
        elif event.action == "submission.status_changed":
            after = event.data.get("after", "")
            items.append(
                TimelineItem(
                    at=event.at,
                    kind="decided",
                    title=labels["status_changed"],
                    badge=(
                        STATUS_BADGE.get(after, "submitted"),
                        str(SubmissionStatus(after).label)
                        if after in SubmissionStatus.values
                        else after,
                    ),
                )
            )
        elif event.action == "motion.split":
            items.append(
                TimelineItem(
                    at=event.at,
                    kind="split",
                    title=labels["split"],
                    lines=[f"{p.label}: {p.text}" for p in motion.parts.all()],
                )
            )
        else:
            items.append(TimelineItem(at=event.at, kind="admitted", title=labels[event.action]))
    polls = list(
        Poll.objects.filter(
            Q(motion=motion) | Q(motion_part_link__part__motion=motion),
            status=Poll.Status.CLOSED,
        )
        .select_related("decision")
        .order_by("closed_at")
    )
    for poll in polls:
        decision = getattr(poll, "decision", None)
        items.append(
            TimelineItem(
                at=poll.closed_at,
                kind="vote",
                title=poll.title,
                text=decision.text if decision else "",
                badge=(
                    DECISION_BADGE.get(decision.outcome, "submitted"),
                    decision.get_outcome_display(),
                )
                if decision
                else None,
                poll_id=str(poll.public_id),
            )
        )
    for part in MotionPart.objects.filter(
        motion=motion, decision__method=Decision.Method.ACCLAMATION
    ).select_related("decision"):
        items.append(
            TimelineItem(
                at=part.decided_at,
                kind="vote",
                title=part.decision.subject,
                text=part.decision.text,
                badge=("adopted", part.decision.get_outcome_display()),
            )
        )
    events = (
        CommitmentEvent.objects.filter(commitment__motion=motion)
        .select_related("actor", "commitment__part", "update", "report_entry__report__meeting")
        .prefetch_related("update__attachments")
        .order_by("at", "pk")
    )
    items += [_event_item(e, labels) for e in events]
    items.sort(key=lambda i: i.at)
    return items


def commitment_timeline(commitment: Commitment, *, labels) -> list[TimelineItem]:
    """A commitment's own history (for demands, which have no motion)."""
    events = (
        commitment.events.select_related(
            "actor", "commitment__part", "update", "report_entry__report__meeting"
        )
        .prefetch_related("update__attachments")
        .order_by("at", "pk")
    )
    return [_event_item(e, labels) for e in events]


def _event_item(event: CommitmentEvent, labels) -> TimelineItem:
    c = event.commitment
    kind = event.kind
    status = (event.changes.get("status") or event.changes.get("closed") or [None, None])[1]
    if kind == CommitmentEvent.Kind.DECIDED and status in Commitment.CLOSED_STATUSES:
        kind = "closed"
    item = TimelineItem(
        at=event.at,
        kind=kind,
        title=labels[f"event:{kind}"],
        text=event.note,
        actor=_name(event.actor),
        commitment=c,
        lines=change_lines(event.changes, labels),
        anchor=f"event-{event.pk}",
    )
    if event.report_entry_id:
        item.report_id = event.report_entry.report_id
    if status:
        item.badge = (COMMITMENT_BADGE.get(status, "submitted"), labels[f"status:{status}"])
    if event.update_id:
        u = event.update
        item.lines = [
            *([f"{labels['done']}: {u.done}"] if u.done else []),
            *([f"{labels['planned']}: {u.planned}"] if u.planned else []),
            *item.lines,
        ]
        item.links = u.link_list
        item.attachments = list(u.attachments.all())
    return item


FIELDS = (
    "title",
    "theme",
    "owner_committee",
    "owner_user",
    "due_date",
    "update_interval_days",
    "status",
    "progress",
    "outcome",
)


def change_lines(changes: dict, labels) -> list[str]:
    """'Status: new → in progress' for each change; statuses and dates in words."""
    out = []
    for key in FIELDS:
        if key not in changes:
            continue
        before, after = changes[key]
        if key == "status":
            before = labels.get(f"status:{before}", before) if before else None
            after = labels.get(f"status:{after}", after)
        elif key == "outcome":
            after = labels.get(f"outcome:{after}", after)
        elif key == "progress":
            before = f"{before}%" if before is not None else None
            after = f"{after}%"
        elif key == "due_date":
            before = _nl_date(before)
            after = _nl_date(after)
        if before in (None, ""):
            out.append(f"{labels[f'field:{key}']}: {after if after not in (None, '') else '–'}")
        else:
            out.append(f"{labels[f'field:{key}']}: {before} → {after if after else '–'}")
    return out


def _nl_date(value):
    if not value:
        return value
    try:
        return date.fromisoformat(value).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return value


# --- the feed -------------------------------------------------------------------------


FEED_KINDS = (
    CommitmentEvent.Kind.CREATED,
    CommitmentEvent.Kind.UPDATE,
    CommitmentEvent.Kind.REPORTED,
    CommitmentEvent.Kind.DECIDED,
    CommitmentEvent.Kind.REOPENED,
)


def feed_events(qs: QuerySet[Commitment], limit: int = 50) -> list[CommitmentEvent]:
    """Recent events worth following: new commitments, updates, reports, decisions, statuses."""
    return list(
        CommitmentEvent.objects.filter(commitment__in=qs.values("pk"))
        .filter(Q(kind__in=FEED_KINDS) | Q(changes__has_key="status"))
        .select_related(
            "commitment__motion__submitter",
            "commitment__part",
            "commitment__demand__proposal",
            "commitment__theme",
            "update",
            "actor",
        )
        .prefetch_related("commitment__motion__co_submitters")
        .order_by("-at", "-pk")[:limit]
    )


# --- exports ---------------------------------------------------------------------------


EXPORT_FIELDS = (
    "id",
    "reference",
    "title",
    "source",
    "meeting",
    "decided_on",
    "motion_number",
    "submitter",
    "submitter_code",
    "co_submitters",
    "theme",
    "owner",
    "due_date",
    "status",
    "overdue",
    "progress",
    "last_update",
    "closed_on",
    "text",
)


def export_rows(qs: QuerySet[Commitment], today: date | None = None) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    rows = []
    for c in qs:
        motion = c.motion
        co = list(motion.co_submitters.all()) if motion else []
        rows.append(
            {
                "id": c.pk,
                "reference": c.reference,
                "title": c.title,
                "source": c.source,
                "meeting": c.meeting.title,
                "decided_on": timezone.localdate(c.created_at).isoformat(),
                "motion_number": motion.number if motion else None,
                "submitter": motion.submitter.name if motion else "",
                "submitter_code": motion.submitter.code if motion else "",
                "co_submitters": [m.code for m in co],
                "theme": c.theme.name if c.theme else "",
                "owner": c.owner_label,
                "due_date": c.due_date.isoformat() if c.due_date else None,
                "status": c.status,
                "overdue": c.is_overdue_on(today),
                "progress": c.progress,
                "last_update": timezone.localdate(c.last_update_at).isoformat()
                if c.last_update_at
                else None,
                "closed_on": timezone.localdate(c.closed_at).isoformat() if c.closed_at else None,
                "text": c.text,
            }
        )
    return rows


# --- reports -----------------------------------------------------------------------------


def reports(association: Association) -> QuerySet[Report]:
    return (
        Report.objects.filter(association=association)
        .select_related("meeting", "agenda_item")
        .annotate(
            n_entries=Count("entries", distinct=True),
            n_pending=Count("entries", filter=Q(entries__outcome=Outcome.PENDING), distinct=True),
        )
        .order_by("-meeting__starts_at", "pk")
    )


def report_in(association: Association, pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related("meeting__association", "agenda_item", "created_by"),
        pk=pk,
        association=association,
    )


def part_polls(motion: Motion) -> dict[int, list[Poll]]:
    out: dict[int, list[Poll]] = {}
    for link in PartPoll.objects.filter(part__motion=motion).select_related("poll"):
        out.setdefault(link.part_id, []).append(link.poll)
    return out
