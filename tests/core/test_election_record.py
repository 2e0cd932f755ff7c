"""The published record of an election: counting a round from its ballots, the seed."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from besluit.core import votelog
from besluit.core.elections import LotTieBreaker, RankedBallot, count_meek, record

CANDS = ["k1", "k2", "k3", "k4"]
NONCE = "ab" * 32
rankings = st.lists(st.sampled_from(CANDS), min_size=1, max_size=4, unique=True)
weights = st.decimals(min_value=D("0.01"), max_value=D(500), places=2)
ballots = st.lists(
    st.builds(lambda r, w: {"choice": r, "weight": str(w), "members": 1}, rankings, weights),
    min_size=1,
    max_size=25,
)


def _count(bs, seats=2):
    result = record.count_round(
        method="ranked", seats=seats, candidates=CANDS, ballots=bs, nonce=NONCE
    )
    return votelog.canonical_json(record.result_json(result))


@given(ballots, st.randoms(use_true_random=False))
def test_the_seed_and_the_count_do_not_depend_on_the_order_of_the_ballots(bs, rng):
    shuffled = list(bs)
    rng.shuffle(shuffled)
    assert record.lot_seed(NONCE, bs) == record.lot_seed(NONCE, shuffled)
    assert _count(bs) == _count(shuffled)
    assert _count(bs, 1) == _count(shuffled, 1)


@given(ballots)
def test_one_changed_ballot_changes_the_seed(bs):
    changed = [dict(bs[0], weight=str(D(bs[0]["weight"]) + 1)), *bs[1:]]
    assert record.lot_seed(NONCE, bs) != record.lot_seed(NONCE, changed)


@given(ballots)
def test_pooling_identical_rankings_changes_no_result(bs):
    pooled: dict[tuple, dict] = {}
    for b in bs:
        entry = pooled.setdefault(
            tuple(b["choice"]), {"choice": b["choice"], "weight": "0", "members": 0}
        )
        entry["weight"] = str(D(entry["weight"]) + D(b["weight"]))
        entry["members"] += 1
    merged = list(pooled.values())
    # A secret round stores pooled ballots; counting them, or every member's ballot under
    # the same lot, elects the same (Meek pools identical rankings itself).
    one = record.count_round(
        method="ranked", seats=2, candidates=CANDS, ballots=merged, nonce=NONCE
    )
    lot = LotTieBreaker(record.lot_seed(NONCE, merged))
    each = [RankedBallot(D(b["weight"]), tuple((c,) for c in b["choice"])) for b in bs]
    two = count_meek(CANDS, 2, each, tie_breaker=lot, backwards=True)
    assert one.elected == two.elected and one.rounds == two.rounds
