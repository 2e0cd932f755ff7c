"""An election in the hall, live: the chair opens the round from the console, the
projector follows participation and then shows the rounds and the quota without a
reload, and a voter downloads the receipt and checks it on "Controleer uw stem"."""

import json
import re

import pytest

from besluit.associations.models import Role
from besluit.elections import services as el
from tests import factories
from tests.browser.conftest import login
from tests.elections import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.argon2  # people log in with a password on a server of its own (product hashers)
def test_the_projector_follows_an_election_and_a_receipt_checks_out(
    transactional_db,
    asgi_page,
    tmp_path,
):
    new_page = asgi_page
    association = factories.make_association(12, slug="hal")
    meeting = factories.make_meeting(association)
    chair_user = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    board = factories.make_user("bestuurslid", association, Role.Kind.BOARD)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    e = h.election(chair_user, meeting, h.body(secretariat, association), seats=2)
    h.stand(e, ["Anna Akkerman", "Bert Bos", "Cor Claassen"], by=board, secretariat=secretariat)
    el.do_nominate(actor=board, election=e, name="Dirk Dekker", by_board=True)  # no consent
    h.reps(association, 3)
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"

    projector = new_page()
    login(projector, "voorzitter")
    projector.goto(f"{base}/scherm/")
    projector.wait_for_selector("main[data-live-state=connected]")
    projector.evaluate("window.__noReload = true")

    chair = new_page()
    login(chair, "voorzitter")
    chair.goto(f"{base}/voorzitter/")
    chair.get_by_role("button", name=f"Stemming openen: {e.title}").click()
    chair.wait_for_load_state()

    voted = projector.locator(f'[data-election-participation="{e.public_id}"] [data-field=voted]')
    voted.wait_for()
    assert voted.inner_text() == "0"
    assert projector.locator(
        f'[data-election-participation="{e.public_id}"] [data-field=eligible]'
    ).inner_text() == str(association.members.count())

    receipt_path = tmp_path / "stembewijs-verkiezing.json"
    tracker = ""
    rankings = [
        {"Anna Akkerman": "1", "Bert Bos": "2"},
        {"Bert Bos": "1"},
        {"Cor Claassen": "1", "Anna Akkerman": "2"},
    ]
    for i, ranking in enumerate(rankings):
        page = new_page(phone=True)
        login(page, f"rep{i}")
        page.goto(f"/{association.slug}/verkiezingen/{e.public_id}/stemmen/")
        assert not page.get_by_label("Dirk Dekker").count()  # did not accept
        for name, rank in ranking.items():
            page.get_by_label(name).select_option(rank)
        page.get_by_role("button", name="Stem uitbrengen").click()
        assert "Uw stem is ontvangen" in page.inner_text("main")
        projector.wait_for_function(
            "([sel, n]) => document.querySelector(sel)?.textContent === String(n)",
            arg=[f'[data-election-participation="{e.public_id}"] [data-field=voted]', i + 1],
        )
        if i == 0:
            tracker = page.locator("[data-election-tracker]").inner_text()
            assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){5}", tracker)  # secret: a code
            with page.expect_download() as download:
                page.get_by_role("link", name="Download uw stembewijs").click()
            download.value.save_as(receipt_path)
            page.get_by_role("link", name="Controleer uw stem").click()
            page.set_input_files("input[name=receipt]", str(receipt_path))
            page.get_by_role("button", name="Controleren").click()
            result = page.locator("[data-result]")
            result.wait_for()
            assert "utrecht-alert--ok" in result.get_attribute("class"), result.inner_text()
            assert page.locator("[data-tracker]").inner_text() == tracker

    receipt = json.loads(receipt_path.read_text())
    assert receipt["poll"] == f"{e.public_id}/1" and "member" not in receipt["event"]

    chair.goto(f"{base}/voorzitter/")
    chair.get_by_role("button", name=f"Ronde sluiten en tellen: {e.title}").click()
    chair.wait_for_load_state()
    chart = projector.locator(".projector__election svg")
    chart.wait_for()
    svg = chart.inner_html()
    assert "Ronde 1" in svg
    quota = re.search(r"quotum ([0-9.,]+)", svg)
    assert quota, svg
    assert not re.search(r",\d{3}", quota.group(1)), quota.group(1)  # at most 2 decimals
    assert projector.evaluate("window.__noReload") is True
