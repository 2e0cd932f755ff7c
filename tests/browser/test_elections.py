"""An election of board members as the hall lives it, in headless Chromium: nominations
and acceptances, the vote opened from the console, ranked ballots on phones (numbered
boxes, no dragging), the rounds on the projector, the elected on the board page."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.elections import services as el
from besluit.elections.models import Election, ElectionBallot, Membership
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path("var/test/artefacts")


def _serious(axe, page, where) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_an_election_from_nomination_to_the_board_page(new_page, transactional_db):
    association = factories.make_association(12, slug="vvg")
    meeting = factories.make_meeting(association)
    factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    factories.make_user("bestuurslid", association, Role.Kind.BOARD)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    for i in range(4):
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
    el.do_create_body(actor=secretariat, association=association, kind="board", name="Bestuur")
    slug, axe, problems = association.slug, Axe(), []

    # The chair creates the election from the meeting page.
    chair = new_page()
    login(chair, "voorzitter")
    chair.goto(f"/{slug}/vergaderingen/{meeting.pk}/")
    chair.get_by_role("link", name="Verkiezingen", exact=True).first.click()
    chair.select_option("select[name=body]", label="Bestuur")
    chair.fill("input[name=title]", "Verkiezing bestuursleden")
    chair.fill("input[name=seats]", "2")
    chair.fill("input[name=term_starts]", "2027-01-01")
    chair.fill("input[name=term_ends]", "2030-12-31")
    chair.check("input[name=method][value=ranked]")
    chair.fill("input[name=nomination_deadline]", "2035-01-01T12:00")
    chair.get_by_role("button", name="Verkiezing aanmaken").click()
    chair.wait_for_url("**/verkiezingen/*/")
    election = Election.objects.get()
    detail = f"/{slug}/verkiezingen/{election.public_id}/"

    # The board nominates three; a member nominates one on a phone.
    board = new_page()
    login(board, "bestuurslid")
    board.goto(detail)
    for name in ("Anna Akkerman", "Bert Bos", "Cor Claassen"):
        board.fill("input[name=name]", name)
        board.get_by_role("button", name="Kandidaat stellen namens het bestuur").click()
        board.wait_for_load_state()
    phone = new_page(phone=True)
    login(phone, "rep0")
    phone.goto(detail)
    phone.fill("input[name=name]", "Dirk Dekker")
    phone.fill("input[name=function]", "wethouder")
    phone.get_by_role("button", name="Kandidaat stellen namens").click()
    phone.wait_for_load_state()
    assert "Dirk Dekker" in phone.inner_text("main")

    # The candidates' consent, recorded by the secretariat; Cor does not accept.
    sec = new_page()
    login(sec, "secretariaat")
    sec.goto(detail)
    for name in ("Anna Akkerman", "Bert Bos", "Dirk Dekker"):
        sec.get_by_role("button", name=f"Kandidaatstelling van {name} aanvaarden").click()
        sec.wait_for_load_state()
    problems += _serious(axe, sec, "election page")

    # The chair opens the vote from the console.
    chair.goto(f"/{slug}/vergaderingen/{meeting.pk}/voorzitter/")
    chair.get_by_role("button", name="Stemming openen: Verkiezing bestuursleden").click()
    chair.wait_for_load_state()
    assert "Ronde sluiten en tellen" in chair.inner_text("main")

    # Ranked ballots on phones, with numbered boxes; a gap is refused in Dutch first.
    rankings = [
        {"Anna Akkerman": "1", "Dirk Dekker": "2"},
        {"Bert Bos": "1", "Anna Akkerman": "2"},
        {"Dirk Dekker": "1", "Bert Bos": "2", "Anna Akkerman": "3"},
        {"Anna Akkerman": "1"},
    ]
    for i, ranking in enumerate(rankings):
        page = new_page(phone=True)
        login(page, f"rep{i}")
        page.goto(detail + "stemmen/")
        assert not page.get_by_label("Cor Claassen").count()  # did not accept: not on the ballot
        if i == 0:
            page.get_by_label("Anna Akkerman").select_option("1")
            page.get_by_label("Bert Bos").select_option("3")
            page.get_by_role("button", name="Stem uitbrengen").click()
            assert "rang 2 ontbreekt" in page.inner_text("[role=alert]")
            assert not ElectionBallot.objects.exists()
            problems += _serious(axe, page, "ballot on a phone")
            page.screenshot(path=str(ARTEFACTS / "election-ballot-phone.png"), full_page=True)
            page.get_by_label("Bert Bos").select_option("")
        for name, rank in ranking.items():
            page.get_by_label(name).select_option(rank)
        page.get_by_role("button", name="Stem uitbrengen").click()
        assert "Uw stem is ontvangen" in page.inner_text("main")
    assert ElectionBallot.objects.count() == 4

    # The chair closes the round from the console; the projector shows the rounds.
    chair.goto(f"/{slug}/vergaderingen/{meeting.pk}/voorzitter/")
    chair.get_by_role("button", name="Ronde sluiten en tellen: Verkiezing bestuursleden").click()
    chair.wait_for_load_state()
    projector = new_page()
    login(projector, "voorzitter")
    projector.goto(f"/{slug}/vergaderingen/{meeting.pk}/scherm/")
    chart = projector.locator(".projector__election svg")
    chart.wait_for()
    assert "Ronde 1" in chart.inner_html() and "quotum" in chart.inner_html()
    projector.screenshot(path=str(ARTEFACTS / "election-projector.png"), full_page=True)

    # The elected are on the board page, with their term.
    elected = [m.name for m in Membership.objects.order_by("name")]
    assert len(elected) == 2
    phone.goto(f"/{slug}/bestuur/")
    text = phone.inner_text("main")
    for name in elected:
        assert name in text
    assert "31 december 2030" in text
    problems += _serious(axe, phone, "board page on a phone")
    assert not problems, "\n".join(problems)
