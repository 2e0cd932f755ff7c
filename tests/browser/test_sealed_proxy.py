"""A proxy holder casts a sealed (encrypted) vote for the member it represents, on the live
page of a phone: its browser binds the proofs to the represented member and names it in
the request; the grantor's representative is told who votes for it and offered no form."""

from datetime import date

import pytest

from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.voting.models import Ballot, RegisterEntry, SealedBallot
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.argon2  # people log in with a password on a server of its own (product hashers)
def test_the_holder_casts_a_sealed_vote_for_the_member_it_represents(transactional_db, asgi_page):
    new_page = asgi_page
    association = factories.make_association(6, slug="volmacht-geheim")
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    grantor, holder = factories.member(association, 0), factories.member(association, 1)
    for i in range(3):
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
    attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=1
    )
    meeting = factories.make_meeting(association)
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=holder)
    attendance.do_request_proxy(
        actor=secretariat, meeting=meeting, grantor=grantor, holder=holder, approve=True
    )
    poll = factories.open_poll(chair, meeting, is_secret=True)
    assert RegisterEntry.objects.get(poll=poll, member=grantor).represented_by == holder
    live = f"/{association.slug}/vergaderingen/{meeting.pk}/live/"

    # The grantor's representative: who votes for its member, and no vote form.
    page = new_page(phone=True)
    login(page, "rep0")
    page.goto(live)
    notice = page.locator("#live-polls [role=status]", has_text="volmacht gegeven")
    notice.wait_for()
    assert holder.name in notice.inner_text()
    assert page.locator("form[data-sealed-vote]").count() == 0

    # The holder: its own form and one on behalf of the grantor; it votes for the grantor.
    page = new_page(phone=True)
    login(page, "rep1")
    page.goto(live)
    form = page.locator(f'form[data-sealed-vote][data-for="{grantor.code}"]')
    form.wait_for()
    assert grantor.name in form.locator("legend").inner_text()
    assert page.locator("form[data-sealed-vote]:not([data-for])").count() == 1
    form.locator('[data-choice="1"]').click()
    tracker = form.locator("[data-tracker]").inner_text()
    form.locator("[data-cast]").click()
    box = page.locator(f'[data-sealed-receipt="{poll.public_id}-{grantor.code}"]')
    box.wait_for()
    assert box.locator("[data-tracker]").inner_text() == tracker
    page.screenshot(path="var/test/artefacts/sealed-proxy-vote.png")

    # Stored as the grantor's ballot, cast by the holder, encrypted; the holder's own
    # vote is still open to it.
    ballot = Ballot.objects.get(poll=poll, member=grantor)
    assert ballot.proxy == holder and ballot.option_id is None
    assert not Ballot.objects.filter(poll=poll, member=holder).exists()
    assert SealedBallot.objects.get(poll=poll).tracker == tracker
    decided = factories.close_secret(chair, poll)
    chosen = list(poll.options.all())[1].key  # the order of the form's buttons
    assert decided.outcome.option(chosen).members == 1
    assert (
        decided.outcome.option(chosen).weight
        == RegisterEntry.objects.get(poll=poll, member=grantor).weight
    )
