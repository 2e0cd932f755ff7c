"""Meek STV with equal weights against an independent, straightforward implementation:
the whole of Meek's method in plain Fractions, one ballot one vote, written from the
rule (docs/elections.md) and not from core.elections.meek. The issue asks for this
property; counts that reach a tie within the surplus are left out (the two break ties
by different means: the lot with look-back against a refusal here)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from besluit.core.elections import LotTieBreaker, RankedBallot, count_meek
from besluit.core.elections.meek import Arithmetic

CANDS = "abcde"
LOT = LotTieBreaker(b"naive-meek-property-seed-0123456789")
OMEGA = Fraction(1, 10**6)
PLACES = 10**9


class NaiveTie(Exception):
    """Two hopefuls too close to tell apart: the implementations may break it differently."""


def _round_up(x: Fraction) -> Fraction:
    return Fraction(math.ceil(x * PLACES), PLACES)


def naive_meek(ballots: list[list[str]], seats: int) -> set[str]:
    keep = dict.fromkeys(CANDS, Fraction(1))
    elected: list[str] = []
    excluded: list[str] = []
    total = Fraction(len(ballots))
    while True:
        hopeful = [c for c in CANDS if c not in elected and c not in excluded]
        if len(elected) == seats:
            return set(elected)
        if len(elected) + len(hopeful) <= seats:
            return set(elected) | set(hopeful)
        last_surplus = None
        while True:
            votes = dict.fromkeys(CANDS, Fraction(0))
            exhausted = Fraction(0)
            for ballot in ballots:
                power = Fraction(1)
                for c in ballot:
                    if keep[c] == 0:
                        continue
                    votes[c] += power * keep[c]
                    power *= 1 - keep[c]
                exhausted += power
            quota = (total - exhausted) / (seats + 1)
            new = [c for c in hopeful if votes[c] > quota]
            surplus = sum((votes[c] - quota for c in elected), Fraction(0))
            if new:
                break
            if surplus <= OMEGA or (last_surplus is not None and surplus >= last_surplus):
                break
            last_surplus = surplus
            for c in elected:
                keep[c] = _round_up(keep[c] * quota / votes[c])
        if new:
            elected += new
            continue
        low = min(votes[c] for c in hopeful)
        near = [c for c in hopeful if votes[c] - low <= max(surplus, Fraction(0)) + OMEGA]
        if len(near) > 1:
            raise NaiveTie
        (loser,) = near
        excluded.append(loser)
        keep[loser] = Fraction(0)


rankings = st.lists(st.sampled_from(CANDS), min_size=1, max_size=5, unique=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(rankings, min_size=1, max_size=14), st.integers(1, 3), st.sampled_from([1, 3]))
def test_meek_with_equal_weights_elects_as_the_naive_count(ballots, seats, weight) -> None:
    try:
        expected = naive_meek(ballots, seats)
    except NaiveTie:
        assume(False)
    result = count_meek(
        CANDS,
        seats,
        [RankedBallot.of(weight, *b) for b in ballots],
        tie_breaker=LOT,
        arithmetic=Arithmetic.EXACT,
        omega=Decimal("0.000001") * weight,
    )
    assert set(result.elected) == expected
