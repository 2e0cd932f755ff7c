"""Amendments on passages: submission, rebase onto new versions, collisions, the adopted text."""

import pytest

from besluit.core import texts as ct
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Amendment, SubmissionStatus
from besluit.texts import selectors, services
from besluit.texts.models import AmendmentTarget, TextVersion

pytestmark = pytest.mark.django_db


def block_with(version, needle):
    return next(b.id for b in version.document.blocks if needle in b.text)


def amend(version, actor, needle, old, new, **kw):
    return services.do_propose_amendment(
        actor=actor,
        version=version,
        block_id=block_with(version, needle),
        old_text=old,
        new_text=new,
        **kw,
    )


def new_version(published, secretariat, *replacements):
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    md = ct.to_markdown(draft.document)
    for old, new in replacements:
        assert old in md
        md = md.replace(old, new)
    services.do_edit_draft(actor=secretariat, version=draft, markdown=md)
    return services.do_publish_version(actor=secretariat, version=draft)


def test_propose_an_amendment_on_a_passage(published, representative):
    a = amend(
        published,
        representative,
        "100.000",
        "meerjarige woningbouwimpuls",
        "woningbouwimpuls van tien jaar",
        explanation="Langer.",
    )
    # the proposals app's own amendment, with our passage on top
    assert isinstance(a, Amendment) and a.status == SubmissionStatus.ADMITTED
    assert a.old_text == "meerjarige woningbouwimpuls" and a.passage.startswith("regel")
    t = a.target
    assert t.version == published and t.status == AmendmentTarget.Status.APPLICABLE
    text = published.document.block(t.block_id).text
    assert text[t.start : t.end] == "meerjarige woningbouwimpuls"
    with pytest.raises(ValidationFailed, match="do not occur"):
        amend(published, representative, "100.000", "staat er niet", "x")
    with pytest.raises(PermissionDenied):
        amend(published, None, "100.000", "meerjarige", "x")


def test_amendments_submitted_elsewhere_get_their_passage(published, representative, secretariat):
    a = proposal_services.do_submit_amendment(
        actor=representative,
        proposal=published.proposal,
        passage="Wonen",
        old_text="ten minste 100.000",
        new_text="ruim 120.000",
    )
    b = proposal_services.do_submit_amendment(
        actor=representative,
        proposal=published.proposal,
        passage="overal",
        old_text="het gemeentefonds",
        new_text="het fonds",
    )
    result = services.do_link_amendments(actor=secretariat, proposal=published.proposal)
    assert result == {"linked": [a.number], "unresolved": [b.number]}
    target = services.do_set_passage(
        actor=representative,
        amendment=b,
        block_id=block_with(published, "korting"),
        old_text="het gemeentefonds",
    )
    assert target.status == AmendmentTarget.Status.APPLICABLE


def test_a_new_version_rebases_or_flags_amendments(
    published, secretariat, representative, other_rep
):
    untouched = amend(
        published,
        representative,
        "100.000",
        "meerjarige woningbouwimpuls",
        "tienjarige woningbouwimpuls",
    )
    touched = amend(
        published,
        other_rep,
        "korting",
        "draai de korting op het gemeentefonds terug",
        "schrap de korting",
    )
    elsewhere = amend(
        published, other_rep, "Na de verkiezingen", "nieuw kabinet", "nieuw en breed kabinet"
    )
    v2 = new_version(
        published,
        secretariat,
        (
            "Wij vragen het kabinet om",
            "Wij vragen het nieuwe kabinet om",
        ),  # same paragraph, not the passage
        ("draai de korting op het gemeentefonds terug", "draai de korting van 675 miljoen terug"),
        ("## Aanleiding", "## Aanleiding\n\nEen nieuwe alinea vooraf."),
    )
    targets = {t.amendment_id: t for t in AmendmentTarget.objects.all()}
    t1, t2, t3 = targets[untouched.pk], targets[touched.pk], targets[elsewhere.pk]
    assert t1.version == v2 and t1.status == AmendmentTarget.Status.REBASED
    assert v2.document.block(t1.block_id).text[t1.start : t1.end] == "meerjarige woningbouwimpuls"
    assert t2.status == AmendmentTarget.Status.CONFLICT and "changed" in t2.conflict_reason
    assert t3.status == AmendmentTarget.Status.REBASED
    # the submitter points the flagged amendment at the new wording
    with pytest.raises(PermissionDenied):
        services.do_set_passage(
            actor=representative,
            amendment=touched,
            block_id=t2.block_id,
            old_text="draai de korting van 675 miljoen terug",
        )
    fixed = services.do_set_passage(
        actor=other_rep,
        amendment=touched,
        block_id=block_with(v2, "675 miljoen"),
        old_text="draai de korting van 675 miljoen terug",
    )
    assert fixed.status == AmendmentTarget.Status.APPLICABLE and fixed.version == v2
    touched.refresh_from_db()
    assert touched.old_text == "draai de korting van 675 miljoen terug"


def test_collisions_voting_order_and_the_adopted_text(
    published, secretariat, representative, other_rep, chair
):
    wide = amend(
        published,
        representative,
        "100.000",
        "ten minste 100.000 nieuwe woningen per jaar",
        "ruim 120.000 betaalbare woningen per jaar",
    )
    narrow = amend(published, other_rep, "100.000", "100.000", "110.000")
    other = amend(
        published,
        other_rep,
        "korting",
        "draai de korting op het gemeentefonds terug",
        "draai de korting van 675 miljoen terug",
    )
    overview = selectors.amendment_overview(published.proposal)
    assert overview.groups == [sorted([wide.number, narrow.number])]
    order = [r.amendment for r in overview.ordered]
    assert order == [wide, narrow, other]  # text order; the farthest-reaching first
    row = {r.amendment.pk: r for r in overview.rows}
    assert row[narrow.pk].lapses_if == [wide.number]
    # the chair puts the narrow one first
    with pytest.raises(PermissionDenied):
        services.do_set_vote_order(
            actor=representative, proposal=published.proposal, amendment_ids=[narrow.pk]
        )
    services.do_set_vote_order(
        actor=chair, proposal=published.proposal, amendment_ids=[narrow.pk, wide.pk, other.pk]
    )
    assert [r.amendment for r in selectors.amendment_overview(published.proposal).ordered] == [
        narrow,
        wide,
        other,
    ]

    # both colliding amendments adopted: the merge refuses, naming them
    for a in (wide, narrow, other):
        proposal_services.do_set_status(actor=chair, submission=a, status=SubmissionStatus.ADOPTED)
    with pytest.raises(Conflict, match="same words"):
        services.do_compose_adopted(actor=secretariat, proposal=published.proposal)
    proposal_services.do_set_status(
        actor=chair, submission=narrow, status=SubmissionStatus.REJECTED
    )
    adopted = services.do_compose_adopted(actor=secretariat, proposal=published.proposal)
    assert adopted.kind == TextVersion.Kind.ADOPTED and not adopted.is_published
    text = adopted.plain_text
    assert "ruim 120.000 betaalbare woningen per jaar" in text
    assert "draai de korting van 675 miljoen terug" in text
    # nothing else changed: blocks outside the passages are the very same
    touched = {wide.target.block_id, other.target.block_id}
    assert set(adopted.provenance) == touched
    for b in published.document.blocks:
        if b.id not in touched:
            assert adopted.document.block(b.id) == b
    adopted = services.do_publish_version(actor=secretariat, version=adopted)
    adopted.proposal.refresh_from_db()
    assert "ruim 120.000" in adopted.proposal.text
    cmp = selectors.compare(published, adopted)
    by_block = {i.item.block_id: i for i in cmp.items}
    assert by_block[wide.target.block_id].amendments == [wide]


def test_adopted_amendment_in_conflict_blocks_the_adopted_text(
    published, secretariat, representative, chair
):
    a = amend(
        published,
        representative,
        "korting",
        "draai de korting op het gemeentefonds terug",
        "schrap",
    )
    new_version(
        published, secretariat, ("draai de korting op het gemeentefonds terug", "draai alles terug")
    )
    proposal_services.do_set_status(actor=chair, submission=a, status=SubmissionStatus.ADOPTED)
    with pytest.raises(Conflict, match=f"Amendment {a.number}"):
        services.do_compose_adopted(actor=secretariat, proposal=published.proposal)


def test_amend_only_the_current_version(published, secretariat, representative):
    v2 = new_version(published, secretariat, ("nieuw kabinet", "nieuw, breed kabinet"))
    with pytest.raises(Conflict, match="newer version"):
        amend(published, representative, "100.000", "100.000", "120.000")
    assert amend(v2, representative, "100.000", "100.000", "120.000").target.version == v2
