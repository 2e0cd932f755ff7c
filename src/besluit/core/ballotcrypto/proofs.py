"""Sigma protocols made non-interactive with a context-bound Fiat-Shamir challenge.

* ``DleqProof``: Chaum-Pedersen (1992) proof that log_G1(P1) = log_G2(P2), used for
  trustees' decryption shares (G1 = G, P1 = verification key, G2 = alpha, P2 = share)
  and for a ballot's "the options sum to exactly one" proof.
* ``ZeroOneProof``: the disjunctive Chaum-Pedersen proof (Cramer, Damgaard,
  Schoenmakers 1994) that (alpha, beta) encrypts 0 or 1, the ballot proof of Helios,
  Belenios and ElectionGuard, here over ristretto255 and with our own hash inputs.

Following Bernhard, Pereira and Warinschi ("How not to prove yourself", 2012) every
challenge hashes the whole statement (generators, public values and the caller's
``context`` bytes, which carry poll, member, request key, public key and all of the
ballot's ciphertexts), not only the commitments; otherwise a proof could be replayed
for another statement.

Challenge inputs (``hash_to_scalar``: SHA-512 of ``frame(tag, ...)``, reduced mod L):

    DLEQ:  frame("besluit/ballotcrypto/v1/dleq/<purpose>", context,
                 G1, P1, G2, P2, A1, A2)                      A1 = k·G1, A2 = k·G2
    0/1:   frame("besluit/ballotcrypto/v1/zero-one", context, u32(index),
                 alpha, beta, a0, b0, a1, b1)

Proof encodings: DLEQ ``c || z`` (64 bytes); 0/1 ``c0 || c1 || z0 || z1`` (128 bytes),
each a canonical scalar. Verification recomputes the commitments from (c, z) and
compares challenges, so it needs no commitment in the proof. It computes them with
``public_combinations`` (variable time: only public values enter a check); proving uses
libsodium's constant-time multiplications, because its nonces and secrets are secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .elgamal import Ciphertext
from .errors import BallotCryptoError
from .group import Point, Scalar, hash_to_scalar, public_combinations, u32

__all__ = ["DleqProof", "SchnorrProof", "ZeroOneProof"]


def _scalars(data: bytes, count: int, what: str) -> list[Scalar]:
    if len(data) != 32 * count:
        raise BallotCryptoError("length_invalid", f"{what} must be {32 * count} bytes")
    return [Scalar.decode(data[32 * i : 32 * i + 32]) for i in range(count)]


@dataclass(frozen=True, slots=True)
class DleqProof:
    """Chaum-Pedersen proof (c, z) that P1 = x·G1 and P2 = x·G2 for one secret x."""

    c: Scalar
    z: Scalar

    def to_bytes(self) -> bytes:
        return self.c.encoding + self.z.encoding

    @classmethod
    def decode(cls, data: bytes) -> DleqProof:
        c, z = _scalars(data, 2, "a DLEQ proof")
        return cls(c, z)

    @staticmethod
    def _challenge(
        purpose: str,
        context: bytes,
        g1: Point,
        p1: Point,
        g2: Point,
        p2: Point,
        a1: Point,
        a2: Point,
    ):
        return hash_to_scalar(
            "dleq/" + purpose,
            context,
            g1.encoding,
            p1.encoding,
            g2.encoding,
            p2.encoding,
            a1.encoding,
            a2.encoding,
        )

    @classmethod
    def prove(
        cls, *, purpose: str, context: bytes, g1: Point, g2: Point, x: Scalar, k: Scalar
    ) -> DleqProof:
        """Prove knowledge of x; k is the one-time commitment nonce (never reuse it)."""
        p1, p2 = g1 * x, g2 * x
        c = cls._challenge(purpose, context, g1, p1, g2, p2, g1 * k, g2 * k)
        return cls(c, k + c * x)

    def verify(
        self,
        *,
        purpose: str,
        context: bytes,
        g1: Point,
        p1: Point,
        g2: Point,
        p2: Point,
        recurring: Sequence[Point] = (),
    ) -> bool:
        """True iff the challenge over A1 = z·G1 - c·P1, A2 = z·G2 - c·P2 equals c.
        ``recurring``: those of the points that come back check after check (G, an
        election key: ``group.public_combinations``)."""
        minus_c = -self.c
        a1, a2 = public_combinations(
            (g1, p1, g2, p2),
            ((self.z, minus_c, None, None), (None, None, self.z, minus_c)),
            recurring=recurring,
        )
        return self._challenge(purpose, context, g1, p1, g2, p2, a1, a2) == self.c


@dataclass(frozen=True, slots=True)
class ZeroOneProof:
    """Disjunctive proof that (alpha, beta) under Y encrypts 0 or 1: branch j, beta - j·G = r·Y."""

    c0: Scalar
    c1: Scalar
    z0: Scalar
    z1: Scalar

    def to_bytes(self) -> bytes:
        return self.c0.encoding + self.c1.encoding + self.z0.encoding + self.z1.encoding

    @classmethod
    def decode(cls, data: bytes) -> ZeroOneProof:
        return cls(*_scalars(data, 4, "a 0/1 proof"))

    @staticmethod
    def _challenge(
        context: bytes, index: int, ct: Ciphertext, a0: Point, b0: Point, a1: Point, b1: Point
    ):
        return hash_to_scalar(
            "zero-one",
            context,
            u32(index),
            ct.alpha.encoding,
            ct.beta.encoding,
            a0.encoding,
            b0.encoding,
            a1.encoding,
            b1.encoding,
        )

    @classmethod
    def prove(
        cls,
        *,
        context: bytes,
        index: int,
        public: Point,
        ct: Ciphertext,
        m: int,
        r: Scalar,
        k: Scalar,
        c_fake: Scalar,
        z_fake: Scalar,
    ) -> ZeroOneProof:
        """Real branch m with nonce k; the other branch simulated from (c_fake, z_fake)."""
        if m not in (0, 1):
            raise BallotCryptoError("plaintext_invalid", "a 0/1 proof needs m in {0, 1}")
        g = Point.base()
        other = 1 - m
        shifted = ct.beta - g if other == 1 else ct.beta
        fake_a = g * z_fake - ct.alpha * c_fake
        fake_b = public * z_fake - shifted * c_fake
        real_a, real_b = g * k, public * k
        if m == 0:
            c = cls._challenge(context, index, ct, real_a, real_b, fake_a, fake_b)
            c0 = c - c_fake
            return cls(c0, c_fake, k + c0 * r, z_fake)
        c = cls._challenge(context, index, ct, fake_a, fake_b, real_a, real_b)
        c1 = c - c_fake
        return cls(c_fake, c1, z_fake, k + c1 * r)

    def verify(self, *, context: bytes, index: int, public: Point, ct: Ciphertext) -> bool:
        """True iff c0 + c1 is the challenge over both branches' recomputed commitments."""
        commitments = public_combinations(
            (Point.base(), public, ct.alpha, ct.beta),
            self.commitment_rows(width=4, alpha=2, beta=3),
            recurring=(Point.base(), public),
        )
        return self.matches(context=context, index=index, ct=ct, commitments=commitments)

    def commitment_rows(self, *, width: int, alpha: int, beta: int) -> list[list[Scalar | None]]:
        """The rows that recompute a0, b0, a1, b1 over ``width`` points, G first, Y
        second, alpha and beta at the places given (a ballot checks all its options'
        proofs in one call: ``ballot.verify_ballot``):

            a0 = z0·G - c0·alpha, b0 = z0·Y - c0·beta, a1 = z1·G - c1·alpha and
            b1 = z1·Y - c1·(beta - G) = z1·Y - c1·beta + c1·G."""
        minus_c0, minus_c1 = -self.c0, -self.c1

        def row(*terms: tuple[int, Scalar]) -> list[Scalar | None]:
            out: list[Scalar | None] = [None] * width
            for at, scalar in terms:
                out[at] = scalar
            return out

        return [
            row((0, self.z0), (alpha, minus_c0)),
            row((1, self.z0), (beta, minus_c0)),
            row((0, self.z1), (alpha, minus_c1)),
            row((0, self.c1), (1, self.z1), (beta, minus_c1)),
        ]

    def matches(
        self, *, context: bytes, index: int, ct: Ciphertext, commitments: Sequence[Point]
    ) -> bool:
        """True iff c0 + c1 is the challenge over these recomputed (a0, b0, a1, b1)."""
        a0, b0, a1, b1 = commitments
        return self._challenge(context, index, ct, a0, b0, a1, b1) == self.c0 + self.c1


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    """Schnorr proof (c, z) of knowledge of x with P = x·G (a trustee's secret, a comm key).

    Challenge: frame("besluit/ballotcrypto/v1/schnorr/<purpose>", context, G, P, A), A = k·G.
    Encoding ``c || z`` (64 bytes).
    """

    c: Scalar
    z: Scalar

    def to_bytes(self) -> bytes:
        return self.c.encoding + self.z.encoding

    @classmethod
    def decode(cls, data: bytes) -> SchnorrProof:
        c, z = _scalars(data, 2, "a Schnorr proof")
        return cls(c, z)

    @staticmethod
    def _challenge(purpose: str, context: bytes, p: Point, a: Point) -> Scalar:
        g = Point.base()
        return hash_to_scalar("schnorr/" + purpose, context, g.encoding, p.encoding, a.encoding)

    @classmethod
    def prove(cls, *, purpose: str, context: bytes, x: Scalar, k: Scalar) -> SchnorrProof:
        c = cls._challenge(purpose, context, Point.base_times(x), Point.base_times(k))
        return cls(c, k + c * x)

    def verify(self, *, purpose: str, context: bytes, p: Point) -> bool:
        (a,) = public_combinations(
            (Point.base(), p), ((self.z, -self.c),), recurring=(Point.base(),)
        )
        return self._challenge(purpose, context, p, a) == self.c
