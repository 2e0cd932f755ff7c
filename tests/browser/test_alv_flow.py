"""An ALV as people live it, in headless Chromium: submit, vote on a phone, close, read."""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.proposals.models import Motion
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Poll
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alv(transactional_db):
    association = factories.make_association(12, slug="vvg", networks={"G4": [0, 1]})
    meeting = factories.make_meeting(association)
    factories.make_proposal(meeting)
    people = {
        "chair": factories.make_user("voorzitter", association, Role.Kind.CHAIR),
        "secretariat": factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT),
        "rep": factories.make_user(
            "burgemeester",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, 0),
        ),
    }
    for i in (1, 2):
        people[f"rep{i}"] = factories.make_user(
            f"wethouder{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
    return association, meeting, people


def test_representative_submits_votes_on_phone_and_chair_closes(new_page, alv):
    association, meeting, people = alv
    co = factories.member(association, 3)

    # A representative submits a motion with a co-submitter, on a phone.
    page = new_page(phone=True)
    login(page, "burgemeester")
    page.goto(f"/{association.slug}/vergaderingen/{meeting.pk}/moties/nieuw/")
    page.fill("input[name=title]", "Herstel de groei van het gemeentefonds")
    page.fill("textarea[name=considerations]", "gemeenten structureel tekortkomen;")
    page.fill("textarea[name=request]", "bij het kabinet aan te dringen op herstel.")
    page.locator("details", has_text=co.province).first.locator("summary").click()
    page.get_by_label(co.name).check()
    page.locator("form button[type=submit]").last.click()
    motion = Motion.objects.get(meeting=meeting)
    assert list(motion.co_submitters.all()) == [co]
    page.wait_for_url(f"**/moties/{motion.number}/")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith(f"Motie {factories.member(association, 0).name} c.s.")
    )

    # The chair puts it to the vote (created here; opening goes through the UI below).
    poll = voting.do_create_poll(
        actor=people["chair"], meeting=meeting, subject=Poll.Subject.MOTION, motion=motion
    )
    chair = new_page()
    login(chair, "voorzitter")
    chair.goto(f"/{association.slug}/stemmingen/{poll.public_id}/openen/")
    chair.locator("main form button[type=submit]").first.click()
    chair.wait_for_load_state()
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN

    # The representative votes with one tap on the phone and gets a ballot id.
    page.goto(f"/{association.slug}/stemmingen/{poll.public_id}/")
    page.locator("button.vote-option--for").click()
    receipt = page.locator(".besluit-vote-receipt")
    receipt.wait_for()
    ballot = Ballot.objects.get(poll=poll)
    assert str(ballot.public_id) in receipt.inner_text()

    # Two more members vote (through the service, as other devices would).
    voting.cast_ballot(actor=people["rep1"], poll=poll, option_key="against")
    voting.cast_ballot(actor=people["rep2"], poll=poll, option_key="for")

    # The chair closes, after confirming.
    chair.goto(f"/{association.slug}/stemmingen/{poll.public_id}/sluiten/")
    chair.locator("main form button[type=submit]").first.click()
    chair.wait_for_load_state()
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED

    # The results page shows the weighted percentages, as the meeting would read them.
    weights = {e.member_id: e.weight for e in poll.register.all()}
    w_for = (
        weights[factories.member(association, 0).pk] + weights[factories.member(association, 2).pk]
    )
    w_against = weights[factories.member(association, 1).pk]
    share = (w_for / (w_for + w_against) * 100).quantize(Decimal("0.01"))
    expected = f"{share}".replace(".", ",") + "%"
    chair.goto(f"/{association.slug}/stemmingen/{poll.public_id}/")
    chair.locator("summary.besluit-rollcall__summary").click()  # the roll call, collapsed
    body = chair.locator("main").inner_text()
    assert expected in body, (expected, body[:2000])
    assert "3" in body and factories.member(association, 1).name in body


MAIN_PAGES = [
    "/",
    "/{slug}/",
    "/{slug}/leden/",
    "/{slug}/gewichten/",
    "/{slug}/vergaderingen/",
    "/{slug}/vergaderingen/{meeting}/",
    "/{slug}/vergaderingen/{meeting}/moties/nieuw/",
    "/{slug}/stemmingen/{poll}/",
    "/{slug}/vergaderingen/{meeting}/besluitenlijst/",
    "/accounts/login/",
]


def test_axe_finds_no_serious_violations_on_the_main_pages(new_page, alv):
    association, meeting, people = alv
    poll = voting.do_create_poll(
        actor=people["chair"],
        meeting=meeting,
        subject=Poll.Subject.PROPOSAL,
        proposal=meeting.agenda_items.get(number="07").proposal,
    )
    voting.do_open_poll(actor=people["chair"], poll=poll)
    axe = Axe()
    problems = []
    for username, phone in (("burgemeester", True), ("secretariaat", False)):
        page = new_page(phone=phone)
        login(page, username)
        for template in MAIN_PAGES:
            url = template.format(slug=association.slug, meeting=meeting.pk, poll=poll.public_id)
            if username == "secretariaat" and "moties/nieuw" in url:
                continue
            response = page.goto(url)
            assert response.status < 400, (url, response.status)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    problems.append(
                        f"{username} {url}: {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} — {[n['target'] for n in violation['nodes'][:3]]}"
                    )
    assert not problems, "\n".join(problems)
