"""Threshold decryption: each trustee's decryption share with a proof, and their combination.

Trustee j, holding x_j (``trustees``), answers a list of ciphertexts (the tally, one per
option) with D_jt = x_j·alpha_t and a Chaum-Pedersen proof that log_G(VK_j) =
log_alpha_t(D_jt), so a wrong share is caught and attributed before it can spoil a
result (as Helios' and ElectionGuard's trustees prove their decryption factors).

With a set S of at least k trustees, x = sum_{j in S} lambda_j·x_j where
lambda_j = prod_{m in S, m != j} m / (m - j) (Lagrange interpolation at 0, Shamir 1979),
so x·alpha = sum lambda_j·D_j and m·G = beta - x·alpha. With k-1 shares the same sum is
a different, useless point; ``combine`` refuses fewer than k.

Byte layouts::

    proof context = frame(election, u32(j), u32(t), alpha_t || beta_t)
                    (DLEQ purpose "decryption-share", G1 = G, P1 = VK_j,
                     G2 = alpha_t, P2 = D_jt)
    DecryptionShare = u32(j) || u32(count) || D_j1 .. D_jcount || proof_1 .. proof_count
"""

from __future__ import annotations

from dataclasses import dataclass

from .elgamal import Ciphertext
from .errors import BallotCryptoError
from .group import Point, Scalar, derive_nonce, frame, u32
from .proofs import DleqProof
from .trustees import ElectionParams

__all__ = ["DecryptionShare", "combine", "lagrange_at_zero", "make_decryption_share"]


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    trustee: int
    factors: tuple[Point, ...]
    proofs: tuple[DleqProof, ...]

    def to_bytes(self) -> bytes:
        return (
            u32(self.trustee)
            + u32(len(self.factors))
            + b"".join(d.encoding for d in self.factors)
            + b"".join(p.to_bytes() for p in self.proofs)
        )

    @classmethod
    def decode(cls, data: bytes) -> DecryptionShare:
        if len(data) < 8:
            raise BallotCryptoError("length_invalid", "a decryption share is too short")
        n = int.from_bytes(data[4:8], "big")
        if not 1 <= n <= 64 or len(data) != 8 + 96 * n:
            raise BallotCryptoError("length_invalid", "decryption share length does not match")
        # A factor x_j·alpha is the identity only if alpha is: allowed, the proof decides.
        factors = tuple(
            Point.decode(data[8 + 32 * t : 40 + 32 * t], allow_identity=True) for t in range(n)
        )
        at = 8 + 32 * n
        proofs = tuple(DleqProof.decode(data[at + 64 * t : at + 64 * t + 64]) for t in range(n))
        return cls(int.from_bytes(data[:4], "big"), factors, proofs)


def _context(params: ElectionParams, trustee: int, t: int, ct: Ciphertext) -> bytes:
    return frame(params.to_bytes(), u32(trustee), u32(t), ct.to_bytes())


def make_decryption_share(
    params: ElectionParams,
    trustee: int,
    secret: Scalar,
    ciphertexts: tuple[Ciphertext, ...],
    *,
    seed: bytes,
) -> DecryptionShare:
    """D_t = x_j·alpha_t with proofs; nonces derive_nonce(seed, "dec", t)."""
    params.check_index(trustee)
    factors, proofs = [], []
    for t, ct in enumerate(ciphertexts):
        factors.append(ct.alpha * secret)
        proofs.append(
            DleqProof.prove(
                purpose="decryption-share",
                context=_context(params, trustee, t, ct),
                g1=Point.base(),
                g2=ct.alpha,
                x=secret,
                k=derive_nonce(seed, "dec", t),
            )
        )
    return DecryptionShare(trustee, tuple(factors), tuple(proofs))


def verify_decryption_share(
    params: ElectionParams,
    verification_key: Point,
    ciphertexts: tuple[Ciphertext, ...],
    share: DecryptionShare,
) -> None:
    """Raise decryption_share_invalid naming trustee and option, or return."""
    params.check_index(share.trustee)
    if len(share.factors) != len(ciphertexts) or len(share.proofs) != len(ciphertexts):
        raise BallotCryptoError(
            "decryption_share_invalid", "wrong number of factors", trustee=share.trustee
        )
    for t, (ct, d, proof) in enumerate(zip(ciphertexts, share.factors, share.proofs, strict=True)):
        ok = proof.verify(
            purpose="decryption-share",
            context=_context(params, share.trustee, t, ct),
            g1=Point.base(),
            p1=verification_key,
            g2=ct.alpha,
            p2=d,
        )
        if not ok:
            raise BallotCryptoError(
                "decryption_share_invalid",
                f"trustee {share.trustee}'s share for option {t} is not proven",
                trustee=share.trustee,
                option=t,
            )


def lagrange_at_zero(indices: list[int], j: int) -> Scalar:
    """lambda_j = prod_{m != j} m / (m - j) mod L over the chosen trustees."""
    num, den = Scalar.of(1), Scalar.of(1)
    for m in indices:
        if m != j:
            num = num * Scalar.of(m)
            den = den * Scalar.of(m - j)
    return num * den.inverse()


def combine(
    params: ElectionParams, ciphertexts: tuple[Ciphertext, ...], shares: list[DecryptionShare]
) -> tuple[Point, ...]:
    """m_t·G for each ciphertext from k *verified* shares (the first k by trustee number).

    The caller verifies every share first (``verify_decryption_share``); combining an
    unverified share gives a wrong total that ``discrete_log`` may or may not notice.
    """
    if any(len(s.factors) != len(ciphertexts) for s in shares):
        raise BallotCryptoError("decryption_share_invalid", "wrong number of factors")
    trustees = [s.trustee for s in shares]
    if len(set(trustees)) != len(trustees):
        raise BallotCryptoError("duplicate_share", "a trustee's share was given twice")
    if len(shares) < params.threshold:
        raise BallotCryptoError(
            "too_few_shares", f"{len(shares)} shares given, {params.threshold} needed"
        )
    chosen = sorted(shares, key=lambda s: s.trustee)[: params.threshold]
    indices = [s.trustee for s in chosen]
    lambdas = [lagrange_at_zero(indices, j) for j in indices]
    out = []
    for t, ct in enumerate(ciphertexts):
        x_alpha = Point.identity()
        for lam, share in zip(lambdas, chosen, strict=True):
            x_alpha = x_alpha + share.factors[t] * lam
        out.append(ct.beta - x_alpha)
    return tuple(out)
