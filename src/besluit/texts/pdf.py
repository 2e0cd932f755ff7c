"""PDFs with ReportLab: the meeting book, the decision list and a redline of two versions.

ReportLab was chosen because it installs from PyPI alone (wheels, no system libraries such as
Pango that WeasyPrint needs) and has what a meeting book needs: a table of contents with page
numbers (multi-pass build), bookmarks, page headers and footers, embedded fonts. The open-source
ReportLab does not write *tagged* PDF (structure tree); what it can do for accessibility is done:
document language, title shown in the viewer's title bar, bookmarks for every heading, embedded
Unicode fonts (so text can be extracted and read aloud), real text, no text as images.

Everything here works on plain data (the dataclasses below), not on models: ``texts.books``
gathers the data from the database, the benchmark makes it up. Line-numbered texts are drawn
line by line from ``core.texts.number_lines``: the same lines, with the same numbers, as the web
page and the JSON view.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import reportlab
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    IndexingFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from besluit.core import redline as cr
from besluit.core import texts as ct

FONT = "BesluitSans"
PAGE_W, PAGE_H = A4
MARGIN_X = 22 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
TEXT_SIZE = 9.6
LEADING = 13.2
GUTTER = 11 * mm  # room for line numbers
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#154273")
INSERTED = colors.HexColor("#0b6b2b")
DELETED = colors.HexColor("#a4121b")

_fonts_registered = False


def register_fonts() -> None:
    """Bitstream Vera (shipped with ReportLab): embedded, Unicode, covers Dutch diacritics."""
    global _fonts_registered
    if _fonts_registered:
        return
    base = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(base, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Bold", os.path.join(base, "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Italic", os.path.join(base, "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-BoldItalic", os.path.join(base, "VeraBI.ttf")))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=FONT + "-Bold",
        italic=FONT + "-Italic",
        boldItalic=FONT + "-BoldItalic",
    )
    _fonts_registered = True


def font_for(bold: bool, italic: bool) -> str:
    if bold and italic:
        return FONT + "-BoldItalic"
    if bold:
        return FONT + "-Bold"
    if italic:
        return FONT + "-Italic"
    return FONT


# --- data ----------------------------------------------------------------------------------


@dataclass
class Branding:
    name: str
    short_name: str = ""
    logo: bytes | None = None
    sender: str = ""
    signature: str = ""


@dataclass
class NumberedText:
    document: ct.Document
    line_width: int
    label: str = ""


@dataclass
class AmendmentData:
    number: int
    title: str  # "Amendement Domveste c.s."
    submitters: str
    lines: str  # "112-118"
    passage: str
    old_text: str
    new_text: str
    explanation: str = ""
    pre_advice: str = ""
    pre_advice_reason: str = ""
    status: str = ""
    note: str = ""  # collisions, voting order, lapses


@dataclass
class MotionData:
    number: int
    title: str
    heading: str  # "Motie Kwelderoog c.s."
    submitters: str
    considerations: str
    request: str
    explanation: str = ""
    pre_advice: str = ""
    pre_advice_reason: str = ""
    status: str = ""


@dataclass
class DecisionData:
    subject: str
    method: str
    outcome: str
    text: str
    shares: list[tuple[str, str]] = field(default_factory=list)  # (label, "62,10%")
    turnout: str = ""


@dataclass
class ItemData:
    number: str
    title: str
    requested_decision: str = ""
    explanation: str = ""
    attachments: list[str] = field(default_factory=list)
    proposal_title: str = ""
    text: NumberedText | None = None
    amendments: list[AmendmentData] = field(default_factory=list)
    motions: list[MotionData] = field(default_factory=list)
    decisions: list[DecisionData] = field(default_factory=list)


@dataclass
class BookData:
    branding: Branding
    meeting_title: str
    when: str
    where: str
    date_line: str  # the letter's date
    letter: list[str] = field(default_factory=list)  # paragraphs of the convocation letter
    items: list[ItemData] = field(default_factory=list)
    lang: str = "nl"
    attendance: list[str] = field(default_factory=list)  # the decision list's attendance


@dataclass
class RedlineData:
    branding: Branding
    title: str
    old_label: str
    new_label: str
    redline: cr.Redline
    new_text: NumberedText
    old_text: NumberedText
    reasons: dict[str, list[str]] = field(default_factory=dict)  # block id -> lines of "why"
    lang: str = "nl"


Progress = Callable[[float, str], None]


def _no_progress(fraction: float, stage: str) -> None:
    pass


# --- styles ------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5),
        "muted": ParagraphStyle("muted", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT + "-Bold",
            fontSize=17,
            leading=22,
            spaceAfter=8,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT + "-Bold",
            fontSize=13,
            leading=17,
            spaceBefore=10,
            spaceAfter=5,
            textColor=ACCENT,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT + "-Bold",
            fontSize=10.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "cover": ParagraphStyle(
            "cover",
            parent=base,
            fontName=FONT + "-Bold",
            fontSize=26,
            leading=32,
            textColor=ACCENT,
            spaceAfter=12,
        ),
        "cover2": ParagraphStyle("cover2", parent=base, fontSize=14, leading=20),
        "toc0": ParagraphStyle(
            "toc0", parent=base, fontName=FONT + "-Bold", fontSize=10, leading=15, leftIndent=0
        ),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=9.5, leading=13, leftIndent=12),
        "toc2": ParagraphStyle(
            "toc2", parent=base, fontSize=9, leading=12, leftIndent=24, textColor=MUTED
        ),
        "quote": ParagraphStyle(
            "quote", parent=base, leftIndent=10, borderPadding=4, fontSize=9.5, leading=13
        ),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def paras(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [para(p.strip(), style) for p in text.split("\n\n") if p.strip()]


class Heading(Paragraph):
    """A heading that goes into the table of contents and the PDF's bookmarks."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str, toc: bool = True):
        super().__init__(escape(text), style)
        self.toc_text = text
        self.toc_level = level
        self.toc_key = key
        self.in_toc = toc


# --- line-numbered text ---------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    indent: int  # characters
    label: str
    segments: list[ct.Segment]
    heading: bool
    gap: bool  # first line of a block: a little space above


def text_rows(text: NumberedText) -> list[Row]:
    """The rows the PDF draws: exactly ``core.texts.number_lines``."""
    doc = text.document
    numbers = ct.note_numbers(doc)
    rows = []
    previous = None
    for line in ct.number_lines(doc, text.line_width):
        block = doc.block(line.block_id)
        rows.append(
            Row(
                line.number,
                line.indent,
                line.label,
                ct.segments(block, line.start, line.end, numbers),
                block.kind == ct.Kind.HEADING,
                line.block_id != previous,
            )
        )
        previous = line.block_id
    return rows


class NumberedLines(Flowable):
    """Rows of a structured text with their line numbers in the margin; splits across pages."""

    def __init__(self, rows: list[Row], line_width: int):
        super().__init__()
        self.rows = rows
        self.line_width = line_width
        self._heights = [LEADING + (4 if r.gap else 0) for r in rows]

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = sum(self._heights)
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        used = 0.0
        for i, h in enumerate(self._heights):
            if used + h > avail_height:
                if i == 0:
                    return []
                return [
                    NumberedLines(self.rows[:i], self.line_width),
                    NumberedLines(self.rows[i:], self.line_width),
                ]
            used += h
        return [self]

    def draw(self):
        c = self.canv
        text_x = GUTTER
        avail = self.width - GUTTER
        char_w = avail / self.line_width  # the width of one character position
        y = self.height
        for row, h in zip(self.rows, self._heights, strict=True):
            y -= h
            base = y + (LEADING - TEXT_SIZE) / 2 + 1.5
            c.setFont(FONT, 7.2)
            c.setFillColor(MUTED)
            c.drawRightString(GUTTER - 3 * mm, base, str(row.number))
            c.setFillColor(INK)
            x = text_x + row.indent * char_w
            if row.label:
                c.setFont(FONT, TEXT_SIZE)
                c.drawRightString(x - 1.5 * mm, base, row.label)
            # measure first: a line that is wider than the column is condensed to fit
            parts = []
            total = 0.0
            for seg in row.segments:
                if seg.note is not None:
                    w = pdfmetrics.stringWidth(str(seg.note), FONT, TEXT_SIZE * 0.62)
                    parts.append((str(seg.note), FONT, TEXT_SIZE * 0.62, w, True))
                else:
                    fn = font_for(seg.bold or row.heading, seg.italic)
                    w = pdfmetrics.stringWidth(seg.text, fn, TEXT_SIZE)
                    parts.append((seg.text, fn, TEXT_SIZE, w, False))
                total += w
            room = avail - row.indent * char_w
            scale = min(1.0, room / total) if total else 1.0
            t = c.beginText(x, base)
            if scale < 1.0:
                t.setHorizScale(scale * 100)
            for text, fn, size, _w, sup in parts:
                t.setFont(fn, size)
                if sup:
                    t.setRise(TEXT_SIZE * 0.38)
                    t.textOut(text)
                    t.setRise(0)
                else:
                    t.textOut(text)
            c.drawText(t)


def numbered_text(text: NumberedText, styles) -> list[Flowable]:
    out: list[Flowable] = []
    if text.label:
        out.append(para(text.label, styles["muted"]))
        out.append(Spacer(1, 4))
    out.append(NumberedLines(text_rows(text), text.line_width))
    notes = []
    numbers = ct.note_numbers(text.document)
    for b in text.document.blocks:
        for i, n in enumerate(b.notes):
            notes.append(f"{numbers[(b.id, i)]}. {n.text}")
    if notes:
        out.append(Spacer(1, 6))
        out.append(para(_("Notes"), styles["h3"]))
        out.extend(para(n, styles["small"]) for n in notes)
    return out


# --- the document ---------------------------------------------------------------------------------


class PageCount(IndexingFlowable):
    """Takes no room; asks for another pass until the number of pages is known, so that the
    footer can say "page X of Y" (bookmarks stay right, unlike a canvas that holds its pages
    back to number them at the end)."""

    def __init__(self, doc: BookTemplate):
        super().__init__()
        self.doc = doc
        self.seen: int | None = None
        self.before: int | None = None

    def isSatisfied(self):
        return self.seen is not None and self.seen == self.before

    def beforeBuild(self):
        self.before = self.seen

    def afterBuild(self):
        self.seen = self.doc.page
        self.doc.total_pages = self.seen

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


class BookTemplate(BaseDocTemplate):
    def __init__(
        self,
        out,
        *,
        title: str,
        branding: Branding,
        running: str,
        lang: str,
        progress: Progress,
        flowable_count: int,
    ):
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            author=branding.name,
            subject=running,
            creator="Besluit",
            lang=lang,
            displayDocTitle=True,
        )
        self.branding = branding
        self.running = running
        self.progress = progress
        self.flowable_count = max(1, flowable_count)
        self.pass_no = 0
        self.total_pages: int | None = None
        self.done = 0
        self.last_report = 0.0
        self.logo = _logo_reader(branding.logo)
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            PAGE_W - 2 * MARGIN_X,
            PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], onPage=self._cover_page),
                PageTemplate(id="body", frames=[frame], onPage=self._body_page),
            ]
        )

    def handle_documentBegin(self):
        self.pass_no += 1
        self.done = 0
        super().handle_documentBegin()

    def _cover_page(self, c, doc):
        pass

    def _body_page(self, c, doc):
        c.saveState()
        c.setFont(FONT, 7.5)
        c.setFillColor(MUTED)
        top = PAGE_H - MARGIN_TOP + 8 * mm
        if self.logo is not None:
            iw, ih = self.logo.getSize()
            h = 8 * mm
            w = h * iw / ih
            c.drawImage(self.logo, PAGE_W - MARGIN_X - w, top - 2.5 * mm, w, h, mask="auto")
        c.drawString(MARGIN_X, top, self.branding.name)
        c.drawString(MARGIN_X, MARGIN_BOTTOM - 9 * mm, self.running)
        if self.total_pages:
            number = _("page %(page)s of %(pages)s") % {"page": doc.page, "pages": self.total_pages}
        else:
            number = _("page %(page)s") % {"page": doc.page}
        c.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM - 9 * mm, number)
        c.setStrokeColor(colors.HexColor("#d0d0d0"))
        c.setLineWidth(0.4)
        c.line(MARGIN_X, top - 3.5 * mm, PAGE_W - MARGIN_X, top - 3.5 * mm)
        c.restoreState()

    def afterFlowable(self, flowable):
        self.done += 1
        if isinstance(flowable, Heading):
            key = flowable.toc_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(
                flowable.toc_text, key, level=flowable.toc_level, closed=flowable.toc_level > 0
            )
            if flowable.in_toc:
                self.notify("TOCEntry", (flowable.toc_level, flowable.toc_text, self.page, key))
        now = time.monotonic()
        if now - self.last_report > 0.25:
            self.last_report = now
            # two passes at least (the table of contents needs the page numbers)
            fraction = ((self.pass_no - 1) + self.done / self.flowable_count) / 2
            self.progress(min(0.98, fraction), _("laying out page %(page)s") % {"page": self.page})


def _logo_reader(data: bytes | None):
    if not data:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        return ImageReader(io.BytesIO(data))
    except Exception:
        return None


class Monogram(Flowable):
    """A drawn mark with the association's initials, for an association without a logo."""

    def __init__(self, text: str, size: float = 22 * mm):
        super().__init__()
        self.text = text[:4]
        self.size = size

    def wrap(self, aw, ah):
        return self.size, self.size

    def draw(self):
        c = self.canv
        s = self.size
        c.setFillColor(ACCENT)
        c.roundRect(0, 0, s, s, 3 * mm, stroke=0, fill=1)
        c.setFillColor(colors.white)
        size = s * (0.42 if len(self.text) <= 2 else 0.3)
        c.setFont(FONT + "-Bold", size)
        c.drawCentredString(s / 2, s / 2 - size * 0.35, self.text)


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words)[:4] or name[:2].upper()


def _logo_flowable(branding: Branding, height: float) -> Flowable:
    reader = _logo_reader(branding.logo)
    if reader is None:
        return Monogram(branding.short_name or _initials(branding.name), height)
    iw, ih = reader.getSize()
    return Image(io.BytesIO(branding.logo), width=height * iw / ih, height=height)


def _cover(title: str, subtitle: list[str], branding: Branding, styles) -> list[Flowable]:
    return [
        _logo_flowable(branding, 24 * mm),
        Spacer(1, 14 * mm),
        para(branding.name, styles["cover2"]),
        Spacer(1, 6 * mm),
        para(title, styles["cover"]),
        *[para(s, styles["cover2"]) for s in subtitle if s],
        NextPageTemplate("body"),
        PageBreak(),
    ]


def _toc(styles) -> list[Flowable]:
    toc = TableOfContents()
    toc.levelStyles = [styles["toc0"], styles["toc1"], styles["toc2"]]
    toc.dotsMinLevel = 0
    return [Heading(_("Contents"), styles["h1"], 0, "contents", toc=False), toc, PageBreak()]


def _build(
    story: list, out, *, title: str, branding: Branding, running: str, lang: str, progress: Progress
) -> int:
    register_fonts()
    doc = BookTemplate(
        out,
        title=title,
        branding=branding,
        running=running,
        lang=lang,
        progress=progress,
        flowable_count=len(story),
    )
    story.insert(0, PageCount(doc))
    doc.multiBuild(story, maxPasses=5)
    progress(1.0, _("done"))
    return doc.page


def _agenda_table(items: list[ItemData], styles) -> Table:
    rows = [[para(i.number, styles["body"]), para(i.title, styles["body"])] for i in items]
    table = Table(rows, colWidths=[14 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#d8d8d8")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _amendment(a: AmendmentData, item: ItemData, styles, key: str) -> list[Flowable]:
    head = [Heading(f"{a.title} ({_('no.')} {a.number})", styles["h3"], 2, key)]
    meta = [
        f"{_('Submitted by')}: {a.submitters}",
        f"{_('Passage')}: {a.passage}" + (f" ({_('lines')} {a.lines})" if a.lines else ""),
    ]
    if a.status:
        meta.append(f"{_('Status')}: {a.status}")
    body: list[Flowable] = [para(" · ".join(meta), styles["muted"])]
    body.append(para(_("Replace:"), styles["small"]))
    body.append(para(a.old_text or "—", styles["quote"]))
    body.append(para(_("By:"), styles["small"]))
    body.append(para(a.new_text or "—", styles["quote"]))
    if a.explanation:
        body.append(para(_("Explanation"), styles["small"]))
        body.extend(paras(a.explanation, styles["body"]))
    if a.pre_advice:
        body.append(para(f"{_('Pre-advice of the board')}: {a.pre_advice}", styles["small"]))
        body.extend(paras(a.pre_advice_reason, styles["body"]))
    if a.note:
        body.append(para(a.note, styles["muted"]))
    return [KeepTogether(head + body[:3]), *body[3:], Spacer(1, 4)]


def _motion(m: MotionData, styles, key: str) -> list[Flowable]:
    out: list[Flowable] = [
        Heading(f"{m.heading} ({_('no.')} {m.number}): {m.title}", styles["h3"], 2, key),
        para(
            f"{_('Submitted by')}: {m.submitters}"
            + (f" · {_('Status')}: {m.status}" if m.status else ""),
            styles["muted"],
        ),
        para(_("The general meeting, considering that"), styles["small"]),
        *paras(m.considerations, styles["body"]),
        para(_("requests the board"), styles["small"]),
        *paras(m.request, styles["body"]),
    ]
    if m.explanation:
        out += [para(_("Explanation"), styles["small"]), *paras(m.explanation, styles["body"])]
    if m.pre_advice:
        out.append(para(f"{_('Pre-advice of the board')}: {m.pre_advice}", styles["small"]))
        out.extend(paras(m.pre_advice_reason, styles["body"]))
    out.append(Spacer(1, 4))
    return out


def _decision(d: DecisionData, styles) -> list[Flowable]:
    out: list[Flowable] = [
        para(f"{d.subject} — {d.outcome}", styles["h3"]),
        para(d.method, styles["muted"]),
    ]
    if d.text:
        out.extend(paras(d.text, styles["body"]))
    if d.shares:
        rows = [
            [para(label, styles["small"]), para(value, styles["small"])]
            for label, value in d.shares
        ]
        t = Table(rows, colWidths=[50 * mm, 30 * mm], hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        out.append(t)
    if d.turnout:
        out.append(para(d.turnout, styles["muted"]))
    return [KeepTogether(out), Spacer(1, 4)]


def meeting_book(data: BookData, out, progress: Progress = _no_progress) -> int:
    """The meeting book: cover, convocation letter, contents, agenda, and every item with its
    requested decision, explanation, line-numbered proposal text, amendments and motions."""
    register_fonts()
    styles = _styles()
    b = data.branding
    story: list[Flowable] = _cover(
        _("Meeting book"), [data.meeting_title, data.when, data.where], b, styles
    )
    # the convocation letter
    story.append(Heading(_("Convocation"), styles["h1"], 0, "letter"))
    if b.sender:
        story.append(para(b.sender, styles["muted"]))
        story.append(Spacer(1, 6))
    story.append(para(data.date_line, styles["body"]))
    story.append(Spacer(1, 8))
    for p in data.letter:
        story.append(para(p, styles["body"]))
        story.append(Spacer(1, 5))
    if b.signature:
        story.append(Spacer(1, 8))
        story.append(para(b.signature, styles["body"]))
    story.append(PageBreak())
    story += _toc(styles)
    story.append(Heading(_("Agenda"), styles["h1"], 0, "agenda"))
    story.append(_agenda_table(data.items, styles))
    for n, item in enumerate(data.items):
        story.append(
            PageBreak() if item.text or item.amendments or item.motions else CondPageBreak(60 * mm)
        )
        story.append(Heading(f"{item.number}. {item.title}", styles["h1"], 0, f"item-{n}"))
        if item.requested_decision:
            story.append(para(_("Requested decision"), styles["h3"]))
            story.extend(paras(item.requested_decision, styles["body"]))
        if item.explanation:
            story.append(para(_("Explanation"), styles["h3"]))
            story.extend(paras(item.explanation, styles["body"]))
        if item.attachments:
            story.append(para(_("Annexes"), styles["h3"]))
            story.extend(para("– " + a, styles["body"]) for a in item.attachments)
        if item.text is not None:
            story.append(CondPageBreak(40 * mm))
            story.append(
                Heading(item.proposal_title or _("Proposal"), styles["h2"], 1, f"text-{n}")
            )
            story.extend(numbered_text(item.text, styles))
        if item.amendments:
            story.append(CondPageBreak(50 * mm))
            story.append(Heading(_("Amendments"), styles["h2"], 1, f"amendments-{n}"))
            for a in item.amendments:
                story.extend(_amendment(a, item, styles, f"amendment-{n}-{a.number}"))
        if item.motions:
            story.append(CondPageBreak(50 * mm))
            story.append(Heading(_("Motions"), styles["h2"], 1, f"motions-{n}"))
            for m in item.motions:
                story.extend(_motion(m, styles, f"motion-{n}-{m.number}"))
    return _build(
        story,
        out,
        title=f"{_('Meeting book')} — {data.meeting_title}",
        branding=b,
        running=data.meeting_title,
        lang=data.lang,
        progress=progress,
    )


def decision_list(data: BookData, out, progress: Progress = _no_progress) -> int:
    """The decision list (besluitenlijst) with results, per agenda item."""
    register_fonts()
    styles = _styles()
    b = data.branding
    story: list[Flowable] = _cover(
        _("Decision list"), [data.meeting_title, data.when, data.where], b, styles
    )
    story += _toc(styles)
    for n, item in enumerate(data.items):
        if not item.decisions and not item.amendments and not item.motions:
            continue
        story.append(CondPageBreak(50 * mm))
        story.append(Heading(f"{item.number}. {item.title}", styles["h2"], 0, f"item-{n}"))
        for d in item.decisions:
            story.extend(_decision(d, styles))
        outcomes = [(a.title + f" ({_('no.')} {a.number})", a.status) for a in item.amendments]
        outcomes += [(f"{m.heading} ({_('no.')} {m.number})", m.status) for m in item.motions]
        if outcomes:
            story.append(para(_("Amendments and motions"), styles["h3"]))
            rows = [[para(t, styles["small"]), para(s, styles["small"])] for t, s in outcomes]
            table = Table(rows, colWidths=[110 * mm, None], hAlign="LEFT")
            table.setStyle(
                TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#d8d8d8"))])
            )
            story.append(table)
    if len(story) < 8:
        story.append(para(_("No decisions have been recorded yet."), styles["body"]))
    if data.attendance:  # who was present or represented (the attendance app)
        story.append(para(_("Attendance"), styles["h2"]))
        story.extend(para(line, styles["body"]) for line in data.attendance)
    return _build(
        story,
        out,
        title=f"{_('Decision list')} — {data.meeting_title}",
        branding=b,
        running=data.meeting_title,
        lang=data.lang,
        progress=progress,
    )


# --- redline ------------------------------------------------------------------------------------


def _piece_markup(pieces: tuple[cr.Piece, ...]) -> str:
    out = []
    for p in pieces:
        if p.op == cr.EQUAL or not p.text.strip():
            out.append(escape(p.text))
            continue
        lead = p.text[: len(p.text) - len(p.text.lstrip())]
        trail = p.text[len(p.text.rstrip()) :]
        t = escape(p.text.strip())
        if p.op == cr.INSERT:
            out.append(f'{lead}<u><font color="{INSERTED.hexval()}">{t}</font></u>{trail}')
        else:
            out.append(f'{lead}<strike><font color="{DELETED.hexval()}">{t}</font></strike>{trail}')
    return "".join(out)


def redline_pdf(data: RedlineData, out, progress: Progress = _no_progress) -> int:
    """Two versions compared word by word; line numbers of the new version (deleted text: of
    the old one). Inserted text is underlined, deleted text struck through, each also named
    in words (colour is never the only cue)."""
    register_fonts()
    styles = _styles()
    new_index = ct.LineIndex.of(ct.number_lines(data.new_text.document, data.new_text.line_width))
    old_index = ct.LineIndex.of(ct.number_lines(data.old_text.document, data.old_text.line_width))
    story: list[Flowable] = _cover(
        _("Comparison of versions"),
        [data.title, _("from %(old)s to %(new)s") % {"old": data.old_label, "new": data.new_label}],
        data.branding,
        styles,
    )
    stats = data.redline.stats()
    story.append(Heading(_("What changed"), styles["h1"], 0, "summary"))
    story.append(
        para(
            _(
                "%(changed)s paragraphs changed, %(inserted)s added, %(deleted)s removed, "
                "%(moved)s moved; %(wi)s words added and %(wd)s removed."
            )
            % {
                "changed": stats["changed"],
                "inserted": stats["inserted"],
                "deleted": stats["deleted"],
                "moved": stats["moved"],
                "wi": stats["words_inserted"],
                "wd": stats["words_deleted"],
            },
            styles["body"],
        )
    )
    story.append(para(_("Underlined: added. Struck through: removed."), styles["muted"]))
    story.append(Spacer(1, 8))
    labels = {
        cr.Status.CHANGED: _("changed"),
        cr.Status.INSERTED: _("added"),
        cr.Status.DELETED: _("removed"),
        cr.Status.MOVED: _("moved here"),
        cr.Status.MOVED_AWAY: _("moved away"),
        cr.Status.EQUAL: "",
    }
    for item in data.redline.items:
        if item.status == cr.Status.EQUAL:
            continue
        if item.on_new_side:
            span = new_index.block_lines(item.block_id)
            where = f"{_('lines')} {ct.cite(span)}"
        else:
            span = old_index.block_lines(item.block_id)
            where = f"{_('was lines')} {ct.cite(span)}"
        head = f"{where} — {labels[item.status]}"
        if item.format_changed:
            head += f" ({_('layout changed')})"
        flow: list[Flowable] = [para(head, styles["muted"])]
        if item.status == cr.Status.MOVED_AWAY:
            new_span = new_index.block_lines(item.block_id)
            flow.append(
                para(
                    _("This paragraph now stands at lines %(lines)s.")
                    % {"lines": ct.cite(new_span)},
                    styles["small"],
                )
            )
        else:
            style = styles["h3"] if item.kind == ct.Kind.HEADING else styles["body"]
            flow.append(Paragraph(_piece_markup(item.pieces), style))
        for why in data.reasons.get(item.block_id, []):
            flow.append(para(why, styles["small"]))
        story.append(KeepTogether(flow))
        story.append(Spacer(1, 6))
    story.append(PageBreak())
    story.append(Heading(data.new_label, styles["h1"], 0, "new-text"))
    story.extend(numbered_text(data.new_text, styles))
    return _build(
        story,
        out,
        title=f"{_('Comparison of versions')} — {data.title}",
        branding=data.branding,
        running=data.title,
        lang=data.lang,
        progress=progress,
    )


def render(kind: str, data, progress: Progress = _no_progress) -> tuple[bytes, int]:
    out = io.BytesIO()
    fn = {"meeting_book": meeting_book, "decision_list": decision_list, "redline": redline_pdf}[
        kind
    ]
    pages = fn(data, out, progress)
    return out.getvalue(), pages
