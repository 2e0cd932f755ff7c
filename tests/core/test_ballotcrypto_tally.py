"""Trustees, threshold decryption and the weighted tally (core.ballotcrypto.trustees/.tally).

A whole ceremony runs in memory: n trustees deal, relay encrypted shares, verify them;
ballots are cast with weights; any k trustees decrypt the weighted totals. Known
answers fix the trustee messages' bytes for the browser/trustee-tool implementations.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto.ballot import BallotContext, encrypt_ballot
from besluit.core.ballotcrypto.elgamal import Ciphertext, choose_decimals, weight_units
from besluit.core.ballotcrypto.group import Point, Scalar, derive_nonce
from besluit.core.ballotcrypto.tally import (
    aggregate,
    audit_ballot,
    ballot_randomness,
    decrypt_tally,
    verify_and_aggregate,
)
from besluit.core.ballotcrypto.threshold import (
    DecryptionShare,
    combine,
    lagrange_at_zero,
    make_decryption_share,
    verify_decryption_share,
)
from besluit.core.ballotcrypto.trustees import (
    CommKey,
    DealerCommitment,
    ElectionParams,
    EncryptedShare,
    Polynomial,
    decrypt_share,
    encrypt_share,
    joint_public_key,
    verification_key,
    verify_share,
)


def _seed(*parts: object) -> bytes:
    return hashlib.sha256(repr(parts).encode()).digest()


@dataclass
class Ceremony:
    params: ElectionParams
    comm_secrets: dict[int, Scalar]
    comm_keys: dict[int, CommKey]
    polynomials: dict[int, Polynomial]
    commitments: list[DealerCommitment]
    messages: dict[tuple[int, int], EncryptedShare]
    public_key: Point
    key_shares: dict[int, Scalar]
    verification_keys: dict[int, Point]


def run_ceremony(n: int, k: int, tag: str = "e") -> Ceremony:
    """Every step a trustee or the relaying server does, with deterministic seeds."""
    params = ElectionParams(f"election-{tag}", n, k)
    ids = range(1, n + 1)
    comm_secrets = {i: derive_nonce(_seed(tag, "comm", i), "comm", 0) for i in ids}
    comm_keys = {
        i: CommKey.create(params, i, comm_secrets[i], derive_nonce(_seed(tag, "comm", i), "pop", 0))
        for i in ids
    }
    for key in comm_keys.values():
        key.verify(params)
    polys = {i: Polynomial.from_seed(params, i, _seed(tag, "poly", i)) for i in ids}
    commitments = [
        polys[i].commit(params, derive_nonce(_seed(tag, "poly", i), "pok", 0)) for i in ids
    ]
    messages = {
        (i, j): encrypt_share(
            params, i, comm_keys[j], polys[i](j), derive_nonce(_seed(tag, "poly", i), "eph", j)
        )
        for i in ids
        for j in ids
        if i != j
    }
    key_shares = {}
    for j in ids:
        total = polys[j](j)
        for i in ids:
            if i != j:
                share = decrypt_share(params, comm_secrets[j], messages[(i, j)])
                verify_share(commitments[i - 1], j, share)
                total = total + share
        key_shares[j] = total
    vks = {j: verification_key(params, commitments, j) for j in ids}
    return Ceremony(
        params,
        comm_secrets,
        comm_keys,
        polys,
        commitments,
        messages,
        joint_public_key(params, commitments),
        key_shares,
        vks,
    )


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return run_ceremony(3, 2, "kat")


def test_key_shares_match_public_verification_keys(ceremony):
    for j, x in ceremony.key_shares.items():
        assert Point.base_times(x) == ceremony.verification_keys[j]


def test_kat_trustee_messages(ceremony):
    assert ceremony.public_key.encoding.hex() == KAT_JOINT_KEY
    assert ceremony.commitments[0].to_bytes().hex() == KAT_COMMITMENT_1
    assert ceremony.messages[(1, 2)].to_bytes().hex() == KAT_SHARE_1_TO_2
    assert hashlib.sha256(ceremony.comm_keys[3].to_bytes()).hexdigest() == KAT_COMM_KEY_3_SHA256
    tally = _kat_tally(ceremony)
    share = make_decryption_share(
        ceremony.params, 2, ceremony.key_shares[2], tally, seed=_seed("kat", "dec", 2)
    )
    assert hashlib.sha256(share.to_bytes()).hexdigest() == KAT_DECRYPTION_SHARE_2_SHA256


def _kat_tally(ceremony: Ceremony) -> tuple[Ciphertext, ...]:
    items = []
    for member, choice, weight in [("GM0363", 0, 50), ("GM0014", 1, 9), ("GM0034", 2, 12)]:
        ctx = BallotContext("poll-kat", member, "req-" + member, ceremony.public_key, 3)
        items.append((ctx, encrypt_ballot(ctx, choice, seed=_seed("kat", member)), weight))
    tally, total = verify_and_aggregate(items, 3)
    assert total == 71
    return tally


def _cast(ceremony, votes):
    items = []
    for n, (choice, units) in enumerate(votes):
        ctx = BallotContext("poll", f"GM{n:04}", f"rk{n}", ceremony.public_key, 3)
        items.append((ctx, encrypt_ballot(ctx, choice), units))
    return verify_and_aggregate(items, 3)


weights = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), weights), min_size=1, max_size=8))
def test_decrypted_weighted_totals_equal_the_plaintext_weighted_tally(ceremony, votes):
    d = choose_decimals([w for _, w in votes])
    tally, total = _cast(ceremony, [(c, weight_units(w, d)) for c, w in votes])
    shares = [
        make_decryption_share(ceremony.params, j, ceremony.key_shares[j], tally, seed=_seed(j))
        for j in (3, 1)
    ]
    result = decrypt_tally(
        ceremony.params, tally, shares, ceremony.verification_keys, total_units=total, decimals=d
    )
    expected = [sum((w for c, w in votes if c == t), Decimal(0)) for t in range(3)]
    assert list(result.weights) == expected


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))), st.data())
def test_any_k_of_n_trustees_decrypt_and_k_minus_1_cannot(nk, data):
    n, k = nk
    cer = run_ceremony(n, k, f"{n}-{k}")
    votes = data.draw(
        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), min_size=1, max_size=6)
    )
    tally, _ = _cast(cer, votes)
    expected = [sum(u for c, u in votes if c == t) for t in range(3)]
    every = {
        j: make_decryption_share(cer.params, j, cer.key_shares[j], tally, seed=_seed(j))
        for j in range(1, n + 1)
    }
    for share in every.values():
        verify_decryption_share(cer.params, cer.verification_keys[share.trustee], tally, share)
    for subset in combinations(range(1, n + 1), k):
        points = combine(cer.params, tally, [every[j] for j in subset])
        assert points == tuple(Point.base_times(Scalar.of(m)) for m in expected)
    if k > 1:
        few = list(range(1, k))
        with pytest.raises(BallotCryptoError) as exc:
            combine(cer.params, tally, [every[j] for j in few])
        assert exc.value.code == "too_few_shares"
        # and interpolating the k-1 shares anyway gives a wrong point for every option
        # that carries randomness (when every ballot's weight is 0 the aggregate is the
        # identity, whose total of 0 is public without any share)
        for t, ct in enumerate(tally):
            if ct.alpha == Point.identity():
                assert expected[t] == 0
                continue
            guess = Point.identity()
            for j in few:
                guess = guess + every[j].factors[t] * lagrange_at_zero(few, j)
            assert ct.beta - guess != Point.base_times(Scalar.of(expected[t]))


def test_aggregation_multiplies_once_per_distinct_weight(ceremony, monkeypatch):
    calls = []
    original = Ciphertext.scale
    monkeypatch.setattr(Ciphertext, "scale", lambda self, w: calls.append(w) or original(self, w))
    ctx = BallotContext("poll", "GM0001", "rk", ceremony.public_key, 3)
    ballot = encrypt_ballot(ctx, 0)
    aggregate([(ballot, w) for w in [5, 5, 7, 5, 7, 1]], 3)
    assert sorted(calls) == [1] * 3 + [5] * 3 + [7] * 3


def test_inconsistent_total_weight_is_refused(ceremony):
    tally, total = _cast(ceremony, [(0, 3), (1, 4)])
    shares = [
        make_decryption_share(ceremony.params, j, ceremony.key_shares[j], tally, seed=_seed(j))
        for j in (1, 2)
    ]
    with pytest.raises(BallotCryptoError) as exc:
        decrypt_tally(
            ceremony.params,
            tally,
            shares,
            ceremony.verification_keys,
            total_units=total + 1,
            decimals=0,
        )
    assert exc.value.code == "tally_inconsistent"


def _flip(raw: bytes, at: int, bit: int) -> bytes:
    out = bytearray(raw)
    out[at] ^= 1 << bit
    return bytes(out)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_flipped_byte_in_a_decryption_share_is_caught_and_attributed(ceremony, data):
    tally = _kat_tally(ceremony)
    share = make_decryption_share(
        ceremony.params, 2, ceremony.key_shares[2], tally, seed=_seed("dec")
    )
    raw = share.to_bytes()
    at = data.draw(st.integers(0, len(raw) - 1))
    bad = _flip(raw, at, data.draw(st.integers(0, 7)))
    with pytest.raises(BallotCryptoError) as exc:
        forged = DecryptionShare.decode(bad)
        verify_decryption_share(ceremony.params, ceremony.verification_keys[2], tally, forged)
    assert exc.value.code in {
        "length_invalid",
        "trustee_unknown",
        "point_invalid",
        "scalar_noncanonical",
        "decryption_share_invalid",
    }
    if exc.value.code == "decryption_share_invalid" and at >= 8:
        assert exc.value.detail["trustee"] == 2
        assert exc.value.detail["option"] in range(3)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_flipped_byte_in_a_dealer_commitment_is_caught(ceremony, data):
    raw = ceremony.commitments[0].to_bytes()
    at = data.draw(st.integers(0, len(raw) - 1))
    bad = _flip(raw, at, data.draw(st.integers(0, 7)))
    with pytest.raises(BallotCryptoError) as exc:
        DealerCommitment.decode(bad).verify(ceremony.params)
    assert exc.value.code in {
        "length_invalid",
        "trustee_unknown",
        "point_invalid",
        "point_identity",
        "scalar_noncanonical",
        "pok_invalid",
    }


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_flipped_byte_in_an_encrypted_share_is_caught(ceremony, data):
    raw = ceremony.messages[(1, 2)].to_bytes()
    at = data.draw(st.integers(0, len(raw) - 1))
    bad = _flip(raw, at, data.draw(st.integers(0, 7)))
    with pytest.raises(BallotCryptoError) as exc:
        msg = EncryptedShare.decode(bad)
        share = decrypt_share(ceremony.params, ceremony.comm_secrets[2], msg)
        verify_share(ceremony.commitments[msg.dealer - 1], 2, share)
    assert exc.value.code in {"point_invalid", "point_identity", "share_decrypt_failed"}


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_flipped_byte_in_a_communication_key_is_caught(ceremony, data):
    raw = ceremony.comm_keys[1].to_bytes()
    at = data.draw(st.integers(0, len(raw) - 1))
    bad = _flip(raw, at, data.draw(st.integers(0, 7)))
    with pytest.raises(BallotCryptoError) as exc:
        CommKey.decode(bad).verify(ceremony.params)
    assert exc.value.code in {
        "trustee_unknown",
        "point_invalid",
        "point_identity",
        "scalar_noncanonical",
        "pok_invalid",
    }


def test_a_dealer_sending_a_wrong_share_is_named(ceremony):
    wrong = ceremony.polynomials[1](2) + Scalar.of(1)
    msg = encrypt_share(ceremony.params, 1, ceremony.comm_keys[2], wrong, Scalar.random())
    share = decrypt_share(ceremony.params, ceremony.comm_secrets[2], msg)
    with pytest.raises(BallotCryptoError) as exc:
        verify_share(ceremony.commitments[0], 2, share)
    assert exc.value.code == "share_invalid"
    assert exc.value.detail == {"dealer": 1, "recipient": 2}


def test_a_share_cannot_be_opened_by_another_trustee(ceremony):
    with pytest.raises(BallotCryptoError) as exc:
        decrypt_share(ceremony.params, ceremony.comm_secrets[3], ceremony.messages[(1, 2)])
    assert exc.value.code == "share_decrypt_failed"


def test_a_copied_dealer_commitment_under_another_index_is_refused(ceremony):
    copied = DealerCommitment(2, ceremony.commitments[0].commitments, ceremony.commitments[0].proof)
    with pytest.raises(BallotCryptoError) as exc:
        copied.verify(ceremony.params)
    assert exc.value.code == "pok_invalid"


def test_missing_dealer_is_refused(ceremony):
    with pytest.raises(BallotCryptoError) as exc:
        joint_public_key(ceremony.params, ceremony.commitments[:2])
    assert exc.value.code == "dealer_set"


def test_benaloh_audit_opens_a_ballot_to_its_choice(ceremony):
    ctx = BallotContext("poll", "GM0363", "rk", ceremony.public_key, 3)
    seed = _seed("audit")
    ballot = encrypt_ballot(ctx, 2, seed=seed)
    audit_ballot(ctx, ballot, 2, ballot_randomness(seed, 3))
    with pytest.raises(BallotCryptoError) as exc:
        audit_ballot(ctx, ballot, 0, ballot_randomness(seed, 3))
    assert exc.value.code == "audit_mismatch"
    assert exc.value.detail["option"] == 0


KAT_JOINT_KEY = "b002c05a707142307f0ba4314931d90d015f883a9f6bba7a0f093f040570a31d"
KAT_COMMITMENT_1 = (
    "0000000100000002223fa63c19febc69c9c419951e86e026d1d0aa23317e14a726fa35dffb6f8424da00c274"
    "569b3c8a86469a47dde3df5a376c2126697c24b19be38a201888422e4b9403c0957dcb8b4961d0f42aad6bba"
    "7b8a054cb6cf12d54f3810498d2d010a424e3c36e1f75448117a36110eacbd69899ed0e6ba99e22adc933671"
    "90599b09"
)
KAT_SHARE_1_TO_2 = (
    "0000000100000002d6984ed8035a400c53ff98b8267dea173dbccd41efb3adaa11d1fb1eb68c56220d0ad3ac"
    "cdab98f762bd9d3cdfb6cfa29228e3860b0a125f4a5ca67f2e5938374ee1c1a57b6c384883b3b923091bf0f7"
)
KAT_COMM_KEY_3_SHA256 = "763f034bd76fb960342c370a83187e63213de4e37b3ba4cd36bca4d9c043e5a2"
KAT_DECRYPTION_SHARE_2_SHA256 = "6934372498ccc4514fa9fcea7cbb6c207aa004b374841f48e19bb64bc487a8ef"
