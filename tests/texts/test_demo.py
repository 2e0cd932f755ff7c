"""The texts demo: the Najaars-ALV resolution from draft to final text, loaded once."""

import pytest

from besluit.associations.models import Association
from besluit.core import redline as cr
from besluit.demo.alv import RESOLUTION_TEXT
from besluit.demo.texts import load_texts_demo
from besluit.texts import selectors
from besluit.texts.models import AmendmentTarget, ChangeReason, ConsultationInput, TextVersion


@pytest.mark.django_db
def test_load_texts_demo_is_complete_and_idempotent(demo_world):
    vvvg = Association.objects.get(slug="vvvg")
    final = load_texts_demo(vvvg)
    assert final is not None and load_texts_demo(vvvg) is None
    proposal = final.proposal
    versions = list(TextVersion.objects.filter(proposal=proposal).order_by("number"))
    assert [(v.number, v.kind, v.is_published) for v in versions] == [
        (1, "draft", True),
        (2, "revised", True),
        (3, "final", True),
    ]
    # the final text is the proposal's text, so the demo's amendments still fit it
    proposal.refresh_from_db()
    assert proposal.text.strip() == RESOLUTION_TEXT.strip()
    targets = list(AmendmentTarget.objects.filter(amendment__proposal=proposal))
    assert len(targets) == 2 and all(t.version == final for t in targets)
    # input from several municipalities and groups, every one answered
    inputs = ConsultationInput.objects.filter(consultation__proposal=proposal)
    assert inputs.count() == 10 and not inputs.filter(response="").exists()
    assert inputs.filter(response="not_adopted").count() == 3
    assert inputs.exclude(member=None).values("member").distinct().count() >= 5
    # the changes say why: each linked to the input it answers
    assert ChangeReason.objects.filter(version__proposal=proposal).count() == 7
    rl = cr.redline(versions[0].document, final.document)
    assert rl.stats()["moved"] == 1 and rl.stats()["inserted"] == 1
    cmp = selectors.compare(versions[0], final)
    with_reasons = [i for i in cmp.items if i.reasons]
    assert len(with_reasons) == 7
