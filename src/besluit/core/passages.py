"""Passages of a structured text, and amendments that change them.

Pure Python, no Django.

A :class:`Passage` is characters [start, end) of one block of one version (block ids are
stable, see core.texts), beginning and ending on token boundaries: a passage holds whole words
and punctuation marks, so "woningbouwimpuls" can be cited without the comma that follows it. An
empty passage (start == end) is a point between two tokens: an amendment there only inserts.
A :class:`Change` is what an amendment does to its passage: replace the old words by the new
text. The new text may hold paragraph breaks (a blank line): the paragraph is
then split, and the new paragraphs get ids derived from the amendment's key.

- :func:`rebase` carries a change onto a newer version: unchanged where the passage was not
  touched, flagged as a conflict where it was.
- :func:`collisions` finds changes that touch the same words (or insert at the same point):
  the meeting has to choose between them, so they cannot both be merged.
- :func:`voting_order` puts changes in the order of the text, and within a group of colliding
  changes the farthest-reaching first (the chair may fix another order).
- :func:`merge` applies non-colliding changes to a version. Each change splices its own
  passage; the rest of the text is never rewritten, and the result does not depend on the order
  in which the changes are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from besluit.core.messages import Message, gettext_noop
from besluit.core.redline import DELETE, INSERT, diff_sequences, equal_spans
from besluit.core.texts import (
    Block,
    Document,
    Kind,
    Mark,
    Note,
    TextError,
    normalise,
)


class PassageError(TextError):
    """A passage that does not fit the text. ``text`` is the message apart from its values,
    for the Django layer to translate (core.messages); ``str()`` is the English."""

    def __init__(self, template: str, **params) -> None:
        self.text = Message(template, params)
        super().__init__(str(self.text))


@dataclass(frozen=True, order=True)
class Passage:
    block_id: str
    start: int  # character offset of the first token
    end: int  # after the last token; == start for an insertion point

    @property
    def is_point(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Change:
    key: str  # the amendment's identifier, e.g. its number
    passage: Passage
    old_text: str
    new_text: str

    def paragraphs(self) -> list[str]:
        return [p for p in (normalise(x) for x in self.new_text.split("\n\n")) if p] or []


def passage_text(doc: Document, passage: Passage) -> str:
    return doc.block(passage.block_id).text[passage.start : passage.end]


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def is_boundary(text: str, pos: int) -> bool:
    """Does a token (word, punctuation mark or space) begin or end at ``pos``?"""
    if pos <= 0 or pos >= len(text):
        return 0 <= pos <= len(text)
    return not (_is_word(text[pos - 1]) and _is_word(text[pos]))


def find_words(text: str, words: str) -> list[int]:
    """Character offsets where ``words`` (normalised) occurs in ``text`` on token boundaries."""
    words = normalise(words)
    if not words:
        return []
    out = []
    pos = text.find(words)
    while pos != -1:
        if is_boundary(text, pos) and is_boundary(text, pos + len(words)):
            out.append(pos)
        pos = text.find(words, pos + 1)
    return out


def resolve(doc: Document, block_id: str, old_text: str, occurrence: int = 0) -> Passage:
    """The passage of ``block_id`` that reads ``old_text`` (its ``occurrence``-th one)."""
    if block_id not in doc:
        raise PassageError(gettext_noop("That paragraph is not in this version."))
    block = doc.block(block_id)
    words = normalise(old_text)
    if not words:
        raise PassageError(gettext_noop("Give the words the amendment changes."))
    hits = find_words(block.text, words)
    if not hits:
        raise PassageError(
            gettext_noop("These words do not occur in the paragraph; copy them exactly.")
        )
    if occurrence >= len(hits):
        raise PassageError(
            gettext_noop("These words occur %(count)s time(s) in the paragraph."), count=len(hits)
        )
    return Passage(block_id, hits[occurrence], hits[occurrence] + len(words))


def point(doc: Document, block_id: str, offset: int) -> Passage:
    """An insertion point in a block (on a token boundary)."""
    if block_id not in doc:
        raise PassageError(gettext_noop("That paragraph is not in this version."))
    if not is_boundary(doc.block(block_id).text, offset):
        raise PassageError(gettext_noop("An insertion point must lie between two words."))
    return Passage(block_id, offset, offset)


def check(doc: Document, change: Change) -> None:
    """Raise PassageError unless the change's old words are what its passage holds now."""
    if change.passage.block_id not in doc:
        raise PassageError(
            gettext_noop("Amendment %(key)s: its paragraph is not in this version."),
            key=change.key,
        )
    text = doc.block(change.passage.block_id).text
    p = change.passage
    if not (0 <= p.start <= p.end <= len(text)) or not (
        is_boundary(text, p.start) and is_boundary(text, p.end)
    ):
        raise PassageError(
            gettext_noop("Amendment %(key)s: the passage does not fit the paragraph."),
            key=change.key,
        )
    if text[p.start : p.end] != normalise(change.old_text):
        raise PassageError(
            gettext_noop("Amendment %(key)s: the passage no longer reads as the old text."),
            key=change.key,
        )


# --- rebase onto a newer version ----------------------------------------------------------


class RebaseStatus(StrEnum):
    UNCHANGED = "unchanged"  # the passage is where it was, words and all
    REBASED = "rebased"  # the passage is unchanged, but the words around it or its place moved
    CONFLICT = "conflict"  # the passage itself changed (or is gone): the submitter must look


@dataclass(frozen=True)
class RebaseResult:
    key: str
    status: RebaseStatus
    change: Change | None  # on the new version; None for a conflict
    reason: str = ""


@dataclass
class _BlockMap:
    """Per-block word alignment between two versions, computed once for many changes."""

    old: Document
    new: Document
    spans: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def equal_spans(self, block_id: str) -> list[tuple[int, int, int]]:
        if block_id not in self.spans:
            self.spans[block_id] = equal_spans(
                self.old.block(block_id).text, self.new.block(block_id).text
            )
        return self.spans[block_id]


def rebase(change: Change, old: Document, new: Document) -> RebaseResult:
    return rebase_all([change], old, new)[0]


def rebase_all(changes: Iterable[Change], old: Document, new: Document) -> list[RebaseResult]:
    bmap = _BlockMap(old, new)
    return [_rebase_one(c, bmap) for c in changes]


def _rebase_one(change: Change, bmap: _BlockMap) -> RebaseResult:
    """Where is the passage in the new version, if it is unchanged?

    The word alignment of the paragraph's two versions (a raw diff, without cleanup) says where
    unchanged text went. A passage is carried over when it lies inside one unchanged stretch
    *and* its place is unambiguous: its words occur once in the new paragraph, or its words
    with one neighbouring word on either side do. An insertion point needs its two neighbouring
    words, once. When the paragraph is gone or the passage changed, the words with their
    neighbours may still stand once elsewhere (a paragraph was split or merged). Anything else
    is a conflict: the submitter has to look.
    """
    old, new = bmap.old, bmap.new
    p = change.passage
    try:
        check(old, change)
    except PassageError as exc:
        return RebaseResult(change.key, RebaseStatus.CONFLICT, None, str(exc))
    ob = old.block(p.block_id)
    context, offset = _context(ob.text, p)

    if p.block_id in new:
        nb = new.block(p.block_id)
        if nb.text == ob.text:
            return RebaseResult(change.key, RebaseStatus.UNCHANGED, change)
        aligned = None
        for os_, oe, ns in bmap.equal_spans(p.block_id):
            if _inside(p.start, p.end, os_, oe, ns, len(ob.text), len(nb.text)):
                ncs, nce = ns + (p.start - os_), ns + (p.end - os_)
                if is_boundary(nb.text, ncs) and is_boundary(nb.text, nce):
                    aligned = (ncs, nce)
                break
        ctx_hits = find_words(nb.text, context)
        if aligned is not None:
            if not p.is_point and len(find_words(nb.text, change.old_text)) == 1:
                return _moved_to(change, p.block_id, aligned)
            if ctx_hits == [aligned[0] - offset]:
                return _moved_to(change, p.block_id, aligned)
        if len(ctx_hits) == 1:
            at = ctx_hits[0] + offset
            return _moved_to(change, p.block_id, (at, at + len(normalise(change.old_text))))
        if aligned is not None:
            reason = "The words of the passage occur more than once and the text around it changed."
        else:
            reason = "The passage was changed in the new version."
    else:
        reason = "The paragraph of the passage was removed in the new version."
    # The passage with its neighbouring words, once anywhere in the new version.
    hits = [(b.id, h) for b in new.blocks for h in find_words(b.text, context)]
    if len(hits) == 1:
        bid, at = hits[0]
        at += offset
        return _moved_to(change, bid, (at, at + len(normalise(change.old_text))))
    return RebaseResult(change.key, RebaseStatus.CONFLICT, None, reason)


def _context(text: str, p: Passage) -> tuple[str, int]:
    """The passage with one word on either side (within its paragraph), and the passage's offset
    in it."""
    left = text.rfind(" ", 0, max(0, p.start - 1)) + 1 if p.start > 0 else 0
    right = text.find(" ", p.end + 1) if p.end < len(text) else len(text)
    right = len(text) if right == -1 else right
    return text[left:right], p.start - left


def _inside(cs: int, ce: int, os_: int, oe: int, ns: int, old_len: int, new_len: int) -> bool:
    """Do characters [cs, ce) (or the point cs) lie in the unchanged stretch [os_, oe)?"""
    if ce > cs:
        return os_ <= cs and ce <= oe
    if os_ < cs < oe:
        return True
    if cs == 0 and os_ == 0 and ns == 0 and oe > 0:
        return True  # at the start of a paragraph whose beginning is unchanged
    return cs == oe == old_len and oe > os_ and ns + (oe - os_) == new_len


def _moved_to(change: Change, block_id: str, words: tuple[int, int]) -> RebaseResult:
    passage = Passage(block_id, *words)
    status = RebaseStatus.UNCHANGED if passage == change.passage else RebaseStatus.REBASED
    return RebaseResult(change.key, status, replace(change, passage=passage))


# --- collisions and voting order -----------------------------------------------------------------


def collide(a: Passage, b: Passage) -> bool:
    """Do two passages touch the same words (or insert at the same point)?"""
    if a.block_id != b.block_id:
        return False
    if a.is_point and b.is_point:
        return a.start == b.start
    if a.is_point:
        return b.start <= a.start <= b.end
    if b.is_point:
        return a.start <= b.start <= a.end
    return a.start < b.end and b.start < a.end


def collisions(changes: Sequence[Change]) -> list[tuple[str, str]]:
    """Pairs of keys of changes that collide, in text order."""
    by_block: dict[str, list[Change]] = {}
    for c in changes:
        by_block.setdefault(c.passage.block_id, []).append(c)
    pairs = []
    for group in by_block.values():
        group = sorted(group, key=lambda c: (c.passage.start, c.passage.end, c.key))
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b.passage.start > a.passage.end:
                    break
                if collide(a.passage, b.passage):
                    pairs.append((a.key, b.key))
    return pairs


def collision_groups(changes: Sequence[Change]) -> list[list[str]]:
    """Keys of changes that must be decided together (connected by collisions)."""
    parent = {c.key: c.key for c in changes}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in collisions(changes):
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for c in changes:
        groups.setdefault(find(c.key), []).append(c.key)
    return [g for g in groups.values() if len(g) > 1]


def reach(change: Change) -> tuple[int, int]:
    """How far a change reaches: words it removes plus words it adds, then the words it covers.

    The meeting votes the farthest-reaching of colliding amendments first: if that one is
    adopted, the others lapse.
    """
    old_words = normalise(change.old_text).split(" ") if change.old_text.strip() else []
    new_words = normalise(change.new_text).split(" ") if change.new_text.strip() else []
    changed = sum(
        len(toks)
        for op, toks in diff_sequences(old_words, new_words, semantic=False)
        if op in (INSERT, DELETE)
    )
    return changed, len(old_words)


def voting_order(
    changes: Sequence[Change],
    doc: Document,
    fixed: dict[str, int] | None = None,
) -> list[str]:
    """Keys in voting order.

    Groups (a single change, or colliding changes together) follow the text; inside a group the
    farthest-reaching change comes first. ``fixed`` (key -> position) is the chair's own order:
    changes with a position come in that order, before those without.
    """
    fixed = fixed or {}
    by_key = {c.key: c for c in changes}
    group_of: dict[str, int] = {}
    for gi, group in enumerate(collision_groups(changes)):
        for k in group:
            group_of[k] = gi

    def text_pos(c: Change) -> tuple[int, int, int]:
        pos = doc.position(c.passage.block_id) if c.passage.block_id in doc else 1 << 30
        return pos, c.passage.start, c.passage.end

    groups: dict[object, list[Change]] = {}
    for c in changes:
        groups.setdefault(group_of.get(c.key, ("single", c.key)), []).append(c)
    ordered_groups = sorted(groups.values(), key=lambda g: min(text_pos(c) for c in g))
    natural: list[str] = []
    for g in ordered_groups:
        g.sort(key=lambda c: (tuple(-x for x in reach(c)), text_pos(c), _key_order(c.key)))
        natural.extend(c.key for c in g)
    if not fixed:
        return natural
    with_pos = sorted(
        (k for k in natural if k in fixed), key=lambda k: (fixed[k], natural.index(k))
    )
    return with_pos + [k for k in natural if k not in fixed and k in by_key]


def _key_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


# --- merge ---------------------------------------------------------------------------------------


class CollisionError(PassageError):
    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs
        text = ", ".join(f"{a} and {b}" for a, b in pairs)
        super().__init__(f"Amendments {text} change the same words; they cannot both be merged.")


@dataclass(frozen=True)
class MergeResult:
    document: Document
    provenance: dict[str, tuple[str, ...]]  # block id -> keys of the changes in that block


def merge(doc: Document, changes: Iterable[Change]) -> MergeResult:
    """Apply changes (all on ``doc``) that do not collide. Order of ``changes`` is irrelevant."""
    changes = sorted(changes, key=lambda c: (c.passage, c.key))
    pairs = collisions(changes)
    if pairs:
        raise CollisionError(pairs)
    for c in changes:
        check(doc, c)
    by_block: dict[str, list[Change]] = {}
    for c in changes:
        by_block.setdefault(c.passage.block_id, []).append(c)
    blocks: list[Block] = []
    provenance: dict[str, tuple[str, ...]] = {}
    for b in doc.blocks:
        mine = by_block.get(b.id)
        if not mine:
            blocks.append(b)
            continue
        keys = tuple(c.key for c in sorted(mine, key=lambda c: _key_order(c.key)))
        for nb in _apply_to_block(b, mine):
            blocks.append(nb)
            provenance[nb.id] = keys
    return MergeResult(Document(tuple(blocks)), provenance)


CLOSING = ",.;:!?)]}'\u201d\u2019%"


def _apply_to_block(block: Block, changes: list[Change]) -> list[Block]:
    """Splice each change's new text into the block, right to left so offsets stay valid.

    Spaces around the new text follow the words around it: no double spaces where words were
    deleted, no space before a comma. A paragraph break in a new text splits the block: the
    part before keeps the block's id, the parts after get ``<block id>~<key>.<n>``.
    """
    text = block.text
    marks = list(block.marks)
    notes = list(block.notes)
    splits: list[tuple[int, str]] = []  # (offset of the space that breaks, id of the part after)
    for c in sorted(changes, key=lambda c: c.passage.start, reverse=True):
        cs, ce = c.passage.start, c.passage.end
        paragraphs = c.paragraphs()
        joined = " ".join(paragraphs)
        before = text[cs - 1] if cs > 0 else ""
        after = text[ce] if ce < len(text) else ""
        pre = post = ""
        if not joined:
            # a deletion: drop one of the spaces that would meet, or the space before a comma
            if before == " " and (after == " " or not after or after in CLOSING):
                cs -= 1
            elif not before and after == " ":
                ce += 1
        else:
            if before and before != " " and joined[0] not in CLOSING:
                pre = " "
            if after and after != " " and after not in CLOSING:
                post = " "
        replacement = pre + joined + post
        delta = len(replacement) - (ce - cs)
        text = text[:cs] + replacement + text[ce:]
        marks = _shift_marks(marks, cs, ce, delta)
        notes = _shift_notes(notes, cs, ce, delta, cs + len(pre) + len(joined))
        splits = [(at + delta if at >= ce else at, sid) for at, sid in splits]
        pos = cs + len(pre)
        for n, para in enumerate(paragraphs[:-1], start=1):
            pos += len(para)
            splits.append((pos, f"{block.id}~{c.key}.{n}"))
            pos += 1
    return _split(block, text, marks, notes, splits)


def _shift_marks(marks: list[Mark], cs: int, ce: int, delta: int) -> list[Mark]:
    out = []
    for m in marks:
        if m.end <= cs:
            out.append(m)
        elif m.start >= ce:
            out.append(Mark(m.start + delta, m.end + delta, m.style))
        else:
            # the mark overlaps the replaced words: keep the parts outside them
            if m.start < cs:
                out.append(Mark(m.start, cs, m.style))
            if m.end > ce:
                out.append(Mark(ce + delta, m.end + delta, m.style))
    return out


def _shift_notes(notes: list[Note], cs: int, ce: int, delta: int, new_end: int) -> list[Note]:
    out = []
    for n in notes:
        if n.at <= cs:
            out.append(n)
        elif n.at >= ce:
            out.append(Note(n.at + delta, n.text))
        else:
            out.append(Note(new_end, n.text))  # a note inside replaced words follows the new text
    return out


def _split(
    block: Block, text: str, marks: list[Mark], notes: list[Note], splits: list[tuple[int, str]]
) -> list[Block]:
    """The block's new text as one or more blocks (split at the given spaces)."""
    ranges: list[tuple[str, int, int]] = []
    start, current = 0, block.id
    for at, sid in sorted(splits):
        ranges.append((current, start, at))
        start, current = at + 1, sid
    ranges.append((current, start, len(text)))
    out = []
    placed: set[int] = set()
    for i, (bid, a, b) in enumerate(ranges):
        piece = text[a:b]
        if piece != piece.strip(" "):
            lead = len(piece) - len(piece.lstrip(" "))
            a, piece = a + lead, piece.strip(" ")
            b = a + len(piece)
        if not piece:
            continue
        last = i == len(ranges) - 1
        pm = tuple(
            sorted(
                Mark(max(m.start, a) - a, min(m.end, b) - a, m.style)
                for m in marks
                if min(m.end, b) > max(m.start, a)
            )
        )
        pn = []
        for k, n in enumerate(notes):
            if k not in placed and (n.at <= b or last):
                placed.add(k)
                pn.append(Note(min(max(n.at - a, 0), len(piece)), n.text))
        # a heading split by an amendment: the parts after are paragraphs
        kind = block.kind if i == 0 or block.kind != Kind.HEADING else Kind.PARAGRAPH
        out.append(Block(bid, kind, piece, block.level if kind == block.kind else 1, pm, tuple(pn)))
    return out
