"""Dealer-less threshold keys: n trustees, any k of whom can decrypt, fewer learn nothing.

The key generation is Pedersen's joint-Feldman protocol (Pedersen, "A threshold
cryptosystem without a trusted party", EUROCRYPT 1991), the scheme behind Belenios'
threshold mode and ElectionGuard's key ceremony (each guardian's polynomial, coefficient
commitments with Schnorr proofs, shares sent encrypted to the other guardians):

1. Each trustee i has a communication key (c_i, P_i = c_i·G) and publishes P_i with a
   Schnorr proof of possession (``CommKey``), so nobody can register another's key.
2. Each trustee i draws f_i(X) = a_i0 + a_i1·X + ... + a_i,k-1·X^(k-1) and publishes
   ``DealerCommitment``: C_il = a_il·G and a Schnorr proof of a_i0 bound to (election,
   i, all C_il), so no trustee can publish a C_i0 it does not know the logarithm of,
   such as a target minus the others' (the rogue-key attack; FROST's key generation,
   Komlo and Goldberg 2020, adds the same proof).
3. For every other trustee j, trustee i sends s_ij = f_i(j) as ``EncryptedShare``: an
   ECIES-style box the server relays without being able to read it (below).
4. Trustee j decrypts and checks s_ij·G = sum_l C_il·j^l (``verify_share``); its key
   share is x_j = sum_i s_ij, its public verification key VK_j = sum_i sum_l C_il·j^l
   (anyone can compute it) and the election key is Y = sum_i C_i0.

Gennaro, Jarecki, Krawczyk and Rabin (EUROCRYPT 1999) showed that a corrupt trustee can
bias the distribution of Y in joint-Feldman (by deciding after seeing the others'
commitments whether to be disqualified); the same authors showed ElGamal-type encryption
and Schnorr-type signatures stay secure with such a key ("Secure applications of
Pedersen's distributed key generation protocol", CT-RSA 2003).

Share transport (server-blind; the server only sees E and the box)::

    E = e·G (e fresh);  Z = e·P_j
    K = SHA-512(frame("besluit/ballotcrypto/v1/share-kdf", election, u32(i), u32(j),
                      E, P_j, Z))
    box = crypto_secretbox(s_ij (32 bytes), nonce = K[32:56], key = K[0:32])
    EncryptedShare = u32(i) || u32(j) || E || box (48 bytes)         (88 bytes)

A "server-held share" needs no code: the server is simply one of the n trustees, with
its own communication key, polynomial and share; with k >= 2 it can never decrypt alone.
Decryption shares and their combination are in ``threshold``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import nacl.exceptions
import nacl.secret

from .errors import BallotCryptoError
from .group import Point, Scalar, derive_nonce, frame, tag, u32
from .proofs import SchnorrProof

__all__ = [
    "CommKey",
    "DealerCommitment",
    "ElectionParams",
    "EncryptedShare",
    "Polynomial",
    "decrypt_share",
    "encrypt_share",
    "joint_public_key",
    "verification_key",
    "verify_share",
]

MAX_TRUSTEES = 64


@dataclass(frozen=True, slots=True)
class ElectionParams:
    """The key ceremony's identity: every proof and every share key is bound to it."""

    election_id: str
    trustees: int
    threshold: int

    def __post_init__(self) -> None:
        if not 1 <= self.threshold <= self.trustees <= MAX_TRUSTEES:
            raise BallotCryptoError("threshold_invalid", "need 1 <= k <= n <= 64 trustees")

    def to_bytes(self) -> bytes:
        return frame(
            tag("election"),
            self.election_id.encode("utf-8"),
            u32(self.trustees),
            u32(self.threshold),
        )

    def check_index(self, index: int, what: str = "trustee") -> None:
        if not 1 <= index <= self.trustees:
            raise BallotCryptoError("trustee_unknown", f"{what} {index} is not 1..{self.trustees}")


@dataclass(frozen=True, slots=True)
class CommKey:
    """A trustee's published communication key P_i with a proof that it holds c_i."""

    trustee: int
    public: Point
    proof: SchnorrProof

    @classmethod
    def create(cls, params: ElectionParams, trustee: int, secret: Scalar, k: Scalar) -> CommKey:
        ctx = frame(params.to_bytes(), u32(trustee))
        return cls(
            trustee,
            Point.base_times(secret),
            SchnorrProof.prove(purpose="comm-key", context=ctx, x=secret, k=k),
        )

    def verify(self, params: ElectionParams) -> None:
        params.check_index(self.trustee)
        ctx = frame(params.to_bytes(), u32(self.trustee))
        if not self.proof.verify(purpose="comm-key", context=ctx, p=self.public):
            raise BallotCryptoError(
                "pok_invalid", "communication key proof fails", trustee=self.trustee
            )

    def to_bytes(self) -> bytes:
        return u32(self.trustee) + self.public.encoding + self.proof.to_bytes()

    @classmethod
    def decode(cls, data: bytes) -> CommKey:
        if len(data) != 100:
            raise BallotCryptoError("length_invalid", "a communication key is 100 bytes")
        return cls(
            int.from_bytes(data[:4], "big"),
            Point.decode(data[4:36]),
            SchnorrProof.decode(data[36:]),
        )


def _dealer_context(params: ElectionParams, dealer: int, points: tuple[Point, ...]) -> bytes:
    return frame(params.to_bytes(), u32(dealer), b"".join(c.encoding for c in points))


@dataclass(frozen=True, slots=True)
class DealerCommitment:
    """C_il = a_il·G for l < k, with a Schnorr proof of a_i0.

    Bytes: u32(i) || u32(k) || C_i0 .. C_i,k-1 || proof (64); proof context
    frame(election, u32(i), C_i0 || ... || C_i,k-1), purpose "dealer".
    """

    dealer: int
    commitments: tuple[Point, ...]
    proof: SchnorrProof

    def _context(self, params: ElectionParams) -> bytes:
        return _dealer_context(params, self.dealer, self.commitments)

    def verify(self, params: ElectionParams) -> None:
        """Raise commitment_invalid (wrong count) or pok_invalid, naming the dealer."""
        params.check_index(self.dealer, "dealer")
        if len(self.commitments) != params.threshold:
            raise BallotCryptoError(
                "commitment_invalid", "wrong number of commitments", dealer=self.dealer
            )
        ok = self.proof.verify(
            purpose="dealer", context=self._context(params), p=self.commitments[0]
        )
        if not ok:
            raise BallotCryptoError(
                "pok_invalid", "the dealer's proof of its secret fails", dealer=self.dealer
            )

    def evaluate(self, j: int) -> Point:
        """sum_l C_l·j^l = f(j)·G, by Horner's rule."""
        acc = Point.identity()
        x = Scalar.of(j)
        for c in reversed(self.commitments):
            acc = acc * x + c
        return acc

    def to_bytes(self) -> bytes:
        body = b"".join(c.encoding for c in self.commitments)
        return u32(self.dealer) + u32(len(self.commitments)) + body + self.proof.to_bytes()

    @classmethod
    def decode(cls, data: bytes) -> DealerCommitment:
        if len(data) < 8:
            raise BallotCryptoError("length_invalid", "a dealer commitment is too short")
        k = int.from_bytes(data[4:8], "big")
        if not 1 <= k <= MAX_TRUSTEES or len(data) != 8 + 32 * k + 64:
            raise BallotCryptoError("length_invalid", "commitment length does not match k")
        points = tuple(Point.decode(data[8 + 32 * i : 40 + 32 * i]) for i in range(k))
        return cls(int.from_bytes(data[:4], "big"), points, SchnorrProof.decode(data[8 + 32 * k :]))


@dataclass(frozen=True, slots=True)
class Polynomial:
    """A trustee's secret polynomial f_i (coefficients a_i0..a_i,k-1); never leaves the trustee."""

    dealer: int
    coefficients: tuple[Scalar, ...]

    @classmethod
    def from_seed(cls, params: ElectionParams, dealer: int, seed: bytes) -> Polynomial:
        """Coefficients derive_nonce(seed, "coef", l); the seed is 32 fresh random bytes."""
        params.check_index(dealer, "dealer")
        coefficients = tuple(derive_nonce(seed, "coef", i) for i in range(params.threshold))
        return cls(dealer, coefficients)

    def __call__(self, j: int) -> Scalar:
        acc = Scalar.of(0)
        x = Scalar.of(j)
        for a in reversed(self.coefficients):
            acc = acc * x + a
        return acc

    def commit(self, params: ElectionParams, k: Scalar) -> DealerCommitment:
        points = tuple(Point.base_times(a) for a in self.coefficients)
        ctx = _dealer_context(params, self.dealer, points)
        proof = SchnorrProof.prove(purpose="dealer", context=ctx, x=self.coefficients[0], k=k)
        return DealerCommitment(self.dealer, points, proof)


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    dealer: int
    recipient: int
    ephemeral: Point
    box: bytes

    def to_bytes(self) -> bytes:
        return u32(self.dealer) + u32(self.recipient) + self.ephemeral.encoding + self.box

    @classmethod
    def decode(cls, data: bytes) -> EncryptedShare:
        if len(data) != 88:
            raise BallotCryptoError("length_invalid", "an encrypted share is 88 bytes")
        return cls(
            int.from_bytes(data[:4], "big"),
            int.from_bytes(data[4:8], "big"),
            Point.decode(data[8:40]),
            data[40:],
        )


def _share_key(params, dealer: int, recipient: int, e_pub: Point, p_j: Point, z: Point):
    k = hashlib.sha512(
        frame(
            tag("share-kdf"),
            params.to_bytes(),
            u32(dealer),
            u32(recipient),
            e_pub.encoding,
            p_j.encoding,
            z.encoding,
        )
    ).digest()
    return nacl.secret.SecretBox(k[:32]), k[32:56]


def encrypt_share(
    params: ElectionParams, dealer: int, recipient: CommKey, share: Scalar, e: Scalar
) -> EncryptedShare:
    """Box s_ij for the recipient's communication key; e is fresh per message."""
    e_pub = Point.base_times(e)
    box, nonce = _share_key(
        params, dealer, recipient.trustee, e_pub, recipient.public, recipient.public * e
    )
    sealed = box.encrypt(share.encoding, nonce).ciphertext
    return EncryptedShare(dealer, recipient.trustee, e_pub, sealed)


def decrypt_share(params: ElectionParams, secret: Scalar, msg: EncryptedShare) -> Scalar:
    """Open a share addressed to us; share_decrypt_failed if the box was altered."""
    public = Point.base_times(secret)
    box, nonce = _share_key(
        params, msg.dealer, msg.recipient, msg.ephemeral, public, msg.ephemeral * secret
    )
    try:
        plain = box.decrypt(msg.box, nonce)
    except nacl.exceptions.CryptoError:
        raise BallotCryptoError(
            "share_decrypt_failed", "the share box does not open", dealer=msg.dealer
        ) from None
    return Scalar.decode(plain)


def verify_share(commitment: DealerCommitment, recipient: int, share: Scalar) -> None:
    """Feldman check s_ij·G == sum_l C_il·j^l; share_invalid names the dealer to complain about."""
    if Point.base_times(share) != commitment.evaluate(recipient):
        raise BallotCryptoError(
            "share_invalid",
            "the share does not match the dealer's commitments",
            dealer=commitment.dealer,
            recipient=recipient,
        )


def _complete(params: ElectionParams, commitments: list[DealerCommitment]) -> None:
    if sorted(c.dealer for c in commitments) != list(range(1, params.trustees + 1)):
        raise BallotCryptoError("dealer_set", "need exactly one commitment from every trustee")


def joint_public_key(params: ElectionParams, commitments: list[DealerCommitment]) -> Point:
    """Y = sum_i C_i0, after checking every dealer's commitment and proof."""
    _complete(params, commitments)
    y = Point.identity()
    for c in commitments:
        c.verify(params)
        y = y + c.commitments[0]
    return y


def verification_key(params: ElectionParams, commitments: list[DealerCommitment], j: int) -> Point:
    """VK_j = x_j·G = sum_i f_i(j)·G, computed from public commitments only."""
    _complete(params, commitments)
    params.check_index(j)
    vk = Point.identity()
    for c in commitments:
        vk = vk + c.evaluate(j)
    return vk
