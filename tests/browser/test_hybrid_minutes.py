"""The hybrid meeting to its minutes, in the browser: a remote representative asks to speak
from a phone and is called, the console and the projector count the speaking time down, the
chair closes the item; the secretariat makes the draft minutes and publishes them."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.live import services as live
from besluit.minutes.models import Minutes
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test" / "artefacts" / "hybrid"


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        v["id"]
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.argon2  # people log in with a password on a server of its own (product hashers)
def test_remote_speaker_to_published_minutes(transactional_db, asgi_page):
    association = factories.make_association(12, slug="hybride", networks={"G4": [0, 1]})
    meeting = factories.make_meeting(association)
    chair_user = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    factories.make_user(
        "burgemeester-op-afstand",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )
    item = meeting.agenda_items.get(number="07")
    live.do_set_current_item(actor=chair_user, meeting=meeting, item=item)
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"

    # the representative, remote, on a phone
    phone = asgi_page(phone=True)
    login(phone, "burgemeester-op-afstand")
    phone.goto(f"{base}/live/")
    phone.check("#speak-remote")
    phone.locator("form.live-speak-form button[type=submit]", has_text="Het woord vragen").click()
    phone.wait_for_load_state()
    mine = phone.locator("#live-speakers li", has_text="burgemeester-op-afstand")
    mine.wait_for()
    assert "op afstand" in mine.inner_text()
    shot(phone, "1-phone-asked-to-speak")

    # the chair calls the speaker from the console; the console counts the time down
    chair = asgi_page()
    login(chair, "voorzitter")
    chair.goto(f"{base}/voorzitter/")
    row = chair.locator("#live-speakers li", has_text="burgemeester-op-afstand")
    assert "op afstand" in row.inner_text()
    row.locator("button", has_text="Starten").click()
    chair.wait_for_load_state()
    timer = chair.locator(".live-speaking-time__speaker [data-remaining]")
    timer.wait_for()
    chair.wait_for_function(
        "() => /^[0-9]+:[0-9]{2}$/.test("
        "document.querySelector('.live-speaking-time__speaker [data-remaining]').textContent)"
    )
    first = timer.inner_text()
    assert first.startswith(("3:00", "2:5")), first
    networks = chair.locator(".live-speaking-time__networks").inner_text()
    assert "G4" in networks
    shot(chair, "2-console-speaking-time")
    assert serious(chair) == []

    projector = asgi_page()
    login(projector, "voorzitter")
    projector.goto(f"{base}/scherm/")
    projector.locator(".live-speaking-time__speaker [data-remaining]").wait_for()
    assert "burgemeester-op-afstand" in projector.locator(".projector__speaker").inner_text()
    assert "G4" in projector.locator(".live-speaking-time__networks").inner_text()  # per network
    shot(projector, "3-projector-speaking-time")

    # the speaker is done; the chair closes item 07 by going on to the next item
    chair.locator("#live-speakers li", has_text="burgemeester-op-afstand").locator(
        "button", has_text="Afgerond"
    ).click()
    chair.wait_for_load_state()
    chair.locator("button", has_text="08.").first.click()
    chair.wait_for_load_state()
    assert chair.locator("button[aria-current=step]").inner_text().startswith("08.")
    shot(chair, "4-console-next-item")

    # the secretariat makes the draft minutes and publishes them
    secretariat = asgi_page()
    login(secretariat, "secretariaat")
    secretariat.goto(f"{base}/")
    secretariat.locator("a", has_text="Notulen van deze vergadering").click()
    secretariat.locator("button", has_text="De conceptnotulen opstellen").click()
    secretariat.wait_for_load_state()
    text = secretariat.locator(".texts-doc").inner_text()
    assert "07. " in text and "Behandeld van" in text
    assert "burgemeester-op-afstand" in text and "op afstand" in text
    shot(secretariat, "5-draft-minutes")
    secretariat.locator("button", has_text="Als concept publiceren").click()
    secretariat.wait_for_load_state()
    assert "concept" in secretariat.locator(".besluit-meta").inner_text()
    shot(secretariat, "6-published-concept")
    assert serious(secretariat) == []
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.CONCEPT

    # the representative reads the concept and sees where to propose a correction
    phone.goto(f"{base}/notulen/")
    assert phone.locator("a", has_text="Een correctie voorstellen").count() == 1
    shot(phone, "7-phone-concept-minutes")


@pytest.mark.argon2
def test_the_livestream_beside_the_vote_buttons_and_a_link_on_a_phone(transactional_db, asgi_page):
    from besluit.live import hybrid
    from besluit.voting import services as voting

    association = factories.make_association(12, slug="stroom")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 0)
    )
    hybrid.do_set_stream(
        actor=secretariat,
        meeting=meeting,
        url="https://video.example.org/alv",
        network_seconds=None,
    )
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="agenda_item",
        agenda_item=meeting.agenda_items.get(number="07"),
        title="Locatie volgende ALV",
    )
    voting.do_open_poll(actor=chair, poll=poll)
    live_url = f"/{association.slug}/vergaderingen/{meeting.pk}/live/"

    def stream(route):  # no internet here: the stream's page is served by the test
        route.fulfill(status=200, content_type="text/html", body="<p>livestream</p>")

    desktop = asgi_page()
    desktop.set_viewport_size({"width": 1280, "height": 900})
    desktop.route("https://video.example.org/**", stream)
    login(desktop, "wethouder")
    desktop.goto(live_url)
    frame = desktop.locator("iframe.live-stream__frame")
    button = desktop.locator("button.vote-option").first
    assert frame.is_visible() and button.is_visible()
    assert not desktop.locator(".live-stream__link").is_visible()
    f, b = frame.bounding_box(), button.bounding_box()
    assert f["x"] >= b["x"] + b["width"]  # beside: to the right of the buttons
    assert f["y"] < b["y"] + b["height"] and b["y"] < f["y"] + f["height"] + 400  # same screen
    shot(desktop, "8-desktop-livestream-beside-votes")

    phone = asgi_page(phone=True)
    phone.route("https://video.example.org/**", stream)
    login(phone, "wethouder")
    phone.goto(live_url)
    link = phone.locator(".live-stream__link a")
    assert link.is_visible() and link.get_attribute("href") == "https://video.example.org/alv"
    assert not phone.locator("iframe.live-stream__frame").is_visible()
    # the vote buttons come first on the phone's screen, before the stream's link
    assert phone.locator("button.vote-option").first.bounding_box()["y"] < link.bounding_box()["y"]
    shot(phone, "9-phone-livestream-link")
