"""Merkle tree of a poll's event log: RFC 9162 (Certificate Transparency v2), section 2.1.

No Django: the stand-alone verifier (``besluit/verify.py``) imports this module
without the web application.

Hashes (SHA-256, with a one-byte prefix so a leaf can never pass for a node)::

    leaf_hash(d)  = SHA-256(0x00 || d)
    node_hash(l, r) = SHA-256(0x01 || l || r)
    MTH({})       = SHA-256()                      (the empty tree)
    MTH(D[n])     = node_hash(MTH(D[0:k]), MTH(D[k:n]))   k = largest power of 2 < n

``MerkleLog`` keeps every leaf hash plus the hash of every complete ("perfect")
subtree, so an append costs O(1) hashes amortised (O(log n) at worst), and the
root, an inclusion proof or a consistency proof for *any* earlier size costs
O(log n) hashes (proofs O(log^2 n) lookups). ``MerkleFrontier`` is the compact
alternative for the ballot path: at most 64 hashes of state, enough to append a
leaf, get the new root and the new leaf's inclusion proof without loading the
other leaves.

Verification follows the algorithms of RFC 9162 section 2.1.3.2 (inclusion) and
2.1.4.2 (consistency) and never raises on malformed input: a hash of the wrong
length, an index outside the tree, a proof that is too long or too short, or a
value of the wrong type simply does not verify. The edge cases follow the
transparency-dev/merkle test vectors: a consistency proof *from* the empty tree
is refused as meaningless, two trees of size 0 are only consistent when both
roots are the empty-tree hash, and equal sizes need an empty proof and equal
roots.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleError",
    "MerkleFrontier",
    "MerkleLog",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion_proof",
    "root_of_hashes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class MerkleError(ValueError):
    """A proof cannot be made or checked: bad size, index, hash or proof shape."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root(leaves: Iterable[bytes]) -> bytes:
    """Merkle Tree Hash of the leaf *data* (not hashes); SHA-256() for no leaves."""
    log = MerkleLog()
    for data in leaves:
        log.append_data(data)
    return log.root()


def root_of_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """Merkle Tree Hash of leaves given by their leaf hashes."""
    return MerkleLog(leaf_hashes).root()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class MerkleLog:
    """An append-only list of leaf hashes with cached perfect-subtree hashes.

    ``_levels[h][i]`` is the hash of the perfect subtree of ``2**h`` leaves
    starting at leaf ``i * 2**h``; ``_levels[0]`` are the leaf hashes. Memory is
    about two hashes per leaf (20,000 ballots: ~2.5 MB of Python objects).
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    @classmethod
    def from_data(cls, leaves: Iterable[bytes]) -> MerkleLog:
        log = cls()
        for data in leaves:
            log.append_data(data)
        return log

    def __len__(self) -> int:
        return len(self._levels[0])

    def copy(self) -> MerkleLog:
        """An independent log with the same leaves (appending to one leaves the other)."""
        log = MerkleLog()
        log._levels = [list(level) for level in self._levels]
        return log

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append_data(self, data: bytes) -> int:
        """Append a leaf by its data; returns its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, leaf_hash: bytes) -> int:
        """Append a leaf by its (32-byte) leaf hash; returns its index."""
        if not _is_hash(leaf_hash):
            raise MerkleError(f"a leaf hash has {HASH_SIZE} bytes")
        levels = self._levels
        levels[0].append(bytes(leaf_hash))
        level = 0
        while len(levels[level]) % 2 == 0:
            nodes = levels[level]
            parent = node_hash(nodes[-2], nodes[-1])
            level += 1
            if level == len(levels):
                levels.append([])
            levels[level].append(parent)
        return len(levels[0]) - 1

    def leaf_hash(self, index: int) -> bytes:
        if not _is_size(index) or index >= self.size:
            raise MerkleError(f"no leaf {index} in a log of {self.size}")
        return self._levels[0][index]

    def root(self) -> bytes:
        """The root of the whole log."""
        return self.root_at(self.size)

    def root_at(self, size: int) -> bytes:
        """The root the log had when it held ``size`` leaves."""
        self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:size]), ordered from the leaf up."""
        size = self.size if size is None else size
        self._check_size(size)
        if not _is_size(index) or index >= size:
            raise MerkleError(f"leaf index {index} is not in a tree of size {size}")
        proof: list[bytes] = []
        start, n, m = 0, size, index
        while n > 1:
            k = _split(n)
            if m < k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, m, n = start + k, m - k, n - k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(old_size, D[0:new_size]); empty when the sizes are equal."""
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        if not _is_size(old_size) or old_size > new_size:
            raise MerkleError(f"old size {old_size} is not between 0 and {new_size}")
        if old_size == 0:
            raise MerkleError("a consistency proof from the empty tree is meaningless")
        proof: list[bytes] = []
        start, n, m, complete = 0, new_size, old_size, True
        while m != n:
            k = _split(n)
            if m <= k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, m, n, complete = start + k, m - k, n - k, False
        if not complete:
            proof.append(self._subtree(start, n))
        proof.reverse()
        return proof

    def _check_size(self, size: int) -> None:
        if not _is_size(size) or size > self.size:
            raise MerkleError(f"size {size} is not between 0 and {self.size}")

    def _subtree(self, start: int, n: int) -> bytes:
        """MTH(D[start:start+n]) for n >= 1 and ``start`` a multiple of a power of 2 >= n.

        That alignment holds for every subtree the RFC recursion visits, so the
        range splits into perfect subtrees (one per bit of n, largest first),
        each already cached, which are then folded from the right.
        """
        pieces = []
        for level in range(n.bit_length() - 1, -1, -1):
            if n >> level & 1:
                pieces.append(self._levels[level][start >> level])
                start += 1 << level
        h = pieces.pop()
        while pieces:
            h = node_hash(pieces.pop(), h)
        return h


class MerkleFrontier:
    """The compact state of a log: the roots of its perfect subtrees, largest first.

    Enough to append (``append_hash`` also returns the new leaf's inclusion
    proof, which is exactly the old frontier, smallest subtree first) and to
    compute the root. Store ``size`` and ``hashes`` on the poll row to accept a
    ballot in O(log n) without reading the other leaves.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if not _is_size(size):
            raise MerkleError(f"bad size {size!r}")
        if len(hashes) != size.bit_count() or not all(_is_hash(h) for h in hashes):
            raise MerkleError(f"a frontier of size {size} has {size.bit_count()} hashes")
        self._size = size
        self._hashes = [bytes(h) for h in hashes]

    @classmethod
    def from_log(cls, log: MerkleLog, size: int | None = None) -> MerkleFrontier:
        size = log.size if size is None else size
        log._check_size(size)
        hashes, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(log._levels[level][start >> level])
                start += 1 << level
        return cls(size, hashes)

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append_data(self, data: bytes) -> list[bytes]:
        return self.append_hash(leaf_hash(data))

    def append_hash(self, leaf_hash: bytes) -> list[bytes]:
        """Append a leaf; returns its inclusion proof in the tree that now ends with it."""
        if not _is_hash(leaf_hash):
            raise MerkleError(f"a leaf hash has {HASH_SIZE} bytes")
        proof = self._hashes[::-1]
        h, size = bytes(leaf_hash), self._size
        while size & 1:
            h = node_hash(self._hashes.pop(), h)
            size >>= 1
        self._hashes.append(h)
        self._size += 1
        return proof

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        h = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            h = node_hash(left, h)
        return h

    def extend(self, leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
        """Append a batch of leaves; return each one's inclusion proof in the tree that
        ends with the whole batch (so one signed checkpoint serves the batch).

        The proof of a new leaf only needs subtrees that lie right of the old size
        (made of new leaves) or that are perfect subtrees of the old tree (the
        frontier): in an RFC 9162 tree every perfect subtree of an older tree is a
        node of every larger one. So a batch costs O(batch + log n), never the log.
        """
        if not all(_is_hash(h) for h in leaf_hashes):
            raise MerkleError(f"a leaf hash has {HASH_SIZE} bytes")
        old = self._size
        known: dict[tuple[int, int], bytes] = {}
        start = 0
        for h in self._hashes:  # largest first: their sizes are the bits of ``old``
            n = 1 << (old - start).bit_length() - 1
            known[(start, n)] = h
            start += n
        for i, h in enumerate(leaf_hashes):
            known[(old + i, 1)] = bytes(h)

        def mth(a: int, n: int) -> bytes:
            h = known.get((a, n))
            if h is None:
                k = _split(n)
                h = known[(a, n)] = node_hash(mth(a, k), mth(a + k, n - k))
            return h

        size = old + len(leaf_hashes)
        proofs = []
        for index in range(old, size):
            proof: list[bytes] = []
            start, n, m = 0, size, index
            while n > 1:
                k = _split(n)
                if m - start < k:
                    proof.append(mth(start + k, n - k))
                    n = k
                else:
                    proof.append(mth(start, k))
                    start, n = start + k, n - k
            proof.reverse()
            proofs.append(proof)
        for h in leaf_hashes:
            self.append_hash(h)
        return proofs


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` leads to from ``leaf_hash`` at ``index`` (RFC 9162 2.1.3.2).

    Raises ``MerkleError`` when the input cannot be a valid proof.
    """
    if not _is_size(index) or not _is_size(size):
        raise MerkleError("index and size must be non-negative integers")
    if index >= size:
        raise MerkleError(f"leaf index {index} is not in a tree of size {size}")
    if not _is_hash(leaf_hash):
        raise MerkleError(f"a leaf hash has {HASH_SIZE} bytes")
    proof = _hashes(proof)
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise MerkleError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise MerkleError("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Does ``proof`` show the leaf ``leaf_hash`` at ``index`` in the tree (size, root)?"""
    try:
        computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    except MerkleError:
        return False
    return _is_hash(root) and hmac.compare_digest(computed, bytes(root))


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Is the tree (old_size, old_root) a prefix of (new_size, new_root)? RFC 9162 2.1.4.2."""
    try:
        return _verify_consistency(old_size, new_size, old_root, new_root, proof)
    except MerkleError:
        return False


def _verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    if not _is_size(old_size) or not _is_size(new_size) or old_size > new_size:
        return False
    if not isinstance(old_root, bytes | bytearray) or not isinstance(new_root, bytes | bytearray):
        return False
    path = _hashes(proof)
    if old_size == new_size:
        if path:
            return False
        if old_size == 0:  # the empty tree has one possible root
            return old_root == EMPTY_ROOT and new_root == EMPTY_ROOT
        return hmac.compare_digest(bytes(old_root), bytes(new_root))
    if old_size == 0 or not path:
        return False  # nothing to prove from the empty tree; a real step needs a proof
    if not _is_hash(old_root) or not _is_hash(new_root):
        return False
    if old_size & (old_size - 1) == 0:  # a power of 2: the old root is the first node
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (
        sn == 0
        and hmac.compare_digest(fr, bytes(old_root))
        and hmac.compare_digest(sr, bytes(new_root))
    )


def _hashes(proof: Sequence[bytes] | None) -> list[bytes]:
    if proof is None:
        return []
    if isinstance(proof, bytes | bytearray | str):
        raise MerkleError("a proof is a list of hashes")
    try:
        items = list(proof)
    except TypeError as exc:
        raise MerkleError("a proof is a list of hashes") from exc
    if not all(_is_hash(h) for h in items):
        raise MerkleError(f"every proof hash has {HASH_SIZE} bytes")
    return [bytes(h) for h in items]
