"""The hall during a vote: chair opens, three representatives vote on their own devices,
the projector shows participation rising and then the result, all without a reload."""

import pytest

from besluit.associations.models import Role
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.argon2  # people log in with a password on a server of its own (product hashers)
def test_projector_follows_the_vote_without_reloading(transactional_db, asgi_page):
    new_page = asgi_page
    association = factories.make_association(12, slug="hal")
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting)
    chair_user = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    for i in range(3):
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
    poll = voting.do_create_poll(
        actor=chair_user, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
    )
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"

    projector = new_page()
    login(projector, "voorzitter")
    projector.goto(f"{base}/scherm/")
    projector.wait_for_selector("main[data-live-state=connected]")
    # A marker that a reload would wipe out.
    projector.evaluate("window.__noReload = true")

    reps = []
    for i in range(3):
        page = new_page(phone=True)
        login(page, f"rep{i}")
        page.goto(f"{base}/live/")
        page.wait_for_selector("[data-live-state=connected]")
        page.evaluate("window.__noReload = true")
        reps.append(page)

    chair = new_page()
    login(chair, "voorzitter")
    chair.goto(f"/{association.slug}/stemmingen/{poll.public_id}/openen/")
    chair.locator("main form button[type=submit]").first.click()
    chair.wait_for_load_state()

    voted = projector.locator(f'[data-participation="{poll.public_id}"] [data-field=voted]')
    voted.wait_for()
    assert voted.inner_text() == "0"
    seen = []
    for i, page in enumerate(reps):
        page.locator("button.vote-option--for" if i < 2 else "button.vote-option--against").click()
        page.locator(".besluit-vote-receipt").wait_for()
        projector.wait_for_function(
            "([sel, n]) => document.querySelector(sel)?.textContent === String(n)",
            arg=[f'[data-participation="{poll.public_id}"] [data-field=voted]', i + 1],
        )
        seen.append(int(voted.inner_text()))
    assert seen == [1, 2, 3]

    chair.goto(f"/{association.slug}/stemmingen/{poll.public_id}/sluiten/")
    chair.locator("main form button[type=submit]").first.click()
    chair.wait_for_load_state()

    projector.locator(".projector__result .result-chart__decision").wait_for()
    text = projector.locator(".projector__result").inner_text()
    assert poll.title in text
    result = Poll.objects.get(pk=poll.pk).outcome
    assert result.voted_members == 3
    assert projector.evaluate("window.__noReload") is True
    for page in reps:
        assert page.evaluate("window.__noReload") is True
