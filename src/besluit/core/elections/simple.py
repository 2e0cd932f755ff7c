"""Plurality in two rounds, approval, and instant run-off, with weighted members.

All sums are exact ``Decimal`` (unbounded precision, any rounding raises), and a
majority is tested by multiplication (``2w > cast``), never through a share.

* ``count_two_round`` (one seat). Round 1: a candidate with more than half of the
  weighted votes cast (blank votes are not cast) is elected. Otherwise the two
  with most votes go to a second round; a tie for those places is drawn by lot.
  The second round is a second call with ``runoff_of`` the first result: the one
  with more weight wins; a tie goes to the first round's votes if ``backwards``,
  then to lot.
* ``count_approval`` (several seats). Each ballot approves up to
  ``max_approvals`` candidates with the member's weight; the ``seats`` candidates
  with most weight are elected (a candidate nobody approved is never elected, so a
  seat can stay empty); a tie at the last seat is drawn by lot.
* ``count_irv`` (one seat, ranked). Each round a ballot counts for its highest
  continuing preference; a candidate with more than half of the weight still
  active is elected; otherwise the one with least weight is excluded (a tie goes
  to the latest earlier round where they differ if ``backwards``, then to lot).
  Exhausted ballots leave the count, as in every usual IRV.

With ``allow_unopposed``, candidates no more than the seats are elected without a
count (outcome ``UNOPPOSED``).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import (
    EXACT,
    ApprovalBallot,
    BallotCode,
    BallotError,
    ChoiceBallot,
    ElectionError,
    Outcome,
    RankedBallot,
    TieBreaker,
    TieResolution,
    check_approvals,
    check_candidates,
    check_weight,
    resolve_tie,
    to_json,
)

__all__ = ["ElectionResult", "Round", "count_approval", "count_irv", "count_two_round"]


@dataclass(frozen=True)
class Round:
    """One round of a count: what each candidate had, and what was decided on it.

    ``quota`` is the weight a candidate had to *exceed* (half the active votes) for
    majority rules, and None for approval, which has none.
    """

    number: int
    votes: tuple[tuple[str, Decimal], ...]
    quota: Decimal | None
    exhausted: Decimal
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    ties: tuple[TieResolution, ...] = ()

    def votes_of(self, candidate: str) -> Decimal:
        return dict(self.votes)[candidate]


@dataclass(frozen=True)
class ElectionResult:
    candidates: tuple[str, ...]
    seats: int
    outcome: Outcome
    elected: tuple[str, ...]
    rounds: tuple[Round, ...]
    runoff: tuple[str, ...] = ()  # the two in the second round (two-round ballot)
    cast_weight: Decimal = Decimal(0)
    blank_weight: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


def _unopposed(cands: tuple[str, ...], seats: int) -> ElectionResult:
    return ElectionResult(cands, seats, Outcome.UNOPPOSED, cands, ())


def _pick(
    pool: list[str],
    places: int,
    *,
    breaker: TieBreaker,
    context: str,
    history: Sequence[dict[str, Decimal]] = (),
) -> tuple[list[str], list[TieResolution]]:
    """Draw ``places`` winners from equal candidates, one draw per place, recorded."""
    chosen: list[str] = []
    ties: list[TieResolution] = []
    pool = list(pool)
    for place in range(places):
        tie = resolve_tie(
            pool, breaker=breaker, context=f"{context}|{place}", history=history, lowest=False
        )
        chosen.append(tie.chosen)
        ties.append(tie)
        pool.remove(tie.chosen)
    return chosen, ties


def _top(
    totals: dict[str, Decimal], places: int, *, breaker: TieBreaker, context: str, history=()
) -> tuple[list[str], list[TieResolution]]:
    """The ``places`` candidates with most weight (above zero), ties drawn."""
    chosen: list[str] = []
    ties: list[TieResolution] = []
    for value in sorted({v for v in totals.values() if v > 0}, reverse=True):
        group = sorted(c for c, v in totals.items() if v == value)
        room = places - len(chosen)
        if room <= 0:
            break
        if len(group) <= room:
            chosen += group
        else:
            won, drawn = _pick(group, room, breaker=breaker, context=context, history=history)
            chosen += won
            ties += drawn
    return chosen, ties


def count_two_round(
    candidates: Sequence[str],
    ballots: Sequence[ChoiceBallot],
    *,
    tie_breaker: TieBreaker,
    runoff_of: ElectionResult | None = None,
    backwards: bool = False,
    allow_unopposed: bool = False,
) -> ElectionResult:
    """One seat: round 1 (majority or name the two for round 2), or round 2 if ``runoff_of``."""
    cands = check_candidates(candidates, 1)
    if runoff_of is not None:
        if runoff_of.outcome != Outcome.SECOND_ROUND or set(cands) != set(runoff_of.runoff):
            raise ElectionError("the second round is between the two named by the first")
    elif allow_unopposed and len(cands) <= 1:
        return _unopposed(cands, 1)
    number = 1 if runoff_of is None else 2
    with decimal.localcontext(EXACT):
        totals = dict.fromkeys(cands, Decimal(0))
        blank = Decimal(0)
        for ballot in ballots:
            weight = check_weight(ballot.weight)
            if ballot.candidate is None:
                blank += weight
            elif ballot.candidate not in totals:
                raise BallotError(BallotCode.UNKNOWN_CANDIDATE, candidate=ballot.candidate)
            else:
                totals[ballot.candidate] += weight
        cast = sum(totals.values(), Decimal(0))
        half = cast / 2
    votes = tuple(totals.items())
    if cast == 0:
        rounds = (Round(number, votes, half, blank),)
        return ElectionResult(cands, 1, Outcome.NO_VOTES, (), rounds, (), cast, blank)
    if runoff_of is None:
        majority = [c for c, w in totals.items() if 2 * w > cast]
        if majority:
            rounds = (Round(number, votes, half, blank, elected=(majority[0],)),)
            elected = tuple(majority)
            return ElectionResult(cands, 1, Outcome.ELECTED, elected, rounds, (), cast, blank)
        two, ties = _top(totals, 2, breaker=tie_breaker, context="two_round|round 1|runoff")
        rounds = (Round(number, votes, half, blank, ties=tuple(ties)),)
        return ElectionResult(cands, 1, Outcome.SECOND_ROUND, (), rounds, tuple(two), cast, blank)
    history = [dict(runoff_of.rounds[-1].votes)] if backwards else []
    (winner,), ties = _top(
        totals, 1, breaker=tie_breaker, context="two_round|round 2|winner", history=history
    )
    rounds = (Round(number, votes, half, blank, elected=(winner,), ties=tuple(ties)),)
    return ElectionResult(cands, 1, Outcome.ELECTED, (winner,), rounds, (), cast, blank)


def count_approval(
    candidates: Sequence[str],
    seats: int,
    ballots: Sequence[ApprovalBallot],
    *,
    max_approvals: int,
    tie_breaker: TieBreaker,
    allow_unopposed: bool = False,
) -> ElectionResult:
    """Several seats, weighted approval: the ``seats`` candidates with most weight."""
    cands = check_candidates(candidates, seats)
    if isinstance(max_approvals, bool) or not isinstance(max_approvals, int) or max_approvals < 1:
        raise ElectionError(f"max_approvals must be a positive int, got {max_approvals!r}")
    if allow_unopposed and len(cands) <= seats:
        return _unopposed(cands, seats)
    with decimal.localcontext(EXACT):
        totals = dict.fromkeys(cands, Decimal(0))
        cast = blank = Decimal(0)
        for ballot in ballots:
            weight = check_weight(ballot.weight)
            approvals = check_approvals(
                ballot.approvals, cands, max_approvals=max_approvals, allow_empty=True
            )
            if not approvals:
                blank += weight
                continue
            cast += weight
            for candidate in approvals:
                totals[candidate] += weight
    if cast == 0:
        rounds = (Round(1, tuple(totals.items()), None, blank),)
        return ElectionResult(cands, seats, Outcome.NO_VOTES, (), rounds, (), cast, blank)
    elected, ties = _top(totals, seats, breaker=tie_breaker, context="approval|round 1|seat")
    rounds = (Round(1, tuple(totals.items()), None, blank, tuple(elected), ties=tuple(ties)),)
    return ElectionResult(cands, seats, Outcome.ELECTED, tuple(elected), rounds, (), cast, blank)


def count_irv(
    candidates: Sequence[str],
    ballots: Sequence[RankedBallot],
    *,
    tie_breaker: TieBreaker,
    backwards: bool = False,
    allow_unopposed: bool = False,
) -> ElectionResult:
    """One seat by instant run-off over weighted ranked ballots."""
    cands = check_candidates(candidates, 1)
    if allow_unopposed and len(cands) <= 1:
        return _unopposed(cands, 1)
    pooled = _pool_rankings(cands, ballots)
    with decimal.localcontext(EXACT):
        total = sum(pooled.values(), Decimal(0))
        continuing = list(cands)
        rounds: list[Round] = []
        if total == 0:
            votes = tuple((c, Decimal(0)) for c in cands)
            return ElectionResult(cands, 1, Outcome.NO_VOTES, (), (Round(1, votes, total, total),))
        while True:
            totals = dict.fromkeys(continuing, Decimal(0))
            for ranking, weight in pooled.items():
                first = next((c for c in ranking if c in totals), None)
                if first is not None:
                    totals[first] += weight
            active = sum(totals.values(), Decimal(0))
            votes = tuple((c, totals.get(c, Decimal(0))) for c in cands)
            number = len(rounds) + 1
            winners = [c for c in continuing if 2 * totals[c] > active]
            if len(continuing) == 1:
                winners = continuing
            if winners:
                rounds.append(Round(number, votes, active / 2, total - active, (winners[0],)))
                return ElectionResult(
                    cands, 1, Outcome.ELECTED, (winners[0],), tuple(rounds), (), total
                )
            low = min(totals.values())
            lowest = [c for c in continuing if totals[c] == low]
            ties: tuple[TieResolution, ...] = ()
            loser = lowest[0]
            if len(lowest) > 1:
                history = [dict(r.votes) for r in rounds] if backwards else []
                tie = resolve_tie(
                    lowest,
                    breaker=tie_breaker,
                    context=f"irv|round {number}|exclude",
                    history=history,
                )
                loser, ties = tie.chosen, (tie,)
            rounds.append(
                Round(number, votes, active / 2, total - active, excluded=(loser,), ties=ties)
            )
            continuing.remove(loser)


def _pool_rankings(
    cands: tuple[str, ...], ballots: Sequence[RankedBallot]
) -> dict[tuple[str, ...], Decimal]:
    """Identical rankings summed, so a round costs the distinct rankings, not members."""
    known = frozenset(cands)
    pooled: dict[tuple[str, ...], Decimal] = {}
    with decimal.localcontext(EXACT):
        for ballot in ballots:
            weight = check_weight(ballot.weight)
            ranking: list[str] = []
            for group in ballot.ranking:
                if len(group) > 1:
                    raise BallotError(
                        BallotCode.EQUAL_RANKS, rank=len(ranking) + 1, candidates=", ".join(group)
                    )
                (candidate,) = group
                if candidate not in known:
                    raise BallotError(BallotCode.UNKNOWN_CANDIDATE, candidate=candidate)
                if candidate in ranking:
                    raise BallotError(BallotCode.DUPLICATE_CANDIDATE, candidate=candidate)
                ranking.append(candidate)
            if ranking and weight:
                key = tuple(ranking)
                pooled[key] = pooled.get(key, Decimal(0)) + weight
    return pooled
