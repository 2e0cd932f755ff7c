"""Texts in a real browser: the secretariat publishes a revised version; a representative sees
the redline and the board's answer to its municipality's input."""

from datetime import date, timedelta

import pytest

from besluit.associations.models import Role
from besluit.texts import services
from besluit.texts.models import ConsultationInput, TextVersion
from tests import factories
from tests.browser.conftest import login

DRAFT = """\
# Resolutie

## Kansengelijkheid

Wij vragen het kabinet om de middelen voor kansengelijkheid voor ten minste vijf jaar vast te \
leggen en ze via het gemeentefonds te verdelen.

## Wonen

Wij vragen het kabinet om de afspraak van ten minste 100.000 nieuwe woningen per jaar te \
ondersteunen.
"""


@pytest.fixture
def story(transactional_db):
    association = factories.make_association(6)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    board = factories.make_user("bestuurslid", association, Role.Kind.BOARD)
    member = factories.member(association, 2)
    rep = factories.make_user("wethouder", association, Role.Kind.REPRESENTATIVE, member=member)
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting, text=DRAFT)
    v1 = services.do_start_draft(actor=secretariat, proposal=proposal, label="Concept")
    v1 = services.do_publish_version(actor=secretariat, version=v1)
    round_ = services.do_open_consultation(
        actor=secretariat,
        proposal=proposal,
        title="Ledenraadpleging",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
    )
    block = next(b.id for b in v1.document.blocks if "kansengelijkheid" in b.text)
    item = services.do_submit_written_input(
        actor=rep,
        consultation=round_,
        block_id=block,
        quote="voor ten minste vijf jaar",
        text="Vijf jaar is te kort: scholen moeten op tien jaar kunnen rekenen.",
    )
    services.do_respond(
        actor=board,
        item=item,
        response=ConsultationInput.Response.ADOPTED,
        reason="Overgenomen: de termijn wordt tien jaar.",
    )
    return {"association": association, "proposal": proposal, "member": member, "block": block}


def test_revised_version_redline_and_the_boards_answer(story, new_page):
    slug = story["association"].slug
    proposal = story["proposal"]
    base = f"/{slug}/teksten/voorstel/{proposal.pk}/"

    # the secretariat writes and publishes the revised draft
    page = new_page(locale="en-GB", language="en")
    login(page, "secretariaat")
    page.goto(base)
    page.get_by_role("link", name="New version").click()
    page.get_by_role("button", name="Start the draft").click()
    text = page.locator("textarea[name=text]")
    text.fill(text.input_value().replace("vijf jaar", "tien jaar"))
    page.locator("#id_label").fill("Herziene conceptresolutie")
    page.locator("select[name=kind]").select_option("revised")
    page.get_by_role("button", name="Save the draft").click()
    assert page.locator("ins", has_text="tien").first.is_visible()
    # the change answers the municipality's input
    reasons = page.locator(f"#change-{story['block']} + form")
    reasons.get_by_label("Vijf jaar is te kort", exact=False).check()
    reasons.get_by_role("button", name="Save the reasons").click()
    publish = page.locator("form[action$='concept/publiceren/']")
    publish.get_by_label("Yes, I am sure").check()
    publish.get_by_role("button", name="Publish version 2").click()
    page.wait_for_url("**/vergelijk/?van=1&naar=2")
    assert TextVersion.objects.get(proposal=proposal, number=2).is_published

    # a representative of that municipality sees what changed, and why
    rep = new_page(locale="en-GB", language="en", phone=True)
    login(rep, "wethouder")
    rep.goto(base)
    assert rep.get_by_role("heading", name="Herziene conceptresolutie").is_visible()
    rep.get_by_role("link", name="What changed since version 1").click()
    change = rep.locator(f"#change-{story['block']}")
    assert change.locator("del", has_text="vijf").is_visible()
    assert change.locator("ins", has_text="tien").is_visible()
    mine = change.locator(".texts-reason--mine")
    assert mine.get_by_text("Input of your municipality").is_visible()
    assert mine.get_by_text("Board's response: adopted").is_visible()
    assert mine.get_by_text("Overgenomen: de termijn wordt tien jaar.").is_visible()

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(rep)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"]) for v in serious]
