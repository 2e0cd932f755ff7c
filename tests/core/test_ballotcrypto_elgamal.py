"""Exponential ElGamal, weight units and the bounded log (core.ballotcrypto.elgamal)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto.elgamal import (
    MAX_DECIMALS,
    Ciphertext,
    KeyPair,
    bsgs_table_size,
    choose_decimals,
    decrypt_to_point,
    discrete_log,
    encrypt,
    weight_units,
)
from besluit.core.ballotcrypto.group import Point, Scalar


def _dec(kp: KeyPair, ct: Ciphertext, bound: int) -> int:
    return discrete_log(decrypt_to_point(kp.secret, ct), bound)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**4), st.integers(0, 10**4), st.integers(0, 100))
def test_addition_and_weighting_are_homomorphic(m1, m2, w):
    kp = KeyPair.from_secret(Scalar.random())
    a = encrypt(kp.public, m1, Scalar.random())
    b = encrypt(kp.public, m2, Scalar.random())
    assert _dec(kp, a + b.scale(w), m1 + m2 * w) == m1 + m2 * w


def test_reencryption_changes_the_ciphertext_not_the_plaintext():
    kp = KeyPair.from_secret(Scalar.random())
    ct = encrypt(kp.public, 7, Scalar.random())
    again = ct.reencrypt(kp.public, Scalar.random())
    assert again != ct
    assert _dec(kp, again, 10) == 7


def test_zero_randomness_is_refused():
    with pytest.raises(BallotCryptoError) as exc:
        encrypt(Point.base(), 1, Scalar.of(0))
    assert exc.value.code == "scalar_zero"


@pytest.mark.parametrize("bound", [0, 1, 15, 16, 17, 1000, 65_537])
def test_bounded_log_finds_both_ends_and_refuses_beyond(bound):
    assert discrete_log(Point.identity(), bound) == 0
    assert discrete_log(Point.base_times(Scalar.of(bound)), bound) == bound
    with pytest.raises(BallotCryptoError) as exc:
        discrete_log(Point.base_times(Scalar.of(bound + 1)), bound)
    assert exc.value.code == "dlog_out_of_range"


def test_bounded_log_of_a_large_total():
    total = 9_876_543_210
    assert discrete_log(Point.base_times(Scalar.of(total)), 10**10) == total


def test_table_size_is_a_power_of_two_near_the_square_root():
    assert bsgs_table_size(10**10) == 2**17
    assert bsgs_table_size(0) == 16
    # at most 76,294 giant steps for a total of 10**10 units
    assert 10**10 // bsgs_table_size(10**10) + 1 == 76_294
    with pytest.raises(BallotCryptoError):
        bsgs_table_size(-1)


def test_decimals_are_the_fewest_that_make_every_weight_whole():
    assert choose_decimals([Decimal("3"), Decimal("12"), Decimal("1.0")]) == 0
    assert choose_decimals([Decimal("3"), Decimal("1.25"), Decimal("7.5")]) == 2
    with pytest.raises(BallotCryptoError) as exc:
        choose_decimals([Decimal("1.1234567")])
    assert exc.value.code == "weight_precision"
    assert MAX_DECIMALS == 6


def test_weight_units_are_exact_and_refuse_hidden_precision():
    assert weight_units(Decimal("1.25"), 2) == 125
    assert weight_units(Decimal("12"), 3) == 12_000
    with pytest.raises(BallotCryptoError) as exc:
        weight_units(Decimal("1.255"), 2)
    assert exc.value.code == "weight_precision"
    with pytest.raises(BallotCryptoError):
        weight_units(Decimal("-1"), 0)
