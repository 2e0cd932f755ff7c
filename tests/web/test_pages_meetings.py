"""Meeting pages: list, create, meeting page, agenda items, attachments."""

import io
import re
import zipfile
from datetime import datetime, timedelta
from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from besluit.accounts.models import User
from besluit.meetings.models import AgendaItem, Attachment, Meeting
from besluit.meetings.services import STANDARD_AGENDA, default_deadline
from besluit.proposals import services as proposals
from besluit.proposals.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def outsider(db):
    return User.objects.create_user(username="buitenstaander", password="correct horse battery")


@pytest.fixture
def roles(secretariat, chair, board, representative):
    return {
        "secretariat": secretariat,
        "chair": chair,
        "board": board,
        "representative": representative,
    }


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def meeting_url(name, meeting, *args):
    return reverse(f"web:{name}", args=[meeting.association.slug, meeting.pk, *args])


def item(meeting, number="07") -> AgendaItem:
    return meeting.agenda_items.get(number=number)


# --- access ------------------------------------------------------------------


def pages(meeting):
    slug = meeting.association.slug
    return [
        reverse("web:meetings", args=[slug]),
        meeting_url("meeting", meeting),
        meeting_url("agenda_item", meeting, item(meeting).pk),
    ]


def test_meeting_pages_render_for_every_role(client, meeting, roles):
    for user in roles.values():
        client.force_login(user)
        for page in pages(meeting):
            response = client.get(page)
            assert response.status_code == 200, (page, user)
            assert meeting.title in text(response)


def test_meeting_pages_are_404_for_outsiders_and_login_for_anonymous(client, meeting, outsider):
    for page in pages(meeting):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    for page in pages(meeting):
        assert client.get(page).status_code == 404


def test_a_meeting_of_another_association_is_404(client, meeting, secretariat):
    other = factories.make_association(2, slug="ander")
    foreign = factories.make_meeting(other)
    client.force_login(secretariat)
    assert client.get(reverse("web:meeting", args=["vvg", foreign.pk])).status_code == 404


def test_secretariat_pages_refuse_other_roles(client, meeting, roles):
    slug = meeting.association.slug
    secretariat_only = [
        reverse("web:meeting_create", args=[slug]),
        meeting_url("agenda_item_create", meeting),
        meeting_url("agenda_item_edit", meeting, item(meeting).pk),
    ]
    for kind, user in roles.items():
        client.force_login(user)
        for page in secretariat_only:
            expected = 200 if kind == "secretariat" else 403
            assert client.get(page).status_code == expected, (kind, page)


# --- list and create ---------------------------------------------------------


def test_meetings_list_shows_upcoming_and_past(client, association, meeting, secretariat, board):
    past = factories.make_meeting(
        association,
        starts_at=datetime.now(factories.AMS).replace(microsecond=0) - timedelta(days=90),
    )
    client.force_login(board)
    page = text(client.get(reverse("web:meetings", args=[association.slug])))
    assert page.index("Upcoming") < page.index(meeting.title) < page.index("Past")
    assert page.rindex(past.title) > page.index("Past")
    assert "New meeting" not in page
    client.force_login(secretariat)
    assert "New meeting" in text(client.get(reverse("web:meetings", args=[association.slug])))


def meeting_form(**extra):
    data = {
        "kind": "alv",
        "title": "Voorjaars-ALV 2027",
        "starts_at": "2027-06-10T10:00",
        "ends_at": "2027-06-10T16:30",
        "location": "Jaarbeurs Utrecht",
        "convocation_date": "2027-05-20",
        "amendment_deadline": "",
        "motion_deadline": "",
        "standard_agenda": "on",
    }
    return {**data, **extra}


def test_create_a_meeting_with_the_standard_agenda_and_default_deadlines(
    client, association, secretariat
):
    client.force_login(secretariat)
    response = client.post(
        reverse("web:meeting_create", args=[association.slug]), meeting_form(), follow=True
    )
    meeting = Meeting.objects.get(title="Voorjaars-ALV 2027")
    assert response.redirect_chain[-1][0] == meeting_url("meeting", meeting)
    assert meeting.starts_at == datetime(2027, 6, 10, 10, 0, tzinfo=factories.AMS)
    assert meeting.agenda_items.count() == len(STANDARD_AGENDA)
    expected = default_deadline(association, meeting.starts_at)
    assert meeting.amendment_deadline == meeting.motion_deadline == expected
    page = text(response)
    assert "was created" in page
    assert "Standard deadline: 12:00, 9 working days before the meeting." in page
    # 10 June 2027 is a Thursday; nine working days back is Friday 28 May.
    assert "Amendments until Friday 28 May 2027 at 12:00" in page
    assert "Rondvraag en sluiting" in page


def test_a_short_convocation_is_flagged(client, association, secretariat):
    client.force_login(secretariat)
    client.post(
        reverse("web:meeting_create", args=[association.slug]),
        meeting_form(convocation_date="2027-06-07", title="Haastig"),
    )
    meeting = Meeting.objects.get(title="Haastig")
    page = text(client.get(meeting_url("meeting", meeting)))
    assert "only 3 days before the meeting" in page


def test_create_a_meeting_with_own_deadlines_and_no_agenda(client, association, secretariat):
    client.force_login(secretariat)
    client.post(
        reverse("web:meeting_create", args=[association.slug]),
        meeting_form(
            standard_agenda="",
            amendment_deadline="2027-06-01T17:00",
            motion_deadline="2027-06-03T12:00",
            title="BALV",
            kind="balv",
        ),
    )
    meeting = Meeting.objects.get(title="BALV")
    assert meeting.agenda_items.count() == 0
    assert meeting.amendment_deadline == datetime(2027, 6, 1, 17, 0, tzinfo=factories.AMS)
    assert meeting.motion_deadline == datetime(2027, 6, 3, 12, 0, tzinfo=factories.AMS)


def test_meeting_form_shows_the_services_refusals_on_the_fields(client, association, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("web:meeting_create", args=[association.slug]),
        meeting_form(kind="written", ends_at="", location="", title="Raadpleging"),
    )
    assert response.status_code == 400
    assert "Give a location or mark the meeting digital." in text(response)
    response = client.post(
        reverse("web:meeting_create", args=[association.slug]),
        meeting_form(kind="written", ends_at="", is_digital="on", location="", title="Raadpleging"),
    )
    assert "A written consultation needs the end of its voting window." in text(response)
    assert not Meeting.objects.filter(title="Raadpleging").exists()


# --- the meeting page --------------------------------------------------------


def test_meeting_page_shows_details_agenda_submissions_and_polls(
    client, meeting, representative, chair, board
):
    proposal = factories.make_proposal(meeting)
    motion = proposals.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Meer geld voor de jeugdzorg",
        considerations="overwegende dat",
        request="verzoekt het bestuur",
        agenda_item=item(meeting),
    )
    proposals.do_submit_amendment(
        actor=representative,
        proposal=proposal,
        passage="tweede alinea",
        old_text="herstellen",
        new_text="verdubbelen",
    )
    proposals.do_set_pre_advice(
        actor=board, submission=motion, advice="advise_against", reason="Te duur."
    )
    client.force_login(representative)
    page = text(client.get(meeting_url("meeting", meeting)))
    assert "Jaarbeurs Utrecht" in page
    assert "Amendments until" in page and "days left" in page
    assert "01 Opening" in page and "07 Resolutie kabinetsformatie" not in page
    assert f"Motie {motion.submitter.name} Meer geld voor de jeugdzorg at item 07" in page
    assert "advise against (ontraden)" in page
    assert f"Amendement {motion.submitter.name}" in page and "item 07, tweede alinea" in page
    assert "Submit a motion" in page
    assert "Meeting status" not in page and "Add agenda item" not in page

    html = client.get(meeting_url("meeting", meeting)).content.decode()
    assert reverse("web:motion", args=["vvg", meeting.pk, motion.number]) in html
    assert reverse("web:motion_create", args=["vvg", meeting.pk]) in html

    client.force_login(chair)
    page = text(client.get(meeting_url("meeting", meeting)))
    assert "Submit a motion" not in page
    assert "New poll" in page


def test_meeting_page_counts_motions_and_amendments_per_item(client, meeting, representative):
    proposal = factories.make_proposal(meeting)
    for title in ("Een", "Twee"):
        proposals.do_submit_motion(
            actor=representative,
            meeting=meeting,
            title=title,
            considerations="o",
            request="v",
            agenda_item=item(meeting),
        )
    proposals.do_submit_amendment(
        actor=representative, proposal=proposal, passage="p", old_text="", new_text="Nieuw."
    )
    client.force_login(representative)
    html = client.get(meeting_url("meeting", meeting)).content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Resolutie kabinetsformatie.*?</tr>", html, re.S)
    numbers = re.findall(r"numeric-data\">(\S+)</td>", row.group(0))
    assert numbers == ["2", "1"]


def test_status_change_by_the_secretariat_only(client, meeting, secretariat, chair):
    client.force_login(chair)
    response = client.post(meeting_url("meeting_status", meeting), {"status": "convened"})
    assert response.status_code == 403
    client.force_login(secretariat)
    response = client.post(
        meeting_url("meeting_status", meeting), {"status": "convened"}, follow=True
    )
    assert "The meeting's status is now “convened”." in text(response)
    meeting.refresh_from_db()
    assert meeting.status == "convened"


# --- agenda items ------------------------------------------------------------


def test_add_an_agenda_item(client, meeting, secretariat):
    client.force_login(secretariat)
    add_url = meeting_url("agenda_item_create", meeting)
    assert 'value="11"' in client.get(add_url).content.decode()  # the next number suggested
    response = client.post(
        add_url,
        {
            "number": "11",
            "title": "Nieuwe financieringssystematiek",
            "requested_decision": "Instemmen.",
        },
        follow=True,
    )
    new = meeting.agenda_items.get(number="11")
    assert new.position == len(STANDARD_AGENDA) + 1
    assert "Agenda item 11. Nieuwe financieringssystematiek was added." in text(response)
    assert "Instemmen." in text(response)

    response = client.post(add_url, {"number": "11", "title": "Dubbel"})
    assert response.status_code == 400
    assert "Agenda item 11 exists already." in text(response)


def test_agenda_item_page_escapes_explanation_and_renders_proposal_headings(
    client, meeting, secretariat, representative
):
    agenda_item = item(meeting)
    client.force_login(secretariat)
    response = client.post(
        meeting_url("agenda_item_edit", meeting, agenda_item.pk),
        {
            "form": "item",
            "number": "07",
            "title": "Resolutie kabinetsformatie",
            "requested_decision": "De resolutie vaststellen.",
            "explanation": "Regel één\n<script>alert(1)</script>\n\nAlinea twee",
        },
    )
    assert response.status_code == 302
    client.post(
        meeting_url("agenda_item_edit", meeting, agenda_item.pk),
        {
            "form": "proposal",
            "proposal-title": "Resolutie",
            "proposal-text": "## Aanleiding\nHet kabinet wordt gevormd.\n\n## Wonen\nBouw meer.",
        },
    )
    assert Proposal.objects.get(agenda_item=agenda_item).title == "Resolutie"

    client.force_login(representative)
    html = client.get(meeting_url("agenda_item", meeting, agenda_item.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>Alinea twee</p>" in html
    assert '<h3 class="utrecht-heading-3">Aanleiding</h3>' in html
    assert '<p class="utrecht-paragraph">Bouw meer.</p>' in html
    assert "Submit an amendment" in text(
        client.get(meeting_url("agenda_item", meeting, agenda_item.pk))
    )


def test_edit_item_refuses_a_duplicate_number(client, meeting, secretariat):
    client.force_login(secretariat)
    response = client.post(
        meeting_url("agenda_item_edit", meeting, item(meeting).pk),
        {"form": "item", "number": "01", "title": "X"},
    )
    assert response.status_code == 400
    assert "Agenda item 01 exists already." in text(response)


# --- attachments -------------------------------------------------------------


def upload(client, meeting, name, content, title=""):
    return client.post(
        meeting_url("agenda_item", meeting, item(meeting).pk),
        {"file": SimpleUploadedFile(name, content), "title": title},
        follow=True,
    )


def test_upload_a_pdf_and_download_it_with_safe_headers(client, meeting, secretariat, board):
    client.force_login(secretariat)
    response = upload(client, meeting, "Concept resolutie.pdf", PDF, title="Conceptresolutie")
    assert "The attachment “Conceptresolutie” was added." in text(response)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"

    client.force_login(board)
    page = client.get(meeting_url("agenda_item", meeting, item(meeting).pk)).content.decode()
    download = reverse("web:attachment", args=["vvg", attachment.uuid])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Concept resolutie.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_upload_a_docx(client, meeting, secretariat):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    client.force_login(secretariat)
    upload(client, meeting, "notitie.docx", buffer.getvalue())
    assert Attachment.objects.get().extension == "docx"


def test_an_exe_renamed_to_pdf_is_refused(client, meeting, secretariat):
    client.force_login(secretariat)
    response = upload(client, meeting, "agenda.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    assert response.status_code == 400
    assert "agenda.pdf: only PDF or Word (.docx) files are accepted" in text(response)
    assert not Attachment.objects.exists()


def test_uploads_are_refused_to_other_roles(client, meeting, chair):
    client.force_login(chair)
    response = upload(client, meeting, "a.pdf", PDF)
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_attachments_are_hidden_from_outsiders_and_other_associations(
    client, meeting, secretariat, outsider
):
    client.force_login(secretariat)
    upload(client, meeting, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("web:attachment", args=["vvg", attachment.uuid])).status_code == 404
    other = factories.make_association(2, slug="ander")
    factories.make_user("secretariaat-ander", other, "secretariat")
    client.force_login(User.objects.get(username="secretariaat-ander"))
    assert client.get(reverse("web:attachment", args=["ander", attachment.uuid])).status_code == 404
    client.logout()
    response = client.get(reverse("web:attachment", args=["vvg", attachment.uuid]))
    assert response.status_code == 302
