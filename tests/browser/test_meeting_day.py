"""Meeting day: the chair runs item 07 of the demo ALV from the console only.

Two amendments, a motion and the resolution as amended, each opened from the console's
queue with "Volgende stemming" and closed from the console (one after a countdown, each
after the low-turnout confirmation: three of 342 members vote); three representatives
vote on 390x844 phones with the buttons in view; the projector follows participation and
shows each result chart. Screenshots of console, projector and phones at every step go
to var/test/artefacts/meeting-day/; axe checks every page each role sees.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Association
from besluit.demo.data import load_demo
from besluit.meetings.models import Meeting
from besluit.voting.models import Poll
from besluit.voting.selectors import participation
from tests.browser.conftest import PHONE, login
from tests.live.servers import server

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test" / "artefacts" / "meeting-day"
PASSWORD = "demo-besluit"
REPS = ("burgemeester-grachtenburg", "wethouder-westbroekheim", "burgemeester-nieuwweiderade")
# Per vote of item 07, in the queue's order: the three representatives' choices.
CHOICES = [
    ("for", "for", "for"),  # amendment 1: adopted
    ("against", "against", "for"),  # amendment 2: rejected
    ("for", "against", "for"),  # the motion: adopted
    ("for", "for", "abstain"),  # the resolution as amended: adopted
]
COUNTDOWN_STEP = 1  # the second vote closes after a countdown


@pytest.fixture
def hall(chromium, tmp_path):
    contexts = []
    with server(data_dir=tmp_path) as base_url:

        def make(username: str, *, phone: bool = False, size=(1280, 900)):
            options = PHONE if phone else {"viewport": {"width": size[0], "height": size[1]}}
            context = chromium.new_context(base_url=base_url, locale="nl-NL", **options)
            context.set_default_timeout(20_000)
            contexts.append(context)
            page = context.new_page()
            login(page, username, PASSWORD)
            return page

        yield make
        for context in contexts:
            context.close()


def axe_problems(axe: Axe, page, who: str) -> list[str]:
    problems = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [n["target"] for n in violation["nodes"][:3]]
            problems.append(f"{who} {page.url}: {violation['id']}: {violation['help']} {targets}")
    return problems


@pytest.mark.argon2  # the demo's people log in with a password on a server of its own
def test_meeting_day(transactional_db, hall):
    load_demo()
    vvvg = Association.objects.get(slug="vvvg")
    meeting = Meeting.objects.get(association=vvvg, title="Najaars-ALV 2026")
    base = f"/vvvg/vergaderingen/{meeting.pk}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    axe, problems = Axe(), []

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)

    # The chair finds the console from the meeting page; the projector on a second screen.
    chair = hall("voorzitter")
    chair.goto(f"/vvvg/vergaderingen/{meeting.pk}/")
    chair.get_by_role("link", name="Vergadering leiden").click()
    chair.wait_for_selector("[data-live-state=connected]")
    projector = hall("voorzitter", size=(1280, 720))
    projector.goto(f"{base}/scherm/")
    projector.wait_for_selector("main[data-live-state=connected]")
    phones = []
    for username in REPS:
        page = hall(username, phone=True)
        page.goto(f"{base}/live/")
        page.wait_for_selector("[data-live-state=connected]")
        phones.append(page)
    for page in (chair, projector, *phones):
        page.evaluate("window.__noReload = true")

    # The morning's vote on a motion is still open: the chair closes it first (a third
    # of the members voted, so the console asks to confirm and shows the turnout).
    votes = chair.locator("#console-votes")
    votes.locator("[data-action=close-now]").click()
    warning = votes.locator(".console-confirm")
    warning.wait_for()
    assert "van de 342 leden hebben gestemd" in warning.inner_text()
    assert "stemgewicht" in warning.inner_text()
    shot(chair, "00-console-turnout-warning")
    votes.locator("[data-action=confirm-close]").click()
    votes.locator(".console-result").wait_for()
    assert not Poll.objects.filter(meeting=meeting, status=Poll.Status.OPEN).exists()

    # Item 07: its queue is the voting order.
    chair.locator("button[name=item]", has_text="07.").click()
    chair.wait_for_selector("[data-live-state=connected]")
    chair.evaluate("window.__noReload = true")
    queue = chair.locator(".console-queue__entry")
    assert queue.count() == 4
    titles = [queue.nth(i).locator(".console-queue__title").inner_text() for i in range(4)]
    assert titles[0].startswith("Amendement") and titles[1].startswith("Amendement")
    assert titles[2].startswith("Motie") and titles[3].startswith("Resolutie")
    shot(chair, "01-console-item-07")

    for step, choices in enumerate(CHOICES):
        tag = f"{step + 2:02d}"
        votes = chair.locator("#console-votes")
        votes.locator("[data-action=next]").click()
        votes.locator(".console-open").wait_for()
        poll = Poll.objects.get(meeting=meeting, status=Poll.Status.OPEN)
        assert poll.title.startswith(titles[step].split(":")[0])
        if step == len(CHOICES) - 1:
            assert poll.title.endswith("(geamendeerd)")  # amendment 1 was adopted
        shot(chair, f"{tag}a-console-open")

        for i, (page, choice) in enumerate(zip(phones, choices, strict=True)):
            button = page.locator(f"#live-polls button.vote-option--{choice}")
            button.wait_for()
            for b in page.locator("#live-polls button.vote-option").all():
                box = b.bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, (REPS[i], box)
            if i == 0:
                shot(page, f"{tag}b-phone-buttons")
                if step == 0:  # the poll page too, on a phone, before voting
                    poll_page = hall(REPS[0], phone=True)
                    poll_page.goto(f"/vvvg/stemmingen/{poll.public_id}/")
                    first = poll_page.locator("button.vote-option").first.bounding_box()
                    assert first["y"] + first["height"] <= 844
                    problems += axe_problems(axe, poll_page, "representative (poll page)")
                    problems += axe_problems(axe, page, "representative (live)")
            button.click()
            receipt = page.locator(".besluit-vote-receipt")
            receipt.wait_for()
            assert f"Met uw stem hebben {i + 1} van de 342 leden gestemd" in receipt.inner_text()
            assert "Stembewijs" in receipt.inner_text()
            if i == 0:
                shot(page, f"{tag}c-phone-receipt")

        # The projector: three members voted, the bar on the percent scale.
        selector = f'[data-participation="{poll.public_id}"]'
        projector.wait_for_function(
            "sel => document.querySelector(sel + ' [data-field=voted]')?.textContent === '3'",
            arg=selector,
        )
        expected = float(participation(poll).weight_share) * 100
        shown = projector.evaluate(f"document.querySelector('{selector} progress').value")
        assert abs(shown - expected) < 0.1 and shown > 0.1, (shown, expected)
        shot(projector, f"{tag}d-projector-participation")
        if step == 0:
            problems += axe_problems(axe, projector, "chair (projector, open vote)")
            problems += axe_problems(axe, chair, "chair (console, open vote)")

        # Close: at once, or after a countdown; both after the turnout confirmation.
        votes = chair.locator("#console-votes")
        if step == COUNTDOWN_STEP:
            votes.locator("input[name=countdown]").fill("5")
            votes.locator("[data-action=countdown]").click()
        else:
            votes.locator("[data-action=close-now]").click()
        votes.locator("[data-action=confirm-close]").click()
        if step == COUNTDOWN_STEP:
            projector.locator(".besluit-countdown__left").wait_for()
            shot(projector, f"{tag}e-projector-countdown")
        chart = projector.locator(f'.result-chart[data-poll="{poll.public_id}"] svg')
        chart.wait_for(timeout=30_000)
        poll.refresh_from_db()
        assert poll.status == Poll.Status.CLOSED and poll.outcome.voted_members == 3
        decision = projector.locator(".result-chart__decision").inner_text()
        assert decision.startswith(
            "Aangenomen" if poll.outcome.outcome == "adopted" else "Verworpen"
        )
        assert projector.locator(".result-chart__threshold").count() == 1
        chair.locator(f'#console-votes .result-chart[data-poll="{poll.public_id}"]').wait_for()
        shot(projector, f"{tag}f-projector-result")
        shot(chair, f"{tag}g-console-result")

    outcomes = [
        p.outcome.outcome
        for p in Poll.objects.filter(meeting=meeting, agenda_item__number="07").order_by(
            "closed_at"
        )
    ]
    assert outcomes == ["adopted", "rejected", "adopted", "adopted"]
    assert (
        "Over alles onder dit agendapunt is gestemd."
        in chair.locator("#console-votes").inner_text()
    )
    for page in (chair, projector, *phones):
        assert page.evaluate("window.__noReload") is True  # all of it without a reload

    # axe on what each role sees after the item: console, projector, live, results.
    problems += axe_problems(axe, chair, "chair (console)")
    problems += axe_problems(axe, projector, "chair (projector, result)")
    problems += axe_problems(axe, phones[0], "representative (live, result)")
    results = hall("voorzitter")
    results.goto(f"/vvvg/stemmingen/{poll.public_id}/")
    results.locator(".result-chart svg").wait_for()
    assert results.locator(".result-chart__svg--groups").count() == 2  # provinces, networks
    results.locator("section[aria-labelledby=result-heading]").screenshot(
        path=str(ARTEFACTS / "99-results-page.png")
    )
    problems += axe_problems(axe, results, "chair (results)")
    phones[1].goto(f"/vvvg/stemmingen/{poll.public_id}/")
    problems += axe_problems(axe, phones[1], "representative (results)")
    assert not problems, "\n".join(problems)
