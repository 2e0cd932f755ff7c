"""Reads for the election pages, the console, the projector and the open data."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from .chart import count_chart
from .models import Body, Candidacy, Election, ElectionBallot, Membership, Round


def elections_of(meeting):
    return (
        Election.objects.filter(meeting=meeting)
        .select_related("body")
        .prefetch_related("candidacies", "rounds")
        .order_by("created_at")
    )


def candidacies(election: Election) -> list[Candidacy]:
    return list(
        election.candidacies.select_related("member", "nominated_by_member", "photo").order_by(
            "number"
        )
    )


def names(election: Election) -> dict[str, str]:
    return {c.key: c.name for c in election.candidacies.all()}


def open_round(election: Election) -> Round | None:
    return election.rounds.filter(status=Round.Status.OPEN).first()


def participation(rnd: Round) -> dict:
    voted = rnd.ballots.count()
    return {"voted": voted, "eligible": rnd.eligible_members}


def participation_message(round_pk: int) -> dict | None:
    """The live ``election-participation`` event of a round: no member, no choice."""
    rnd = Round.objects.select_related("election").filter(pk=round_pk).first()
    if rnd is None:
        return None
    return {
        "election": str(rnd.election.public_id),
        "round": rnd.number,
        **participation(rnd),
    }


def has_voted(rnd: Round | None, member) -> bool:
    if rnd is None or member is None:
        return False
    return ElectionBallot.objects.filter(round=rnd, member=member).exists()


@dataclass
class CountTable:
    """Every round of the count, one column each: votes per candidate, quota, exhausted."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # name, cells (votes or None), fate
    quota: list[Decimal | None] = field(default_factory=list)
    exhausted: list[Decimal] = field(default_factory=list)
    elected: list[str] = field(default_factory=list)
    outcome: str = ""


def count_table(election: Election) -> CountTable | None:
    """The round table of a counted election (None before any round is closed)."""
    closed = list(election.rounds.filter(status=Round.Status.CLOSED).order_by("number"))
    if not closed:
        return None
    who = names(election)
    table = CountTable()
    counts: list[dict] = []
    fate: dict[str, str] = {}
    for rnd in closed:
        result = rnd.result or {}
        table.outcome = result.get("outcome", "")
        table.elected = [who.get(k, k) for k in result.get("elected", [])]
        counts += result.get("rounds", [])
        if rnd.unopposed:
            fate.update(dict.fromkeys(result.get("elected", []), "elected"))
    since: dict[str, int] = {}  # the column from which a candidate is elected or excluded
    for count in counts:
        column = len(table.columns)
        for key in (*count.get("elected", []), *count.get("excluded", [])):
            since.setdefault(key, column)
        table.columns.append(str(column + 1))
        quota = count.get("quota")
        table.quota.append(Decimal(quota) if quota is not None else None)
        table.exhausted.append(Decimal(count.get("exhausted") or 0))
        fate.update(dict.fromkeys(count.get("elected", []), "elected"))
        fate.update(dict.fromkeys(count.get("excluded", []), "excluded"))
    shown = [dict(count["votes"]) for count in counts]
    for key, name in who.items():
        cells = [Decimal(v[key]) if key in v else None for v in shown]
        if any(c is not None for c in cells) or key in fate:
            table.rows.append(
                {
                    "key": key,
                    "name": name,
                    "cells": cells,
                    "fate": fate.get(key, ""),
                    "since": since.get(key, 0),
                }
            )
    return table


def named_ballots(election: Election) -> list[dict]:
    """How each member voted, per round, for a named election (never for a secret one)."""
    if election.is_secret:
        return []
    who = names(election)
    out = []
    for rnd in election.rounds.filter(status=Round.Status.CLOSED).order_by("number"):
        for ballot in rnd.ballots.select_related("member").order_by("member__name"):
            choice = (ballot.choice or {}).get("choice")
            if isinstance(choice, list):
                shown = [who.get(k, k) for k in choice]
            else:
                shown = [who.get(choice, choice)] if choice else []
            out.append({"round": rnd.number, "member": ballot.member, "choice": shown})
    return out


def bodies_with_seats(association, on: date | None = None) -> list[dict]:
    """Every body and who holds its seats on a day (today by default)."""
    on = on or timezone.localdate()
    current = Q(starts_on__lte=on, ends_on__gte=on) | Q(starts_on__gt=on)
    bodies = Body.objects.filter(association=association).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(current)
            .select_related("member", "election", "user", "body")
            .order_by("starts_on", "name"),
            to_attr="seats",
        )
    )
    return [
        {
            "body": b,
            "seats": b.seats,
            "elections": Election.objects.filter(body=b).select_related("meeting")[:20],
        }
        for b in bodies
    ]


CHAIR_WORDS = ("voorzitter", "chair")


def is_chair(m: Membership) -> bool:
    """A seat whose function names the chair ("voorzitter", "vicevoorzitter", "chair")."""
    return any(word in m.function.lower() for word in CHAIR_WORDS)


@dataclass
class SeatIndex:
    """The seats held on a day or from a coming date (an elected board whose term has
    not begun yet), looked up by holder and by body: one query for a page.

    Accountability names an owner as an account and/or a committee by name
    (accountability.Committee); the committee's seats are those of the body
    (elections.Body) with that name."""

    by_user: dict[int, list[Membership]] = field(default_factory=dict)
    by_body: dict[str, list[Membership]] = field(default_factory=dict)
    board: list[Membership] = field(default_factory=list)
    committee_chairs: list[Membership] = field(default_factory=list)

    @classmethod
    def of(cls, association, on: date | None = None) -> "SeatIndex":
        on = on or timezone.localdate()
        index = cls()
        seats = Membership.objects.filter(
            body__association=association, ends_on__gte=on
        ).select_related("body", "member", "user")
        for m in seats.order_by("body__kind", "body__name", "starts_on", "name"):
            if m.user_id:
                index.by_user.setdefault(m.user_id, []).append(m)
            index.by_body.setdefault(m.body.name.casefold(), []).append(m)
            if m.body.kind == Body.Kind.BOARD:
                index.board.append(m)
            elif is_chair(m):
                index.committee_chairs.append(m)
        return index

    def of_user(self, user_id) -> list[Membership]:
        return self.by_user.get(user_id, []) if user_id else []

    def of_owner(self, commitment) -> list[Membership]:
        """The seats of a commitment's owner: the person's own, then the committee's
        (its chair first)."""
        seats = list(self.of_user(commitment.owner_user_id))
        if commitment.owner_committee_id:
            body = self.by_body.get(commitment.owner_committee.name.casefold(), [])
            seats += sorted(
                (m for m in body if m not in seats), key=lambda m: (not is_chair(m), m.name)
            )
        return seats


def projector_context(meeting) -> dict:
    """The election shown on the projector: an open round (participation), else the
    latest count (the chart of its rounds)."""
    elections = list(elections_of(meeting))
    voting = [e for e in elections if e.status == Election.Status.VOTING]
    for e in voting:
        rnd = open_round(e)
        if rnd is not None:
            return {"shown": e, "open_round": rnd, "participation": participation(rnd)}
    counted = [e for e in elections if e.rounds.filter(status="closed").exists()]
    if not counted:
        return {"shown": None}
    shown = max(counted, key=lambda e: e.rounds.order_by("-closed_at").first().closed_at)
    table = count_table(shown)
    return {"shown": shown, "table": table, "chart": count_chart(table, last=4)}
