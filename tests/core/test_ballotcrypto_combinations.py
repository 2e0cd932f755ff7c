"""The compiled variable-time combinations (native/combinations.c) against libsodium's
public functions: the same points for any scalars, the same refusals for bad input, and
the proofs' checks unchanged by which of the two computes them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.ballotcrypto import group
from besluit.core.ballotcrypto.ballot import BallotContext, encrypt_ballot, verify_ballot
from besluit.core.ballotcrypto.errors import BallotCryptoError
from besluit.core.ballotcrypto.group import (
    L,
    Point,
    Scalar,
    combinations_by_libsodium,
    public_combinations,
)

# Small ones, the ends of the four 64-bit limbs a split point's scalar is cut into (a
# carry out of a limb's top bit), limbs of all ones, and the largest.
EDGE_SCALARS = [
    0,
    1,
    2,
    15,
    16,
    17,
    31,
    32,
    127,
    128,
    255,
    2**64 - 1,
    2**64,
    2**64 + 1,
    2**128 - 1,
    2**128,
    2**192 - 1,
    2**192,
    (2**64 - 1) * (1 + 2**64 + 2**128) + (2**60 - 1) * 2**192,
    2**252 - 1,
    2**252,
    L - 2,
    L - 1,
]

scalars = st.one_of(st.sampled_from(EDGE_SCALARS), st.integers(min_value=0, max_value=L - 1)).map(
    Scalar.of
)
maybe_scalars = st.one_of(st.none(), scalars)
points = st.one_of(
    st.just(Point.base()),
    st.just(Point.identity()),
    st.integers(min_value=1, max_value=L - 1).map(lambda n: Point.base_times(Scalar.of(n))),
)


def test_the_compiled_module_is_built():
    """scripts/test runs on an install that compiled native/combinations.c: without it the
    proofs would be checked by the slower reference and these tests would compare it
    with itself."""
    assert group.NATIVE_COMBINATIONS


@settings(max_examples=150, deadline=None)
@given(data=st.data(), k=st.integers(min_value=1, max_value=5), m=st.integers(1, 4))
def test_same_points_as_libsodium(data, k, m):
    ps = data.draw(st.lists(points, min_size=k, max_size=k))
    rows = data.draw(
        st.lists(st.lists(maybe_scalars, min_size=k, max_size=k), min_size=m, max_size=m)
    )
    assert public_combinations(ps, rows) == combinations_by_libsodium(ps, rows)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), k=st.integers(min_value=1, max_value=4), m=st.integers(1, 5))
def test_same_points_as_libsodium_with_recurring_points(data, k, m):
    """Points prepared once (G, an election key: wider windows, split into limbs) give the
    same sums, whether or not they stand among the call's points, beside points split in
    the call (in two rows or more) and points that are not (in one row)."""
    ps = data.draw(st.lists(points, min_size=k, max_size=k))
    rows = data.draw(
        st.lists(st.lists(maybe_scalars, min_size=k, max_size=k), min_size=m, max_size=m)
    )
    recurring = data.draw(st.lists(st.one_of(st.sampled_from(ps), points), max_size=3))
    assert public_combinations(ps, rows, recurring=recurring) == combinations_by_libsodium(ps, rows)


# Scalars made of 64-bit limbs that make the windows carry: all ones, alternating bits,
# ones with a gap, the top bit alone; reduced mod L.
LIMB_PATTERNS = [
    0,
    1,
    2**64 - 1,
    2**63,
    2**63 - 1,
    0xAAAAAAAAAAAAAAAA,
    0x5555555555555555,
    0xF0F0F0F0F0F0F0F0,
    0xFFFFFFFF7FFFFFFF,
    0xFEFFFFFFFFFFFFFF,
]
limb_scalars = st.lists(
    st.one_of(st.sampled_from(LIMB_PATTERNS), st.integers(0, 2**64 - 1)), min_size=4, max_size=4
).map(lambda limbs: Scalar.of(sum(limb << (64 * i) for i, limb in enumerate(limbs))))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(limb_scalars, min_size=2, max_size=2), min_size=2, max_size=3))
def test_limbs_that_carry_give_the_same_points_as_libsodium(rows):
    """Two points in every row: both split into limbs (and G prepared as well)."""
    ps = [Point.base(), Point.base_times(Scalar.of(0xC0FFEE))]
    want = combinations_by_libsodium(ps, rows)
    assert public_combinations(ps, rows) == want
    assert public_combinations(ps, rows, recurring=[Point.base()]) == want


def test_a_point_without_tables_is_still_checked():
    """Tables prepared for one point do not spare another point its check."""
    tables = group._combinations.prepare(Point.base().encoding)
    with pytest.raises(ValueError, match="point_invalid"):
        group._combinations.public_combinations(b"\xff" * 32, bytes(32), 1, tables)


def test_a_point_in_one_row_in_two_and_prepared_gives_the_same_multiple():
    """The three ways the compiled module computes s·P for one P and s."""
    p = Point.base_times(Scalar.of(987654321))
    q = Point.base_times(Scalar.of(123456789))
    s, t = Scalar.of(L - 12345), Scalar.of(2**200 + 3)
    want = combinations_by_libsodium([p, q], [[s, t]])[0]
    (one_row,) = public_combinations([p, q], [[s, t]])
    two_rows = public_combinations([p, q], [[s, t], [t, s]])[0]
    (prepared,) = public_combinations([p, q], [[s, t]], recurring=[p, q])
    assert one_row == two_rows == prepared == want


def test_prepared_tables_serve_only_their_own_point():
    p, q = Point.base_times(Scalar.of(5)), Point.base_times(Scalar.of(7))
    s = Scalar.of(L - 3)
    tables = group._combinations.prepare(p.encoding)
    out = group._combinations.public_combinations(q.encoding, s.encoding, 1, tables)
    assert Point(out) == q * s


def test_prepare_refuses_what_is_not_a_point():
    for bad in (b"\xff" * 32, b"\x01" + bytes(31), bytes(31), b""):
        with pytest.raises(ValueError):
            group._combinations.prepare(bad)


def test_prepared_tables_of_another_length_are_refused():
    tables = group._combinations.prepare(Point.base().encoding)
    for wrong in (tables[:-1], tables + b"\x00", b"\x00"):
        with pytest.raises(ValueError, match="prepared"):
            group._combinations.public_combinations(Point.base().encoding, bytes(32), 1, wrong)
    with pytest.raises(TypeError):
        group._combinations.public_combinations(
            Point.base().encoding, bytes(32), 1, bytearray(tables)
        )


def test_the_largest_ballot_fits():
    """The sum of a 64-option ballot's ciphertexts: 129 points in one call."""
    ps = [Point.base_times(Scalar.of(i + 2)) for i in range(129)]
    rows = [[Scalar.of(1)] * 129, [Scalar.of(i % 3) for i in range(129)]]
    assert public_combinations(ps, rows) == combinations_by_libsodium(ps, rows)


def test_a_ballot_with_the_most_options_is_checked_in_one_call():
    """64 options: 256 commitment rows and 2 sums over 130 points in the first call."""
    from besluit.core.ballotcrypto.ballot import MAX_OPTIONS

    key = Point.base_times(Scalar.of(424242))
    ctx = BallotContext("poll", "member", "", key, MAX_OPTIONS)
    ballot = encrypt_ballot(ctx, MAX_OPTIONS - 1, seed=bytes(range(32)))
    verify_ballot(ctx, ballot)
    other = encrypt_ballot(ctx, 0, seed=bytes(range(1, 33)))
    forged = type(ballot)(ballot.ciphertexts, ballot.option_proofs, other.sum_proof)
    with pytest.raises(BallotCryptoError, match="sum"):
        verify_ballot(ctx, forged)


def test_every_scalar_zero_gives_the_identity():
    (out,) = public_combinations([Point.base()], [[None]])
    assert out.is_identity


def test_a_non_canonical_point_is_refused():
    # The encoding of p is canonical only when its low bit (a "negative" field element)
    # is clear; an all-0xff encoding is above the field prime.
    for bad in (b"\xff" * 32, b"\x01" + bytes(31)):
        with pytest.raises(ValueError, match="point_invalid"):
            group._combinations.public_combinations(bad, bytes(32), 1)


def test_a_non_canonical_scalar_is_refused():
    too_big = L.to_bytes(32, "little")
    with pytest.raises(ValueError, match="scalar_invalid"):
        group._combinations.public_combinations(Point.base().encoding, too_big, 1)


@pytest.mark.parametrize(
    ("points_len", "scalars_len", "rows"),
    [
        (31, 32, 1),
        (0, 0, 1),
        (32, 64, 1),
        (32, 32, 0),
        (32 * 257, 32 * 257, 1),
        (32, 32 * 513, 513),
    ],
)
def test_shapes_are_checked(points_len, scalars_len, rows):
    with pytest.raises(ValueError):
        group._combinations.public_combinations(bytes(points_len), bytes(scalars_len), rows)


def _ballot(options=3, choice=1):
    key = Point.base_times(Scalar.of(123456789))
    ctx = BallotContext("poll", "member", "", key, options)
    return ctx, encrypt_ballot(ctx, choice, seed=bytes(range(32)))


def test_a_valid_ballot_passes_and_a_changed_one_fails_both_ways(monkeypatch):
    ctx, ballot = _ballot()
    verify_ballot(ctx, ballot)
    data = bytearray(ballot.to_bytes())
    data[-40] ^= 1  # inside the sum proof's response
    from besluit.core.ballotcrypto.ballot import EncryptedBallot

    changed = EncryptedBallot.decode(bytes(data))
    with pytest.raises(BallotCryptoError, match="sum"):
        verify_ballot(ctx, changed)
    # The reference path gives the same verdicts.
    monkeypatch.setattr(group, "_combinations", None)
    verify_ballot(ctx, ballot)
    with pytest.raises(BallotCryptoError, match="sum"):
        verify_ballot(ctx, changed)


def test_a_ballot_for_two_options_at_once_fails():
    """A ballot whose ciphertexts encrypt 1 twice: its 0/1 proofs hold, its sum proof
    cannot; the combinations must not let it through."""
    ctx, ballot = _ballot()
    other = encrypt_ballot(ctx, 2, seed=bytes(range(1, 33)))
    from besluit.core.ballotcrypto.ballot import EncryptedBallot

    mixed = EncryptedBallot(
        (ballot.ciphertexts[0], ballot.ciphertexts[1], other.ciphertexts[2]),
        (ballot.option_proofs[0], ballot.option_proofs[1], other.option_proofs[2]),
        ballot.sum_proof,
    )
    with pytest.raises(BallotCryptoError):
        verify_ballot(ctx, mixed)


def test_only_bytes_are_taken():
    """A bytearray could change while the computation runs without the GIL."""
    with pytest.raises(TypeError):
        group._combinations.public_combinations(bytearray(Point.base().encoding), bytes(32), 1)
