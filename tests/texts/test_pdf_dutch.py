"""The Dutch PDFs hold no English word of the interface.

The list of English words is made from the catalogue itself: every word of the English
messages that the PDF templates and their Python translate, that is not also a word of any
Dutch translation (so "Agenda" or "Motie" do not count); plus a few short English words.
The text extracted from the Dutch meeting book, decision list and minutes must contain none.
Also: no label ("Toelichting", "Gevraagd besluit") ends a page, and the motions not tied to
an agenda item have no "—." before their title.
"""

import io
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from pypdf import PdfReader

from besluit.minutes import pdf as minutes_pdf
from besluit.minutes import services as minutes
from besluit.texts import books, pdf
from tests.texts.test_pdf_checker import decided  # noqa: F401  (a fixture)

SRC = Path(__file__).resolve().parents[2] / "src" / "besluit"
CATALOGUE = SRC / "locale" / "nl" / "LC_MESSAGES" / "django.po"
PDF_SOURCES = ("texts/templates/texts/pdf/", "texts/pdf.py", "texts/books.py", "minutes/pdf")
ALWAYS = {"page", "the", "and", "by", "with", "from", "Decision", "Line", "lines"}
WORD = re.compile(r"[A-Za-z][a-z]{2,}")


def english_words() -> set[str]:
    catalogue = polib.pofile(str(CATALOGUE))
    dutch = set()
    for entry in catalogue:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            dutch.update(w.lower() for w in WORD.findall(text))
    words = set(ALWAYS)
    for entry in catalogue:
        if not any(f.startswith(PDF_SOURCES) for f, _line in entry.occurrences):
            continue
        text = re.sub(r"%\([a-z_]+\)s|\{\{[^}]*\}\}|<[^>]+>", " ", entry.msgid)
        words.update(w for w in WORD.findall(text) if w.lower() not in dutch)
    return words


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_list_is_made_of_real_english_words():
    words = english_words()
    assert {"Explanation", "Requested", "Amendments", "Contents", "Motions"} <= words
    assert "Agenda" not in words and "Motie" not in words and len(words) > 40


@pytest.mark.django_db
def test_the_dutch_pdfs_hold_no_english_word(decided, secretariat):  # noqa: F811
    meeting = decided
    words = english_words()
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words))) + r")\b")
    with translation.override("nl"):
        book = pdf.render("meeting_book", books.book_data(meeting))[0]
        listing = pdf.render("decision_list", books.book_data(meeting, decisions=True))[0]
        version = minutes.do_make_draft(actor=secretariat, meeting=meeting)
        out = io.BytesIO()
        minutes_pdf.render(version.minutes, version, out, lang="nl")
    for name, content in (("meeting book", book), ("decision list", listing)):
        text = text_of(content)
        # the content the tests wrote (titles, texts) is Dutch too, so any hit is interface
        assert not pattern.findall(text), (name, sorted(set(pattern.findall(text))))
    assert not pattern.findall(text_of(out.getvalue()))
    with translation.override("en"):  # the list does find the English interface
        english = text_of(pdf.render("meeting_book", books.book_data(meeting))[0])
    assert {"Explanation", "Contents", "page"} <= set(pattern.findall(english))

    book_text = text_of(book)
    assert "Moties die niet bij een agendapunt horen" in book_text and "—." not in book_text
    for page in PdfReader(io.BytesIO(book)).pages:
        body = [x for x in page.extract_text().splitlines() if x.strip()]
        body = [x for x in body if not re.match(r".*pagina \d+ van \d+$", x)]
        assert not body or body[-1] not in ("Toelichting", "Gevraagd besluit", "Bijlagen")
