"""Elections of persons: hand-worked counts, bad ballots, and properties.

Nothing here needs the reference data in ../shared (see test_elections_meek.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from besluit.core.elections import (
    ApprovalBallot,
    Arithmetic,
    BallotCode,
    BallotError,
    ChoiceBallot,
    ElectionError,
    LotTieBreaker,
    OrderTieBreaker,
    Outcome,
    RankedBallot,
    check_approvals,
    check_ranking,
    count_approval,
    count_irv,
    count_meek,
    count_two_round,
)

D = Decimal
SEED = bytes.fromhex("9f2c" * 16)  # stands for a poll's published checkpoint hash
LOT = LotTieBreaker(SEED)
R = RankedBallot.of


def votes(round_) -> dict[str, Decimal]:
    return dict(round_.votes)


# -- two rounds, one seat ------------------------------------------------------------


def test_two_round_elects_in_round_one_with_more_than_half_of_the_weight_cast() -> None:
    ballots = [
        ChoiceBallot(D("12.5"), "anna"),
        ChoiceBallot(D("7"), "bert"),
        ChoiceBallot(D("5"), "cor"),
        ChoiceBallot(D("30"), None),  # blank: not cast, so not in the denominator
    ]
    result = count_two_round(["anna", "bert", "cor"], ballots, tie_breaker=LOT)
    assert result.outcome == Outcome.ELECTED
    assert result.elected == ("anna",)
    assert (result.cast_weight, result.blank_weight) == (D("24.5"), D(30))
    (round1,) = result.rounds
    assert round1.quota == D("12.25")  # 12.5 > 12.25
    assert votes(round1) == {"anna": D("12.5"), "bert": D(7), "cor": D(5)}


def test_two_round_without_majority_names_the_top_two_and_the_second_call_decides() -> None:
    cands = ["anna", "bert", "cor"]
    round1 = [
        ChoiceBallot(D(10), "anna"),
        ChoiceBallot(D(8), "bert"),
        ChoiceBallot(D(4), "cor"),
    ]
    first = count_two_round(cands, round1, tie_breaker=LOT)
    assert first.outcome == Outcome.SECOND_ROUND
    assert first.elected == ()
    assert first.runoff == ("anna", "bert")  # 10 is not more than half of 22
    round2 = [ChoiceBallot(D(10), "anna"), ChoiceBallot(D(12), "bert")]
    second = count_two_round(first.runoff, round2, tie_breaker=LOT, runoff_of=first)
    assert second.outcome == Outcome.ELECTED
    assert second.elected == ("bert",)
    assert second.rounds[0].number == 2
    with pytest.raises(ElectionError):
        count_two_round(cands, round2, tie_breaker=LOT, runoff_of=first)


def test_two_round_tie_in_round_two_goes_to_round_one_when_backwards() -> None:
    first = count_two_round(
        ["anna", "bert", "cor"],
        [ChoiceBallot(D(9), "anna"), ChoiceBallot(D(10), "bert"), ChoiceBallot(D(5), "cor")],
        tie_breaker=LOT,
    )
    tie = [ChoiceBallot(D(11), "anna"), ChoiceBallot(D(11), "bert")]
    second = count_two_round(first.runoff, tie, tie_breaker=LOT, runoff_of=first, backwards=True)
    assert second.elected == ("bert",)
    assert second.rounds[0].ties[0].method == "earlier_round"
    by_lot = count_two_round(first.runoff, tie, tie_breaker=LOT, runoff_of=first)
    assert by_lot.rounds[0].ties[0].method == "lot"
    assert by_lot.rounds[0].ties[0].tied == ("anna", "bert")


def test_two_round_tie_for_second_place_is_drawn_and_recorded() -> None:
    ballots = [
        ChoiceBallot(D(10), "anna"),
        ChoiceBallot(D(5), "bert"),
        ChoiceBallot(D(5), "cor"),
    ]
    first = count_two_round(["anna", "bert", "cor"], ballots, tie_breaker=LOT)
    (tie,) = first.rounds[0].ties
    assert tie.tied == ("bert", "cor")
    assert first.runoff == ("anna", tie.chosen)
    assert first.runoff == count_two_round(["anna", "bert", "cor"], ballots, tie_breaker=LOT).runoff


def test_single_candidate_is_elected_unopposed_only_when_allowed() -> None:
    result = count_two_round(["anna"], [], tie_breaker=LOT, allow_unopposed=True)
    assert (result.outcome, result.elected, result.rounds) == (Outcome.UNOPPOSED, ("anna",), ())
    counted = count_two_round(["anna"], [], tie_breaker=LOT)
    assert counted.outcome == Outcome.NO_VOTES
    meek = count_meek(["a", "b"], 2, [], tie_breaker=LOT, allow_unopposed=True)
    assert (meek.outcome, meek.elected, meek.rounds) == (Outcome.UNOPPOSED, ("a", "b"), ())
    empty = count_meek(["a", "b", "c"], 2, [R(0, "a")], tie_breaker=LOT)
    assert (empty.outcome, empty.elected) == (Outcome.NO_VOTES, ())
    approval = count_approval(
        ["a", "b"], 2, [], max_approvals=2, tie_breaker=LOT, allow_unopposed=True
    )
    assert approval.outcome == Outcome.UNOPPOSED


# -- approval ------------------------------------------------------------------------


def test_approval_elects_the_seats_with_most_weight() -> None:
    ballots = [
        ApprovalBallot(D("3.5"), frozenset({"a", "b"})),
        ApprovalBallot(D(2), frozenset({"b", "c"})),
        ApprovalBallot(D(1), frozenset({"c"})),
        ApprovalBallot(D(4), frozenset({"d"})),
        ApprovalBallot(D(9), frozenset()),  # blank
    ]
    result = count_approval("abcd", 2, ballots, max_approvals=2, tie_breaker=LOT)
    assert result.elected == ("b", "d")  # b 5.5, d 4, a 3.5, c 3
    assert votes(result.rounds[0]) == {"a": D("3.5"), "b": D("5.5"), "c": D(3), "d": D(4)}
    assert (result.cast_weight, result.blank_weight) == (D("10.5"), D(9))


def test_approval_tie_at_the_last_seat_is_drawn_and_a_seat_nobody_approved_stays_empty() -> None:
    ballots = [ApprovalBallot(D(2), frozenset({"a"})), ApprovalBallot(D(1), frozenset({"b", "c"}))]
    result = count_approval("abcd", 2, ballots, max_approvals=2, tie_breaker=LOT)
    (tie,) = result.rounds[0].ties
    assert tie.tied == ("b", "c")
    assert result.elected == ("a", tie.chosen)
    three = count_approval("abcd", 4, ballots, max_approvals=2, tie_breaker=LOT)
    assert set(three.elected) == {"a", "b", "c"}  # d had no approval


def test_approval_refuses_more_approvals_than_allowed() -> None:
    with pytest.raises(BallotError) as err:
        count_approval(
            "abc", 1, [ApprovalBallot(D(1), frozenset("abc"))], max_approvals=2, tie_breaker=LOT
        )
    assert err.value.code == BallotCode.TOO_MANY_APPROVALS
    assert err.value.params == {"allowed": 2, "given": 3}
    with pytest.raises(ElectionError, match="max_approvals"):
        count_approval("abc", 1, [], max_approvals=0, tie_breaker=LOT)


# -- instant run-off -----------------------------------------------------------------


def test_irv_hand_worked_transfers_and_exhaustion() -> None:
    ballots = [
        R(D("4"), "a", "b"),
        R(D("3.5"), "b"),
        R(D("2"), "c", "b"),
        R(D("1.5"), "c"),  # exhausts when c is excluded
        R(D(1), "d", "c"),
    ]
    result = count_irv("abcd", ballots, tie_breaker=LOT)
    r1, r2, r3 = result.rounds
    assert votes(r1) == {"a": D(4), "b": D("3.5"), "c": D("3.5"), "d": D(1)}
    assert (r1.quota, r1.exhausted, r1.excluded) == (D(6), D(0), ("d",))
    assert votes(r2) == {"a": D(4), "b": D("3.5"), "c": D("4.5"), "d": D(0)}
    assert r2.excluded == ("b",)
    assert votes(r3) == {"a": D(4), "b": D(0), "c": D("4.5"), "d": D(0)}
    assert (r3.quota, r3.exhausted, r3.elected) == (D("4.25"), D("3.5"), ("c",))
    assert result.elected == ("c",)


def test_irv_tie_for_last_goes_to_the_earlier_round_when_backwards() -> None:
    ballots = [R(5, "a"), R(3, "b"), R(2, "c", "b"), R(1, "d", "c", "b")]
    # Round 1: a 5, b 3, c 2, d 1 -> d out; round 2: b 3, c 3 tie; round 1 had c lower.
    result = count_irv("abcd", ballots, tie_breaker=LOT, backwards=True)
    assert result.rounds[1].excluded == ("c",)
    assert result.rounds[1].ties[0].method == "earlier_round"
    assert result.elected == ("b",)


# -- Meek, hand-worked ---------------------------------------------------------------


def test_meek_two_seats_hand_worked_fractional_transfer() -> None:
    """Quota 12/3 + 1e-9; A keeps ⌈4.000000001/6⌉ = 0.666666667 and passes 0.333333333."""
    ballots = [R(6, "A", "B"), R(3, "C"), R(2, "B"), R(1, "D")]
    result = count_meek("ABCD", 2, ballots, tie_breaker=LOT)
    first, r1, r2, r3, final = result.rounds
    assert votes(first) == {"A": D(6), "B": D(2), "C": D(3), "D": D(1)}
    assert first.quota == D("4.000000001")
    assert (r1.elected, r1.surplus) == (("A",), D("1.999999999"))
    # 6 × 0.666666667 = 4.000000002; B: 2 + 6 × 0.333333333 = 3.999999998 (just short).
    assert votes(r2) == {"A": D("4.000000002"), "B": D("3.999999998"), "C": D(3), "D": D(1)}
    assert dict(r2.keep_factors)["A"] == D("0.666666667")
    assert (r2.reason, r2.surplus, r2.excluded) == ("omega", D("0.000000001"), ("D",))
    # D's ballot exhausts: quota (12 − 1)/3 = 3.666666666 + 1e-9, and B reaches it.
    assert (r3.quota, r3.exhausted, r3.elected) == (D("3.666666667"), D(1), ("B",))
    assert (final.reason, final.excluded) == ("final", ("C",))
    assert (result.elected, result.excluded) == (("A", "B"), ("D", "C"))


def test_meek_three_seats_hand_worked_converges_to_the_fixed_point() -> None:
    """A's surplus splits 4:2 over B and C; then A keeps 1/2, B 3/4 and the quota is 3."""
    ballots = [R(4, "A", "B"), R(2, "A", "C"), R(2, "B"), R(1, "C"), R(3, "D"), R(1, "E")]
    result = count_meek("ABCDE", 3, ballots, tie_breaker=LOT)
    first, r1, r2, r3, r4, final = result.rounds
    assert first.quota == D("3.250000001")  # 13 / 4
    assert r1.elected == ("A",)
    # A keeps ⌈3.250000001/6⌉ = 0.541666667 and passes 0.458333333 of each ballot.
    assert votes(r2) == {
        "A": D("3.250000002"),
        "B": D("3.833333332"),  # 2 + 4 × 0.458333333
        "C": D("1.916666666"),  # 1 + 2 × 0.458333333
        "D": D(3),
        "E": D(1),
    }
    assert (r2.elected, r2.iterations) == (("B",), 2)
    # Meek's fixed point: kA = 1/2, kB = 3/4, exhausted 2·1/4 + 4·1/2·1/4 = 1, quota 3.
    NEAR = D("0.00001")  # the count stops once the surplus is at most omega = 1e-6
    limit = {"A": D(3), "B": D(3), "C": D(2), "D": D(3), "E": D(1)}
    assert all(abs(votes(r3)[c] - limit[c]) < NEAR for c in limit)
    assert abs(r3.quota - 3) < NEAR and abs(r3.exhausted - 1) < NEAR
    assert abs(dict(r3.keep_factors)["A"] - D("0.5")) < NEAR
    assert abs(dict(r3.keep_factors)["B"] - D("0.75")) < NEAR
    assert (r3.reason, r3.excluded) == ("omega", ("E",))
    assert r4.elected == ("D",)  # quota falls to about 11/4 = 2.75 < 3
    assert final.excluded == ("C",)
    assert (result.elected, result.excluded) == (("A", "B", "D"), ("E", "C"))


def test_meek_pools_identical_rankings() -> None:
    ballots = [R(1, "a", "b")] * 300 + [R(2, "b")] * 40 + [R(D("0.5"), "c", "a")] * 2
    result = count_meek("abc", 1, ballots, tie_breaker=LOT)
    assert result.distinct_rankings == 3
    assert result.total_weight == D(381)


def test_meek_refuses_weights_finer_than_its_precision() -> None:
    with pytest.raises(ElectionError, match="decimals"):
        count_meek("ab", 1, [R(D("0.0000000001"), "a")], tie_breaker=LOT)


# -- ballot validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([("a", 1), ("b", 2), ("a", 3)], BallotCode.DUPLICATE_CANDIDATE),
        (["a", "b", "a"], BallotCode.DUPLICATE_CANDIDATE),
        ([("a", 1), ("b", 2), ("c", 4)], BallotCode.RANK_GAP),
        ([("b", 2)], BallotCode.RANK_GAP),
        ([("a", 1), ("x", 2)], BallotCode.UNKNOWN_CANDIDATE),
        ([], BallotCode.EMPTY_BALLOT),
        ([("a", 0)], BallotCode.BAD_RANK),
        ([("a", 1), ("b", 1)], BallotCode.EQUAL_RANKS),
    ],
)
def test_bad_ranked_ballot_is_refused_with_its_code(entries, code) -> None:
    with pytest.raises(BallotError) as err:
        check_ranking(entries, "abcd")
    assert err.value.code == code
    assert str(err.value) == err.value.template.format(**err.value.params)


def test_rank_gap_names_the_missing_rank() -> None:
    with pytest.raises(BallotError) as err:
        check_ranking([("a", 1), ("b", 2), ("c", 4)], "abcd")
    assert str(err.value) == "The ranks must be 1, 2, 3 … without a gap; rank 3 is missing."


def test_good_rankings_become_groups() -> None:
    assert check_ranking([("c", 2), ("a", 1)], "abc") == (("a",), ("c",))
    assert check_ranking(["b", "a"], "abc") == (("b",), ("a",))
    assert check_ranking([], "abc", allow_empty=True) == ()
    assert check_ranking([("a", 1), ("b", 1), ("c", 2)], "abc", allow_equal_ranks=True) == (
        ("a", "b"),
        ("c",),
    )


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        (["a", "b", "c"], BallotCode.TOO_MANY_APPROVALS),
        (["a", "a"], BallotCode.DUPLICATE_CANDIDATE),
        (["z"], BallotCode.UNKNOWN_CANDIDATE),
        ([], BallotCode.EMPTY_BALLOT),
    ],
)
def test_bad_approval_ballot_is_refused_with_its_code(choices, code) -> None:
    with pytest.raises(BallotError) as err:
        check_approvals(choices, "abc", max_approvals=2)
    assert err.value.code == code


def test_counts_refuse_ballots_the_validation_would_refuse() -> None:
    with pytest.raises(BallotError) as err:
        count_irv("ab", [RankedBallot(D(1), (("a", "b"),))], tie_breaker=LOT)
    assert err.value.code == BallotCode.EQUAL_RANKS
    with pytest.raises(BallotError):
        count_irv("ab", [R(1, "a", "x")], tie_breaker=LOT)
    with pytest.raises(ElectionError):
        count_meek("ab", 1, [R(1, "a", "a")], tie_breaker=LOT)
    with pytest.raises(ElectionError):
        count_irv("ab", [RankedBallot(1.5, (("a",),))], tie_breaker=LOT)  # a float is not exact


# -- the lot -------------------------------------------------------------------------


def test_lot_is_repeatable_and_spreads_over_seeds() -> None:
    tied = ["anna", "bert", "cor", "dirk"]
    first = Counter(
        LotTieBreaker(i.to_bytes(32, "big")).order(tied, context="irv|round 3|exclude")[0]
        for i in range(400)
    )
    # Each of four candidates should come first about 100 times in 400 seeds.
    assert set(first) == set(tied)
    assert all(60 <= n <= 140 for n in first.values()), first
    assert LOT.order(tied, context="x") == LotTieBreaker(SEED).order(reversed(tied), context="x")


def test_lot_refuses_a_short_seed() -> None:
    with pytest.raises(ElectionError):
        LotTieBreaker(b"short")


@given(st.binary(min_size=16, max_size=64), st.lists(st.text(min_size=1), min_size=2, unique=True))
def test_the_same_seed_always_draws_the_same_order(seed: bytes, tied: list[str]) -> None:
    one, two = LotTieBreaker(seed), LotTieBreaker(bytes(seed))
    assert one.order(tied, context="c") == two.order(list(reversed(tied)), context="c")
    assert sorted(one.order(tied, context="c")) == sorted(tied)


# -- properties ----------------------------------------------------------------------

CANDS = "abcde"
rankings = st.lists(st.sampled_from(CANDS), min_size=1, max_size=5, unique=True)


def naive_irv(ballots: list[list[str]], cands: str, breaker: LotTieBreaker) -> list[str]:
    """One ballot one vote, written out plainly; returns the exclusions then the winner."""
    continuing = list(cands)
    out: list[str] = []
    number = 0
    while True:
        number += 1
        tally = dict.fromkeys(continuing, 0)
        for ballot in ballots:
            for c in ballot:
                if c in tally:
                    tally[c] += 1
                    break
        active = sum(tally.values())
        for c in continuing:
            if 2 * tally[c] > active or len(continuing) == 1:
                return [*out, c]
        low = min(tally.values())
        lowest = sorted(c for c in continuing if tally[c] == low)
        loser = lowest[0]
        if len(lowest) > 1:
            context = f"irv|round {number}|exclude|{','.join(lowest)}"
            loser = breaker.order(lowest, context=context)[0]
        continuing.remove(loser)
        out.append(loser)


@settings(max_examples=150, deadline=None)
@given(st.lists(rankings, min_size=1, max_size=40), st.sampled_from([D(1), D("2.5"), D(7)]))
def test_irv_with_equal_weights_equals_the_naive_count(ballots, weight) -> None:
    result = count_irv(CANDS, [R(weight, *b) for b in ballots], tie_breaker=LOT)
    excluded = [c for r in result.rounds for c in r.excluded]
    assert [*excluded, *result.elected] == naive_irv(ballots, CANDS, LOT)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(rankings, st.integers(1, 5)), min_size=1, max_size=30))
def test_irv_majority_of_first_preferences_wins(weighted) -> None:
    ballots = [R(w, *b) for b, w in weighted]
    total = sum(w for _, w in weighted)
    firsts = Counter()
    for b, w in weighted:
        firsts[b[0]] += w
    top, weight = firsts.most_common(1)[0]
    assume(2 * weight > total)
    result = count_irv(CANDS, ballots, tie_breaker=LOT)
    assert result.elected == (top,)
    assert len(result.rounds) == 1
    meek = count_meek(CANDS, 1, ballots, tie_breaker=LOT)
    assert meek.elected == (top,)
    assert meek.rounds[1].elected == (top,)  # on first preferences, in round 1


weights = st.integers(1, 6)
scales = st.sampled_from([D(3), D("0.5"), D("1.25"), D(1000)])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(rankings, weights), min_size=1, max_size=25), scales)
def test_scaling_every_weight_changes_no_irv_or_approval_outcome(weighted, k) -> None:
    def irv(factor):
        r = count_irv(CANDS, [R(w * factor, *b) for b, w in weighted], tie_breaker=LOT)
        return r.elected, [r_.excluded for r_ in r.rounds]

    def approval(factor):
        ballots = [ApprovalBallot(w * factor, frozenset(b[:2])) for b, w in weighted]
        return count_approval(CANDS, 2, ballots, max_approvals=2, tie_breaker=LOT).elected

    def two_round(factor):
        ballots = [ChoiceBallot(w * factor, b[0]) for b, w in weighted]
        r = count_two_round(CANDS, ballots, tie_breaker=LOT)
        return r.outcome, r.elected, r.runoff

    assert irv(D(1)) == irv(k)
    assert approval(D(1)) == approval(k)
    assert two_round(D(1)) == two_round(k)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(rankings, weights), min_size=1, max_size=20),
    st.integers(1, 3),
    st.sampled_from([D(3), D("0.5"), D(1000)]),
)
def test_scaling_every_weight_and_omega_changes_no_exact_meek_outcome(weighted, seats, k) -> None:
    def meek(factor):
        r = count_meek(
            CANDS,
            seats,
            [R(w * factor, *b) for b, w in weighted],
            tie_breaker=LOT,
            arithmetic=Arithmetic.EXACT,
            omega=D("0.000001") * factor,
        )
        return r.elected, r.excluded

    assert meek(D(1)) == meek(k)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(rankings, weights), min_size=1, max_size=20), st.integers(1, 3))
def test_meek_weighted_ballots_count_as_that_many_unit_ballots(weighted, seats) -> None:
    pooled = count_meek(CANDS, seats, [R(w, *b) for b, w in weighted], tie_breaker=LOT)
    expanded = count_meek(
        CANDS, seats, [R(1, *b) for b, w in weighted for _ in range(w)], tie_breaker=LOT
    )
    assert (pooled.elected, pooled.excluded) == (expanded.elected, expanded.excluded)
    assert pooled.rounds == expanded.rounds


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(rankings, weights), min_size=1, max_size=20), st.integers(1, 3))
def test_meek_fills_the_seats_at_quota_and_excluded_keep_nothing(weighted, seats) -> None:
    result = count_meek(CANDS, seats, [R(w, *b) for b, w in weighted], tie_breaker=LOT)
    assert len(result.elected) == seats
    assert sorted(result.elected + result.excluded) == sorted(CANDS)
    gone: set[str] = set()
    for r in result.rounds:
        assert all(votes(r)[c] == 0 for c in gone)  # an excluded candidate keeps nothing
        if r.reason == "elected":
            assert all(votes(r)[c] >= r.quota for c in r.elected)
        gone |= set(r.excluded)


def test_meek_reference_tie_order_and_lot_both_decide_a_tie() -> None:
    ballots = [R(3, "apple")]
    by_order = count_meek(
        ["apple", "banana", "cherry"], 2, ballots, tie_breaker=OrderTieBreaker(("cherry",))
    )
    assert by_order.excluded == ("cherry",)
    by_lot = count_meek(["apple", "banana", "cherry"], 2, ballots, tie_breaker=LOT)
    tie = next(r.tie for r in by_lot.rounds if r.tie)
    assert tie.tied == ("banana", "cherry") and tie.method == "lot"
    assert by_lot.excluded == (tie.chosen,)


def test_meek_exact_treats_a_near_tie_within_the_surplus_as_a_tie_and_can_look_back() -> None:
    """a's surplus of 1 brings c from 1 to (about) 2, level with b: who goes out?

    Exact arithmetic keeps the one-unit rounding of a's keep factor inside the surplus,
    so b and c count as tied; looking back, c had fewer votes in round 1.
    """
    ballots = [R(D("4.5"), "a", "c"), R(2, "b"), R(1, "c"), R(3, "d")]

    def count(backwards: bool):
        return count_meek(
            "abcd", 2, ballots, tie_breaker=LOT, arithmetic=Arithmetic.EXACT, backwards=backwards
        )

    def tie(backwards: bool):
        return next(r.tie for r in count(backwards).rounds if r.tie)

    assert (count(True).elected, count(True).excluded) == (("a", "d"), ("c", "b"))
    looked_back = tie(True)
    assert (looked_back.tied, looked_back.chosen, looked_back.method) == (
        ("b", "c"),
        "c",
        "earlier_round",
    )
    drawn = tie(False)
    assert (drawn.tied, drawn.method) == (("b", "c"), "lot")


def test_meek_exact_agrees_with_fixed_point_on_the_hand_worked_count() -> None:
    ballots = [R(6, "A", "B"), R(3, "C"), R(2, "B"), R(1, "D")]
    exact = count_meek("ABCD", 2, ballots, tie_breaker=LOT, arithmetic=Arithmetic.EXACT)
    assert (exact.elected, exact.excluded) == (("A", "B"), ("D", "C"))
    assert exact.rounds[0].quota == 4  # no epsilon: 12 / 3


def test_results_serialise_exactly_for_the_open_data() -> None:
    meek = count_meek("ABCD", 2, [R(6, "A", "B"), R(3, "C"), R(2, "B"), R(1, "D")], tie_breaker=LOT)
    data = json.loads(json.dumps(meek.to_dict()))
    assert data["elected"] == ["A", "B"] and data["outcome"] == "elected"
    assert data["rounds"][2]["votes"][0] == ["A", "4.000000002"]
    assert data["rounds"][2]["keep_factors"][0] == ["A", "0.666666667"]
    irv = count_irv("ab", [R(D("1.5"), "a"), R(1, "b", "a")], tie_breaker=LOT)
    assert json.loads(json.dumps(irv.to_dict()))["rounds"][0]["votes"] == [["a", "1.5"], ["b", "1"]]


def test_the_election_core_runs_with_django_blocked() -> None:
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import besluit.core.elections as e\n"
        "lot = e.LotTieBreaker(bytes(16))\n"
        "r = e.count_irv('ab', [e.RankedBallot.of(1, 'a')], tie_breaker=lot)\n"
        "assert r.elected == ('a',)\n"
        "assert not [m for m in sys.modules if m.startswith('besluit.')\n"
        "            and not m.startswith('besluit.core')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
