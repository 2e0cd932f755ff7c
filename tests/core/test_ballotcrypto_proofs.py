"""Ballot proofs (core.ballotcrypto.proofs, .ballot): known answers, soundness, tampering.

The known-answer transcripts fix every byte the browser implementation must reproduce:
from the seeds below, the ballot, the dealer commitment, the encrypted share and the
decryption share must come out exactly as the constants (hex, or SHA-256 of the bytes
where long). They were produced by this implementation and are frozen: a change to any
encoding or hash input breaks them, which is the point.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto.ballot import (
    BallotContext,
    EncryptedBallot,
    encrypt_ballot,
    verify_ballot,
)
from besluit.core.ballotcrypto.elgamal import Ciphertext, KeyPair, encrypt
from besluit.core.ballotcrypto.group import Point, Scalar, derive_nonce
from besluit.core.ballotcrypto.proofs import DleqProof, ZeroOneProof

KAT_KEY_SEED = bytes([1]) * 32
KAT_BALLOT_SEED = bytes(range(32))


def kat_keypair() -> KeyPair:
    return KeyPair.from_secret(derive_nonce(KAT_KEY_SEED, "key", 0))


def kat_context(public: Point, member: str = "GM0363") -> BallotContext:
    return BallotContext("poll-kat", member, "req-0001", public, 3)


def test_kat_ballot_transcript():
    kp = kat_keypair()
    assert kp.public.encoding.hex() == KAT_PUBLIC_KEY
    ballot = encrypt_ballot(kat_context(kp.public), 1, seed=KAT_BALLOT_SEED)
    assert ballot.to_bytes().hex() == KAT_BALLOT
    verify_ballot(kat_context(kp.public), EncryptedBallot.decode(bytes.fromhex(KAT_BALLOT)))


def test_kat_dleq_proof():
    kp = kat_keypair()
    alpha = Point.base_times(derive_nonce(KAT_KEY_SEED, "alpha", 0))
    proof = DleqProof.prove(
        purpose="kat",
        context=b"context",
        g1=Point.base(),
        g2=alpha,
        x=kp.secret,
        k=derive_nonce(KAT_KEY_SEED, "k", 0),
    )
    assert proof.to_bytes().hex() == KAT_DLEQ
    assert proof.verify(
        purpose="kat",
        context=b"context",
        g1=Point.base(),
        p1=kp.public,
        g2=alpha,
        p2=alpha * kp.secret,
    )


def _ballot(choice: int = 0, member: str = "GM0363"):
    kp = kat_keypair()
    ctx = kat_context(kp.public, member)
    return kp, ctx, encrypt_ballot(ctx, choice)


@pytest.mark.parametrize("choice", [0, 1, 2])
def test_honest_ballot_verifies_and_decrypts_to_its_choice(choice):
    kp, ctx, ballot = _ballot(choice)
    verify_ballot(ctx, ballot)
    plain = [ct.beta - ct.alpha * kp.secret for ct in ballot.ciphertexts]
    assert plain == [Point.base_times(Scalar.of(int(t == choice))) for t in range(3)]


def test_ballot_replayed_for_another_member_is_refused():
    kp, _, ballot = _ballot(0)
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(kat_context(kp.public, "GM0014"), ballot)
    assert exc.value.code == "option_proof_invalid"


def _forged_ballot(ctx: BallotContext, kp: KeyPair, plain: list[int]) -> EncryptedBallot:
    """A ballot with the given plaintexts: 0/1 proofs made honestly where possible."""
    rs = [Scalar.random() for _ in plain]
    cts = tuple(encrypt(kp.public, m, r) for m, r in zip(plain, rs, strict=True))
    pctx = ctx.proof_context(cts)
    proofs = []
    for i, (ct, m, r) in enumerate(zip(cts, plain, rs, strict=True)):
        r_k, c, z = Scalar.random(), Scalar.random(), Scalar.random()
        proofs.append(
            ZeroOneProof.prove(
                context=pctx,
                index=i,
                public=kp.public,
                ct=ct,
                m=min(m, 1),
                r=r,
                k=r_k,
                c_fake=c,
                z_fake=z,
            )
        )
    total_r = rs[0]
    for r in rs[1:]:
        total_r = total_r + r
    sum_proof = DleqProof.prove(
        purpose="ballot-sum",
        context=pctx,
        g1=Point.base(),
        g2=kp.public,
        x=total_r,
        k=Scalar.random(),
    )
    return EncryptedBallot(cts, tuple(proofs), sum_proof)


def test_double_vote_ballot_fails_the_sum_proof():
    kp = kat_keypair()
    ctx = kat_context(kp.public)
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(ctx, _forged_ballot(ctx, kp, [1, 1, 0]))
    assert exc.value.code == "sum_proof_invalid"


def test_empty_ballot_fails_the_sum_proof():
    kp = kat_keypair()
    ctx = kat_context(kp.public)
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(ctx, _forged_ballot(ctx, kp, [0, 0, 0]))
    assert exc.value.code == "sum_proof_invalid"


def test_ballot_with_a_two_fails_its_option_proof():
    """Weight stuffing: 2 on 'for' and -1 elsewhere would sum to one; the 0/1 proof stops it."""
    kp = kat_keypair()
    ctx = kat_context(kp.public)
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(ctx, _forged_ballot(ctx, kp, [2, 0, 0]))
    assert exc.value.code == "option_proof_invalid"
    assert exc.value.detail["option"] == 0


def test_option_count_mismatch_is_refused():
    kp, _, ballot = _ballot(0)
    ctx4 = BallotContext("poll-kat", "GM0363", "req-0001", kp.public, 4)
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(ctx4, ballot)
    assert exc.value.code == "option_count"


BALLOT_TAMPER_CODES = {
    "point_invalid",
    "point_identity",
    "scalar_noncanonical",
    "length_invalid",
    "option_proof_invalid",
    "sum_proof_invalid",
}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_flipped_byte_anywhere_in_a_ballot_is_refused_with_a_code(data):
    kp = kat_keypair()
    ctx = kat_context(kp.public)
    raw = bytearray(bytes.fromhex(KAT_BALLOT))
    at = data.draw(st.integers(0, len(raw) - 1), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    raw[at] ^= 1 << bit
    with pytest.raises(BallotCryptoError) as exc:
        verify_ballot(ctx, EncryptedBallot.decode(bytes(raw)))
    assert exc.value.code in BALLOT_TAMPER_CODES
    assert exc.value.message
    if at < 4:
        assert exc.value.code in {"length_invalid", "option_count"}
    elif at >= len(raw) - 64 and exc.value.code != "scalar_noncanonical":
        assert exc.value.code == "sum_proof_invalid"


def test_ciphertext_refuses_identity_components():
    good = encrypt(kat_keypair().public, 1, Scalar.of(5)).to_bytes()
    with pytest.raises(BallotCryptoError) as exc:
        Ciphertext.decode(bytes(32) + good[32:])
    assert exc.value.code == "point_identity"


# Frozen known answers (see the module docstring).
KAT_PUBLIC_KEY = "9e081cd1e7e1d2cd910f0e1be27093194cef10a19a43bce44a18094852cdf17a"
KAT_DLEQ = (
    "8574cdd1d7ce22790f883d1e47ad5a9214778bd9099b4f399d06bcdc4a868c05"
    "9143961aa095d2bcf3e3724e4fae0d52fe93914fe252e2d850bc6e8c82f22d0c"
)
KAT_BALLOT = (
    "0000000388d61f1956ff3d559ca8deaab0bfdef7c4c3e0f75bfdb8b4a42c575fa04b590a42a9289ad0c5e21f"
    "c543cdd81f9abfeca0717e1c4e393db5edf4284ad65972333c27b42e8c5fb06ab53c8ff2dc2dbf53c69e9ae2"
    "fc19e67e1b3eca53cc13c44c00ea42852e80f95456914c75b6435c2447ec348892e5c765b50918692339cd0c"
    "6ab1f715fbdd907fdca83cd5b1876e80d146fe9fb8c40f0b4779bbc4458c0b1abc8064fa1f856482902fa941"
    "194d81cb764b4cbf3858aa6faae10159148a5a69e155b6413b2a9f19f83a9bc36ac44f2985625f6a8c20dfc8"
    "515b3f35a64cf90503f0571d7ca00061aab2c0826745f30d8290e642c59b64d4e7d6cffe25002c0ef45219c4"
    "c56a1a7c23915b94452dfc170b3d5eb878585e83e438fdafa3fbb90ebaf715caef31e3c1e7412d39f4343a03"
    "2662fe0299c643a0ac9dcbedfde50b01c69a92884f1854fe9121ba41b393b4211b4ccd11b1dc2d4462d53778"
    "88ba260662ca7d648776f0c494851ea974cc25d4e0a38b56692af0d0ed61c98b152ee20ea845699c0df3a6bd"
    "439ebe8848ea457d12a381012780e674215d5fbae3994d044baba9b5f470b0dd9e175efca90ba948f62882cd"
    "a88e217f7a43dcafcb9e73084cb45623cae70a06e37300fa367fe960dcf1f02b685a1f80945a9c1c1efb6c08"
    "52401fc51f7942c60eefa10a7dc9e9970597ff7a2470e04edbedca84c196f70ea4660b85d43998edb796c827"
    "1d9ed9afcaa450b299c411d1149d4d5c90a5dc06976234b21f41cba6a6dea3d59cf644b9634fe04a9bf9662b"
    "e82c2bcb2312160d3d4a69ecca3c74d54ec62f524f28a5ab0c56091751e7fa88f1c8ab40dd59640cd0328144"
    "9383e73aaddfbacd913e2740e18546963aad78de3aea55a7bee9cf06"
)


def test_verifying_a_three_option_ballot_costs_16_combinations_in_2_calls(monkeypatch):
    """The cost the ballot edge pays per ballot, as operations (bench/ has the timings):
    the options' commitments (3 zero-one proofs of 4) and the ciphertexts' sum (2) in one
    call of the compiled combinations, the sum proof's 2 in a second one, with G and the
    election key prepared once; no multiplication through libsodium's public functions
    (which took 7 fixed-base and 21 variable-base ones)."""
    import rbcl

    from besluit.core.ballotcrypto import group

    kp = kat_keypair()
    ctx = kat_context(kp.public)
    ballot = EncryptedBallot.decode(bytes.fromhex(KAT_BALLOT))
    counts = {"libsodium": 0, "calls": 0, "rows": 0}
    native = group._combinations.public_combinations

    def count_libsodium(*args, _real):
        counts["libsodium"] += 1
        return _real(*args)

    def count_native(points, scalars, rows, prepared):
        counts["calls"] += 1
        counts["rows"] += rows
        counts["prepared"] = len(prepared)
        return native(points, scalars, rows, prepared)

    for name in (
        "crypto_scalarmult_ristretto255_base_allow_scalar_zero",
        "crypto_scalarmult_ristretto255_allow_scalar_zero",
    ):
        real = getattr(rbcl, name)
        monkeypatch.setattr(rbcl, name, lambda *a, _real=real: count_libsodium(*a, _real=_real))
    monkeypatch.setattr(group._combinations, "public_combinations", count_native)
    verify_ballot(ctx, ballot)
    assert counts == {
        "libsodium": 0,
        "calls": 2,
        "rows": 16,
        "prepared": len(group._prepared((Point.base().encoding, kp.public.encoding))),
    }
