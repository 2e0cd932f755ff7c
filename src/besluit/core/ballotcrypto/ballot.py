"""An encrypted ballot: one ciphertext per option, each proven 0 or 1, their sum proven 1.

The choice is an index into the poll's options (for, against, ..., abstain: abstaining
is an option like any other, so a ballot never reveals whether the member abstained).
The ballot is bound to its context: the poll, the member, the request key of the
submission (the idempotency key of the ballot edge) and the election public key, so a
ballot (or its proofs) cannot be replayed for another member, poll or submission.

Byte layouts (all integers u32 big-endian, ``frame`` as in ``group``)::

    context      = frame("besluit/ballotcrypto/v1/ballot", utf8(poll_id),
                         utf8(member_id), utf8(request_key), Y, u32(n))
    proof context = frame(context, ct_0 || ... || ct_{n-1})      (each ct 64 bytes)
    ballot       = u32(n) || ct_0 .. ct_{n-1} || p_0 .. p_{n-1} || sum_proof
                   (p_i: 128-byte 0/1 proof with index i; sum_proof: 64-byte DLEQ,
                    purpose "ballot-sum", G1 = G, P1 = sum alpha, G2 = Y,
                    P2 = sum beta - G, witness sum r)

The nonces come from one 32-byte seed (``derive_nonce``) so a test vector fixes the
whole transcript; in production the seed is 32 fresh random bytes, never reused.
Verification cost: 8 scalar multiplications per option plus 4 for the sum.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .elgamal import Ciphertext, encrypt
from .errors import BallotCryptoError
from .group import Point, Scalar, derive_nonce, frame, public_combinations, tag, u32
from .proofs import DleqProof, ZeroOneProof

__all__ = ["BallotContext", "EncryptedBallot", "derive_nonce", "encrypt_ballot", "verify_ballot"]

_ONE = Scalar.of(1)
_MINUS_ONE = -_ONE

MAX_OPTIONS = 64


@dataclass(frozen=True, slots=True)
class BallotContext:
    """What a ballot is bound to; every field is part of every challenge."""

    poll_id: str
    member_id: str
    request_key: str
    public_key: Point
    options: int

    def __post_init__(self) -> None:
        if not 2 <= self.options <= MAX_OPTIONS:
            raise BallotCryptoError("option_count", f"a ballot needs 2 to {MAX_OPTIONS} options")

    def to_bytes(self) -> bytes:
        return frame(
            tag("ballot"),
            self.poll_id.encode("utf-8"),
            self.member_id.encode("utf-8"),
            self.request_key.encode("utf-8"),
            self.public_key.encoding,
            u32(self.options),
        )

    def proof_context(self, ciphertexts: tuple[Ciphertext, ...]) -> bytes:
        return frame(self.to_bytes(), b"".join(ct.to_bytes() for ct in ciphertexts))


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    ciphertexts: tuple[Ciphertext, ...]
    option_proofs: tuple[ZeroOneProof, ...]
    sum_proof: DleqProof

    def to_bytes(self) -> bytes:
        return (
            u32(len(self.ciphertexts))
            + b"".join(ct.to_bytes() for ct in self.ciphertexts)
            + b"".join(p.to_bytes() for p in self.option_proofs)
            + self.sum_proof.to_bytes()
        )

    @classmethod
    def decode(cls, data: bytes) -> EncryptedBallot:
        """Parse the layout above; refuses any other length, invalid points or scalars."""
        if len(data) < 4:
            raise BallotCryptoError("length_invalid", "a ballot is too short")
        n = int.from_bytes(data[:4], "big")
        if not 2 <= n <= MAX_OPTIONS or len(data) != 4 + 192 * n + 64:
            raise BallotCryptoError(
                "length_invalid", "ballot length does not match its option count"
            )
        cts, proofs_at = data[4 : 4 + 64 * n], 4 + 64 * n
        return cls(
            tuple(Ciphertext.decode(cts[64 * i : 64 * i + 64]) for i in range(n)),
            tuple(
                ZeroOneProof.decode(data[proofs_at + 128 * i : proofs_at + 128 * i + 128])
                for i in range(n)
            ),
            DleqProof.decode(data[proofs_at + 128 * n :]),
        )

    def total(self) -> Ciphertext:
        acc = Ciphertext.zero()
        for ct in self.ciphertexts:
            acc = acc + ct
        return acc


def encrypt_ballot(
    ctx: BallotContext, choice: int, *, seed: bytes | None = None
) -> EncryptedBallot:
    """Encrypt a one-hot vector for ``choice`` with all proofs (the browser does the same)."""
    if not 0 <= choice < ctx.options:
        raise BallotCryptoError("choice_invalid", f"choice must be between 0 and {ctx.options - 1}")
    seed = secrets.token_bytes(32) if seed is None else seed
    y = ctx.public_key
    rs = [derive_nonce(seed, "r", i) for i in range(ctx.options)]
    cts = tuple(encrypt(y, int(i == choice), rs[i]) for i in range(ctx.options))
    pctx = ctx.proof_context(cts)
    proofs = tuple(
        ZeroOneProof.prove(
            context=pctx,
            index=i,
            public=y,
            ct=cts[i],
            m=int(i == choice),
            r=rs[i],
            k=derive_nonce(seed, "k", i),
            c_fake=derive_nonce(seed, "c", i),
            z_fake=derive_nonce(seed, "z", i),
        )
        for i in range(ctx.options)
    )
    r_sum = Scalar.of(0)
    for r in rs:
        r_sum = r_sum + r
    sum_proof = DleqProof.prove(
        purpose="ballot-sum",
        context=pctx,
        g1=Point.base(),
        g2=y,
        x=r_sum,
        k=derive_nonce(seed, "k-sum", 0),
    )
    return EncryptedBallot(cts, proofs, sum_proof)


def verify_ballot(ctx: BallotContext, ballot: EncryptedBallot) -> None:
    """Return, or raise option_count, option_proof_invalid or sum_proof_invalid."""
    n = len(ballot.ciphertexts)
    if n != ctx.options or len(ballot.option_proofs) != n:
        raise BallotCryptoError(
            "option_count", f"the poll has {ctx.options} options, the ballot {n}"
        )
    pctx = ctx.proof_context(ballot.ciphertexts)
    # One call for every option's 0/1 commitments and the ciphertexts' sum (sum alpha,
    # sum beta - G): each alpha and beta is decoded once and, in two rows each, split
    # into limbs once (group.public_combinations); G and the key are kept per process.
    g, y = Point.base(), ctx.public_key
    width = 2 + 2 * n
    rows: list[list[Scalar | None]] = []
    for i, proof in enumerate(ballot.option_proofs):
        rows += proof.commitment_rows(width=width, alpha=2 + i, beta=2 + n + i)
    rows.append([None, None, *[_ONE] * n, *[None] * n])
    rows.append([_MINUS_ONE, None, *[None] * n, *[_ONE] * n])
    points = (
        g,
        y,
        *[ct.alpha for ct in ballot.ciphertexts],
        *[ct.beta for ct in ballot.ciphertexts],
    )
    *commitments, p1, p2 = public_combinations(points, rows, recurring=(g, y))
    for i, (ct, proof) in enumerate(zip(ballot.ciphertexts, ballot.option_proofs, strict=True)):
        if not proof.matches(
            context=pctx, index=i, ct=ct, commitments=commitments[4 * i : 4 * i + 4]
        ):
            raise BallotCryptoError(
                "option_proof_invalid", f"option {i} is not proven to be 0 or 1", option=i
            )
    ok = ballot.sum_proof.verify(
        purpose="ballot-sum", context=pctx, g1=g, p1=p1, g2=y, p2=p2, recurring=(g, y)
    )
    if not ok:
        raise BallotCryptoError(
            "sum_proof_invalid", "the options are not proven to sum to exactly one"
        )
