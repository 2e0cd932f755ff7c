"""axe finds no serious or critical violations on the error pages (anonymous and logged
in), the voting code pages (the code login, the secretariat's codes page, its
confirmation), the settings page and the public decision list and result; and these
pages speak Dutch to a browser that asks for English."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.voting import services as voting
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    association = factories.make_association(6, slug="vvg")
    association.publish_decisions = True
    association.save(update_fields=["publish_decisions"])
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    rep = factories.make_user(
        "burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )
    poll = factories.open_poll(chair, meeting)
    voting.cast_ballot(actor=rep, poll=poll, option_key="option-1")
    voting.do_close_poll(actor=chair, poll=poll)
    return association, meeting, poll


def _serious(axe, page, label) -> list[str]:
    return [
        f"{label}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_on_error_code_settings_and_public_pages(new_page, world):
    association, meeting, poll = world
    slug = association.slug
    axe = Axe()
    problems: list[str] = []

    # Anonymous, on a phone, with an English browser: the pages stay Dutch.
    page = new_page(phone=True, locale="en-GB")
    for url, status, words in (
        ("/bestaat-niet/", 404, "Deze pagina bestaat niet"),
        ("/stemcode/", 200, "Stemcode"),
        (f"/open/{slug}/vergaderingen/{meeting.pk}/besluitenlijst/", 200, "Besluitenlijst"),
        (f"/open/{slug}/stemmingen/{poll.public_id}/uitslag/", 200, "Uitslag"),
    ):
        response = page.goto(url)
        assert response.status == status, url
        assert words in page.locator("body").inner_text(), url
        problems += _serious(axe, page, f"anonymous {url}")

    # Logged in: a 404, a 403 and the representative's view of them.
    page = new_page(phone=True)
    login(page, "burgemeester")
    for url, status in (("/vvg/bestaat-niet/", 404), (f"/{slug}/mensen/", 403)):
        response = page.goto(url)
        assert response.status == status, url
        problems += _serious(axe, page, f"representative {url}")

    # The secretariat's codes page: empty, issued (the download starts), and re-issuing.
    page = new_page()
    login(page, "secretariaat")
    codes_url = f"/{slug}/vergaderingen/{meeting.pk}/stemcodes/"
    for url in (codes_url, f"/{slug}/instellingen/"):
        page.goto(url)
        problems += _serious(axe, page, f"secretariat {url}")
    page.goto(codes_url)
    with page.expect_download() as download:
        page.locator("main form button[type=submit]").first.click()
    assert download.value.suggested_filename == f"stemcodes-{meeting.pk}.csv"
    page.wait_for_load_state()
    assert "6 codes uitgegeven" in page.locator("body").inner_text()  # the flash message
    assert "6 geldige codes (van 6 uitgegeven)" in page.locator("main").inner_text()
    problems += _serious(axe, page, "secretariat codes issued")
    page.goto(codes_url)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "werken dan niet meer" in page.locator("main").inner_text()
    problems += _serious(axe, page, "secretariat codes confirm")

    assert not problems, "\n".join(problems)
