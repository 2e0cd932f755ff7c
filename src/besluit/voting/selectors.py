"""Read queries for polls: participation, registers, a member's own ballot."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef

from besluit.associations.models import Member
from besluit.voting.models import Ballot, Poll, RegisterEntry


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
