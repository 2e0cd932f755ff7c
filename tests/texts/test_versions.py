"""Versions of a structured text: drafts, import, publication, immutability, the plain mirror."""

import io

import docx
import pytest

from besluit.audit.models import AuditEvent
from besluit.core import texts as ct
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.proposals.models import Proposal
from besluit.texts import selectors, services
from besluit.texts.models import ImmutableVersion, TextVersion
from tests.texts.conftest import RESOLUTION

pytestmark = pytest.mark.django_db


def test_a_draft_starts_from_the_proposals_text(proposal, secretariat):
    v = services.do_start_draft(actor=secretariat, proposal=proposal)
    assert v.number == 1 and v.kind == TextVersion.Kind.DRAFT and not v.is_published
    kinds = [(b.kind, b.level) for b in v.document.blocks]
    assert kinds[:2] == [(ct.Kind.HEADING, 1), (ct.Kind.HEADING, 2)]
    assert [b.text for b in v.document.blocks if b.kind == ct.Kind.NUMBERED] == [
        "draai de korting op het gemeentefonds terug;",
        "herstel de groei van het gemeentefonds;",
        "voer geen verdere bezuinigingen door.",
    ]
    assert v.plain_text == RESOLUTION
    with pytest.raises(Conflict):
        services.do_start_draft(actor=secretariat, proposal=proposal)


def test_only_the_secretariat_writes_and_publishes(proposal, representative, board, secretariat):
    for actor in (representative, board):
        with pytest.raises(PermissionDenied):
            services.do_start_draft(actor=actor, proposal=proposal)
    v = services.do_start_draft(actor=secretariat, proposal=proposal)
    with pytest.raises(PermissionDenied):
        services.do_publish_version(actor=board, version=v)


def test_publish_is_final_and_mirrors_the_plain_text(proposal, secretariat):
    v = services.do_start_draft(actor=secretariat, proposal=proposal)
    services.do_edit_draft(
        actor=secretariat,
        version=v,
        markdown=RESOLUTION.replace("nieuw kabinet", "nieuw, breed kabinet"),
    )
    v = services.do_publish_version(actor=secretariat, version=v)
    assert v.is_published and v.published_at is not None
    proposal.refresh_from_db()
    assert "nieuw, breed kabinet" in proposal.text
    assert proposal.text == v.plain_text
    # a published version never changes, whichever way one tries
    with pytest.raises(Conflict):
        services.do_edit_draft(actor=secretariat, version=v, label="x")
    v = TextVersion.objects.get(pk=v.pk)
    v.label = "changed behind the service's back"
    with pytest.raises(ImmutableVersion):
        v.save()
    assert AuditEvent.objects.filter(action="text.published").count() == 1


def test_a_new_draft_keeps_the_ids_of_paragraphs_it_continues(published, secretariat):
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    assert draft.blocks == published.blocks and draft.based_on == published
    md = ct.to_markdown(draft.document)
    md = md.replace("nieuw kabinet", "nieuw kabinet, waarschijnlijk in het voorjaar")
    md = md.replace("## Wonen", "## Klimaat\n\nEen nieuwe alinea over klimaat.\n\n## Wonen")
    draft = services.do_edit_draft(actor=secretariat, version=draft, markdown=md)
    old_ids = published.document.ids
    new_ids = draft.document.ids
    assert set(old_ids) <= set(new_ids)
    assert len(new_ids) == len(old_ids) + 2
    changed = next(b for b in draft.document.blocks if "voorjaar" in b.text)
    assert changed.id == published.document.blocks[2].id


def docx_bytes() -> bytes:
    d = docx.Document()
    d.add_heading("Resolutie", 1)
    d.add_heading("Aanleiding", 2)
    d.add_paragraph(
        "Na de verkiezingen begint de formatie van een nieuw kabinet. De opgaven komen samen "
        "in de gemeente, zegt Word."
    )
    d.add_paragraph("draai de korting op het gemeentefonds terug;", style="List Number")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_import_a_word_draft_onto_the_current_text(published, secretariat):
    result = services.do_import_draft(
        actor=secretariat, proposal=published.proposal, filename="concept-2.docx", data=docx_bytes()
    )
    v = result.version
    assert v.source == TextVersion.Source.DOCX and v.number == 2
    # the edited paragraph and the list item keep their identity
    by_text = {b.text: b.id for b in published.document.blocks}
    assert v.document.blocks[0].id == by_text["Resolutie"]
    assert v.document.blocks[3].id == by_text["draai de korting op het gemeentefonds terug;"]
    assert v.document.blocks[2].id == published.document.blocks[2].id
    # a second import replaces the text of the same draft
    again = services.do_import_draft(
        actor=secretariat,
        proposal=published.proposal,
        filename="x.md",
        data=b"# Resolutie\n\nKort.\n",
    )
    assert again.version.pk == v.pk and again.version.source == TextVersion.Source.MARKDOWN


def test_refused_imports_say_why_and_are_audited(published, secretariat):
    with pytest.raises(ValidationFailed, match="password"):
        services.do_import_draft(
            actor=secretariat,
            proposal=published.proposal,
            filename="geheim.docx",
            data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
        )
    with pytest.raises(ValidationFailed, match="Word document"):
        services.do_import_draft(
            actor=secretariat, proposal=published.proposal, filename="a.pdf", data=b"%PDF-1.7"
        )
    assert AuditEvent.objects.filter(action="text.import_refused").count() == 2
    assert services.editing_version(published.proposal) is None


def test_import_size_limit(published, secretariat, settings):
    settings.BESLUIT_MAX_IMPORT_BYTES = 1000
    with pytest.raises(ValidationFailed, match="at most 1,000 bytes"):
        services.do_import_draft(
            actor=secretariat, proposal=published.proposal, filename="a.docx", data=docx_bytes()
        )


def test_discard_a_draft(published, secretariat):
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    assert services.do_discard_draft(actor=secretariat, version=draft) == 2
    assert list(TextVersion.objects.values_list("number", flat=True)) == [1]


def test_compare_selects_reasons_and_statistics(published, secretariat):
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    md = ct.to_markdown(draft.document).replace("100.000", "120.000")
    services.do_edit_draft(actor=secretariat, version=draft, markdown=md)
    v2 = services.do_publish_version(actor=secretariat, version=draft)
    cmp = selectors.compare(published, v2)
    assert cmp.stats["changed"] == 1
    changed = [i for i in cmp.items if i.item.is_change]
    assert "<del>" in changed[0].html and "120" in changed[0].html


def test_proposal_text_mirror_is_what_other_pages_show(published):
    assert Proposal.objects.get(pk=published.proposal_id).text == published.plain_text
