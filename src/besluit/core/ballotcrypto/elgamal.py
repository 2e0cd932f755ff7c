"""Exponential ElGamal over ristretto255: additively homomorphic, decrypted by a bounded log.

A ciphertext of the integer m under the public key Y = x·G with randomness r is
``(alpha, beta) = (r·G, m·G + r·Y)`` (Cramer, Gennaro, Schoenmakers 1997; the form
Helios, Belenios and ElectionGuard use). Adding ciphertexts adds the plaintexts, and
multiplying both components by an integer w multiplies the plaintext by w: that is how
the tally applies each member's weight without ever decrypting a single ballot.
Decryption gives m·G; m itself comes from a baby-step giant-step search bounded by the
total weight cast, which is public (turnout is published) and small enough.

Weights are exact Decimals; the tally works in integer *units* of 10**-d:
``weight_units(w, d) = w · 10**d``. d is chosen once per poll, when the register is
frozen, as the smallest number of decimals that makes every frozen weight an integer
(``choose_decimals``; 0 for the usual whole-number bracket table), and recorded in the
poll's manifest so browsers and verifiers agree. The tally divides by 10**d again.

Byte layout of a ciphertext: ``alpha (32) || beta (32)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .errors import BallotCryptoError
from .group import Point, Scalar

__all__ = [
    "MAX_DECIMALS",
    "MAX_TOTAL_UNITS",
    "Ciphertext",
    "KeyPair",
    "bsgs_table_size",
    "choose_decimals",
    "decrypt_to_point",
    "discrete_log",
    "encrypt",
    "weight_units",
]

MAX_DECIMALS = 6
"""More decimals than this in a frozen weight is refused: the total would outgrow the log."""
MAX_TOTAL_UNITS = 10**12
"""Largest total the bounded discrete log searches (2**18 baby steps, then ~3.8M giant steps)."""
_MAX_TABLE = 2**18


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An ElGamal secret x and public key Y = x·G (a trustee's share, or a test's whole key)."""

    secret: Scalar
    public: Point

    @classmethod
    def from_secret(cls, secret: Scalar) -> KeyPair:
        if not secret.value:
            raise BallotCryptoError("scalar_zero", "a secret key must not be zero")
        return cls(secret, Point.base_times(secret))


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """(alpha, beta) = (r·G, m·G + r·Y)."""

    alpha: Point
    beta: Point

    def to_bytes(self) -> bytes:
        return self.alpha.encoding + self.beta.encoding

    @classmethod
    def decode(cls, data: bytes, *, allow_identity: bool = False) -> Ciphertext:
        """Parse 64 bytes; a voter's ciphertext never has an identity component."""
        if len(data) != 64:
            raise BallotCryptoError("length_invalid", "a ciphertext must be 64 bytes")
        return cls(
            Point.decode(data[:32], allow_identity=allow_identity),
            Point.decode(data[32:], allow_identity=allow_identity),
        )

    @classmethod
    def zero(cls) -> Ciphertext:
        """The neutral element (identity, identity): the empty sum, not a valid ballot."""
        return cls(Point.identity(), Point.identity())

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def scale(self, w: int) -> Ciphertext:
        """Encryption of w·m: both components times the integer weight w >= 0."""
        if w < 0:
            raise BallotCryptoError("weight_invalid", "a weight must not be negative")
        s = Scalar.of(w)
        return Ciphertext(self.alpha * s, self.beta * s)

    def reencrypt(self, public: Point, r: Scalar) -> Ciphertext:
        """The same plaintext under fresh randomness: self + encrypt(0, r)."""
        return self + encrypt(public, 0, r)


def encrypt(public: Point, m: int, r: Scalar) -> Ciphertext:
    """(r·G, m·G + r·Y); r must be fresh, uniform and non-zero (it is the vote's secrecy)."""
    if not r.value:
        raise BallotCryptoError("scalar_zero", "encryption randomness must not be zero")
    return Ciphertext(Point.base_times(r), Point.base_times(Scalar.of(m)) + public * r)


def decrypt_to_point(secret: Scalar, ct: Ciphertext) -> Point:
    """m·G = beta - x·alpha (only for a whole key; trustees use ``trustees.combine``)."""
    return ct.beta - ct.alpha * secret


def choose_decimals(weights: list[Decimal] | tuple[Decimal, ...]) -> int:
    """Smallest d with every weight·10**d an integer; refuses d > MAX_DECIMALS."""
    d = 0
    for w in weights:
        if not isinstance(w, Decimal) or not w.is_finite() or w < 0:
            raise BallotCryptoError("weight_invalid", f"weight {w!r} is not a finite Decimal >= 0")
        exponent = w.normalize().as_tuple().exponent
        d = max(d, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    if d > MAX_DECIMALS:
        raise BallotCryptoError(
            "weight_precision", f"weights need {d} decimals, at most {MAX_DECIMALS} allowed"
        )
    return d


def weight_units(weight: Decimal, decimals: int) -> int:
    """weight·10**decimals as an exact integer; refuses a weight that needs more decimals."""
    scaled = weight.scaleb(decimals)
    if not weight.is_finite() or weight < 0 or scaled != scaled.to_integral_value():
        raise BallotCryptoError(
            "weight_precision", f"weight {weight} is not a multiple of 10**-{decimals}"
        )
    return int(scaled)


def bsgs_table_size(bound: int) -> int:
    """Baby-step count m: the power of two >= sqrt(bound+1), at most 2**18.

    A power of two so that nearby bounds share one cached table; the cap keeps the
    table near 40 MB. For a total of 10**10 units m = 2**17: the table costs 131,072
    additions once per process, each search at most ceil((bound+1)/m) = 76,294 more.
    """
    if not 0 <= bound <= MAX_TOTAL_UNITS:
        raise BallotCryptoError("dlog_bound", f"bound must be between 0 and {MAX_TOTAL_UNITS}")
    return min(_MAX_TABLE, 1 << max(4, math.isqrt(bound).bit_length()))


@lru_cache(maxsize=4)
def _baby_steps(m: int) -> dict[bytes, int]:
    """{first 16 bytes of j·G: j} for 0 <= j < m; a hit is confirmed by a full recomputation."""
    g = Point.base()
    table: dict[bytes, int] = {}
    p = Point.identity()
    for j in range(m):
        table.setdefault(p.encoding[:16], j)
        p = p + g
    return table


def discrete_log(target: Point, bound: int) -> int:
    """The m in 0..bound with m·G == target (baby-step giant-step, Shanks 1971).

    Raises ``dlog_out_of_range`` if there is none: a tally beyond the public total weight
    means wrong decryption shares or too few of them, never a result to publish.
    """
    m = bsgs_table_size(bound)
    table = _baby_steps(m)
    giant = -Point.base_times(Scalar.of(m))
    q = target
    for i in range(bound // m + 1):
        j = table.get(q.encoding[:16])
        if j is not None:
            candidate = i * m + j
            if candidate <= bound and Point.base_times(Scalar.of(candidate)) == target:
                return candidate
        q = q + giant
    raise BallotCryptoError("dlog_out_of_range", f"the plaintext is not between 0 and {bound}")
