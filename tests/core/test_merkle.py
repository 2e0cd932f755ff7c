"""The Merkle tree of the poll log (core.merkle): RFC 9162 hashes, proofs and their checks.

No Django and no database. Three kinds of evidence:

* the classic RFC 6962 test leaves with their published roots and proofs
  (written out below, so this file stands on its own);
* a naive recursive Merkle Tree Hash written here straight from RFC 9162 2.1.1
  and hypothesis properties against it;
* the public transparency-dev/merkle test vectors, read from
  ../shared/data/merkle-testdata when that folder exists (only that test skips
  without it).
"""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from besluit.core.merkle import (
    EMPTY_ROOT,
    MerkleError,
    MerkleFrontier,
    MerkleLog,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion_proof,
    root_of_hashes,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "data" / "merkle-testdata"


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- a naive reference, straight from RFC 9162 2.1.1 ------------------------------


def naive_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:])).digest()


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n]), recursively."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b), recursively."""
    n = len(leaves)
    if m == n:
        return [] if b else [naive_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, leaves[:k], b), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


# --- the classic RFC 6962 test leaves (certificate-transparency) -------------------

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
# Roots of the trees of the first 1..8 leaves, as published with those leaves in
# certificate-transparency(-go) and transparency-dev/merkle (Apache-2.0).
ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
# (leaf index, tree size, proof) from the same source.
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
# (old size, new size, proof)
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


def test_hashes_have_the_rfc_prefixes():
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert MerkleLog().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_known_roots_of_the_rfc6962_leaves(size):
    assert root(LEAVES[:size]) == ROOTS[size - 1]
    assert naive_mth(LEAVES[:size]) == ROOTS[size - 1]
    assert MerkleLog.from_data(LEAVES).root_at(size) == ROOTS[size - 1]
    assert root_of_hashes([leaf_hash(x) for x in LEAVES[:size]]) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_known_inclusion_proofs(index, size, proof):
    log = MerkleLog.from_data(LEAVES)
    proof = [h(p) for p in proof]
    assert log.inclusion_proof(index, size) == proof
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, ROOTS[size - 1])
    assert not verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, ROOTS[size - 2])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_known_consistency_proofs(old, new, proof):
    log = MerkleLog.from_data(LEAVES)
    proof = [h(p) for p in proof]
    assert log.consistency_proof(old, new) == proof
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)
    assert not verify_consistency(old, new, ROOTS[new - 1], ROOTS[old - 1], proof)


def test_edge_cases_of_consistency():
    one = ROOTS[0]
    assert verify_consistency(1, 1, one, one, [])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 0, one, one, [])  # the empty tree has one root
    assert not verify_consistency(1, 1, one, ROOTS[1], [])
    assert not verify_consistency(1, 1, one, one, [one])  # equal sizes: empty proof
    assert not verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])  # from empty: meaningless
    assert not verify_consistency(2, 1, one, one, [])
    assert not verify_consistency(1, 2, one, ROOTS[1], [])  # a real step needs a proof
    with pytest.raises(MerkleError):
        MerkleLog.from_data(LEAVES).consistency_proof(0, 3)
    assert MerkleLog.from_data(LEAVES).consistency_proof(3, 3) == []


@pytest.mark.parametrize(
    "args",
    [
        (b"\x00" * 31, 0, 1, [], ROOTS[0]),  # short leaf hash
        (leaf_hash(b""), 0, 1, [], ROOTS[0][:31]),  # short root
        (leaf_hash(b""), 1, 1, [], ROOTS[0]),  # index == size
        (leaf_hash(b""), -1, 1, [], ROOTS[0]),
        (leaf_hash(b""), 0, 0, [], EMPTY_ROOT),
        (leaf_hash(b""), True, 2, [leaf_hash(b"\x00")], ROOTS[1]),  # bool is no index
        (leaf_hash(b""), 0, 2, [b"\x00" * 33], ROOTS[1]),  # long proof hash
        (leaf_hash(b""), 0, 2, [leaf_hash(b"\x00"), ROOTS[1]], ROOTS[1]),  # too long
        (leaf_hash(b""), 0, 2, "not a proof", ROOTS[1]),
        (leaf_hash(b""), 0, 2, None, ROOTS[1]),
        ("text", 0, 1, [], ROOTS[0]),
    ],
)
def test_malformed_inclusion_input_does_not_verify_and_does_not_raise(args):
    assert verify_inclusion(*args) is False


def test_malformed_consistency_input_does_not_raise():
    for args in [
        (1, 2, "x", ROOTS[1], [leaf_hash(b"\x00")]),
        (1, 2, ROOTS[0], ROOTS[1], [b"short"]),
        (1, 2, ROOTS[0], ROOTS[1], 5),
        (-1, 2, ROOTS[0], ROOTS[1], []),
        (1.0, 2, ROOTS[0], ROOTS[1], [leaf_hash(b"\x00")]),
    ]:
        assert verify_consistency(*args) is False


def test_log_refuses_bad_requests():
    log = MerkleLog.from_data(LEAVES[:3])
    for bad in [
        lambda: log.inclusion_proof(3),
        lambda: log.inclusion_proof(0, 4),
        lambda: log.root_at(4),
        lambda: log.append_hash(b"short"),
        lambda: log.consistency_proof(2, 5),
        lambda: log.leaf_hash(3),
        lambda: root_from_inclusion_proof(leaf_hash(b""), 0, 0, []),
    ]:
        with pytest.raises(MerkleError):
            bad()


# --- properties ------------------------------------------------------------------

leaf_lists = st.lists(st.binary(max_size=8), max_size=40)


@given(leaf_lists)
def test_incremental_root_equals_naive_root_at_every_size(leaves):
    log = MerkleLog()
    frontier = MerkleFrontier()
    for i, data in enumerate(leaves):
        assert log.append_data(data) == i
        frontier.append_data(data)
        assert log.root() == naive_mth(leaves[: i + 1]) == frontier.root()
    for size in range(len(leaves) + 1):
        assert log.root_at(size) == naive_mth(leaves[:size])
    assert root(leaves) == naive_mth(leaves)


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40, unique=True), st.data())
def test_every_inclusion_proof_verifies_and_a_tampered_one_fails(leaves, data):
    log = MerkleLog.from_data(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = log.inclusion_proof(index, size)
    assert proof == naive_path(index, leaves[:size])
    tree_root = naive_mth(leaves[:size])
    leaf = leaf_hash(leaves[index])
    assert verify_inclusion(leaf, index, size, proof, tree_root)
    # another leaf, position, size or root fails
    assert not verify_inclusion(leaf_hash(leaves[index] + b"!"), index, size, proof, tree_root)
    if size > 1:
        assert not verify_inclusion(leaf, (index + 1) % size, size, proof, tree_root)
    # (A wrong size with the same path shape, e.g. leaf 0 of 3 or of 4, passes here: the
    # size is authenticated by the signed checkpoint, not by the proof.)
    if len(log.inclusion_proof(index, size)) != len(naive_path(index, leaves[:size] * 2)):
        assert not verify_inclusion(leaf, index, 2 * size, proof, tree_root)
    assert not verify_inclusion(leaf, index, size, proof, hashlib.sha256(tree_root).digest())
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1), label="which hash")
        bit = data.draw(st.integers(0, 255), label="which bit")
        bad = list(proof)
        bad[i] = bytes(b ^ (1 << (bit % 8)) if j == bit // 8 else b for j, b in enumerate(bad[i]))
        assert not verify_inclusion(leaf, index, size, bad, tree_root)
        assert not verify_inclusion(leaf, index, size, proof[:-1], tree_root)
        assert not verify_inclusion(leaf, index, size, [*proof, proof[0]], tree_root)


@given(leaf_lists.filter(bool), st.data())
def test_consistency_proofs_verify_for_all_old_and_new_sizes(leaves, data):
    log = MerkleLog.from_data(leaves)
    new = data.draw(st.integers(1, len(leaves)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    proof = log.consistency_proof(old, new)
    assert proof == naive_subproof(old, leaves[:new], True)
    old_root, new_root = naive_mth(leaves[:old]), naive_mth(leaves[:new])
    assert verify_consistency(old, new, old_root, new_root, proof)
    other = hashlib.sha256(new_root).digest()
    assert not verify_consistency(old, new, other, new_root, proof)
    assert not verify_consistency(old, new, old_root, other, proof)
    if proof:
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, [*proof, proof[-1]])
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_consistency(old, new, old_root, new_root, flipped)


@given(st.lists(st.binary(max_size=4), min_size=2, max_size=20), st.data())
def test_a_changed_history_is_not_consistent(leaves, data):
    old = data.draw(st.integers(1, len(leaves) - 1))
    changed = list(leaves)
    i = data.draw(st.integers(0, old - 1))
    changed[i] = changed[i] + b"x"
    proof = MerkleLog.from_data(leaves).consistency_proof(old, len(leaves))
    assume(naive_mth(changed[:old]) != naive_mth(leaves[:old]))
    assert not verify_consistency(
        old, len(leaves), naive_mth(changed[:old]), naive_mth(leaves), proof
    )


@settings(max_examples=50)
@given(st.lists(st.binary(max_size=6), min_size=1, max_size=40))
def test_frontier_append_returns_the_inclusion_proof_of_the_new_leaf(leaves):
    frontier = MerkleFrontier()
    log = MerkleLog()
    for data in leaves:
        proof = frontier.append_data(data)
        index = log.append_data(data)
        assert proof == log.inclusion_proof(index)
        assert verify_inclusion(leaf_hash(data), index, log.size, proof, frontier.root())
    restored = MerkleFrontier(frontier.size, frontier.hashes)
    assert restored.root() == log.root()
    assert MerkleFrontier.from_log(log).hashes == frontier.hashes
    with pytest.raises(MerkleError):
        MerkleFrontier(frontier.size, [*frontier.hashes, bytes(32)])


@settings(max_examples=80)
@given(
    st.lists(st.binary(max_size=4), max_size=70),
    st.lists(st.binary(max_size=4), min_size=1, max_size=70),
)
def test_frontier_extend_proves_every_leaf_of_a_batch_in_the_tree_after_it(before, batch):
    """A batch of ballots shares one checkpoint: each proof is against the batch's end."""
    frontier = MerkleFrontier()
    for data in before:
        frontier.append_data(data)
    log = MerkleLog.from_data(before + batch)
    proofs = frontier.extend([leaf_hash(d) for d in batch])
    assert frontier.size == log.size and frontier.root() == log.root()
    assert frontier.hashes == MerkleFrontier.from_log(log).hashes
    for offset, (data, proof) in enumerate(zip(batch, proofs, strict=True)):
        index = len(before) + offset
        assert proof == log.inclusion_proof(index)
        assert verify_inclusion(leaf_hash(data), index, log.size, proof, log.root())


# --- the public test vectors (transparency-dev/merkle) ---------------------------


def _vector_files(kind):
    return sorted((VECTORS / kind).rglob("*.json")) if VECTORS.exists() else []


def _b64(value):
    return base64.b64decode(value) if value is not None else b""


@pytest.mark.skipif(not VECTORS.exists(), reason="../shared/data/merkle-testdata not present")
def test_public_inclusion_vectors():
    files = _vector_files("inclusion")
    assert len(files) > 50
    wrong = []
    for path in files:
        v = json.loads(path.read_text())
        ok = verify_inclusion(
            _b64(v["leafHash"]),
            v["leafIdx"],
            v["treeSize"],
            [_b64(p) for p in v["proof"] or []],
            _b64(v["root"]),
        )
        if ok == v["wantErr"]:
            wrong.append(f"{path.relative_to(VECTORS)}: {v['desc']}")
    assert not wrong


@pytest.mark.skipif(not VECTORS.exists(), reason="../shared/data/merkle-testdata not present")
def test_public_consistency_vectors():
    files = _vector_files("consistency")
    assert len(files) > 50
    wrong = []
    for path in files:
        v = json.loads(path.read_text())
        ok = verify_consistency(
            v["size1"],
            v["size2"],
            _b64(v["root1"]),
            _b64(v["root2"]),
            [_b64(p) for p in v["proof"] or []],
        )
        if ok == v["wantErr"]:
            wrong.append(f"{path.relative_to(VECTORS)}: {v['desc']}")
    assert not wrong
