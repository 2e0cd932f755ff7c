"""Every PDF is tagged PDF/UA-1 (checked by tests/pdfua.py); the decision list is numbered in
the order decisions were taken, has page numbers and signatures; the voting-code letters."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from besluit.proposals import services as proposal_services
from besluit.texts import books, pdf
from besluit.voting import services as voting
from tests import factories, pdfua


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def outline(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    out = []

    def walk(items):
        for x in items:
            walk(x) if isinstance(x, list) else out.append(x.title)

    walk(reader.outline)
    return out


@pytest.fixture
def decided(published, chair, representative):
    """Item 07 with an amendment voted first, then a motion adopted by acclamation; a motion
    not tied to an agenda item."""
    meeting = published.proposal.agenda_item.meeting
    item = published.proposal.agenda_item
    from besluit.texts import services

    amendment = services.do_propose_amendment(
        actor=representative,
        version=published,
        block_id=next(b.id for b in published.document.blocks if "100.000" in b.text),
        old_text="100.000",
        new_text="120.000",
        explanation="Meer woningen.",
    )
    motion = proposal_services.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Woningbouw",
        considerations="Er is woningnood.",
        request="Zet in op woningbouw.",
        agenda_item=item,
    )
    loose = proposal_services.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Vergaderlocatie",
        considerations="De zaal is te klein.",
        request="Zoek een grotere zaal.",
    )
    now = timezone.now()
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="amendment", amendment=amendment
    )
    voting.do_open_poll(actor=chair, poll=poll, now=now - timedelta(minutes=30))
    voting.cast_ballot(actor=representative, poll=poll, option_key="for")
    voting.do_close_poll(actor=chair, poll=poll, now=now - timedelta(minutes=20))
    voting.do_record_acclamation(
        actor=chair, meeting=meeting, subject="Motie Woningbouw", motion=motion, now=now
    )
    return meeting, loose


@pytest.mark.django_db
def test_meeting_book_decision_list_and_redline_are_pdf_ua(decided, published, secretariat):
    meeting, _loose = decided
    book = pdf.render("meeting_book", books.book_data(meeting))[0]
    report = pdfua.check(book)
    assert report.ok, report.errors
    assert report.headings[0] == 1 and report.tables >= 1 and report.marked_text > 100
    text = text_of(book)
    assert "Motions not tied to an agenda item" in text
    assert "—. Motions" not in text and "—." not in text
    titles = outline(book)
    assert "Convocation" in titles and "Motions not tied to an agenda item" in titles
    # a label is never the last line of a page: "Explanation" is followed by its text
    for page in PdfReader(io.BytesIO(book)).pages:
        body = [x for x in page.extract_text().splitlines() if not x.startswith("page ")]
        assert not body or body[-2:][0] not in ("Explanation", "Requested decision")

    listing = pdf.render("decision_list", books.book_data(meeting, decisions=True))[0]
    report = pdfua.check(listing)
    assert report.ok, report.errors
    text = text_of(listing)
    # numbered in the order taken: the amendment (voted first) before the motion
    first = text.index("Decision 1:")
    second = text.index("Decision 2:")
    assert first < second
    assert "Amendement" in text[first:second] and "Motie Woningbouw" in text[second:]
    assert "The chair" in text and "The secretary" in text
    pages = len(PdfReader(io.BytesIO(listing)).pages)
    assert f"page 2 of {pages}" in text


@pytest.mark.django_db
def test_the_pdfs_speak_dutch(decided):
    meeting, _loose = decided
    with translation.override("nl"):
        data = books.book_data(meeting, decisions=True)
        listing = pdf.render("decision_list", data)[0]
        book = pdf.render("meeting_book", books.book_data(meeting))[0]
    for content in (listing, book):
        text = text_of(content)
        pages = len(PdfReader(io.BytesIO(content)).pages)
        assert f"pagina 2 van {pages}" in text
        for english in ("page ", "(no.", "Submitted by", "Decision ", "Motions not tied"):
            assert english not in text, english
    assert "Moties die niet bij een agendapunt horen" in text_of(book)
    assert PdfReader(io.BytesIO(book)).trailer["/Root"]["/Lang"] == "nl"


@pytest.mark.django_db
def test_a_pdf_fetches_nothing():
    from weasyprint.urls import FatalURLFetchingError

    html = '<html lang="nl"><title>x</title><img src="file:///etc/passwd" alt="x"></html>'
    with pytest.raises(FatalURLFetchingError):
        pdf.html_to_pdf(html, io.BytesIO())


@pytest.mark.django_db
def test_voting_code_letters(client, meeting, secretariat):
    client.force_login(secretariat)
    url = reverse("live:voting_codes", args=[meeting.association.slug, meeting.pk])
    page = client.get(url)
    assert b'name="format" value="letters"' in page.content
    issued = client.post(url, {"format": "letters"})
    assert issued.status_code == 302  # then the page starts the download, once
    response = client.get(url + "?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    content = response.content
    report = pdfua.check(content)
    assert report.ok, report.errors
    members = list(meeting.association.members.filter(active=True))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == len(members)
    assert report.figures >= len(members)  # a QR code with alternative text on every letter
    text = reader.pages[0].extract_text()
    first = min(members, key=lambda m: m.name)
    assert first.name in text and meeting.title in text
    code = re.search(r"\b([A-Z2-7]{4}(?:-[A-Z2-7]{2,4})+)\b", text).group(1)
    # the code works, and the QR code's address opens the login page with it filled in
    login = client.get(reverse("live:code_login") + "?code=" + code)
    assert f'value="{code}"'.encode() in login.content
    client.logout()
    assert client.post(reverse("live:code_login"), {"code": code}).status_code == 302


@pytest.mark.django_db
def test_one_letter_for_one_member(client, meeting, secretariat):
    client.force_login(secretariat)
    url = reverse("live:voting_codes", args=[meeting.association.slug, meeting.pk])
    member = factories.member(meeting.association, 2)
    client.post(url, {"format": "letters", "member": member.pk})
    response = client.get(url + "?download=1")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1 and member.name in reader.pages[0].extract_text()
