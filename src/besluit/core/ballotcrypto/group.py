"""The ristretto255 group (RFC 9496) with canonical 32-byte encodings, via libsodium.

Why ristretto255: a prime-order group (order ``L`` below) with one canonical encoding
per element, so there is no cofactor to clear and no second encoding of a ciphertext
or proof that a malleability attack could use. The arithmetic is libsodium's, reached
through ``rbcl`` (a wheel that bundles libsodium and wraps its ``crypto_core_ristretto255_*``
and ``crypto_scalarmult_ristretto255*`` functions): PyNaCl, which we use for secretbox,
does not expose the ristretto255 functions. The JavaScript side uses @noble/curves'
``ristretto255``; both follow RFC 9496, whose Appendix A vectors the tests check.

Encodings (the only ones the protocol accepts):

* Scalar: 32 bytes little-endian, value < L (non-canonical values are refused, never
  reduced, so every scalar has exactly one encoding).
* Point: the 32-byte RFC 9496 encoding; ``Point.decode`` refuses invalid encodings and,
  unless ``allow_identity=True``, the identity (all zero bytes), because a public key,
  commitment or ciphertext component equal to the identity is either a mistake or an
  attack (``Y = 0`` would publish every vote).

Hashing (``hash_to_scalar``, ``hash_to_point``) is SHA-512 over ``frame(tag, *parts)``:
each item is a 4-byte big-endian length followed by the bytes, the first item the domain
tag, so no two different inputs share a hash input. The 64-byte digest is reduced mod L
(``crypto_core_ristretto255_scalar_reduce``) or mapped with the RFC 9496 one-way map
(``crypto_core_ristretto255_from_hash``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import rbcl

from .errors import BallotCryptoError


def _remove_rbcl_copy() -> None:
    """rbcl writes its bundled libsodium to a new temporary file at every import and loads
    it from there, and never removes it: 2.7 MB more in the temporary folder for every
    process that starts (each server worker, each management command). Once loaded the
    file is not needed (the mapping stays), so it is removed here. Where a loaded library
    cannot be removed (Windows) it stays, as before."""
    module = sys.modules.get("rbcl._sodium") or sys.modules.get("_sodium")
    path = getattr(module, "lib_path", None)
    if isinstance(path, str) and os.path.basename(path).startswith("tmp"):
        with contextlib.suppress(OSError):
            os.unlink(path)


_remove_rbcl_copy()

try:  # built from native/combinations.c by the install (setup.py)
    from . import _combinations
except ImportError:  # pragma: no cover - an install without a C compiler
    _combinations = None  # type: ignore[assignment]

__all__ = [
    "NATIVE_COMBINATIONS",
    "TAG_PREFIX",
    "L",
    "Point",
    "Scalar",
    "derive_nonce",
    "frame",
    "hash_to_point",
    "hash_to_scalar",
    "public_combinations",
    "tag",
    "u32",
]

NATIVE_COMBINATIONS = _combinations is not None
"""Whether proof checks use the compiled combinations (a test requires it, so
scripts/test never runs on the slower reference by accident)."""

L = 2**252 + 27742317777372353535851937790883648493
"""Order of the ristretto255 group (RFC 9496 section 4)."""

TAG_PREFIX = b"besluit/ballotcrypto/v1/"
_SIZE = 32


def tag(name: str) -> bytes:
    """The domain-separation tag ``besluit/ballotcrypto/v1/<name>`` (ASCII)."""
    return TAG_PREFIX + name.encode("ascii")


def u32(n: int) -> bytes:
    """4-byte big-endian unsigned integer, the length and index encoding everywhere."""
    if not 0 <= n < 2**32:
        raise BallotCryptoError("length_invalid", f"{n} does not fit in 32 bits")
    return n.to_bytes(4, "big")


def frame(*items: bytes) -> bytes:
    """Length-prefixed concatenation: u32(len(x)) || x for each item, in order."""
    return b"".join(u32(len(x)) + bytes(x) for x in items)


def _bytes32(data: bytes, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray) or len(data) != _SIZE:
        raise BallotCryptoError("length_invalid", f"{what} must be exactly 32 bytes")
    return bytes(data)


@dataclass(frozen=True, slots=True)
class Scalar:
    """An integer modulo L, held as its canonical 32-byte little-endian encoding."""

    encoding: bytes

    @classmethod
    def decode(cls, data: bytes) -> Scalar:
        """Parse a canonical scalar; refuses values >= L (code ``scalar_noncanonical``)."""
        data = _bytes32(data, "a scalar")
        if int.from_bytes(data, "little") >= L:
            raise BallotCryptoError("scalar_noncanonical", "scalar is not reduced modulo L")
        return cls(data)

    @classmethod
    def of(cls, n: int) -> Scalar:
        """The scalar n mod L (for weights, indices and Lagrange coefficients)."""
        return cls((n % L).to_bytes(_SIZE, "little"))

    @classmethod
    def random(cls) -> Scalar:
        """A uniformly random non-zero scalar from the operating system's CSPRNG."""
        while True:
            s = cls.from_wide(secrets.token_bytes(64))
            if s.value:
                return s

    @classmethod
    def from_wide(cls, data: bytes) -> Scalar:
        """Reduce 64 uniform bytes mod L (bias below 2**-250)."""
        if len(data) != 64:
            raise BallotCryptoError("length_invalid", "wide input must be 64 bytes")
        return cls(rbcl.crypto_core_ristretto255_scalar_reduce(bytes(data)))

    @property
    def value(self) -> int:
        return int.from_bytes(self.encoding, "little")

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar(rbcl.crypto_core_ristretto255_scalar_add(self.encoding, other.encoding))

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar(rbcl.crypto_core_ristretto255_scalar_sub(self.encoding, other.encoding))

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar(rbcl.crypto_core_ristretto255_scalar_mul(self.encoding, other.encoding))

    def __neg__(self) -> Scalar:
        return Scalar(rbcl.crypto_core_ristretto255_scalar_negate(self.encoding))

    def inverse(self) -> Scalar:
        if not self.value:
            raise BallotCryptoError("scalar_zero", "zero has no inverse")
        return Scalar(rbcl.crypto_core_ristretto255_scalar_invert(self.encoding))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scalar) and hmac.compare_digest(self.encoding, other.encoding)

    def __hash__(self) -> int:
        return hash(self.encoding)

    def __repr__(self) -> str:
        return "Scalar(…)"  # never print a secret into a log


_IDENTITY = bytes(_SIZE)


@dataclass(frozen=True, slots=True)
class Point:
    """A ristretto255 element, held as its canonical encoding (validated on decode)."""

    encoding: bytes

    @classmethod
    def decode(cls, data: bytes, *, allow_identity: bool = False) -> Point:
        """Parse an RFC 9496 encoding; codes ``point_invalid`` and ``point_identity``."""
        data = _bytes32(data, "a group element")
        # RFC 9496 4.3.1 refuses an encoding with the top bit set (it is >= 2**255 > p).
        # The libsodium in rbcl (1.0.18) does not, and reads it as the same point as
        # without that bit: a second encoding of every element (libsodium 1.0.19 fixed it).
        if data[31] & 0x80 or not rbcl.crypto_core_ristretto255_is_valid_point(data):
            raise BallotCryptoError("point_invalid", "not a valid ristretto255 encoding")
        if data == _IDENTITY and not allow_identity:
            raise BallotCryptoError("point_identity", "the identity element is not allowed here")
        return cls(data)

    @classmethod
    def identity(cls) -> Point:
        return cls(_IDENTITY)

    @classmethod
    def base(cls) -> Point:
        """The RFC 9496 generator G."""
        return _G

    @classmethod
    def base_times(cls, s: Scalar) -> Point:
        """s·G (libsodium's fixed-base multiplication, faster than ``G * s``)."""
        return cls(rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(s.encoding))

    @property
    def is_identity(self) -> bool:
        return self.encoding == _IDENTITY

    def __add__(self, other: Point) -> Point:
        return Point(rbcl.crypto_core_ristretto255_add(self.encoding, other.encoding))

    def __sub__(self, other: Point) -> Point:
        return Point(rbcl.crypto_core_ristretto255_sub(self.encoding, other.encoding))

    def __neg__(self) -> Point:
        return _IDENTITY_POINT - self

    def __mul__(self, s: Scalar) -> Point:
        if self.encoding == _G.encoding:
            return Point.base_times(s)
        if self.encoding == _IDENTITY:
            return self
        return Point(
            rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(s.encoding, self.encoding)
        )

    def __repr__(self) -> str:
        return f"Point({self.encoding.hex()})"


_IDENTITY_POINT = Point(_IDENTITY)
_G = Point(rbcl.crypto_scalarmult_ristretto255_base((1).to_bytes(_SIZE, "little")))


def hash_to_scalar(domain: str, *parts: bytes) -> Scalar:
    """SHA-512(frame(tag(domain), *parts)) reduced mod L: the Fiat-Shamir challenge."""
    return Scalar.from_wide(hashlib.sha512(frame(tag(domain), *parts)).digest())


def hash_to_point(domain: str, *parts: bytes) -> Point:
    """RFC 9496 one-way map of SHA-512(frame(tag(domain), *parts)): nobody knows its log."""
    return Point(
        rbcl.crypto_core_ristretto255_from_hash(hashlib.sha512(frame(tag(domain), *parts)).digest())
    )


def derive_nonce(seed: bytes, label: str, index: int) -> Scalar:
    """hash_to_scalar("nonce", seed, ascii(label), u32(index)): every nonce from one seed.

    One 32-byte random seed per ballot (or per trustee action) makes the whole transcript
    reproducible from the seed, which is what the known-answer tests fix; the labels in
    use are listed in docs/ballot-encryption.md.
    """
    if len(seed) != 32:
        raise BallotCryptoError("length_invalid", "a nonce seed must be 32 bytes")
    return hash_to_scalar("nonce", seed, label.encode("ascii"), u32(index))


_ZERO_SCALAR = bytes(_SIZE)
_ONE = (1).to_bytes(_SIZE, "little")
_MINUS_ONE = (L - 1).to_bytes(_SIZE, "little")


def public_combinations(
    points: Sequence[Point],
    rows: Sequence[Sequence[Scalar | None]],
    *,
    recurring: Sequence[Point] = (),
) -> list[Point]:
    """For each row, sum(row[i]·points[i]) (None: no term), all in one call.

    **Variable time: for public values only** (checking proofs; never with a secret
    scalar). Compiled from native/combinations.c: libsodium's own ref10 group code with
    Straus' interleaved sliding windows, so z·P - c·Q costs about one multiplication
    instead of two multiplications and a subtraction, and each point is decoded once per
    call. A point in two rows or more is split into four 64-bit limbs (its 2^64, 2^128
    and 2^192 multiples made once), so each row runs a quarter of the doublings.
    ``recurring``: points that come back call after call (G, an election key); their
    tables are made once per process and kept (``_prepared``). Without the compiled
    module (an install without a C compiler) the same sums come from libsodium's public
    functions, which the tests use as the reference."""
    if _combinations is not None:
        try:
            out = _combinations.public_combinations(
                b"".join(p.encoding for p in points),
                b"".join(_ZERO_SCALAR if s is None else s.encoding for row in rows for s in row),
                len(rows),
                _prepared(tuple(p.encoding for p in recurring)) if recurring else b"",
            )
        except ValueError as exc:  # only reachable with a Point made without decode()
            if str(exc) == "point_invalid":
                raise BallotCryptoError(
                    "point_invalid", "not a valid ristretto255 encoding"
                ) from None
            raise
        return [Point(out[i : i + _SIZE]) for i in range(0, len(out), _SIZE)]
    return combinations_by_libsodium(points, rows)


@functools.lru_cache(maxsize=64)
def _prepared(encodings: tuple[bytes, ...]) -> bytes:
    """The compiled module's tables for points that recur together (G and an election
    key: 40 KB a point), kept per process for the last 64 such groups."""
    return _combinations.prepare(b"".join(encodings))


def combinations_by_libsodium(
    points: Sequence[Point], rows: Sequence[Sequence[Scalar | None]]
) -> list[Point]:
    """``public_combinations`` through libsodium's public (constant-time) functions."""
    out = []
    for row in rows:
        if len(row) != len(points):
            raise ValueError("a row needs one scalar (or None) per point")
        acc = _IDENTITY_POINT
        for point, scalar in zip(points, row, strict=True):
            if scalar is None:
                continue
            if scalar.encoding == _ONE:  # a sum's terms: no multiplication
                acc = acc + point
            elif scalar.encoding == _MINUS_ONE:
                acc = acc - point
            else:
                acc = acc + point * scalar
        out.append(acc)
    return out
