"""Read queries for polls: participation, registers, a member's own ballot."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from besluit.associations.models import Association, Member
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion
from besluit.voting.models import Ballot, Decision, Poll, PollOption, RegisterEntry


@dataclass(frozen=True)
class Participation:
    voted_members: int
    eligible_members: int
    voted_weight: Decimal
    eligible_weight: Decimal

    @property
    def members_share(self) -> Decimal:
        return (
            Decimal(self.voted_members) / self.eligible_members
            if self.eligible_members
            else Decimal(0)
        )

    @property
    def weight_share(self) -> Decimal:
        return self.voted_weight / self.eligible_weight if self.eligible_weight else Decimal(0)


def participation(poll: Poll) -> Participation:
    """Who has voted so far, never how: safe to show while a poll is open. Two queries."""
    # Summed here, exactly: SQLite's SUM over a decimal column adds floating-point
    # numbers (0.1 + 0.2 = 0.30000000000000004). A few hundred values at most.
    weights = RegisterEntry.objects.filter(
        poll=poll, member__in=Ballot.objects.filter(poll=poll).values("member")
    ).values_list("weight", flat=True)
    return Participation(
        voted_members=Ballot.objects.filter(poll=poll).count(),
        eligible_members=poll.eligible_members,
        voted_weight=sum((Decimal(w) for w in weights), Decimal(0)),
        eligible_weight=Decimal(poll.eligible_weight),
    )


def register_with_turnout(poll: Poll):
    """The frozen register, each entry annotated with ``has_voted``."""
    return (
        RegisterEntry.objects.filter(poll=poll)
        .select_related("member")
        .annotate(has_voted=Exists(Ballot.objects.filter(poll=poll, member=OuterRef("member"))))
        .order_by("member__name")
    )


def named_votes(poll: Poll):
    """How each member voted in a closed named poll (stemgedrag per gemeente)."""
    if poll.is_secret:
        return []
    ballots = {
        b.member_id: b for b in Ballot.objects.filter(poll=poll).select_related("option", "cast_by")
    }
    rows = []
    for entry in (
        RegisterEntry.objects.filter(poll=poll).select_related("member").order_by("member__name")
    ):
        rows.append((entry, ballots.get(entry.member_id)))
    return rows


def ballot_of(poll: Poll, member: Member | None) -> Ballot | None:
    if member is None:
        return None
    return Ballot.objects.filter(poll=poll, member=member).select_related("option").first()


# --- what the poll and decision pages show --------------------------------------------

POLL_RELATED = (
    "meeting__association",
    "agenda_item",
    "proposal",
    "motion__submitter",
    "amendment__submitter",
    "amendment__proposal",
)


def poll_in(association: Association, poll_id) -> Poll:
    """The poll with what its page shows, or 404 when it belongs to another association."""
    return get_object_or_404(
        Poll.objects.select_related(*POLL_RELATED).prefetch_related(
            Prefetch("options", queryset=PollOption.objects.order_by("position"))
        ),
        public_id=poll_id,
        meeting__association=association,
    )


def register_entry(poll: Poll, member: Member | None) -> RegisterEntry | None:
    if member is None:
        return None
    return RegisterEntry.objects.filter(poll=poll, member=member).first()


def polls_of_meeting(meeting: Meeting) -> QuerySet[Poll]:
    """The meeting's polls in order, each with ``voted`` (number of ballots)."""
    return (
        Poll.objects.filter(meeting=meeting)
        .select_related("agenda_item", "motion", "amendment", "proposal")
        .annotate(voted=Count("ballots"))
        .order_by("created_at", "pk")
    )


def polls_on(*, motion: Motion | None = None, amendment: Amendment | None = None):
    qs = Poll.objects.annotate(voted=Count("ballots")).order_by("created_at", "pk")
    if motion is not None:
        return list(qs.filter(motion=motion))
    return list(qs.filter(amendment=amendment))


@dataclass
class DecisionGroup:
    item: AgendaItem | None
    decisions: list[Decision] = field(default_factory=list)


def decisions_by_item(meeting: Meeting) -> list[DecisionGroup]:
    """The decision list: per agenda item in agenda order, then decisions without an item."""
    groups = {item.pk: DecisionGroup(item) for item in meeting.agenda_items.order_by("position")}
    loose = DecisionGroup(None)
    for decision in Decision.objects.filter(meeting=meeting).select_related(
        "poll", "recorded_by", "election"
    ):
        groups.get(decision.agenda_item_id, loose).decisions.append(decision)
    return [g for g in [*groups.values(), loose] if g.decisions]
