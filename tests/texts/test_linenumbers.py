"""Line numbers are the same in the web page, the JSON view and the PDF."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from besluit.core import texts as ct
from besluit.texts import pdf, rendering
from tests import pdfua
from tests.core.texts_strategies import documents


class Lines(HTMLParser):
    """Collects (data-line, text) from the rendered text, skipping what is only for screen
    readers and the line numbers in the margin."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[int, str]] = []
        self.stack: list[str] = []
        self.current: int | None = None
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        self.stack.append(cls)
        if "texts-line" in cls.split() and "data-line" in a:
            self.current = int(a["data-line"])
            self.text = []
        if self.skip or any(
            c in cls.split()
            for c in ("texts-lineno", "texts-label", "visually-hidden", "texts-noteref")
        ):
            self.skip += 1

    def handle_endtag(self, tag):
        cls = self.stack.pop() if self.stack else ""
        if self.skip:
            self.skip -= 1
        if "texts-line" in cls.split() and self.current is not None:
            self.lines.append((self.current, "".join(self.text)))
            self.current = None

    def handle_data(self, data):
        if self.current is not None and not self.skip:
            self.text.append(data)


def html_lines(doc, width) -> list[tuple[int, str]]:
    html = render_to_string(
        "texts/includes/text.html",
        {"blocks": rendering.block_views(doc, width), "line_width": width},
    )
    parser = Lines()
    parser.feed(html)
    return parser.lines


def json_lines(doc, width):
    return [(line["number"], line["text"]) for line in rendering.lines_json(doc, width)]


class PdfLines(HTMLParser):
    """Collects (number, text) from the PDF's markup (texts/pdf/lines.html): a line starts at
    its number and ends at a line break (a newline character or <br>), the next number or the
    end of its block; list labels and note references are skipped."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[int, str]] = []
        self.mode = ""  # "no", "skip", "text"
        self.number = ""
        self.text: list[str] = []
        self.depth = 0

    def _end(self):
        if self.number:
            self.lines.append((int(self.number.strip("\u2007 ")), "".join(self.text)))
        self.number, self.text, self.mode = "", [], ""

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if "no" in cls:
            self._end()
            self.mode = "no"
        elif "ind" in cls or "texts-noteref" in cls:
            self.mode, self.depth = "skip", 1
        elif self.mode == "skip":
            self.depth += 1
        elif tag == "br":
            self._end()

    def handle_endtag(self, tag):
        if self.mode == "no":
            self.mode = "text"
        elif self.mode == "skip":
            self.depth -= 1
            if not self.depth:
                self.mode = "text"
        elif tag in ("p", "h3", "h4", "h5", "h6"):
            self._end()

    def handle_data(self, data):
        if self.mode == "no":
            self.number += data
        elif self.mode == "text":
            line, newline, rest = data.partition("\n")
            self.text.append(line)
            if newline:
                self._end()
                assert not rest, "text after a line break before the next number"


def pdf_lines(doc, width):
    html = render_to_string(
        "texts/pdf/lines.html", {"text": pdf.text_context(pdf.NumberedText(doc, width))}
    )
    parser = PdfLines()
    parser.feed(html)
    return parser.lines


@settings(max_examples=120, deadline=None)
@given(documents(), st.integers(30, 100))
def test_identical_in_every_renderer(doc, width):
    expected = [
        (line.number, doc.block(line.block_id).text[line.start : line.end])
        for line in ct.number_lines(doc, width)
    ]
    assert json_lines(doc, width) == expected
    assert pdf_lines(doc, width) == expected
    assert html_lines(doc, width) == expected


@pytest.mark.django_db
def test_the_page_the_json_and_the_pdf_file_agree(client, published, secretariat):
    """End to end: the served page, the served JSON and text extracted from the made PDF."""
    client.force_login(secretariat)
    slug = published.proposal.agenda_item.meeting.association.slug
    page = client.get(reverse("texts:proposal", args=[slug, published.proposal.pk]))
    parser = Lines()
    parser.feed(page.content.decode())
    data = client.get(
        reverse("texts:version_json", args=[slug, published.proposal.pk, published.number])
    ).json()
    served = [(line["number"], line["text"]) for line in data["lines"]]
    assert parser.lines == served and len(served) > 10

    out = io.BytesIO()
    item = pdf.ItemData(
        "07", "Resolutie", text=pdf.NumberedText(published.document, published.line_width)
    )
    book = pdf.BookData(
        pdf.Branding("Vereniging"), "ALV", "vandaag", "Utrecht", "vandaag", items=[item]
    )
    pdf.meeting_book(book, out)
    extracted = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages)
    # each numbered line is drawn as its number, (a list label,) then exactly its text
    for number, text in served:
        pattern = rf"(^|\n)\s*{number}\s*(\S{{1,4}}\s)?{re.escape(text)}\s*(\n|$)"
        assert re.search(pattern, extracted), (number, text)
    # and the PDF is tagged PDF/UA
    report = pdfua.check(out.getvalue())
    assert report.ok, report.errors
