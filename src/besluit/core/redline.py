"""Redlines between two versions of a structured text, and block identity across versions.

Pure Python, no Django.

Diffing is done by Google's diff-match-patch (the maintained ``diff-match-patch`` package):
Myers' O(ND) algorithm with a time limit, plus "semantic cleanup", which merges coincidental
one-word equalities into the surrounding change so that a redline reads as a lawyer would mark
it up ("~~ten minste 100.000~~ __ruim 120.000__" instead of a confetti of small changes).
Python's difflib was the alternative; its SequenceMatcher is not a minimal diff, treats frequent
tokens as junk unless told otherwise, and has no semantic cleanup. diff-match-patch works on
strings; to diff *words* we map each distinct token to one character (the library's own
"line mode" trick) and map the result back. The domain code here is only what is ours:
tokenisation into words, pairing blocks by their stable ids, and moves.

A :class:`Redline` lists blocks in the order a reader needs: the new version's order, with
deleted blocks where they stood, and a moved block shown at its new place ("moved") and as a
stub at its old place ("moved away"). :func:`apply_redline` rebuilds the new version from the
old one and the redline alone: that is what the property tests check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from diff_match_patch import diff_match_patch

from besluit.core.texts import Block, Document, Kind, Mark, Note, TextError, new_block_id, tokens

EQUAL, INSERT, DELETE = "=", "+", "-"
_DMP_OP = {0: EQUAL, 1: INSERT, -1: DELETE}


def _dmp(timeout: float) -> diff_match_patch:
    d = diff_match_patch()
    d.Diff_Timeout = timeout
    return d


def _encode(seqs: Sequence[Sequence[str]]) -> tuple[list[str], list[str]]:
    """Each distinct item becomes one character; returns the encoded strings and the alphabet."""
    alphabet: list[str] = []
    index: dict[str, int] = {}
    out = []
    for seq in seqs:
        chars = []
        for item in seq:
            i = index.get(item)
            if i is None:
                i = index[item] = len(alphabet)
                alphabet.append(item)
            # skip the surrogate range: those code points cannot stand alone in every codec
            code = i + 1 if i + 1 < 0xD800 else i + 1 + 0x800
            chars.append(chr(code))
        out.append("".join(chars))
    return out, alphabet


def _decode_char(c: str) -> int:
    code = ord(c)
    return (code - 1) if code < 0xD800 else code - 1 - 0x800


def diff_sequences(
    a: Sequence[str], b: Sequence[str], *, semantic: bool = True, timeout: float = 1.0
) -> list[tuple[str, list[str]]]:
    """Diff two sequences of tokens: [(op, tokens), ...] with op in "=", "+", "-"."""
    (ea, eb), alphabet = _encode((a, b))
    d = _dmp(timeout)
    diffs = d.diff_main(ea, eb, False)
    if semantic:
        d.diff_cleanupSemantic(diffs)
    return [(_DMP_OP[op], [alphabet[_decode_char(c)] for c in chars]) for op, chars in diffs]


@dataclass(frozen=True)
class Piece:
    op: str  # "=", "+" or "-"
    text: str


def word_diff(old: str, new: str, *, semantic: bool = True) -> tuple[Piece, ...]:
    """A word-level diff of two texts. Joining the "=" and "-" pieces gives ``old``; "=" and
    "+" give ``new``."""
    if old == new:
        return (Piece(EQUAL, old),) if old else ()
    return tuple(
        Piece(op, "".join(toks))
        for op, toks in diff_sequences(tokens(old), tokens(new), semantic=semantic)
        if toks
    )


def equal_spans(old: str, new: str) -> list[tuple[int, int, int]]:
    """Unchanged stretches of a raw (not cleaned up) word diff: (old start, old end, new start)."""
    spans = []
    i = j = 0
    for op, toks in diff_sequences(tokens(old), tokens(new), semantic=False):
        n = sum(len(t) for t in toks)
        if op == EQUAL:
            spans.append((i, i + n, j))
            i += n
            j += n
        elif op == DELETE:
            i += n
        else:
            j += n
    return spans


# --- redline ------------------------------------------------------------------------------


class Status(StrEnum):
    EQUAL = "equal"
    CHANGED = "changed"  # the same block, other words (or other formatting)
    INSERTED = "inserted"
    DELETED = "deleted"
    MOVED = "moved"  # at its new place (possibly also changed)
    MOVED_AWAY = "moved_away"  # a stub at its old place


@dataclass(frozen=True)
class BlockDiff:
    status: Status
    block_id: str
    pieces: tuple[Piece, ...]  # word level; for deleted blocks one "-" piece
    # the new block's shape (kind, level, marks, notes); None for deleted / moved away
    kind: Kind | None = None
    level: int = 1
    marks: tuple[Mark, ...] = ()
    notes: tuple[Note, ...] = ()
    old_kind: Kind | None = None
    format_changed: bool = False
    moved_from: int | None = None  # old position of a moved block
    moved_to: int | None = None  # new position of a block moved away

    @property
    def old_text(self) -> str:
        return "".join(p.text for p in self.pieces if p.op != INSERT)

    @property
    def new_text(self) -> str:
        return "".join(p.text for p in self.pieces if p.op != DELETE)

    @property
    def words_inserted(self) -> int:
        return sum(len(p.text.split()) for p in self.pieces if p.op == INSERT)

    @property
    def words_deleted(self) -> int:
        return sum(len(p.text.split()) for p in self.pieces if p.op == DELETE)

    @property
    def is_change(self) -> bool:
        return self.status != Status.EQUAL

    @property
    def on_new_side(self) -> bool:
        return self.status not in (Status.DELETED, Status.MOVED_AWAY)


@dataclass(frozen=True)
class Redline:
    items: tuple[BlockDiff, ...]

    @property
    def changes(self) -> list[BlockDiff]:
        return [i for i in self.items if i.is_change]

    def stats(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for i in self.items:
            out[i.status.value] += 1
        out["words_inserted"] = sum(i.words_inserted for i in self.items)
        out["words_deleted"] = sum(i.words_deleted for i in self.items)
        return out


def _kept_in_order(old_ids: list[str], new_ids: list[str]) -> set[str]:
    """Common blocks that keep their relative order (a longest common subsequence); the rest of
    the common blocks have moved."""
    new_set = set(new_ids)
    old_common = [i for i in old_ids if i in new_set]
    old_set = set(old_ids)
    new_common = [i for i in new_ids if i in old_set]
    if old_common == new_common:
        return set(old_common)
    kept: set[str] = set()
    for op, ids in diff_sequences(old_common, new_common, semantic=False, timeout=0):
        if op == EQUAL:
            kept.update(ids)
    return kept


def redline(old: Document, new: Document) -> Redline:
    old_ids, new_ids = old.ids, new.ids
    old_set, new_set = set(old_ids), set(new_ids)
    kept = _kept_in_order(old_ids, new_ids)
    items: list[BlockDiff] = []
    oi = 0  # next old position to consider for deletions and moved-away stubs

    def flush_old(until: int) -> None:
        nonlocal oi
        while oi < until:
            ob = old.blocks[oi]
            if ob.id not in new_set:
                items.append(
                    BlockDiff(Status.DELETED, ob.id, (Piece(DELETE, ob.text),), old_kind=ob.kind)
                )
            elif ob.id not in kept:
                items.append(
                    BlockDiff(
                        Status.MOVED_AWAY, ob.id, (), old_kind=ob.kind, moved_to=new.position(ob.id)
                    )
                )
            oi += 1

    # For each new block, the old position of the next block that keeps its place: deleted
    # blocks in the same gap are shown before inserted ones (a replacement reads old, then new).
    next_kept = [len(old.blocks)] * (len(new.blocks) + 1)
    for j in range(len(new.blocks) - 1, -1, -1):
        bid = new.blocks[j].id
        next_kept[j] = old.position(bid) if bid in kept else next_kept[j + 1]

    for j, nb in enumerate(new.blocks):
        if nb.id not in kept:
            flush_old(next_kept[j])
        if nb.id not in old_set:
            items.append(
                BlockDiff(
                    Status.INSERTED,
                    nb.id,
                    (Piece(INSERT, nb.text),),
                    nb.kind,
                    nb.level,
                    nb.marks,
                    nb.notes,
                )
            )
            continue
        ob = old.block(nb.id)
        if nb.id in kept:
            flush_old(old.position(nb.id))
            oi += 1
        fmt = ob.attrs != nb.attrs
        if nb.id in kept and ob.text == nb.text and not fmt:
            items.append(
                BlockDiff(
                    Status.EQUAL,
                    nb.id,
                    (Piece(EQUAL, nb.text),),
                    nb.kind,
                    nb.level,
                    nb.marks,
                    nb.notes,
                    ob.kind,
                )
            )
            continue
        status = Status.CHANGED if nb.id in kept else Status.MOVED
        items.append(
            BlockDiff(
                status,
                nb.id,
                word_diff(ob.text, nb.text),
                nb.kind,
                nb.level,
                nb.marks,
                nb.notes,
                ob.kind,
                fmt,
                moved_from=None if nb.id in kept else old.position(nb.id),
            )
        )
    flush_old(len(old.blocks))
    return Redline(tuple(items))


def apply_redline(old: Document, rl: Redline) -> Document:
    """The new version, rebuilt from the old one and the redline (checks that they fit)."""
    blocks = []
    for item in rl.items:
        if not item.on_new_side:
            if item.block_id not in old:
                raise TextError(f"The redline deletes block {item.block_id}, which is not there.")
            continue
        if item.status == Status.INSERTED:
            text = item.new_text
        else:
            ob = old.block(item.block_id)
            if item.old_text != ob.text:
                raise TextError(f"The redline does not fit block {item.block_id}.")
            text = item.new_text
        blocks.append(Block(item.block_id, item.kind, text, item.level, item.marks, item.notes))
    return Document(tuple(blocks))


# --- block identity across versions ----------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """How alike two block texts are, by words (0..1)."""
    if a == b:
        return 1.0
    ta, tb = a.split(" "), b.split(" ")
    m = SequenceMatcher(None, ta, tb, autojunk=False)
    if m.real_quick_ratio() < 0.3 or m.quick_ratio() < 0.3:
        return m.quick_ratio() * 0.5
    return m.ratio()


SIMILAR_IN_PLACE = 0.45  # an edited block between two unchanged neighbours
SIMILAR_MOVED = 0.75  # an edited block found elsewhere in the text


def carry_ids(old: Document, new: Document, *, make_id=new_block_id) -> Document:
    """Give the blocks of ``new`` (fresh from an import or an edit) the ids of the blocks of
    ``old`` they continue, so that redlines, amendments and input keep pointing at the right
    passages.

    1. Blocks with the same text in the same relative order keep their ids (a word diff of the
       two block sequences, one block = one token).
    2. Between two such anchors, the remaining blocks are paired by similarity of their words.
    3. Blocks still unpaired are paired with unpaired blocks anywhere (moves), identical text
       first, then very similar text.
    4. The rest are new blocks with new ids. An id of ``new`` that ``old`` does not have and
       that is not taken is kept, so re-importing a text keeps ids it already carried.
    """
    old_texts = [b.text for b in old.blocks]
    new_texts = [b.text for b in new.blocks]
    assigned: dict[int, str] = {}  # new index -> old id
    used_old: set[int] = set()

    i = j = 0
    gaps: list[tuple[list[int], list[int]]] = []
    gap_old: list[int] = []
    gap_new: list[int] = []
    for op, items in diff_sequences(old_texts, new_texts, semantic=False, timeout=0):
        n = len(items)
        if op == EQUAL:
            if gap_old or gap_new:
                gaps.append((gap_old, gap_new))
                gap_old, gap_new = [], []
            for k in range(n):
                assigned[j + k] = old.blocks[i + k].id
                used_old.add(i + k)
            i += n
            j += n
        elif op == DELETE:
            gap_old.extend(range(i, i + n))
            i += n
        else:
            gap_new.extend(range(j, j + n))
            j += n
    if gap_old or gap_new:
        gaps.append((gap_old, gap_new))

    # Unchanged text that occurs once in each version keeps its id wherever it moved,
    # before a merely similar block in a gap can claim that id.
    old_count, new_count = Counter(old_texts), Counter(new_texts)
    unique_old = {
        text: oi for oi, text in enumerate(old_texts) if old_count[text] == 1 and oi not in used_old
    }
    for nj, text in enumerate(new_texts):
        if nj not in assigned and new_count[text] == 1 and text in unique_old:
            oi = unique_old[text]
            assigned[nj] = old.blocks[oi].id
            used_old.add(oi)

    for gold, gnew in gaps:
        pairs = []
        for nj in gnew:
            for oi in gold:
                s = similarity(old_texts[oi], new_texts[nj])
                if s >= SIMILAR_IN_PLACE:
                    pairs.append((-s, abs((oi - gold[0]) - (nj - gnew[0])), oi, nj))
        for _s, _d, oi, nj in sorted(pairs):
            if oi in used_old or nj in assigned:
                continue
            assigned[nj] = old.blocks[oi].id
            used_old.add(oi)

    # moves: identical text anywhere, then very similar
    free_old = [oi for oi in range(len(old.blocks)) if oi not in used_old]
    if free_old:
        by_text: dict[str, list[int]] = {}
        for oi in free_old:
            by_text.setdefault(old_texts[oi], []).append(oi)
        for nj in range(len(new.blocks)):
            if nj in assigned:
                continue
            candidates = by_text.get(new_texts[nj])
            if candidates:
                oi = candidates.pop(0)
                assigned[nj] = old.blocks[oi].id
                used_old.add(oi)
        free_old = [oi for oi in free_old if oi not in used_old]
        pairs = []
        for nj in range(len(new.blocks)):
            if nj in assigned:
                continue
            for oi in free_old:
                s = similarity(old_texts[oi], new_texts[nj])
                if s >= SIMILAR_MOVED:
                    pairs.append((-s, oi, nj))
        for _s, oi, nj in sorted(pairs):
            if oi in used_old or nj in assigned:
                continue
            assigned[nj] = old.blocks[oi].id
            used_old.add(oi)

    taken = set(assigned.values())
    old_ids = set(old.ids)
    blocks = []
    for nj, b in enumerate(new.blocks):
        bid = assigned.get(nj)
        if bid is None:
            bid = b.id if (b.id not in old_ids and b.id not in taken) else make_id()
            while bid in taken:
                bid = make_id()
            taken.add(bid)
        blocks.append(Block(bid, b.kind, b.text, b.level, b.marks, b.notes))
    return Document(tuple(blocks))
