"""Attendance at the door, a proxy and a paper ballot, as the secretariat, the chair and a
representative live them: check in from a phone, register and approve a proxy, vote for
two members from one phone, enter a paper ballot, watch the projector, read the result
and the open data."""

import json
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.attendance.models import Proxy
from besluit.meetings import services as meetings
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Poll
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = "var/test/artefacts"


def _no_stream(page):
    """The live pages' event stream never ends, which Django's test server cannot shut
    down; these pages are read as loaded (tests/browser/test_live_meeting.py follows the
    stream on a real ASGI server)."""
    page.route("**/live/meetings/*/events", lambda route: route.abort())
    return page


def _axe(page, problems: list, what: str) -> None:
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            problems.append(
                f"{what}: {violation['id']} ({violation['impact']}): {violation['help']}"
            )


def test_door_proxy_paper_projector_result_and_open_data(
    new_page, transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    association = factories.make_association(12, slug="vvg")
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting)
    sec = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    grantor, holder, walker = (factories.member(association, i) for i in (0, 1, 2))
    factories.make_user("burgemeester-a", association, Role.Kind.REPRESENTATIVE, member=grantor)
    factories.make_user("burgemeester-b", association, Role.Kind.REPRESENTATIVE, member=holder)
    meetings.do_set_meeting_status(actor=sec, meeting=meeting, status="convened")
    attendance.do_set_proxy_rule(
        actor=sec, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    attendance.do_configure_meeting(
        actor=sec, meeting=meeting, remote_check_in=False, quorum_members=Decimal("0.25")
    )
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject=Poll.Subject.PROPOSAL,
        proposal=proposal,
        title="Statutenwijziging",
    )
    attendance.do_require_meeting_quorum(actor=chair, poll=poll)
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"
    problems: list[str] = []

    # The secretariat checks two members in at the door, from a phone.
    door = new_page(phone=True)
    login(door, "secretariaat")
    door.goto(f"{base}/aanwezigheid/inchecken/")
    for member in (holder, walker):
        door.fill("#q", member.name)
        row = door.locator(f'.attendance-result[data-member="{member.code}"]')
        row.wait_for()
        row.locator("button[type=submit]").click()
        door.wait_for_load_state()
        assert f"{member.name} is aangemeld" in door.content()
    assert door.locator("[data-field=present-count]").inner_text() == "2 leden aanwezig"
    door.fill("#q", holder.code)
    door.locator(f'.attendance-result[data-member="{holder.code}"]').wait_for()
    assert door.locator(f'.attendance-result[data-member="{holder.code}"] form').count() == 0
    _axe(door, problems, "check-in")
    door.screenshot(path=f"{ARTEFACTS}/attendance-door.png", full_page=True)

    # The grantor's representative registers a proxy with the signed document ...
    rep_a = new_page(phone=True)
    login(rep_a, "burgemeester-a")
    rep_a.goto(f"{base}/volmachten/")
    rep_a.select_option("select[name=holder]", holder.code)
    rep_a.set_input_files(
        "input[name=document]",
        files=[
            {"name": "volmacht.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"}
        ],
    )
    rep_a.locator("main form[enctype] button[type=submit]").click()
    rep_a.wait_for_load_state()
    assert "De volmacht is geregistreerd" in rep_a.content()
    # ... and the secretariat approves it.
    door.goto(f"{base}/volmachten/")
    door.locator(f'[data-proxy="{grantor.code}-{holder.code}"] button[value=approve]').click()
    door.wait_for_load_state()
    assert Proxy.objects.get().status == Proxy.Status.APPROVED
    _axe(door, problems, "proxies")

    # The chair sees the meeting quorum is met, and opens the poll.
    desk = new_page()
    login(desk, "voorzitter")
    desk.goto(f"/{association.slug}/stemmingen/{poll.public_id}/openen/")
    assert "en dat is gehaald" in desk.locator("[data-field=gate]").inner_text()
    desk.locator("main form button[type=submit]", has_text="open").first.click()
    desk.wait_for_load_state()
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN

    # The holder votes for its own member and, separately, for the one it represents.
    phone = _no_stream(new_page(phone=True))
    login(phone, "burgemeester-b")
    phone.goto(f"{base}/live/")
    phone.locator(".live-vote:not(.live-vote--proxy) button[value=for]").click()
    phone.locator(".besluit-vote-receipt").wait_for()
    phone.goto(f"{base}/live/")
    proxy_form = phone.locator(".live-vote--proxy")
    assert f"Stem namens {grantor.name}" in proxy_form.inner_text()
    proxy_form.locator("button[value=against]").click()
    phone.wait_for_load_state()
    assert f"{grantor.name} heeft gestemd (bij volmacht)" in phone.content()
    phone.screenshot(path=f"{ARTEFACTS}/attendance-proxy-phone.png", full_page=True)

    # A paper ballot, handed in at the desk.
    door.goto(f"/{association.slug}/stemmingen/{poll.public_id}/papier/")
    door.select_option("select[name=member]", walker.code)
    door.locator("input[name=option][value=for]").check()
    door.fill("input[name=handed_in_by]", "Wethouder De Vries")
    door.locator("main form button[type=submit]").click()
    door.wait_for_load_state()
    assert f"De papieren stem van {walker.code} is ingevoerd" in door.content()
    _axe(door, problems, "paper ballot")

    # The projector shows presence and the meeting quorum.
    screen = _no_stream(new_page())
    login(screen, "voorzitter")
    screen.goto(f"{base}/scherm/")
    shown = screen.locator(".projector__attendance").inner_text()
    assert "2 aanwezig + 1 bij volmacht van 12 leden" in shown
    assert "Vergaderquorum: gehaald" in shown
    screen.screenshot(path=f"{ARTEFACTS}/attendance-projector.png")

    # Closed: the result page and the open data show the proxy and the paper ballot.
    desk.goto(f"/{association.slug}/stemmingen/{poll.public_id}/sluiten/")
    desk.locator("main form button[type=submit]").first.click()
    desk.wait_for_load_state()
    desk.goto(f"/{association.slug}/stemmingen/{poll.public_id}/")
    assert desk.locator("[data-field=proxy-ballots]").inner_text() == "1 stem"
    assert desk.locator("[data-field=paper-ballots]").inner_text() == "1 stem"
    assert (
        "gehaald bij de opening: 3 van 12 leden"
        in desk.locator("[data-field=meeting-quorum]").inner_text()
    )
    assert f"bij volmacht, uitgebracht door {holder.name}" in desk.content()
    _axe(desk, problems, "result")
    desk.goto(f"/open/{association.slug}/vergaderingen/{meeting.pk}/popolo.json")
    data = json.loads(desk.locator("body").inner_text())
    votes = {v["voter_id"]: v for v in data["vote_events"][0]["votes"]}
    assert votes[grantor.code]["proxy_id"] == holder.code
    assert votes[walker.code]["paper"] is True
    event = next(e for e in data["events"] if e.get("attendance"))
    assert {a["organization_id"] for a in event["attendance"]} == {
        g.code for g in (grantor, holder, walker)
    }
    assert Ballot.objects.filter(poll=poll).count() == 3
    assert not problems, "\n".join(problems)
