"""The texts pages: who sees what, and every form through to its service."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from besluit.core import texts as ct
from besluit.proposals.models import Amendment
from besluit.texts import services
from besluit.texts.models import (
    AmendmentTarget,
    Branding,
    ChangeReason,
    ConsultationInput,
    PdfJob,
    TextVersion,
)
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, proposal, *more):
    slug = proposal.agenda_item.meeting.association.slug
    return reverse(f"texts:{name}", args=[slug, proposal.pk, *more])


def block_with(version, needle):
    return next(b.id for b in version.document.blocks if needle in b.text)


def test_pages_for_every_role(
    client, published, secretariat, board, chair, representative, association
):
    proposal = published.proposal
    outsider = factories.make_user(
        "buiten", factories.make_association(2, slug="ander"), "observer"
    )
    for user in (secretariat, board, chair, representative):
        client.force_login(user)
        for name in ("proposal", "compare", "consultation", "amendments"):
            assert client.get(url(name, proposal)).status_code == 200, (user, name)
        assert client.get(reverse("texts:index", args=[association.slug])).status_code == 200
    client.force_login(representative)
    assert client.get(url("draft", proposal)).status_code == 403
    page = client.get(url("proposal", proposal)).content.decode()
    assert 'data-line="1"' in page and "Propose an amendment" in page
    client.force_login(outsider)
    assert client.get(url("proposal", proposal)).status_code == 404
    client.logout()
    assert client.get(url("proposal", proposal)).status_code == 302


def test_unpublished_drafts_are_for_the_secretariat(client, published, secretariat, representative):
    services.do_start_draft(actor=secretariat, proposal=published.proposal)
    client.force_login(representative)
    assert client.get(url("version", published.proposal, 2)).status_code == 403
    assert client.get(url("version_json", published.proposal, 2)).status_code == 403
    assert client.get(url("version", published.proposal, 9)).status_code == 404
    client.force_login(secretariat)
    assert client.get(url("version", published.proposal, 2)).status_code == 200


def test_the_secretariat_writes_links_and_publishes_a_revision(
    client, published, secretariat, representative
):
    proposal = published.proposal
    today = date.today()
    round_ = services.do_open_consultation(
        actor=secretariat,
        proposal=proposal,
        title="Raadpleging",
        opens_on=today,
        closes_on=today + timedelta(days=5),
    )
    wonen = block_with(published, "100.000")
    item = services.do_submit_written_input(
        actor=representative, consultation=round_, text="Graag 120.000.", block_id=wonen
    )
    client.force_login(secretariat)
    assert client.post(url("draft_start", proposal)).status_code == 302
    draft = services.editing_version(proposal)
    md = ct.to_markdown(draft.document).replace("100.000", "120.000")
    r = client.post(
        url("draft", proposal),
        {"kind": "revised", "label": "Herzien", "summary": "Wonen.", "text": md},
    )
    assert r.status_code == 302
    page = client.get(url("draft", proposal)).content.decode()
    assert f'name="r-{wonen}-inputs"' in page and "<ins>" in page
    r = client.post(
        url("draft_reasons", proposal),
        {"block": wonen, f"r-{wonen}-block": wonen, f"r-{wonen}-inputs": [item.pk]},
    )
    assert r.status_code == 302
    assert ChangeReason.objects.filter(block_id=wonen, input=item).exists()
    assert client.post(url("draft_publish", proposal), {}).status_code == 302  # not confirmed
    assert services.editing_version(proposal) is not None
    r = client.post(url("draft_publish", proposal), {"confirm": "on"})
    assert r.status_code == 302 and "van=1&naar=2" in r["Location"]
    v2 = TextVersion.objects.get(proposal=proposal, number=2)
    assert v2.is_published and v2.label == "Herzien"
    # the representative sees the redline and the board's answer (none yet)
    client.force_login(representative)
    page = client.get(r["Location"]).content.decode()
    assert "<del>" in page and "Graag 120.000." in page and "Input of your municipality" in page


def test_import_through_the_page(client, published, secretariat):
    client.force_login(secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("concept.md", b"# Resolutie\n\nNieuwe tekst.\n", "text/markdown")
    r = client.post(
        url("draft_import", published.proposal), {"import-file": upload, "import-label": "Import"}
    )
    assert r.status_code == 302
    assert services.editing_version(published.proposal).label == "Import"
    bad = SimpleUploadedFile("kapot.docx", b"PK\x03\x04kapot", "application/octet-stream")
    r = client.post(url("draft_import", published.proposal), {"import-file": bad}, follow=True)
    assert "damaged" in r.content.decode()


def test_input_and_responses_through_the_page(
    client, published, secretariat, board, representative
):
    proposal = published.proposal
    today = date.today()
    round_ = services.do_open_consultation(
        actor=secretariat,
        proposal=proposal,
        title="Raadpleging",
        opens_on=today,
        closes_on=today + timedelta(days=5),
    )
    wonen = block_with(published, "100.000")
    add = reverse(
        "texts:input_add", args=[proposal.agenda_item.meeting.association.slug, round_.pk]
    )
    client.force_login(representative)
    page = client.get(add + f"?blok={wonen}").content.decode()
    assert "The paragraph" in page
    r = client.post(add, {"block": wonen, "quote": "100.000 nieuwe woningen", "text": "Meer."})
    assert r.status_code == 302
    item = ConsultationInput.objects.get()
    assert item.quote == "100.000 nieuwe woningen" and item.start is not None
    r = client.post(add, {"block": wonen, "quote": "bestaat niet", "text": "Meer."})
    assert r.status_code == 400 and "copy them exactly" in r.content.decode()
    respond = reverse(
        "texts:respond", args=[proposal.agenda_item.meeting.association.slug, item.pk]
    )
    assert (
        client.post(
            respond, {f"i{item.pk}-response": "adopted", f"i{item.pk}-reason": "Ja."}
        ).status_code
        == 400
    )
    client.force_login(board)
    r = client.post(
        respond, {f"i{item.pk}-response": "not_adopted", f"i{item.pk}-reason": "Nee, want."}
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.response == "not_adopted"


def test_amend_a_passage_and_order_the_votes(client, published, representative, other_rep, chair):
    proposal = published.proposal
    wonen = block_with(published, "100.000")
    client.force_login(representative)
    r = client.post(
        url("amend", proposal),
        {
            "block": wonen,
            "old_text": "ten minste 100.000",
            "new_text": "ruim 120.000",
            "occurrence": 1,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    a = Amendment.objects.get()
    assert a.target.block_id == wonen
    client.force_login(other_rep)
    client.post(
        url("amend", proposal), {"block": wonen, "old_text": "100.000", "new_text": "110.000"}
    )
    b = Amendment.objects.exclude(pk=a.pk).get()
    page = client.get(url("amendments", proposal)).content.decode()
    assert "change the same words" in page
    client.force_login(chair)
    r = client.post(url("vote_order", proposal), {f"pos_{b.pk}": 1, f"pos_{a.pk}": 2})
    assert r.status_code == 302
    assert AmendmentTarget.objects.get(amendment=b).vote_position == 1


def test_pdf_pages_and_polling(
    client, published, secretariat, representative, django_capture_on_commit_callbacks
):
    meeting = published.proposal.agenda_item.meeting
    slug = meeting.association.slug
    client.force_login(secretariat)
    assert client.get(reverse("texts:books", args=[slug, meeting.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("texts:book_request", args=[slug, meeting.pk, "meeting_book"]), {"letter": ""}
        )
    assert r.status_code == 302
    job = PdfJob.objects.get()
    part = client.get(reverse("texts:job", args=[slug, job.public_id])).content.decode()
    assert "Download the PDF" in part and "hx-get" not in part
    pdf = client.get(reverse("texts:job_download", args=[slug, job.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # a job still running polls itself
    PdfJob.objects.filter(pk=job.pk).update(status="running", progress=40, stage="laying out")
    part = client.get(reverse("texts:job", args=[slug, job.public_id])).content.decode()
    assert 'hx-trigger="every 1s"' in part and 'value="40"' in part
    client.force_login(representative)
    r = client.post(
        reverse("texts:book_request", args=[slug, meeting.pk, "meeting_book"]), {"letter": ""}
    )
    assert PdfJob.objects.count() == 1


def test_branding_upload(client, association, secretariat, representative):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client.force_login(representative)
    assert client.get(reverse("texts:branding", args=[association.slug])).status_code == 403
    client.force_login(secretariat)
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buf, "PNG")
    logo = SimpleUploadedFile("logo.png", buf.getvalue(), "image/png")
    r = client.post(
        reverse("texts:branding", args=[association.slug]),
        {"logo": logo, "sender": "Postbus 1", "signature": "Het bestuur"},
    )
    assert r.status_code == 302
    assert Branding.objects.get().logo_ext == "png"
    assert client.get(reverse("texts:logo", args=[association.slug])).status_code == 200
    fake = SimpleUploadedFile("logo.png", b"<svg/>", "image/png")
    r = client.post(reverse("texts:branding", args=[association.slug]), {"logo": fake})
    assert r.status_code == 400 and "PNG or JPEG" in r.content.decode()
