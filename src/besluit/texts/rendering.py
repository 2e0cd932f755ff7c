"""HTML for structured texts and redlines: the same lines as ``core.texts.number_lines``.

Inline HTML is built here from escaped text and a few tags (strong, em, sup, ins, del, span),
then passed through nh3 (a maintained sanitiser, Rust's ammonia) with exactly those tags
allowed, so that nothing a draft contains can ever become markup on a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from besluit.core import redline as cr
from besluit.core import texts as ct

ALLOWED_TAGS = {"strong", "em", "sup", "ins", "del", "span"}
ALLOWED_ATTRIBUTES = {"span": {"class"}, "sup": {"class"}}


def clean(html: str) -> SafeString:
    return mark_safe(
        nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    )


def segments_html(segs: list[ct.Segment]) -> str:
    out = []
    for s in segs:
        if s.note is not None:
            out.append(f'<sup class="texts-noteref">{s.note}</sup>')
            continue
        t = escape(s.text)
        if s.italic:
            t = f"<em>{t}</em>"
        if s.bold:
            t = f"<strong>{t}</strong>"
        out.append(t)
    return "".join(out)


@dataclass
class LineView:
    number: int
    html: SafeString
    label: str
    indent: int


@dataclass
class BlockView:
    block: ct.Block
    lines: list[LineView]
    label: str  # list label
    first: int
    last: int
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.block.id

    @property
    def kind(self) -> str:
        return self.block.kind.value

    @property
    def heading_tag(self) -> str:
        return f"h{min(6, self.block.level + 2)}"

    @property
    def cite(self) -> str:
        return ct.cite((self.first, self.last))

    @property
    def is_item(self) -> bool:
        return self.block.kind in (ct.Kind.BULLET, ct.Kind.NUMBERED)


def block_views(document: ct.Document, line_width: int) -> list[BlockView]:
    """Per block: its lines (number, HTML), list label, notes."""
    numbers = ct.note_numbers(document)
    lines = ct.number_lines(document, line_width)
    views: list[BlockView] = []
    by_id: dict[str, BlockView] = {}
    labels = ct.list_labels(document)
    for line in lines:
        block = document.block(line.block_id)
        view = by_id.get(block.id)
        if view is None:
            view = BlockView(block, [], labels.get(block.id, ""), line.number, line.number)
            view.notes = [(numbers[(block.id, i)], n.text) for i, n in enumerate(block.notes)]
            by_id[block.id] = view
            views.append(view)
        html = clean(segments_html(ct.segments(block, line.start, line.end, numbers)))
        view.lines.append(LineView(line.number, html, line.label, line.indent))
        view.last = line.number
    return views


def lines_json(document: ct.Document, line_width: int) -> list[dict]:
    """The lines as the JSON view gives them: number, block, character range, text."""
    out = []
    for line in ct.number_lines(document, line_width):
        block = document.block(line.block_id)
        d = line.to_dict()
        d["text"] = block.text[line.start : line.end]
        out.append(d)
    return out


# --- redline -------------------------------------------------------------------------------------


def pieces_html(pieces: tuple[cr.Piece, ...]) -> SafeString:
    added, removed = escape(_("added:")), escape(_("removed:"))
    end = escape(_("(end)"))
    out = []
    for p in pieces:
        if p.op == cr.EQUAL or not p.text.strip():
            out.append(escape(p.text))
            continue
        # spaces around a change stay outside the mark-up
        lead = p.text[: len(p.text) - len(p.text.lstrip())]
        trail = p.text[len(p.text.rstrip()) :]
        t = escape(p.text.strip())
        tag, word = ("ins", added) if p.op == cr.INSERT else ("del", removed)
        out.append(
            f'{lead}<{tag}><span class="visually-hidden">[{word} </span>{t}'
            f'<span class="visually-hidden"> {end}]</span></{tag}>{trail}'
        )
    return clean("".join(out))


@dataclass
class DiffView:
    item: cr.BlockDiff
    html: SafeString
    lines: str  # cite in the version it stands in
    old_lines: str
    moved_lines: str = ""  # a moved-away stub: where it went
    reasons: list = field(default_factory=list)  # ConsultationInput rows
    amendments: list = field(default_factory=list)  # Amendment rows (adopted text)

    @property
    def status(self) -> str:
        return self.item.status.value

    @property
    def heading(self) -> bool:
        return self.item.kind == ct.Kind.HEADING


def diff_views(
    old: ct.Document, new: ct.Document, old_width: int, new_width: int
) -> tuple[cr.Redline, list[DiffView]]:
    rl = cr.redline(old, new)
    new_index = ct.LineIndex.of(ct.number_lines(new, new_width))
    old_index = ct.LineIndex.of(ct.number_lines(old, old_width))
    views = []
    for item in rl.items:
        lines = ct.cite(new_index.block_lines(item.block_id)) if item.on_new_side else ""
        old_lines = ct.cite(old_index.block_lines(item.block_id)) if item.block_id in old else ""
        moved = ""
        if item.status == cr.Status.MOVED_AWAY:
            moved = ct.cite(new_index.block_lines(item.block_id))
        # unchanged paragraphs are not shown: no need to build their HTML
        html = pieces_html(item.pieces) if item.is_change else mark_safe("")
        views.append(DiffView(item, html, lines, old_lines, moved))
    return rl, views
