"""Single transferable vote by Meek's method, with weighted members.

The variant is the one of Droop.py and gendx/stv-rs (``meek`` with
``fixed precision=9 omega=6 defeat_batch=none``), so published reference counts
can be reproduced round by round; with integer weights this module gives their
transcripts to the last of the 9 decimals. Precisely:

Arithmetic (``Arithmetic.FIXED``, the default): fixed point with ``precision``
decimals (9), held as Python integers, so nothing is a float and every rounding
is the reference's: a product ``a·b`` is truncated, a voting power divided among
equal ranks is truncated, the part a candidate passes on is ``power·(1−k)``
truncated (not ``power − kept``, so rounding never creates votes), and a new keep
factor is rounded *up* twice (``⌈⌈k·quota⌉ / votes⌉``). A member's weight must be
exact at ``precision`` decimals. A vote kept is ``power × weight``, summed per
candidate at double precision and truncated once, so pooling identical rankings
(which the count does) changes nothing. ``Arithmetic.EXACT`` uses ``Fraction``
throughout, with no epsilon, and rounds only keep factors up to ``precision``
decimals (to keep the fractions small); it is exactly invariant when every weight
and ``omega`` are multiplied by the same factor.

Count:
1. Every ballot gives its weight to its first continuing preference; a candidate
   with keep factor ``k`` keeps ``k`` of the power reaching it and passes on the
   rest. Hopefuls have ``k = 1``, excluded candidates ``k = 0``, elected ones
   ``0 < k ≤ 1``. What no one keeps is exhausted.
2. Quota (Droop, as Meek defines it): ``(total weight − exhausted) / (seats + 1)``,
   plus one unit in the last place in fixed point (truncated division).
3. A hopeful is elected when its votes reach the quota (``≥`` in fixed point,
   ``>`` exactly); several in one iteration are elected in candidate order.
4. Surplus = Σ over elected of (votes − quota) (negative parts included, as
   Droop.py does). If nobody was elected, iterate: each elected candidate's keep
   factor becomes ``k · quota / votes`` (rounded up), and count again, until the
   surplus is at most ``omega`` (an absolute amount of weight, 10⁻⁶ by default) or
   stops decreasing (stable).
5. Then exclude the hopeful with fewest votes. Every hopeful within the surplus of
   the lowest counts as tied with it (the surplus could still change their order);
   the tie goes to the earlier rounds if ``backwards`` is set, then to the
   ``tie_breaker`` (a lot with a published seed; the reference uses a fixed order).
6. When the hopefuls exactly fill the seats left, or no seat is left, the rest are
   elected or excluded in candidate order, recounting after each.

Equal ranks (only in reference ballots) are counted as Droop.py does: the power is
split evenly over the continuing candidates of the group, each passes its unkept
part to the next group on its own, and a group whose candidates are all excluded
ends the ballot. Ballots without equal ranks never take that path.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .common import (
    EXACT,
    BallotCode,
    BallotError,
    ElectionError,
    Outcome,
    RankedBallot,
    TieBreaker,
    TieResolution,
    check_candidates,
    check_weight,
    resolve_tie,
    to_json,
)

__all__ = ["Arithmetic", "MeekResult", "MeekRound", "count_meek"]


class Arithmetic(StrEnum):
    FIXED = "fixed"
    EXACT = "exact"


@dataclass(frozen=True)
class MeekRound:
    """One round: the count on which a candidate was elected or excluded.

    Round 0 is the first count (first preferences). The last round, ``final``,
    records the candidates elected or excluded without a count because the seats
    were filled, with the votes after them. Amounts in fixed point are exact; in
    exact arithmetic they are truncated to ``precision`` decimals for display.
    """

    number: int
    votes: tuple[tuple[str, Decimal], ...]
    quota: Decimal
    exhausted: Decimal
    surplus: Decimal
    keep_factors: tuple[tuple[str, Decimal], ...]
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    iterations: int = 0
    reason: str = ""  # "first", "elected", "omega", "stable", "final"
    tie: TieResolution | None = None

    def votes_of(self, candidate: str) -> Decimal:
        return dict(self.votes)[candidate]


@dataclass(frozen=True)
class MeekResult:
    candidates: tuple[str, ...]
    seats: int
    elected: tuple[str, ...]  # in order of election
    excluded: tuple[str, ...]  # in order of exclusion
    rounds: tuple[MeekRound, ...]
    total_weight: Decimal
    distinct_rankings: int
    outcome: Outcome = Outcome.ELECTED

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


class _Node:
    """A prefix of rankings: the weight of all ballots that start with it."""

    __slots__ = ("children", "weight")

    def __init__(self) -> None:
        self.weight: int | Fraction = 0
        self.children: dict[object, _Node] = {}


class _Fixed:
    eps: int = 1
    strict = False

    def __init__(self, precision: int) -> None:
        self.unit = 10**precision
        self.one = self.unit
        self.precision = precision

    def weight(self, w: Decimal) -> int:
        scaled = w.scaleb(self.precision)
        if scaled != scaled.to_integral_value():
            raise ElectionError(f"weight {w} has more than {self.precision} decimals")
        return int(scaled)

    def amount(self, w: Decimal) -> int:
        return int(w.scaleb(self.precision).to_integral_value(rounding="ROUND_CEILING"))

    def finish(self, acc: int) -> int:
        return acc // self.unit if acc >= 0 else -(-acc // self.unit)

    def mul(self, a: int, b: int) -> int:
        # Truncate toward zero as the reference's i64 does; a keep factor above 1 (an
        # elected candidate below the quota) makes the power passed on negative.
        product = a * b
        return product // self.unit if product >= 0 else -(-product // self.unit)

    def div(self, a: int, n: int) -> int:
        return a // n if a >= 0 else -(-a // n)

    def new_keep(self, k: int, quota: int, votes: int) -> int:
        kept = (k * quota + self.unit - 1) // self.unit
        return (kept * self.unit + votes - 1) // votes

    def show(self, x: int) -> Decimal:
        return Decimal(x).scaleb(-self.precision)


class _Exact:
    eps = Fraction(0)
    strict = True

    def __init__(self, precision: int) -> None:
        self.unit = 10**precision
        self.one = Fraction(1)
        self.precision = precision

    def weight(self, w: Decimal) -> Fraction:
        return Fraction(w)

    amount = weight

    def finish(self, acc: Fraction) -> Fraction:
        return acc

    def mul(self, a: Fraction, b: Fraction) -> Fraction:
        return a * b

    def div(self, a: Fraction, n: int) -> Fraction:
        return a / n

    def new_keep(self, k: Fraction, quota: Fraction, votes: Fraction) -> Fraction:
        exact = k * quota / votes
        return Fraction(-((-exact.numerator * self.unit) // exact.denominator), self.unit)

    def show(self, x: Fraction) -> Decimal:
        return Decimal(int(x * self.unit)).scaleb(-self.precision)  # int() truncates


def count_meek(
    candidates: Sequence[str],
    seats: int,
    ballots: Sequence[RankedBallot],
    *,
    tie_breaker: TieBreaker,
    arithmetic: Arithmetic = Arithmetic.FIXED,
    precision: int = 9,
    omega: Decimal = Decimal("0.000001"),
    backwards: bool = False,
    allow_unopposed: bool = False,
) -> MeekResult:
    """Count ranked ballots for ``seats`` seats by Meek's method (see the module)."""
    cands = check_candidates(candidates, seats)
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 30:
        raise ElectionError(f"precision must be an int from 1 to 30, got {precision!r}")
    index = {c: i for i, c in enumerate(cands)}
    ar = _Fixed(precision) if arithmetic == Arithmetic.FIXED else _Exact(precision)
    plain, tied, total, distinct = _build_tries(ballots, index, ar)
    if allow_unopposed and len(cands) <= seats:
        total_weight = _sum_weights(ballots)
        return MeekResult(cands, seats, cands, (), (), total_weight, distinct, Outcome.UNOPPOSED)
    if not total:
        # Nobody ranked anyone: a count would only draw lots, so there is no result.
        return MeekResult(cands, seats, (), (), (), Decimal(0), 0, Outcome.NO_VOTES)
    return _Count(cands, seats, ar, plain, tied, total, distinct, tie_breaker, omega, backwards)(
        _sum_weights(ballots)
    )


def _sum_weights(ballots: Sequence[RankedBallot]) -> Decimal:
    with decimal.localcontext(EXACT):
        return sum((b.weight for b in ballots if any(b.ranking)), Decimal(0))


def _build_tries(
    ballots: Sequence[RankedBallot], index: dict[str, int], ar: _Fixed | _Exact
) -> tuple[_Node, _Node, int | Fraction, int]:
    """Pool ballots into two prefix trees (plain, and with equal ranks).

    Cost then depends on the distinct prefixes a count walks, not on the members.
    Empty ballots count for nothing (they are not in the total either).
    """
    plain, tied = _Node(), _Node()
    total: int | Fraction = 0
    rankings: set[tuple[tuple[int, ...], ...]] = set()
    for ballot in ballots:
        weight = ar.weight(check_weight(ballot.weight))
        groups = []
        seen: set[int] = set()
        for group in ballot.ranking:
            ids = []
            for c in group:
                if c not in index:
                    raise BallotError(BallotCode.UNKNOWN_CANDIDATE, candidate=c)
                if index[c] in seen:
                    raise BallotError(BallotCode.DUPLICATE_CANDIDATE, candidate=c)
                seen.add(index[c])
                ids.append(index[c])
            if ids:
                groups.append(tuple(ids))
        if not groups or not weight:
            continue
        rankings.add(tuple(groups))
        total += weight
        has_tie = any(len(g) > 1 for g in groups)
        node = tied if has_tie else plain
        for group in groups:
            key: object = group if has_tie else group[0]
            node = node.children.setdefault(key, _Node())
            node.weight += weight
    return plain, tied, total, len(rankings)


class _Count:
    """The state of one count: keep factors, who is hopeful, elected, excluded."""

    def __init__(
        self,
        cands: tuple[str, ...],
        seats: int,
        ar: _Fixed | _Exact,
        plain: _Node,
        tied: _Node,
        total: int | Fraction,
        distinct: int,
        breaker: TieBreaker,
        omega: Decimal,
        backwards: bool,
    ) -> None:
        self.cands, self.seats, self.ar = cands, seats, ar
        self.plain, self.tied, self.total, self.distinct = plain, tied, total, distinct
        self.breaker, self.backwards = breaker, backwards
        self.omega = ar.amount(check_weight(omega, "omega"))
        n = len(cands)
        self.keep = [ar.one] * n
        self.hopeful = [True] * n
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.rounds: list[MeekRound] = []
        self.last = (self.quota(0), 0 * ar.one)  # quota and surplus of the latest round

    # -- counting ------------------------------------------------------------
    def count(self) -> tuple[list, object]:
        acc = [0] * len(self.cands)
        one, keep, mul = self.ar.one, self.keep, self.ar.mul

        def walk(children: dict, power) -> None:
            for c, child in children.items():
                k = keep[c]
                if k == one:
                    acc[c] += power * child.weight
                    continue
                if k:
                    acc[c] += mul(power, k) * child.weight
                    rest = mul(power, one - k)
                else:
                    rest = power
                if rest and child.children:
                    walk(child.children, rest)

        def walk_tied(children: dict, power) -> None:
            for group, child in children.items():
                live = [c for c in group if keep[c]]
                if not live:
                    continue  # Droop.py: a group of excluded candidates ends the ballot
                share = self.ar.div(power, len(live))
                for c in live:
                    acc[c] += mul(share, keep[c]) * child.weight
                    rest = mul(share, one - keep[c])
                    if rest and child.children:
                        walk_tied(child.children, rest)

        walk(self.plain.children, one)
        walk_tied(self.tied.children, one)
        votes = [self.ar.finish(a) for a in acc]
        return votes, self.total - sum(votes)

    def quota(self, exhausted) -> object:
        return self.ar.div(self.total - exhausted, self.seats + 1) + self.ar.eps

    # -- the rounds ----------------------------------------------------------
    def __call__(self, total_weight: Decimal) -> MeekResult:
        votes, exhausted = self.count()
        quota, surplus = self.quota(0), 0 * self.ar.one
        self.record(0, votes, quota, exhausted, surplus, reason="first")
        number = 0
        while True:
            hopefuls = sum(self.hopeful)
            to_elect = self.seats - len(self.elected)
            if to_elect == 0 or hopefuls <= to_elect:
                break
            number += 1
            self.round(number)
        self.finish()
        return MeekResult(
            self.cands,
            self.seats,
            tuple(self.cands[i] for i in self.elected),
            tuple(self.cands[i] for i in self.excluded),
            tuple(self.rounds),
            total_weight,
            self.distinct,
        )

    def round(self, number: int) -> None:
        last_surplus = self.total
        iterations = 0
        while True:
            iterations += 1
            votes, exhausted = self.count()
            quota = self.quota(exhausted)
            now = []
            for i in range(len(self.cands)):
                reached = votes[i] > quota if self.ar.strict else votes[i] >= quota
                if self.hopeful[i] and reached and len(self.elected) < self.seats:
                    self.hopeful[i] = False
                    self.elected.append(i)
                    now.append(i)
            surplus = sum((votes[i] - quota for i in self.elected), 0 * self.ar.one)
            if now:
                reason = "elected"
                break
            if surplus <= self.omega:
                reason = "omega"
                break
            if surplus >= last_surplus:
                reason = "stable"
                break
            last_surplus = surplus
            for i in self.elected:
                if votes[i]:
                    self.keep[i] = self.ar.new_keep(self.keep[i], quota, votes[i])
        self.last = (quota, surplus)
        if now:
            self.record(number, votes, quota, exhausted, surplus, now, (), iterations, reason)
            return
        tie, loser = self.lowest(votes, surplus, number)
        self.record(number, votes, quota, exhausted, surplus, (), (loser,), iterations, reason, tie)
        self.exclude(loser)

    def lowest(self, votes: list, surplus, number: int) -> tuple[TieResolution | None, int]:
        live = [i for i in range(len(self.cands)) if self.hopeful[i]]
        floor = min(votes[i] for i in live) + surplus
        low = [i for i in live if votes[i] <= floor]
        if len(low) == 1:
            return None, low[0]
        history = [dict(r.votes) for r in self.rounds] if self.backwards else []
        tie = resolve_tie(
            [self.cands[i] for i in low],
            breaker=self.breaker,
            context=f"meek|round {number}|exclude",
            history=history,
        )
        return tie, self.cands.index(tie.chosen)

    def exclude(self, i: int) -> None:
        self.hopeful[i] = False
        self.excluded.append(i)
        self.keep[i] = 0 * self.ar.one

    def finish(self) -> None:
        """Elect or exclude the rest in candidate order, recounting after each."""
        quota, surplus = self.last
        elected, excluded = [], []
        for i in range(len(self.cands)):
            if not self.hopeful[i]:
                continue
            if len(self.elected) < self.seats:
                self.hopeful[i] = False
                self.elected.append(i)
                elected.append(i)
            else:
                self.exclude(i)
                excluded.append(i)
        if elected or excluded:
            votes, exhausted = self.count()
            number = len(self.rounds)
            self.record(number, votes, quota, exhausted, surplus, elected, excluded, 0, "final")

    def record(
        self,
        number,
        votes,
        quota,
        exhausted,
        surplus,
        elected=(),
        excluded=(),
        iterations=0,
        reason="",
        tie=None,
    ) -> None:
        show, cands = self.ar.show, self.cands
        self.rounds.append(
            MeekRound(
                number=number,
                votes=tuple((c, show(v)) for c, v in zip(cands, votes, strict=True)),
                quota=show(quota),
                exhausted=show(exhausted),
                surplus=show(surplus),
                keep_factors=tuple((c, show(k)) for c, k in zip(cands, self.keep, strict=True)),
                elected=tuple(cands[i] for i in elected),
                excluded=tuple(cands[i] for i in excluded),
                iterations=iterations,
                reason=reason,
                tie=tie,
            )
        )
