"""Accessible PDFs (tagged PDF/UA-1) from HTML templates, with WeasyPrint.

The meeting book, the decision list (besluitenlijst), the comparison of two versions and the
voting-code letters are Django templates under ``texts/pdf/`` rendered to PDF by WeasyPrint with
``pdf_variant="pdf/ua-1"``: a structure tree (headings, lists, tables, figures with their
alternative text), the document language, the title shown in the viewer, embedded fonts and
bookmarks for the headings. Line-numbered texts use the very include of the web page
(``texts/includes/text.html`` with ``rendering.block_views``), so a line has the same number in
the PDF, on the page and in the JSON. "Page X of Y" and the page numbers of the contents are
CSS (``counter(pages)``, ``target-counter``): WeasyPrint lays out once and knows both.

Everything here works on plain data (the dataclasses below), not on models: ``texts.books``
gathers the data from the database, the benchmark makes it up. WeasyPrint needs Pango (a
Debian package, installed by ``scripts/setup-env``); it never fetches a URL: images come in as
``data:`` URIs and every other address is refused (``_no_fetching``).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation

from besluit.core import redline as cr
from besluit.core import texts as ct
from besluit.texts import rendering

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
    taken_at: str = ""  # "10 december 2026 om 11:42"
    number: int = 0  # decisions are numbered in the order they were taken


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


@dataclass
class CodeLetter:
    member: str
    code: str
    url: str  # the login address with the code, also as QR code


@dataclass
class CodeLettersData:
    branding: Branding
    meeting_title: str
    when: str
    where: str
    login_url: str  # without the code, for those who type it
    letters: list[CodeLetter] = field(default_factory=list)
    lang: str = "nl"


Progress = Callable[[float, str], None]


def _no_progress(fraction: float, stage: str) -> None:
    pass


def _no_fetching():
    """Images come in as data: URIs; every other address is refused (no file, no network)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def data_uri(content: bytes | None, mime: str = "") -> str:
    if not content:
        return ""
    if not mime:
        mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def qr_png(text: str) -> str:
    """A QR code as a PNG data URI, 8 pixels a module (about 200 dpi at 45 mm, drawn without
    smoothing). An SVG is sharper in theory but three times slower to lay out: 343 letters
    take 6 s of CPU this way, 17 s as SVG."""
    import qrcode

    buf = io.BytesIO()
    qrcode.make(text, box_size=8, border=2).save(buf, "PNG")
    return data_uri(buf.getvalue(), "image/png")


def _cache_page_references() -> None:
    """Make pydyf's ``PDF.page_references`` keep its tuple until a page is added.

    pydyf (0.13) builds the tuple of every page's reference anew on each read, and WeasyPrint's
    tagging reads it once per structure element to take one page's reference: for a 214-page
    meeting book (about 37,000 elements) that is 8 million encoded strings, 2.6 s of CPU time,
    growing with pages × elements. The cached tuple is the same value (the page list only
    grows, through ``add_page``), so the PDF is byte for byte the same.
    """
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or getattr(original.fget, "cached", False):
        return

    def page_references(self):
        count = len(self.pages["Kids"])
        cached = self.__dict__.get("_besluit_page_references")
        if cached is None or cached[0] != count:
            cached = (count, original.fget(self))
            self.__dict__["_besluit_page_references"] = cached
        return cached[1]

    page_references.cached = True
    pydyf.PDF.page_references = property(page_references, doc=original.__doc__)


def html_to_pdf(html: str, out, progress: Progress = _no_progress) -> int:
    """Lay out the HTML and write a tagged PDF/UA-1 document; returns the number of pages."""
    from weasyprint import HTML

    _cache_page_references()
    progress(0.15, translation.gettext("laying out the pages"))
    document = HTML(string=html, url_fetcher=_no_fetching()).render()
    pages = len(document.pages)
    progress(0.8, translation.gettext("writing %(pages)s pages") % {"pages": pages})
    from besluit.texts import pdf_artifacts

    written = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    out.write(pdf_artifacts.fix(written))  # the page header and footer as artifacts
    progress(1.0, translation.gettext("done"))
    return pages


def text_context(text: NumberedText | None) -> dict | None:
    """What ``texts/includes/text.html`` needs: the lines of ``core.texts.number_lines``."""
    if text is None:
        return None
    blocks = rendering.block_views(text.document, text.line_width)
    last = blocks[-1].last if blocks else 0
    return {
        "label": text.label,
        "blocks": blocks,
        "line_width": text.line_width,
        "digits": max(3, len(str(last))),
        "notes": [note for b in blocks for note in b.notes],
        "top": min((b.block.level for b in blocks if b.kind == "heading"), default=1),
    }


def _render(template: str, context: dict, out, progress: Progress) -> int:
    progress(0.02, translation.gettext("composing the document"))
    html = render_to_string(template, context)
    return html_to_pdf(html, out, progress)


def _logo(branding: Branding) -> str:
    return data_uri(branding.logo)


def _book(template: str, data: BookData, items: list, out, progress: Progress) -> int:
    """A document of the meeting book's kind: its cover, branding and running head."""
    return _render(
        template,
        {
            "data": data,
            "b": data.branding,
            "logo": _logo(data.branding),
            "items": items,
            "running": data.meeting_title,
            "cover_lines": [data.meeting_title, data.when, data.where],
        },
        out,
        progress,
    )


def meeting_book(data: BookData, out, progress: Progress = _no_progress) -> int:
    """The meeting book: cover, convocation letter, contents, agenda, and every item with its
    requested decision, explanation, line-numbered proposal text, amendments and motions."""
    items = [{"item": i, "text": text_context(i.text)} for i in data.items]
    return _book("texts/pdf/meeting_book.html", data, items, out, progress)


def decision_list(data: BookData, out, progress: Progress = _no_progress) -> int:
    """The decision list (besluitenlijst): per agenda item its decisions in the order they
    were taken, with results, page numbers and a block for the signatures."""
    items = [i for i in data.items if i.decisions or i.amendments or i.motions]
    return _book("texts/pdf/decision_list.html", data, items, out, progress)


def redline_pdf(data: RedlineData, out, progress: Progress = _no_progress) -> int:
    """Two versions compared word by word; line numbers of the new version (deleted text: of
    the old one). Inserted text is underlined, deleted text struck through, each also named
    in words (colour is never the only cue)."""
    _rl, views = rendering.diff_views(
        data.old_text.document,
        data.new_text.document,
        data.old_text.line_width,
        data.new_text.line_width,
    )
    changes = [
        {"view": v, "reasons": data.reasons.get(v.item.block_id, [])}
        for v in views
        if v.item.status != cr.Status.EQUAL
    ]
    new_text = text_context(data.new_text)
    if new_text is not None:  # it stands right under an h1 here: its top heading is an h2
        new_text["top"] += 1
    return _render(
        "texts/pdf/redline.html",
        {
            "data": data,
            "b": data.branding,
            "logo": _logo(data.branding),
            "stats": data.redline.stats(),
            "changes": changes,
            "new_text": new_text,
            "running": data.title,
            "cover_lines": [
                data.title,
                translation.gettext("from %(old)s to %(new)s")
                % {"old": data.old_label, "new": data.new_label},
            ],
        },
        out,
        progress,
    )


def code_letters(data: CodeLettersData, out, progress: Progress = _no_progress) -> int:
    """One page per member: the meeting, the member, its voting code and a QR code of the
    login address with the code, to hand out at the door."""
    letters = [{"letter": x, "qr": qr_png(x.url)} for x in data.letters]
    return _render(
        "texts/pdf/code_letters.html",
        {
            "data": data,
            "b": data.branding,
            "logo": _logo(data.branding),
            "letters": letters,
            "running": data.meeting_title,
        },
        out,
        progress,
    )


def render(kind: str, data, progress: Progress = _no_progress) -> tuple[bytes, int]:
    out = io.BytesIO()
    fn = {
        "meeting_book": meeting_book,
        "decision_list": decision_list,
        "redline": redline_pdf,
        "code_letters": code_letters,
    }[kind]
    pages = fn(data, out, progress)
    return out.getvalue(), pages
