"""The chair's voting queue for an agenda item, and opening its next vote in one step.

The order is the meeting's: the item's amendments first, in the voting order the texts
module computes (``texts.selectors.amendment_overview``: within colliding amendments the
farthest-reaching first, or the chair's own order), then the motions on the item, then
the proposal as amended. Entries already decided stay in the queue, in the order they
were voted, so the console shows what happened and what comes next.

A vote opened from the queue takes its rules from the subject and the association's
statutes (``Association.default_*``); the chair may adjust them for that vote.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Association
from besluit.core import voting as core
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, Proposal, SubmissionStatus
from besluit.voting import services as voting
from besluit.voting.models import Poll
from besluit.voting.selectors import participation

# Submissions that can be, or have been, voted on; withdrawn or not admitted ones are not.
_IN_QUEUE = (SubmissionStatus.ADMITTED, SubmissionStatus.ADOPTED, SubmissionStatus.REJECTED)
# A proposal that changes the statutes needs two thirds (BW 2:43) unless the statutes differ.
_STATUTE_WORDS = ("statuten", "statutenwijziging", "statutes")


@dataclass(frozen=True)
class VoteSettings:
    majority: str
    quorum: Decimal  # fraction of the eligible weight
    is_secret: bool
    with_abstain: bool


@dataclass(frozen=True)
class QueueEntry:
    key: str  # "amendment:12", "motion:3", "proposal:7": what the open form sends
    subject: str
    target: Amendment | Motion | Proposal
    title: str
    poll: Poll | None  # the latest poll on the target
    settings: VoteSettings

    @property
    def state(self) -> str:
        """'todo', 'draft', 'open' or 'decided'."""
        if self.poll is not None and self.poll.status != Poll.Status.CLOSED:
            return self.poll.status
        if self.poll is not None or self.target_decided:
            return "decided"
        return "todo"

    @property
    def target_decided(self) -> bool:
        return getattr(self.target, "status", SubmissionStatus.ADMITTED) != (
            SubmissionStatus.ADMITTED
        )


def statute_settings(association: Association, subject: str, target) -> VoteSettings:
    """The rules a vote on ``target`` starts from: the statutes' defaults, two thirds for a
    proposal that changes the statutes; always named (only elections of persons are secret)."""
    majority = association.default_majority
    if subject == Poll.Subject.PROPOSAL:
        words = f"{target.title} {target.agenda_item.title}".casefold()
        if any(w in words for w in _STATUTE_WORDS):
            majority = core.MajorityRule.TWO_THIRDS.value
    return VoteSettings(
        majority=majority,
        quorum=Decimal(association.default_quorum),
        is_secret=False,
        with_abstain=True,
    )


def _latest_polls(meeting: Meeting, amendments, motions, proposal) -> dict[str, Poll]:
    about = Q(amendment__in=amendments) | Q(motion__in=motions)
    if proposal is not None:
        about |= Q(proposal=proposal)
    polls = Poll.objects.filter(meeting=meeting).filter(about)
    latest: dict[str, Poll] = {}
    for poll in polls.order_by("created_at", "pk"):
        if poll.subject == Poll.Subject.AMENDMENT:
            latest[f"amendment:{poll.amendment_id}"] = poll
        elif poll.subject in (Poll.Subject.MOTION, Poll.Subject.PRE_ADVICE):
            latest[f"motion:{poll.motion_id}"] = poll
        elif poll.subject == Poll.Subject.PROPOSAL:
            latest[f"proposal:{poll.proposal_id}"] = poll
    return latest


def vote_queue(item: AgendaItem | None) -> list[QueueEntry]:
    """The votes of ``item`` in the order the meeting takes them."""
    if item is None:
        return []
    from besluit.texts.selectors import amendment_overview

    meeting = item.meeting
    association = meeting.association
    proposal = Proposal.objects.filter(agenda_item=item).first()
    amendments: list[Amendment] = []
    if proposal is not None:
        rows = amendment_overview(proposal).ordered
        amendments = [r.amendment for r in rows if r.amendment.status in _IN_QUEUE]
    motions = list(Motion.objects.filter(agenda_item=item, status__in=_IN_QUEUE).order_by("number"))
    polls = _latest_polls(meeting, amendments, motions, proposal)
    entries: list[QueueEntry] = []
    for a in amendments:
        key = f"amendment:{a.pk}"
        entries.append(
            QueueEntry(
                key,
                Poll.Subject.AMENDMENT,
                a,
                f"{a}: {a.passage}" if a.passage else str(a),
                polls.get(key),
                statute_settings(association, Poll.Subject.AMENDMENT, a),
            )
        )
    for m in motions:
        key = f"motion:{m.pk}"
        entries.append(
            QueueEntry(
                key,
                Poll.Subject.MOTION,
                m,
                f"{m.display_title}: {m.title}",
                polls.get(key),
                statute_settings(association, Poll.Subject.MOTION, m),
            )
        )
    if proposal is not None:
        key = f"proposal:{proposal.pk}"
        entries.append(
            QueueEntry(
                key,
                Poll.Subject.PROPOSAL,
                proposal,
                _proposal_title(proposal, amendments),
                polls.get(key),
                statute_settings(association, Poll.Subject.PROPOSAL, proposal),
            )
        )
    # Decided votes first, in the order they were closed; then what is still to come.
    done = [e for e in entries if e.state == "decided"]
    done.sort(key=lambda e: (e.poll is not None, e.poll.closed_at if e.poll else None))
    return done + [e for e in entries if e.state != "decided"]


def _proposal_title(proposal: Proposal, amendments: list[Amendment]) -> str:
    # Poll titles are the association's (Dutch) words, like the decision texts.
    if any(a.status == SubmissionStatus.ADOPTED for a in amendments):
        return f"{proposal.title} (geamendeerd)"
    return proposal.title


def next_entry(queue: list[QueueEntry]) -> QueueEntry | None:
    return next((e for e in queue if e.state == "todo"), None)


def do_open_vote(
    *, actor, item: AgendaItem, key: str, settings: VoteSettings | None = None, now=None
) -> Poll:
    """Create and open the vote on one entry of the item's queue, in one transaction.

    Refused while another vote of the meeting is open (one vote at a time in the hall,
    and a second tap on "next" must not open two), and for an entry already voted on.
    """
    meeting = item.meeting
    access.require_chair(actor, meeting.association)
    with transaction.atomic():
        # The meeting's state row serialises two chairs (or two taps) opening at once.
        from besluit.live.models import MeetingState

        MeetingState.objects.select_for_update().get_or_create(meeting=meeting)
        if meeting.polls.filter(status=Poll.Status.OPEN).exists():
            raise Conflict(_("Another vote is open: close it first."))
        queue = vote_queue(item)
        entry = next((e for e in queue if e.key == key), None)
        if entry is None:
            raise ValidationFailed(
                _("That vote is not in the queue of this agenda item."), field="entry"
            )
        if entry.state != "todo":
            raise Conflict(_("This has been voted on already."))
        settings = settings or entry.settings
        target = {entry.subject: entry.target}
        poll = voting.do_create_poll(
            actor=actor,
            meeting=meeting,
            subject=entry.subject,
            title=entry.title,
            agenda_item=item,
            with_abstain=settings.with_abstain,
            is_secret=settings.is_secret,
            majority=settings.majority,
            quorum=settings.quorum,
            **target,
        )
        return voting.do_open_poll(actor=actor, poll=poll, now=now)


def adjusted(settings: VoteSettings, data) -> VoteSettings:
    """The chair's adjustments from a form's data (missing fields keep the default)."""
    majority = data.get("majority", settings.majority)
    if majority not in core.MajorityRule.__members__.values():
        raise ValidationFailed(_("Unknown majority rule."), field="majority")
    quorum = settings.quorum
    if data.get("quorum", "") != "":
        try:
            quorum = Decimal(str(data["quorum"]).replace(",", ".")) / 100
        except ArithmeticError as exc:
            raise ValidationFailed(_("The quorum is a percentage."), field="quorum") from exc
        if not Decimal(0) <= quorum <= Decimal(1):
            raise ValidationFailed(_("The quorum is a percentage from 0 to 100."), field="quorum")
    return replace(
        settings,
        majority=majority,
        quorum=quorum,
        is_secret=data.get("is_secret") == "1" if "adjust" in data else settings.is_secret,
        with_abstain=data.get("with_abstain") == "1" if "adjust" in data else settings.with_abstain,
    )


# --- turnout before closing ---------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    voted_members: int
    eligible_members: int
    voted_weight: Decimal
    eligible_weight: Decimal
    members_share: Decimal
    weight_share: Decimal
    threshold: Decimal  # the share below which closing asks for a confirmation
    quorum: Decimal

    @property
    def low(self) -> bool:
        return self.members_share < self.threshold or self.weight_share < self.threshold

    @property
    def below_quorum(self) -> bool:
        return self.voted_weight < self.quorum * self.eligible_weight


def turnout(poll: Poll) -> Turnout:
    """Turnout in members and weight, against the association's warning level and the
    poll's quorum (whichever is higher)."""
    p = participation(poll)
    association = poll.meeting.association
    quorum = Decimal(poll.quorum)
    return Turnout(
        voted_members=p.voted_members,
        eligible_members=p.eligible_members,
        voted_weight=p.voted_weight,
        eligible_weight=p.eligible_weight,
        members_share=Decimal(p.members_share),
        weight_share=Decimal(p.weight_share),
        threshold=max(Decimal(association.turnout_warning), quorum),
        quorum=quorum,
    )


def latest_closed(meeting: Meeting) -> Poll | None:
    """The poll closed last. By the decision recorded at the close (its row id grows with
    every close), not by ``closed_at``: a poll closed with an earlier time (a demo, an
    imported meeting, a clock set back) must not hide the result just taken. An encrypted
    poll closed but not yet decrypted by its trustees has no result to show."""
    return (
        meeting.polls.filter(status=Poll.Status.CLOSED, result__isnull=False)
        .order_by(F("decision__pk").desc(nulls_last=True), "-closed_at", "-pk")
        .first()
    )


# --- the statutes' voting rules -----------------------------------------------------


def do_set_voting_defaults(
    *,
    actor,
    association: Association,
    default_quorum: Decimal,
    default_majority: str,
    turnout_warning: Decimal,
) -> Association:
    """The secretariat sets the rules a vote from the console starts from (fractions)."""
    from besluit.audit.services import record

    access.require_administer(actor, association)
    if default_majority not in core.MajorityRule.__members__.values():
        raise ValidationFailed(_("Unknown majority rule."), field="default_majority")
    for name, value in (("default_quorum", default_quorum), ("turnout_warning", turnout_warning)):
        if not Decimal(0) <= Decimal(value) <= Decimal(1):
            raise ValidationFailed(_("The quorum is a percentage from 0 to 100."), field=name)
    with transaction.atomic():
        association.default_quorum = default_quorum
        association.default_majority = default_majority
        association.turnout_warning = turnout_warning
        association.save(update_fields=["default_quorum", "default_majority", "turnout_warning"])
        record(
            "association.voting_defaults",
            actor=actor,
            association=association,
            obj=association,
            default_quorum=str(default_quorum),
            default_majority=default_majority,
            turnout_warning=str(turnout_warning),
        )
    return association
