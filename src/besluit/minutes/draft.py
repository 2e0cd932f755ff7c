"""The draft minutes, made from what the meeting recorded as it went.

``gather`` reads the record in a fixed number of queries, whatever the length of the meeting:
the live events (when each agenda item was taken up), the speakers list, every closed poll
with its stored result and decision, decisions by acclamation, texts adopted, late submissions
admitted, and who voted at all. ``compose`` writes it as a structured text (``core.texts``
blocks) in the reader's language; figures are written as the results page writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from besluit.core import texts as ct
from besluit.core import voting as core_voting
from besluit.live.models import LiveEvent, SpeakerRequest
from besluit.meetings.models import AgendaItem, Meeting
from besluit.minutes import attendance as minutes_attendance
from besluit.proposals.models import Amendment, Motion, SubmissionStatus
from besluit.texts.models import TextVersion
from besluit.voting.models import Ballot, Decision, Poll

OPTION_LABELS = {  # stored in Dutch (domain data): shown translated, as the results page does
    "for": gettext_lazy("For"),
    "against": gettext_lazy("Against"),
    "abstain": gettext_lazy("Abstain"),
}


def pct(fraction) -> str:
    """As the results page's ``pct`` filter: 0.9763 -> '97,63%'."""
    return f"{floatformat(Decimal(str(fraction)) * 100, 2)}%"


def clock(value) -> str:
    return formats.time_format(timezone.localtime(value), "H:i") if value else ""


@dataclass
class Speech:
    name: str
    member: str
    start: object
    end: object
    remote: bool = False
    point_of_order: bool = False


@dataclass
class Vote:
    title: str
    outcome: str
    shares: list[tuple[str, str]]
    turnout: str
    decision: str
    at: object
    secret: bool = False
    quorum: str = ""  # the meeting quorum found when the poll opened, if it required it


@dataclass
class ItemRecord:
    item: AgendaItem | None
    start: object = None
    end: object = None
    speeches: list[Speech] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    adopted_texts: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)


@dataclass
class Record:
    meeting: Meeting
    items: list[ItemRecord]
    voted_members: int
    eligible_members: int
    attendance: minutes_attendance.AttendanceRecord | None = None


def _vote(poll: Poll | None, decision: Decision | None, quorum=None) -> Vote:
    if poll is None:  # by acclamation
        return Vote(
            title=decision.subject,
            outcome=decision.get_outcome_display(),
            shares=[],
            turnout="",
            decision=decision.text,
            at=decision.recorded_at,
        )
    result = core_voting.Result.from_dict(poll.result)
    shares = []
    for o in result.options:
        label = str(OPTION_LABELS.get(o.key, o.label))
        if o.share is not None:
            shares.append((label, pct(o.share)))
        else:
            shares.append((label, _("%(n)s members") % {"n": o.members}))
    turnout = _(
        "%(voted)s of %(eligible)s members voted (%(members)s), %(weight)s of the weight"
    ) % {
        "voted": result.voted_members,
        "eligible": result.eligible_members,
        "members": pct(result.turnout_members),
        "weight": pct(result.turnout_weight),
    }
    return Vote(
        title=poll.title,
        outcome=decision.get_outcome_display() if decision else str(result.outcome),
        shares=shares,
        turnout=turnout,
        decision=decision.text if decision else "",
        at=poll.closed_at,
        secret=poll.is_secret,
        quorum=minutes_attendance.quorum_line(quorum) if quorum is not None else "",
    )


def gather(meeting: Meeting) -> Record:
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    records = {i.pk: ItemRecord(i) for i in items}
    loose = ItemRecord(None)

    def record_of(item_id) -> ItemRecord:
        return records.get(item_id, loose)

    # When each item was taken up: the live "agenda-item" events, in order.
    taken = list(
        LiveEvent.objects.filter(meeting=meeting, kind="agenda-item")
        .order_by("seq")
        .values_list("data", "created_at")
    )
    for (data, at), following in zip(taken, [*taken[1:], (None, None)], strict=False):
        rec = records.get(data.get("item"))
        if rec is None:
            continue
        rec.start = rec.start or at
        rec.end = following[1] or meeting.ends_at or rec.end
    for s in (
        SpeakerRequest.objects.filter(meeting=meeting, started_at__isnull=False)
        .select_related("member")
        .order_by("started_at", "pk")
    ):
        record_of(s.agenda_item_id).speeches.append(
            Speech(
                name=s.name,
                member=s.member.name if s.member else "",
                start=s.started_at,
                end=s.ended_at,
                remote=bool(getattr(s, "remote", False)),
                point_of_order=bool(getattr(s, "point_of_order", False)),
            )
        )
    decisions = list(
        Decision.objects.filter(meeting=meeting).select_related("poll").order_by("recorded_at")
    )
    by_poll = {d.poll_id: d for d in decisions if d.poll_id}
    votes: list[tuple[object, int | None, Vote]] = []
    quorums = minutes_attendance.quorums(meeting)
    for poll in Poll.objects.filter(meeting=meeting, status=Poll.Status.CLOSED).exclude(
        result=None
    ):
        vote = _vote(poll, by_poll.get(poll.pk), quorums.get(poll.pk))
        votes.append((poll.closed_at, poll.agenda_item_id, vote))
    for d in decisions:
        if d.poll_id is None:
            votes.append((d.recorded_at, d.agenda_item_id, _vote(None, d)))
    for _at, item_id, vote in sorted(votes, key=lambda v: v[0]):
        record_of(item_id).votes.append(vote)
    for v in TextVersion.objects.filter(
        proposal__agenda_item__meeting=meeting,
        kind=TextVersion.Kind.ADOPTED,
        status=TextVersion.Status.PUBLISHED,
    ).select_related("proposal"):
        record_of(v.proposal.agenda_item_id).adopted_texts.append(
            _("%(title)s (version %(n)s)") % {"title": v.proposal.title, "n": v.number}
        )
    admitted = [
        SubmissionStatus.ADMITTED,
        SubmissionStatus.ADOPTED,
        SubmissionStatus.REJECTED,
    ]
    for a in Amendment.objects.filter(
        proposal__agenda_item__meeting=meeting, is_late=True, status__in=admitted
    ).select_related("proposal", "submitter"):
        record_of(a.proposal.agenda_item_id).late.append(f"{a.display_title} ({a.number})")
    for m in Motion.objects.filter(
        meeting=meeting, is_late=True, status__in=admitted
    ).select_related("submitter"):
        record_of(m.agenda_item_id).late.append(f"{m.display_title}: {m.title}")
    polls = Poll.objects.filter(meeting=meeting, status=Poll.Status.CLOSED)
    voted = Ballot.objects.filter(poll__in=polls).values("member").distinct().count()
    eligible = max((p.eligible_members for p in polls), default=0)
    out = [records[i.pk] for i in items]
    if loose.speeches or loose.votes or loose.late:
        out.append(loose)
    # A departure after the last vote (or the planned end, if later) is leaving at the close.
    ends = [v[0] for v in votes if v[0]] + ([meeting.ends_at] if meeting.ends_at else [])
    present = minutes_attendance.gather(meeting, end=max(ends, default=None))
    return Record(meeting, out, voted, eligible, present if present.recorded else None)


def _item_at(record: Record):
    """The number of the agenda item being dealt with at a time ('' when none)."""

    def at(moment) -> str:
        for rec in record.items:
            if rec.item and rec.start and rec.start <= moment and (not rec.end or moment < rec.end):
                return rec.item.number
        return ""

    return at


class _Writer:
    def __init__(self) -> None:
        self.blocks: list[ct.Block] = []

    def add(self, kind: ct.Kind, *runs: tuple[str, bool] | str, level: int = 1) -> None:
        b = ct.BlockBuilder()
        for run in runs:
            text, bold = (run, False) if isinstance(run, str) else run
            b.add(text, bold=bold)
        block = b.build(ct.new_block_id(), kind, level)
        if block is not None:
            self.blocks.append(block)

    def heading(self, text: str, level: int) -> None:
        self.add(ct.Kind.HEADING, (text, False), level=level)

    def para(self, *runs: tuple[str, bool] | str) -> None:
        self.add(ct.Kind.PARAGRAPH, *runs)

    def bullet(self, *runs: tuple[str, bool] | str) -> None:
        self.add(ct.Kind.BULLET, *runs)


def _speech(s: Speech) -> str:
    who = s.name + (f" ({s.member})" if s.member and s.member != s.name else "")
    marks = []
    if s.remote:
        marks.append(_("remote"))
    if s.point_of_order:
        marks.append(_("point of order"))
    if marks:
        who += " — " + ", ".join(marks)
    span = clock(s.start) + (f"–{clock(s.end)}" if s.end else "")
    return f"{who}, {span}"


def compose(record: Record) -> ct.Document:
    meeting = record.meeting
    w = _Writer()
    w.heading(_("Minutes of the %(meeting)s") % {"meeting": meeting.title}, 1)
    start = timezone.localtime(meeting.starts_at)
    when = formats.date_format(start, "l j F Y") + ", " + clock(meeting.starts_at)
    if meeting.ends_at:
        when += f"–{clock(meeting.ends_at)}"
    w.para((_("Date") + ": ", True), (when, False))
    if meeting.where:
        w.para((_("Place") + ": ", True), (meeting.where, False))
    if record.eligible_members:
        w.para(
            (_("Took part in the votes") + ": ", True),
            (
                _("%(voted)s of %(eligible)s members")
                % {"voted": record.voted_members, "eligible": record.eligible_members},
                False,
            ),
        )
    if record.attendance is not None:
        minutes_attendance.write(w, record.attendance, _item_at(record), clock)
    for rec in record.items:
        item = rec.item
        title = f"{item.number}. {item.title}" if item else _("Not tied to an agenda item")
        w.heading(title, 2)
        if rec.start:
            w.para(
                _("Taken up from %(start)s to %(end)s.")
                % {"start": clock(rec.start), "end": clock(rec.end) or "…"}
            )
        if rec.speeches:
            w.para((_("Speakers"), True))
            for s in rec.speeches:
                w.bullet((_speech(s), False))
        if rec.late:
            w.para((_("Admitted after the deadline"), True))
            for x in rec.late:
                w.bullet((x, False))
        for v in rec.votes:
            w.para((f"{v.title}: ", True), (v.outcome, True))
            details = [f"{label} {value}" for label, value in v.shares]
            if details:
                w.para(
                    (
                        (_("Vote at %(time)s") % {"time": clock(v.at)})
                        + (f" ({_('secret')})" if v.secret else "")
                        + ": "
                        + "; ".join(details)
                        + ". "
                        + v.turnout
                        + ".",
                        False,
                    )
                )
            else:
                w.para((_("By acclamation at %(time)s.") % {"time": clock(v.at)}, False))
            if v.quorum:
                w.para((v.quorum, False))
            if v.decision:
                w.para((_("Decision") + ": ", True), (v.decision, False))
        if rec.adopted_texts:
            w.para((_("Texts adopted"), True))
            for t in rec.adopted_texts:
                w.bullet((t, False))
    return ct.Document(tuple(w.blocks))


def make(meeting: Meeting) -> ct.Document:
    return compose(gather(meeting))
