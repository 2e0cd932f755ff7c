"""PDFs in the background: meeting book, decision list, redline; progress, access, fallback."""

import io
import time

import pytest
from django.db import close_old_connections
from PIL import Image
from pypdf import PdfReader

from besluit.errors import PermissionDenied
from besluit.texts import jobs, services
from besluit.texts.models import PdfJob


def outline_titles(reader: PdfReader) -> list[str]:
    out = []

    def walk(items):
        for x in items:
            if isinstance(x, list):
                walk(x)
            else:
                out.append((x.title, reader.get_destination_page_number(x) + 1))

    walk(reader.outline)
    return out


def png_logo() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (120, 60), (21, 66, 115)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "logo.png"
    buf.size = len(buf.getvalue())
    return buf


@pytest.mark.django_db
def test_the_meeting_book_is_made_in_the_background(
    published, secretariat, representative, django_capture_on_commit_callbacks
):
    meeting = published.proposal.agenda_item.meeting
    services.do_propose_amendment(
        actor=representative,
        version=published,
        block_id=next(b.id for b in published.document.blocks if "100.000" in b.text),
        old_text="100.000",
        new_text="120.000",
        explanation="Meer woningen.",
    )
    services.do_set_branding(
        actor=secretariat,
        association=meeting.association,
        sender="Postbus 1\n2500 AA Den Haag",
        signature="Het bestuur",
        logo=png_logo(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.do_request_pdf(
            actor=secretariat,
            kind=PdfJob.Kind.MEETING_BOOK,
            meeting=meeting,
            params={"letter": "Geachte leden,\n\nWelkom.", "lang": "en"},
        )
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE, job.error
    assert job.progress == 100 and job.pages >= 4 and job.size > 10_000
    with job.file.open("rb") as f:
        reader = PdfReader(f)
        assert len(reader.pages) == job.pages
        titles = [t for t, _page in outline_titles(reader)]
        assert "Convocation" in titles and "Contents" in titles and "Agenda" in titles
        assert any(t.startswith("07.") for t in titles)
        assert any(t.startswith("Amendement") for t in titles)
        # bookmarks point at the pages the headings are on, in order
        pages = [p for _t, p in outline_titles(reader)]
        assert pages == sorted(pages) and pages[-1] > 2
        text = "".join(p.extract_text() for p in reader.pages)
        assert "Welkom." in text and "Meer woningen." in text
        assert f"page 2 of {job.pages}" in text
        assert reader.metadata.title.startswith("Meeting book")
        assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.django_db
def test_decision_list_and_redline_for_members(
    published, secretariat, representative, django_capture_on_commit_callbacks
):
    meeting = published.proposal.agenda_item.meeting
    with pytest.raises(PermissionDenied):
        services.do_request_pdf(
            actor=representative, kind=PdfJob.Kind.MEETING_BOOK, meeting=meeting
        )
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    from besluit.core import texts as ct

    md = ct.to_markdown(draft.document).replace("100.000", "120.000")
    services.do_edit_draft(actor=secretariat, version=draft, markdown=md)
    services.do_publish_version(actor=secretariat, version=draft)
    with django_capture_on_commit_callbacks(execute=True):
        dl = services.do_request_pdf(
            actor=representative, kind=PdfJob.Kind.DECISION_LIST, meeting=meeting
        )
        rl = services.do_request_pdf(
            actor=representative,
            kind=PdfJob.Kind.REDLINE,
            proposal=published.proposal,
            params={"old": 1, "new": 2},
        )
    for job in (dl, rl):
        job.refresh_from_db()
        assert job.status == PdfJob.Status.DONE, job.error
    with rl.file.open("rb") as f:
        text = "".join(p.extract_text() for p in PdfReader(f).pages)
    assert "120" in text and "changed" in text and "\x00" not in text


@pytest.mark.django_db(transaction=True)
def test_without_a_task_backend_a_thread_makes_the_pdf(published, secretariat, settings):
    settings.TASKS = {"default": {"BACKEND": "no.such.Backend"}}
    meeting = published.proposal.agenda_item.meeting
    job = services.do_request_pdf(
        actor=secretariat, kind=PdfJob.Kind.DECISION_LIST, meeting=meeting
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == PdfJob.Status.DONE, job.error
    close_old_connections()


@pytest.mark.django_db
def test_a_failed_job_says_so_and_a_dead_one_is_stale(published, secretariat):
    meeting = published.proposal.agenda_item.meeting
    job = PdfJob.objects.create(
        association=meeting.association,
        kind=PdfJob.Kind.REDLINE,
        proposal=published.proposal,
        params={"old": 1, "new": 99},
        requested_by=secretariat,
    )
    assert "failed" in jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and "No such version" in job.error
    assert jobs.run_job(job.pk) == {"skipped": True}  # a job runs once
    from datetime import timedelta

    from django.utils import timezone

    stuck = PdfJob.objects.create(
        association=meeting.association,
        kind=PdfJob.Kind.DECISION_LIST,
        meeting=meeting,
        requested_by=secretariat,
        status=PdfJob.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert jobs.is_stale(stuck)


def test_page_references_are_kept_until_a_page_is_added():
    """texts.pdf caches pydyf's page references (WeasyPrint's tagging reads them once per
    structure element); the cache must give what pydyf gives, and follow added pages."""
    import pydyf

    from besluit.texts import pdf

    pdf._cache_page_references()
    pdf._cache_page_references()  # twice is harmless
    document = pydyf.PDF()
    pages = [pydyf.Dictionary({"Type": "/Page"}) for _ in range(3)]
    for page in pages:
        document.add_page(page)
    first = document.page_references
    assert document.page_references is first  # not rebuilt on each read
    assert first == tuple(f"{page.number} 0 R".encode() for page in pages)
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(document.page_references) == 4 and document.page_references[:3] == first
