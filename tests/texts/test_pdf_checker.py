"""Every PDF passes a maintained, third-party PDF/UA-1 checker: outloud (PyPI), beside our own
pikepdf checker (tests/pdfua.py). veraPDF, the reference validator, cannot be installed from
the registries this project uses (see docs/pdf-accessibility.md for what was tried).

outloud checks the Matterhorn Protocol's machine-checkable conditions and more (91 rules):
errors fail the test, and so do warnings, except the few listed in ACCEPTED with the reason."""

import io
from datetime import timedelta
from pathlib import Path

import outloud  # a test dependency (pyproject's [test] extra): never skipped
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from besluit.core import texts as ct
from besluit.minutes import services as minutes
from besluit.proposals import services as proposal_services
from besluit.texts import books, pdf
from besluit.texts import services as texts
from besluit.texts.models import PdfJob
from besluit.voting import services as voting

# Findings accepted, per document, with why. Keep this short and justified.
ACCEPTED: dict[str, dict[str, str]] = {
    "code-letters": {
        # Every page is a letter of its own: the association's name and "Voting code for
        # <member>" head each letter as content; the heuristic takes them for a running
        # header (the test members' names differ only in digits).
        "PAG-001": "each page is a separate letter, its letterhead is content",
    },
}


def check(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    result = outloud.check(str(path))
    assert result.error is None, result.error
    found = [
        f"{f.rule} ({f.severity}, page {f.page}): {f.message} [{f.evidence}]"
        for f in result.findings
        if f.severity in ("error", "warning") and f.rule not in ACCEPTED.get(name, {})
    ]
    assert not found, f"{name}:\n" + "\n".join(found)


@pytest.fixture
def decided(published, chair, representative):
    meeting = published.proposal.agenda_item.meeting
    item = published.proposal.agenda_item
    amendment = texts.do_propose_amendment(
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
    proposal_services.do_submit_motion(
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
    return meeting


@pytest.mark.django_db
def test_the_meeting_book_decision_list_and_comparison_pass_outloud(
    tmp_path, decided, published, secretariat
):
    meeting = decided
    with translation.override("nl"):
        check(tmp_path, "meeting-book", pdf.render("meeting_book", books.book_data(meeting))[0])
        listing = books.book_data(meeting, decisions=True)
        check(tmp_path, "decision-list", pdf.render("decision_list", listing)[0])
        draft = texts.do_start_draft(actor=secretariat, proposal=published.proposal)
        md = ct.to_markdown(draft.document).replace("100.000", "120.000")
        texts.do_edit_draft(actor=secretariat, version=draft, markdown=md)
        texts.do_publish_version(actor=secretariat, version=draft)
        job = PdfJob(
            association=meeting.association,
            kind=PdfJob.Kind.REDLINE,
            proposal=published.proposal,
            params={"old": 1, "new": 2},
        )
        check(tmp_path, "comparison", pdf.render("redline", books.redline_data(job))[0])


@pytest.mark.django_db
def test_the_code_letters_and_the_minutes_pass_outloud(
    tmp_path, client, decided, secretariat, chair
):
    meeting = decided
    client.force_login(secretariat)
    url = reverse("live:voting_codes", args=[meeting.association.slug, meeting.pk])
    client.post(url, {"format": "letters"})
    letters = client.get(url + "?download=1")
    assert letters["Content-Type"] == "application/pdf"
    check(tmp_path, "code-letters", letters.content)

    version = minutes.do_make_draft(actor=secretariat, meeting=meeting)
    minutes.do_publish(actor=secretariat, minutes=version.minutes)
    out = io.BytesIO()
    from besluit.minutes import pdf as minutes_pdf

    minutes_pdf.render(version.minutes, version, out, lang="nl")
    check(tmp_path, "minutes", out.getvalue())


def test_the_page_header_and_footer_become_artifacts(tmp_path):
    """WeasyPrint tags the page-margin text outside the structure tree; pdf_artifacts makes
    it a pagination artifact, and both checkers see the difference."""
    from weasyprint import HTML

    from besluit.texts import pdf_artifacts
    from tests import pdfua

    html = (
        '<html lang="nl"><head><title>Proef</title><style>@page { @bottom-left { content: '
        '"Vereniging"; } @bottom-right { content: "pagina " counter(page) } }</style></head>'
        "<body><h1>Proef</h1>"
        + "".join(
            f'<p style="break-after: page">Bladzijde {n}, <a href="#x">link</a>.</p>'
            for n in range(4)
        )
        + '<p id="x">Einde.</p></body></html>'
    )
    raw = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert any("outside the structure tree" in e for e in pdfua.check(raw).errors)
    fixed = pdf_artifacts.fix(raw)
    report = pdfua.check(fixed)
    assert report.ok, report.errors
    check(tmp_path, "artifacts", fixed)
    import pikepdf

    with pikepdf.open(io.BytesIO(fixed)) as done:
        links = [a for p in done.pages for a in p.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all(int(a.F) & 4 for a in links)
