"""Structured texts: a proposal's text as blocks with stable identifiers, and their line numbers.

Pure Python, no Django. A :class:`Document` is a sequence of :class:`Block` s (headings,
paragraphs, bulleted and numbered list items). Every block has an ``id`` that survives edits:
the redline, passages of amendments and consultation input all point at block ids, never at
positions in the whole text.

A block's text is *normalised*: no line breaks, single spaces between words, no leading or
trailing space. So a word is a run of non-space characters and words are separated by exactly
one space; offsets of marks (bold, italic) and notes (footnotes) are character offsets into that
normalised text.

Line numbers (for citing "line 112-118") come from :func:`number_lines`: a greedy word wrap at a
fixed number of characters, continuous over the document. The web page, the JSON view and the
PDF all draw exactly these lines, so the numbers are the same everywhere.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

DEFAULT_LINE_WIDTH = 80  # characters per line, labels and indents included
LIST_INDENT = 4  # characters per list level
MAX_LEVEL = 4


class TextError(ValueError):
    """A text that breaks the rules of a structured document."""


class Kind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"  # an item of a bulleted list
    NUMBERED = "numbered"  # an item of a numbered list


class Style(StrEnum):
    BOLD = "b"
    ITALIC = "i"


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """One line, single spaces, no space at either end."""
    return _SPACE.sub(" ", text).strip()


def new_block_id() -> str:
    return "b" + uuid.uuid4().hex[:11]


@dataclass(frozen=True, order=True)
class Mark:
    """Inline formatting over characters [start, end) of a block's text."""

    start: int
    end: int
    style: str

    def to_list(self) -> list:
        return [self.start, self.end, self.style]


@dataclass(frozen=True, order=True)
class Note:
    """A footnote; its reference stands right after character ``at`` - 1 of the block's text."""

    at: int
    text: str

    def to_list(self) -> list:
        return [self.at, self.text]


@dataclass(frozen=True)
class Block:
    id: str
    kind: Kind
    text: str
    level: int = 1  # heading level (1-4) or list nesting (1-4); 1 for paragraphs
    marks: tuple[Mark, ...] = ()
    notes: tuple[Note, ...] = ()

    def __post_init__(self) -> None:
        if not self.id:
            raise TextError("A block needs an id.")
        if not isinstance(self.kind, Kind):
            object.__setattr__(self, "kind", Kind(self.kind))
        if self.text != normalise(self.text):
            raise TextError(f"Block {self.id}: text is not normalised.")
        if not self.text:
            raise TextError(f"Block {self.id}: a block needs text.")
        if not 1 <= self.level <= MAX_LEVEL:
            raise TextError(f"Block {self.id}: level {self.level} is out of range.")
        n = len(self.text)
        for m in self.marks:
            if not (0 <= m.start < m.end <= n) or m.style not in (Style.BOLD, Style.ITALIC):
                raise TextError(f"Block {self.id}: mark {m} is out of range.")
        for note in self.notes:
            if not (0 <= note.at <= n) or not note.text:
                raise TextError(f"Block {self.id}: note {note} is out of range.")

    # --- the shape without the text (what a redline calls "format") --------------

    @property
    def attrs(self) -> tuple:
        return (self.kind, self.level, self.marks, self.notes)

    def words(self) -> list[str]:
        return self.text.split(" ")

    def to_dict(self) -> dict:
        d: dict = {"id": self.id, "kind": self.kind.value, "text": self.text}
        if self.level != 1:
            d["level"] = self.level
        if self.marks:
            d["marks"] = [m.to_list() for m in self.marks]
        if self.notes:
            d["notes"] = [n.to_list() for n in self.notes]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Block:
        return cls(
            id=d["id"],
            kind=Kind(d["kind"]),
            text=d["text"],
            level=int(d.get("level", 1)),
            marks=tuple(Mark(int(a), int(b), str(s)) for a, b, s in d.get("marks", ())),
            notes=tuple(Note(int(a), str(t)) for a, t in d.get("notes", ())),
        )


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.blocks, tuple):
            object.__setattr__(self, "blocks", tuple(self.blocks))
        index = {}
        for i, b in enumerate(self.blocks):
            if b.id in index:
                raise TextError(f"Block id {b.id} occurs twice.")
            index[b.id] = i
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._index

    def block(self, block_id: str) -> Block:
        try:
            return self.blocks[self._index[block_id]]
        except KeyError:
            raise TextError(f"No block {block_id}.") from None

    def position(self, block_id: str) -> int:
        return self._index[block_id]

    @property
    def ids(self) -> list[str]:
        return [b.id for b in self.blocks]

    def to_list(self) -> list[dict]:
        return [b.to_dict() for b in self.blocks]

    @classmethod
    def from_list(cls, data: Iterable[dict]) -> Document:
        return cls(tuple(Block.from_dict(d) for d in data))

    def word_count(self) -> int:
        return sum(b.text.count(" ") + 1 for b in self.blocks)


# --- words ------------------------------------------------------------------------


def word_starts(text: str) -> list[int]:
    """Character offset of each word of a normalised text."""
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == " ")
    return starts


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Characters [cs, ce) of words [start, end); an empty range sits before word ``start``."""
    starts = word_starts(text)
    n = len(starts)
    if not 0 <= start <= end <= n:
        raise TextError(f"Words {start}-{end} are out of range (the block has {n}).")
    cs = starts[start] if start < n else len(text)
    if end == start:
        return cs, cs
    last = starts[end - 1]
    space = text.find(" ", last)
    return cs, (len(text) if space == -1 else space)


def char_to_word(text: str, offset: int) -> int:
    """The index of the word a character offset falls in (or the word after a space)."""
    return text.count(" ", 0, offset)


# Tokens for word-level diffs: words, single punctuation marks and spaces, so that
# "100.000" and "100.000," differ by one token and joining the tokens gives the text back.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


# --- list labels -------------------------------------------------------------------


def list_labels(doc: Document) -> dict[str, str]:
    """The label of each list item: "1.", "2.", "a.", ... for numbered, "•" / "–" for bulleted.

    Numbering restarts after any block that is not a list item, and per nesting level.
    """
    labels: dict[str, str] = {}
    counters: list[int] = []
    for b in doc.blocks:
        if b.kind not in (Kind.BULLET, Kind.NUMBERED):
            counters = []
            continue
        while len(counters) < b.level:
            counters.append(0)
        del counters[b.level :]
        if b.kind == Kind.NUMBERED:
            counters[-1] += 1
            labels[b.id] = _number_label(counters[-1], b.level)
        else:
            labels[b.id] = "•" if b.level % 2 else "–"
    return labels


def _number_label(n: int, level: int) -> str:
    if level == 2:
        # a., b., ..., z., aa., ...
        s = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            s = chr(ord("a") + r) + s
        return s + "."
    if level == 3:
        return _roman(n) + "."
    return f"{n}."


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


# --- line numbers --------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One numbered line: characters [start, end) of one block's text."""

    number: int
    block_id: str
    start: int
    end: int
    indent: int  # characters of indent before the text (list items)
    label: str  # the list label, on the block's first line only

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "block": self.block_id,
            "start": self.start,
            "end": self.end,
            "indent": self.indent,
            "label": self.label,
        }


def indent_of(block: Block) -> int:
    return LIST_INDENT * block.level if block.kind in (Kind.BULLET, Kind.NUMBERED) else 0


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy wrap of a normalised text at ``width`` characters: (start, end) per line.

    A word longer than a line is cut into pieces of ``width`` characters.
    """
    width = max(1, width)
    if len(text) <= width:
        return [(0, len(text))] if text else []
    spans: list[tuple[int, int]] = []
    start = end = 0  # the current line, and the end of its last word (== start: empty)
    pos = 0
    for word in text.split(" "):
        word_end = pos + len(word)
        if end > start and word_end - start > width:
            spans.append((start, end))
            start = end = pos
        while word_end - start > width and end == start:
            spans.append((start, start + width))  # a word longer than a line: cut it
            start = end = start + width
        end = word_end
        pos = word_end + 1
    if end > start:
        spans.append((start, end))
    return spans


def number_lines(
    doc: Document, width: int = DEFAULT_LINE_WIDTH, first: int = 1
) -> tuple[Line, ...]:
    """All lines of the document, numbered from ``first``. Notes are not numbered."""
    labels = list_labels(doc)
    lines: list[Line] = []
    number = first
    for b in doc.blocks:
        indent = indent_of(b)
        for i, (s, e) in enumerate(wrap(b.text, width - indent)):
            lines.append(Line(number, b.id, s, e, indent, labels.get(b.id, "") if i == 0 else ""))
            number += 1
    return tuple(lines)


@dataclass(frozen=True)
class LineIndex:
    """Which lines each block occupies, for citing passages by line number."""

    lines: tuple[Line, ...]
    by_block: dict[str, tuple[int, int]]  # block id -> (first index, last index) into lines

    @classmethod
    def of(cls, lines: Sequence[Line]) -> LineIndex:
        by_block: dict[str, tuple[int, int]] = {}
        for i, line in enumerate(lines):
            first = by_block.get(line.block_id, (i, i))[0]
            by_block[line.block_id] = (first, i)
        return cls(tuple(lines), by_block)

    def block_lines(self, block_id: str) -> tuple[int, int] | None:
        span = self.by_block.get(block_id)
        if span is None:
            return None
        return self.lines[span[0]].number, self.lines[span[1]].number

    def chars_lines(self, block_id: str, start: int, end: int) -> tuple[int, int] | None:
        """Line numbers of characters [start, end) of a block (an empty range: its line)."""
        span = self.by_block.get(block_id)
        if span is None:
            return None
        first = last = None
        for line in self.lines[span[0] : span[1] + 1]:
            hit = (line.start <= start < line.end) or (
                start == end and line.start <= start <= line.end
            )
            if first is None and (hit or line.end > start):
                first = line.number
            if line.start < max(end, start + 1):
                last = line.number
        first = first if first is not None else self.lines[span[1]].number
        last = last if last is not None and last >= first else first
        return first, last


def cite(lines: tuple[int, int] | None) -> str:
    """ "line 12" or "lines 12-18" (interface text is translated by the caller's template)."""
    if lines is None:
        return ""
    a, b = lines
    return f"{a}" if a == b else f"{a}-{b}"


# --- inline segments (what a renderer draws) ---------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    bold: bool = False
    italic: bool = False
    note: int | None = None  # a note reference: the note's number in the document


def segments(
    block: Block, start: int, end: int, note_numbers: dict[tuple[str, int], int] | None = None
) -> list[Segment]:
    """Characters [start, end) of a block as runs of equal formatting, with note references.

    A note's reference follows the character before it, so it is drawn on the line holding that
    character (a reference after the space at a line break stays on the earlier line).
    ``note_numbers`` maps (block id, note index) to the note's number in the document.
    """
    text = block.text
    refs: dict[int, list[int]] = {}
    for i, note in enumerate(block.notes):
        at = note.at
        owned = (
            start < at <= end
            or (at == end + 1 and end < len(text) and text[end] == " ")
            or (at == 0 and start == 0)
        )
        if owned:
            number = (note_numbers or {}).get((block.id, i), i + 1)
            refs.setdefault(min(at, end), []).append(number)
    cuts = {start, end, *refs}
    for m in block.marks:
        cuts.update(c for c in (m.start, m.end) if start < c < end)
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in itertools.pairwise(points):
        out.extend(Segment("", note=x) for x in refs.get(a, ()))
        bold = any(m.start <= a and b <= m.end and m.style == Style.BOLD for m in block.marks)
        italic = any(m.start <= a and b <= m.end and m.style == Style.ITALIC for m in block.marks)
        out.append(Segment(text[a:b], bold, italic))
    out.extend(Segment("", note=x) for x in refs.get(end, ()))
    return out


def note_numbers(doc: Document) -> dict[tuple[str, int], int]:
    """Notes are numbered 1, 2, 3, ... through the document."""
    numbers: dict[tuple[str, int], int] = {}
    n = 0
    for b in doc.blocks:
        for i in range(len(b.notes)):
            n += 1
            numbers[(b.id, i)] = n
    return numbers


# --- plain text and Markdown ----------------------------------------------------------------


def _line(b: Block, text: str, marker: str, indent: str) -> str:
    """A block as one line: a heading behind its "#"s, a list item indented behind its
    marker."""
    if b.kind == Kind.HEADING:
        return "#" * b.level + " " + text
    if b.kind in (Kind.BULLET, Kind.NUMBERED):
        return indent * (b.level - 1) + marker + " " + text
    return text


def _join(lines: list[tuple[Block, str]]) -> str:
    """The blocks' lines, a blank line between two blocks but not between two list items."""
    parts: list[str] = []
    previous: Block | None = None
    for b, line in lines:
        tight = (
            previous is not None
            and previous.kind in (Kind.BULLET, Kind.NUMBERED)
            and b.kind in (Kind.BULLET, Kind.NUMBERED)
        )
        if parts:
            parts.append("\n" if tight else "\n\n")
        parts.append(line)
        previous = b
    return "".join(parts)


def to_plain_text(doc: Document) -> str:
    """The text as plain text (the proposal's text mirror): Markdown-like, without formatting.

    Headings start with "#" per level, list items with their label; notes follow at the end.
    """
    labels = list_labels(doc)
    lines: list[tuple[Block, str]] = []
    notes: list[str] = []
    numbers = note_numbers(doc)
    for b in doc.blocks:
        marker = "-" if b.kind == Kind.BULLET else labels.get(b.id, "")
        lines.append((b, _line(b, b.text, marker, "   ")))
        for i, note in enumerate(b.notes):
            notes.append(f"[{numbers[(b.id, i)]}] {note.text}")
    text = _join(lines)
    if notes:
        text += "\n\n---\n\n" + "\n".join(notes)
    return text + ("\n" if lines else "")


_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>#~|&!])")
_MD_LINE_START = re.compile(r"^(\d+)([.)])(?= |$)|^([-+=])(?= |$)")


def _md_escape(text: str, line_start: bool = False) -> str:
    """Escape what Markdown would read as markup; at a line start also list and rule markers."""
    text = _MD_ESCAPE.sub(r"\\\1", text)
    if line_start:
        text = _MD_LINE_START.sub(
            lambda m: "\\" + m.group(3) if m.group(3) else m.group(1) + "\\" + m.group(2), text
        )
    return text


def _md_inline(block: Block, note_refs: dict[int, str]) -> str:
    """A block's text with **bold**, *italic* and [^n] note references."""
    cuts = {0, len(block.text)}
    for m in block.marks:
        cuts.update((m.start, m.end))
    for note in block.notes:
        cuts.add(note.at)
    points = sorted(cuts)
    out: list[str] = []
    notes_at: dict[int, list[int]] = {}
    for i, note in enumerate(block.notes):
        notes_at.setdefault(note.at, []).append(i)
    for a, b in itertools.pairwise(points):
        for i in notes_at.get(a, []) if a > 0 else []:
            out.append(f"[^{note_refs[i]}]")
        piece = block.text[a:b]
        bold = any(m.start <= a and b <= m.end and m.style == Style.BOLD for m in block.marks)
        italic = any(m.start <= a and b <= m.end and m.style == Style.ITALIC for m in block.marks)
        out.append(_wrap_emphasis(_md_escape(piece, line_start=a == 0), bold, italic))
    for i in notes_at.get(len(block.text), []):
        out.append(f"[^{note_refs[i]}]")
    for i in notes_at.get(0, []) if len(block.text) else []:
        out.insert(0, f"[^{note_refs[i]}]")
    return "".join(out)


def _wrap_emphasis(piece: str, bold: bool, italic: bool) -> str:
    if not (bold or italic) or not piece.strip():
        return piece
    # Emphasis markers must touch the words: keep outer spaces outside.
    lead = piece[: len(piece) - len(piece.lstrip(" "))]
    trail = piece[len(piece.rstrip(" ")) :]
    core = piece.strip(" ")
    if italic:
        core = f"*{core}*"
    if bold:
        core = f"**{core}**"
    return lead + core + trail


def to_markdown(doc: Document) -> str:
    """The document as Markdown (for editing a draft); :func:`from_markdown` reads it back."""
    lines: list[tuple[Block, str]] = []
    notes: list[str] = []
    n = 0
    for b in doc.blocks:
        refs = {}
        for i, note in enumerate(b.notes):
            n += 1
            refs[i] = str(n)
            notes.append(f"[^{n}]: {_md_escape(note.text)}")
        marker = "-" if b.kind == Kind.BULLET else "1."
        lines.append((b, _line(b, _md_inline(b, refs), marker, "    ")))
    text = _join(lines)
    if notes:
        text += "\n\n" + "\n\n".join(notes)
    return text + ("\n" if lines else "")


# --- building blocks from formatted runs ---------------------------------------------------


class BlockBuilder:
    """Collects runs of text with formatting and notes; builds a normalised block.

    Importers feed it runs as they come (with arbitrary whitespace); offsets of marks and notes
    are kept right while the whitespace is normalised.
    """

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.styles: list[frozenset[str]] = []
        self.notes: list[tuple[int, str]] = []

    def add(self, text: str, *, bold: bool = False, italic: bool = False) -> None:
        style = frozenset(s for s, on in ((Style.BOLD, bold), (Style.ITALIC, italic)) if on)
        for c in text:
            if c.isspace():
                if not self.chars or self.chars[-1] == " ":
                    continue
                c = " "
            self.chars.append(c)
            self.styles.append(style if c != " " else frozenset())

    def note(self, text: str) -> None:
        text = normalise(text)
        if text:
            self.notes.append((len(self.chars), text))

    def build(self, block_id: str, kind: Kind, level: int = 1) -> Block | None:
        chars, styles = self.chars, self.styles
        # strip a trailing space (a leading one never gets in)
        while chars and chars[-1] == " ":
            chars.pop()
            styles.pop()
        text = "".join(chars)
        if not text:
            return None
        n = len(text)
        marks: list[Mark] = []
        for style in (Style.BOLD, Style.ITALIC):
            start = None
            for i in range(n + 1):
                on = i < n and (
                    style in styles[i]
                    or (
                        chars[i] == " "
                        and start is not None
                        and i + 1 < n
                        and style in styles[i + 1]
                    )
                )
                if on and start is None:
                    start = i
                elif not on and start is not None:
                    marks.append(Mark(start, i, style))
                    start = None
        notes = tuple(Note(min(at, n), t) for at, t in self.notes)
        return Block(
            block_id, kind, text, max(1, min(MAX_LEVEL, level)), tuple(sorted(marks)), notes
        )


def with_ids(blocks: Iterable[Block], ids: Iterable[str]) -> tuple[Block, ...]:
    return tuple(replace(b, id=i) for b, i in zip(blocks, ids, strict=True))
