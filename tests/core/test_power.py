"""Voting power (besluit.core.power): known values, brute force, scaling, limits.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import itertools
import math
import random
from decimal import Decimal
from fractions import Fraction
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core import power
from besluit.core.power import (
    Game,
    PowerError,
    Quota,
    banzhaf,
    banzhaf_swings,
    dummies,
    make_game,
    minimum_winning_size,
    quota_for,
    shapley_shubik,
    smallest_winning_coalition,
)

# --------------------------------------------------------------------------- brute force


class Brute:
    """Everything by enumerating all 2**n coalitions (and n! orderings when n <= 7)."""

    def __init__(self, weights: tuple[int, ...], quota: int) -> None:
        self.weights, self.quota, self.n = weights, quota, len(weights)
        n = self.n
        sums = [0] * (1 << n)
        for mask in range(1, 1 << n):
            low = mask & -mask
            sums[mask] = sums[mask ^ low] + weights[low.bit_length() - 1]
        self.sums = sums

    def swings_by_size(self, i: int) -> list[int]:
        counts = [0] * self.n
        lo, q = self.quota - self.weights[i], self.quota
        for mask, s in enumerate(self.sums):
            if not mask >> i & 1 and lo <= s < q:
                counts[mask.bit_count()] += 1
        return counts

    def swings(self) -> tuple[int, ...]:
        return tuple(sum(self.swings_by_size(i)) for i in range(self.n))

    def banzhaf(self) -> tuple[Fraction, ...]:
        swings = self.swings()
        total = sum(swings)
        return tuple(Fraction(s, total) if total else Fraction(0) for s in swings)

    def shapley_shubik(self) -> tuple[Fraction, ...]:
        n = self.n
        if n <= 7:  # count pivots over all orderings
            pivots = [0] * n
            for order in itertools.permutations(range(n)):
                running = 0
                for member in order:
                    running += self.weights[member]
                    if running >= self.quota:
                        pivots[member] += 1
                        break
            return tuple(Fraction(p, math.factorial(n)) for p in pivots)
        return tuple(
            sum(
                Fraction(c * math.factorial(s) * math.factorial(n - 1 - s), math.factorial(n))
                for s, c in enumerate(self.swings_by_size(i))
            )
            for i in range(n)
        )

    def winning(self) -> list[int]:
        return [mask for mask, s in enumerate(self.sums) if s >= self.quota]

    def minimum_winning_size(self) -> int:
        return min(mask.bit_count() for mask in self.winning())

    def smallest_winning_coalition(self) -> tuple[int, ...]:
        def members(mask: int) -> tuple[int, ...]:
            return tuple(i for i in range(self.n) if mask >> i & 1)

        return min(
            (members(m) for m in self.winning()),
            key=lambda c: (sum(self.weights[i] for i in c), len(c), c),
        )


# --------------------------------------------------------------------------- known values


EEC_1958 = Game((4, 4, 4, 2, 2, 1), 12)  # France, Germany, Italy, Belgium, Netherlands, Lux.


def test_eec_1958_banzhaf() -> None:
    assert banzhaf_swings(EEC_1958) == (10, 10, 10, 6, 6, 0)
    assert banzhaf(EEC_1958) == tuple(Fraction(x, 21) for x in (5, 5, 5, 3, 3, 0))


def test_eec_1958_shapley_shubik() -> None:
    assert shapley_shubik(EEC_1958) == tuple(Fraction(x, 60) for x in (14, 14, 14, 9, 9, 0))


def test_eec_1958_structure() -> None:
    assert dummies(EEC_1958) == (5,)  # Luxembourg
    assert minimum_winning_size(EEC_1958) == 3
    assert smallest_winning_coalition(EEC_1958) == (0, 1, 2)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 342])
def test_equal_weights_equal_power(n: int) -> None:
    game = make_game([Decimal(1)] * n)
    assert banzhaf(game) == (Fraction(1, n),) * n
    assert shapley_shubik(game) == (Fraction(1, n),) * n
    assert dummies(game) == ()
    assert minimum_winning_size(game) == n // 2 + 1
    assert smallest_winning_coalition(game) == tuple(range(n // 2 + 1))


def test_dictator_and_dummies() -> None:
    game = Game((5, 1, 1, 1), 5)
    assert banzhaf(game) == (1, 0, 0, 0)
    assert shapley_shubik(game) == (1, 0, 0, 0)
    assert dummies(game) == (1, 2, 3)
    assert smallest_winning_coalition(game) == (0,)


def test_zero_weight_member_is_a_dummy() -> None:
    game = Game((0, 3, 2, 2), 4)
    assert dummies(game) == (0,)
    assert banzhaf(game)[0] == 0
    assert shapley_shubik(game)[0] == 0
    assert sum(shapley_shubik(game)) == 1


def test_nobody_can_win() -> None:
    game = Game((1, 2, 3), 7)
    assert banzhaf_swings(game) == (0, 0, 0)
    assert banzhaf(game) == (0, 0, 0)
    assert shapley_shubik(game) == (0, 0, 0)
    assert dummies(game) == (0, 1, 2)
    with pytest.raises(PowerError):
        minimum_winning_size(game)
    with pytest.raises(PowerError):
        smallest_winning_coalition(game)


def test_smallest_winning_coalition_needs_many_members() -> None:
    # Weight exactly 120 only with all forty 3s; 100 + 100 is heavier. This also makes
    # the size search widen its first guess (2 + 8 sizes) twice.
    game = Game((100, 100, *([3] * 40)), 120)
    assert smallest_winning_coalition(game) == tuple(range(2, 42))
    assert minimum_winning_size(game) == 2


def test_smallest_winning_coalition_tie_breaks() -> None:
    # Weight 6 three ways: {0, 1} (2 members), {2, 3} (2 members), {4, 5, 6} (3 members).
    game = Game((3, 3, 4, 2, 2, 2, 2), 6)
    assert smallest_winning_coalition(game) == (0, 1)
    game = Game((4, 2, 3, 3, 2), 6)  # {0, 1}, {0, 4}, {2, 3}: lowest indices first
    assert smallest_winning_coalition(game) == (0, 1)
    assert smallest_winning_coalition(Game((1, 3, 3, 5), 6)) == (0, 3)  # not (1, 2)
    assert smallest_winning_coalition(Game((1, 2, 3, 6), 6)) == (3,)  # fewest first
    assert smallest_winning_coalition(Game((4, 4, 7), 6)) == (2,)  # 7 is lighter than 8


def test_two_thirds_uses_the_same_swings_as_its_blocking_quota() -> None:
    weights = (7, 5, 5, 3, 2, 1, 1)
    total = sum(weights)
    for quota in range(1, total + 1):
        game = Game(weights, quota)
        blocking = Game(weights, total + 1 - quota)
        assert banzhaf_swings(game) == banzhaf_swings(blocking) == Brute(weights, quota).swings()
        assert shapley_shubik(game) == shapley_shubik(blocking)


# --------------------------------------------------------------------------- brute force


@st.composite
def games(draw: st.DrawFn, max_members: int = 15) -> Game:
    n = draw(st.integers(1, max_members))
    top = draw(st.sampled_from([1, 3, 10, 60, 1000]))
    weights = tuple(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)))
    quota = draw(st.integers(1, sum(weights) + 2))
    return Game(weights, quota)


def check_against_brute_force(game: Game) -> None:
    brute = Brute(game.weights, game.quota)
    swings = brute.swings()
    assert banzhaf_swings(game) == swings
    assert banzhaf(game) == brute.banzhaf()
    ss = shapley_shubik(game)
    assert ss == brute.shapley_shubik()
    assert dummies(game) == tuple(i for i, s in enumerate(swings) if s == 0)
    if game.quota <= game.total:
        assert sum(banzhaf(game)) == 1
        assert sum(ss) == 1
        assert minimum_winning_size(game) == brute.minimum_winning_size()
        coalition = smallest_winning_coalition(game)
        assert coalition == brute.smallest_winning_coalition()
    # Equal weights, equal power; more weight, at least as much power.
    for i, j in itertools.combinations(range(game.n), 2):
        if game.weights[i] == game.weights[j]:
            assert swings[i] == swings[j] and ss[i] == ss[j]
        if game.weights[i] >= game.weights[j]:
            assert swings[i] >= swings[j] and ss[i] >= ss[j]


@settings(deadline=None, max_examples=150)
@given(games(max_members=9))
def test_small_games_match_brute_force(game: Game) -> None:
    check_against_brute_force(game)


@settings(deadline=None, max_examples=60)
@given(games(max_members=15))
def test_games_up_to_15_members_match_brute_force(game: Game) -> None:
    check_against_brute_force(game)


@settings(deadline=None, max_examples=60)
@given(games(max_members=12), st.sampled_from([8, 64, 200, 1000]))
def test_tiny_chunks_match_brute_force(game: Game, chunk_bits: int) -> None:
    # Force the chunked Banzhaf polynomial to be split into many small pieces.
    with mock.patch.object(power, "_CHUNK_BITS", chunk_bits):
        assert banzhaf_swings(game) == Brute(game.weights, game.quota).swings()


# --------------------------------------------------------------------------- larger games


def reference_counts(weights: list[int], quota: int) -> tuple[list[int], list[Fraction]]:
    """Plain list DP, independent of the packed implementation: for each member (once
    per distinct weight), count the others' coalitions by size and weight from scratch."""
    n = len(weights)
    swings, ss = [], []
    done: dict[int, tuple[int, Fraction]] = {}  # equal weights, equal counts
    for i in range(n):
        if weights[i] in done:
            swings.append(done[weights[i]][0])
            ss.append(done[weights[i]][1])
            continue
        table = [[0] * quota for _ in range(n)]  # table[size][weight], weight < quota
        table[0][0] = 1
        for j, w in enumerate(weights):
            if j == i or w >= quota:
                continue
            for s in range(n - 1, 0, -1):
                row, below = table[s], table[s - 1]
                for t in range(quota - 1, w - 1, -1):
                    if below[t - w]:
                        row[t] += below[t - w]
        lo = max(0, quota - weights[i])
        by_size = [sum(table[s][lo:quota]) for s in range(n)]
        swings.append(sum(by_size))
        ss.append(
            sum(
                Fraction(c * math.factorial(s) * math.factorial(n - 1 - s), math.factorial(n))
                for s, c in enumerate(by_size)
            )
        )
        done[weights[i]] = (swings[-1], ss[-1])
    return swings, ss


@pytest.mark.parametrize(
    ("n", "top", "rule"),
    [(24, 40, Quota.SIMPLE), (80, 6, Quota.TWO_THIRDS), (130, 2, Quota.SIMPLE)],
)
def test_larger_games_match_a_plain_dp(n: int, top: int, rule: Quota) -> None:
    # 80 and 130 members: counts pass 2**64 and 2**128, so the packed slots (8-byte
    # words at first) get widened on the way.
    rng = random.Random(n)
    weights = [rng.randint(1, top) for _ in range(n)]
    game = Game(tuple(weights), quota_for(sum(weights), rule))
    swings, ss = reference_counts(weights, game.quota)
    assert banzhaf_swings(game) == tuple(swings)
    with mock.patch.object(power, "_CHUNK_BITS", 512):  # many chunks, re-chunked on widening
        assert banzhaf_swings(game) == tuple(swings)
    assert shapley_shubik(game) == tuple(ss)
    assert max(swings) > 2 ** (n - 16)


# --------------------------------------------------------------------------- quota, scaling


def test_quota_for() -> None:
    assert quota_for(10, Quota.SIMPLE) == 6
    assert quota_for(11, Quota.SIMPLE) == 6
    assert quota_for(9, Quota.TWO_THIRDS) == 6
    assert quota_for(10, Quota.TWO_THIRDS) == 7
    assert quota_for(10, "two_thirds") == 7
    assert quota_for(10, Fraction(3, 4)) == 8
    assert quota_for(10, Fraction(1, 2)) == 5  # "at least half", unlike SIMPLE
    assert quota_for(10, 1) == 10
    assert quota_for(0, Quota.SIMPLE) == 1
    assert quota_for(0, Fraction(1, 2)) == 1
    for bad in (Fraction(0), Fraction(3, 2), 0.5, "absolute-ish"):
        with pytest.raises(PowerError):
            quota_for(10, bad)
    with pytest.raises(PowerError):
        quota_for(-1, Quota.SIMPLE)


def test_make_game_scales_decimals_exactly() -> None:
    game = make_game([Decimal("1.25"), Decimal("2.5"), Decimal("3"), Decimal("0.50")])
    # Scale 100 (two decimals), then divided by the common factor 25.
    assert game.scale == 100
    assert game.divisor == 25
    assert game.weights == (5, 10, 12, 2)
    assert game.quota == 15  # more than half of 29
    game = make_game([Decimal("1.10"), Decimal("2.20")])  # trailing zeros do not count
    assert (game.scale, game.divisor, game.weights) == (10, 11, (1, 2))
    game = make_game([3, 6, Decimal("9E+3")])
    assert (game.scale, game.divisor, game.weights) == (1, 3, (1, 2, 3000))


decimals = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False)


@settings(deadline=None, max_examples=100)
@given(
    st.lists(decimals, min_size=1, max_size=8),
    st.sampled_from([Quota.SIMPLE, Quota.TWO_THIRDS, Fraction(3, 5), Fraction(1)]),
)
def test_make_game_is_the_same_game(weights: list[Decimal], rule: Quota | Fraction) -> None:
    game = make_game(weights, rule)
    assert all(
        Fraction(w) * game.divisor / game.scale == Fraction(original)
        for w, original in zip(game.weights, weights, strict=True)
    )
    total = sum(map(Fraction, weights))
    needed = {
        Quota.SIMPLE: lambda x: x > total / 2,
        Quota.TWO_THIRDS: lambda x: x >= total * 2 / 3,
    }.get(rule, lambda x: x >= total * rule)
    for mask in range(1 << len(weights)):
        original = sum(Fraction(weights[i]) for i in range(len(weights)) if mask >> i & 1)
        scaled = sum(game.weights[i] for i in range(len(weights)) if mask >> i & 1)
        # The quota is at least 1: a coalition without weight never wins.
        assert (scaled >= game.quota) == (needed(original) and original > 0)


def test_make_game_refuses_a_huge_total() -> None:
    weights = [Decimal("1.000001"), Decimal(2)]
    with pytest.raises(PowerError, match=r"10\^6 = 1000000.*3000001.*round the weights"):
        make_game(weights, max_total=1_000_000)
    assert make_game(weights, max_total=3_000_001).total == 3_000_001
    with pytest.raises(PowerError, match=r"10\^40 = 1(0){40}"):
        make_game([Decimal("1E-40"), Decimal(1)])
    with pytest.raises(PowerError, match="span 401 digits"):
        make_game([Decimal("1E-400"), Decimal(1)])


@pytest.mark.parametrize(
    "weights", [[], [Decimal(-1)], [1.5], [Decimal("NaN")], [Decimal("Infinity")], [True]]
)
def test_make_game_refuses_bad_weights(weights: list) -> None:
    with pytest.raises(PowerError):
        make_game(weights)


def test_game_validates() -> None:
    with pytest.raises(PowerError):
        Game((1, -2), 1)
    with pytest.raises(PowerError):
        Game((1, 2), 0)
    assert Game([1, 2], 2).weights == (1, 2)


def test_size_limits_give_a_clear_error() -> None:
    game = Game(tuple(range(1, 50)), 700)
    with pytest.raises(PowerError, match="round the weights"):
        shapley_shubik(game, max_table_bytes=1000)
    with pytest.raises(PowerError, match="round the weights"):
        banzhaf(game, max_work=1000)
    assert sum(banzhaf(game)) == 1
    with pytest.raises(PowerError, match="round the weights"):
        smallest_winning_coalition(game, max_bytes=1000)
    huge = Game((10**12, 10**12 + 1, 3), 10**12 + 2)
    for analysis in (banzhaf, shapley_shubik, dummies, smallest_winning_coalition):
        with pytest.raises(PowerError, match="round the weights"):
            analysis(huge)
    assert minimum_winning_size(huge) == 2
