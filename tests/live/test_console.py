"""The chair console runs an item's votes from one screen: the queue in the meeting's
order, one action to open the next vote with the statutes' rules, closing at once or
after a countdown with a confirmation when turnout is low, and the latest result."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from besluit.associations.models import Role
from besluit.errors import Conflict
from besluit.live import queue
from besluit.live.services import do_set_current_item
from besluit.proposals import services as proposals
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]

TEXT = (
    "De ALV besluit het fonds te herstellen en de bijdrage te verhogen met twee procent "
    "vanaf het jaar 2027."
)


@pytest.fixture
def reps(association):
    return [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(3)
    ]


@pytest.fixture
def item(meeting, chair, reps):
    proposal = factories.make_proposal(meeting, text=TEXT)
    item = proposal.agenda_item
    # A small change and a far-reaching one on the same words: the far-reaching one first.
    small = proposals.do_submit_amendment(
        actor=reps[0],
        proposal=proposal,
        passage="bijdrage",
        old_text="twee procent",
        new_text="drie procent",
    )
    large = proposals.do_submit_amendment(
        actor=reps[1],
        proposal=proposal,
        passage="bijdrage",
        old_text="de bijdrage te verhogen met twee procent vanaf het jaar 2027",
        new_text="de bijdrage gelijk te houden",
    )
    proposals.do_submit_motion(
        actor=reps[2],
        meeting=meeting,
        agenda_item=item,
        title="Fonds evalueren",
        considerations="overwegende dat",
        request="verzoekt het bestuur",
    )
    do_set_current_item(actor=chair, meeting=meeting, item=item)
    item.small, item.large = small, large
    return item


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def console_url(meeting, name="console", *args):
    return reverse(f"live:{name}", args=[meeting.association.slug, meeting.pk, *args])


def test_the_queue_follows_the_meetings_order(item):
    entries = queue.vote_queue(item)
    subjects = [e.subject for e in entries]
    assert subjects == ["amendment", "amendment", "motion", "proposal"]
    assert {entries[0].target.pk, entries[1].target.pk} == {item.small.pk, item.large.pk}
    assert all(e.state == "todo" for e in entries)
    assert queue.next_entry(entries) == entries[0]


def test_rules_come_from_the_statutes(item, association):
    association.default_quorum = Decimal("0.25")
    association.save()
    entry = queue.vote_queue(item)[-1]
    assert entry.settings.quorum == Decimal("0.25") and entry.settings.majority == "simple"
    item.proposal.title = "Statutenwijziging 2027"
    item.proposal.save()
    assert queue.vote_queue(item)[-1].settings.majority == "two_thirds"


def test_next_vote_is_opened_in_one_action_and_a_second_is_refused(item, chair, meeting):
    client = client_for(chair)
    first = queue.vote_queue(item)[0]
    response = client.post(
        console_url(meeting, "open_vote"), {"entry": first.key}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    poll = Poll.objects.get(status=Poll.Status.OPEN)
    assert poll.subject == "amendment" and poll.amendment_id == first.target.pk
    assert poll.agenda_item_id == item.pk
    body = response.content.decode()
    assert 'id="console-votes"' in body and "<html" not in body  # the panel, not a page
    with pytest.raises(Conflict):
        queue.do_open_vote(actor=chair, item=item, key=queue.vote_queue(item)[1].key)
    assert Poll.objects.filter(status=Poll.Status.OPEN).count() == 1


def test_the_chair_adjusts_majority_and_quorum(item, chair, meeting):
    entry = queue.vote_queue(item)[-1]
    client = client_for(chair)
    client.post(
        console_url(meeting, "open_vote"),
        {
            "entry": entry.key,
            "adjust": "1",
            "majority": "two_thirds",
            "quorum": "40",
            "with_abstain": "1",
        },
    )
    poll = Poll.objects.get(status=Poll.Status.OPEN)
    assert poll.majority == "two_thirds" and poll.quorum == Decimal("0.4")
    assert [o.key for o in poll.options.all()] == ["for", "against", "abstain"]


def test_low_turnout_asks_for_a_confirmation_with_members_and_weight(item, chair, meeting, reps):
    client = client_for(chair)
    entry = queue.vote_queue(item)[0]
    poll = queue.do_open_vote(actor=chair, item=item, key=entry.key)
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="for")
    url = console_url(meeting, "close_vote", poll.public_id)
    response = client.post(url, {}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN  # not closed: asked first
    assert "De opkomst is laag." in body
    assert "1 van de 12 leden hebben gestemd" in body and "stemgewicht" in body
    assert 'name="confirm"' in body
    client.post(url, {"confirm": "1"}, HTTP_HX_REQUEST="true")
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


def test_enough_turnout_closes_at_once_and_the_queue_moves_on(
    item, chair, meeting, reps, association
):
    association.turnout_warning = Decimal("0.1")
    association.save()
    client = client_for(chair)
    first = queue.vote_queue(item)[0]
    poll = queue.do_open_vote(actor=chair, item=item, key=first.key)
    for rep in reps:
        voting.cast_ballot(actor=rep, poll=poll, option_key="for")
    response = client.post(
        console_url(meeting, "close_vote", poll.public_id), {}, HTTP_HX_REQUEST="true"
    )
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    body = response.content.decode()
    assert "<svg" in body and "result-chart" in body  # the result, on the console
    entries = queue.vote_queue(item)
    assert entries[0].key == first.key and entries[0].state == "decided"
    assert queue.next_entry(entries).key != first.key
    # "Next vote" opens the next one.
    client.post(console_url(meeting, "open_vote"), {"entry": queue.next_entry(entries).key})
    assert Poll.objects.get(status=Poll.Status.OPEN).pk != poll.pk


def test_a_countdown_from_the_console(item, chair, meeting, reps, association):
    association.turnout_warning = Decimal(0)
    association.save()
    poll = queue.do_open_vote(actor=chair, item=item, key=queue.vote_queue(item)[0].key)
    client_for(chair).post(console_url(meeting, "close_vote", poll.public_id), {"countdown": "30"})
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and poll.countdown_by == chair
    assert timedelta(seconds=25) < poll.closes_at - timezone.now() <= timedelta(seconds=30)


def test_only_the_chair_runs_the_console(item, meeting, reps):
    client = client_for(reps[0])
    assert client.get(console_url(meeting)).status_code == 403
    response = client.post(console_url(meeting, "open_vote"), {"entry": "proposal:1"})
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_latest_result_is_the_poll_closed_last(item, chair, meeting):
    now = timezone.now()
    a = queue.do_open_vote(actor=chair, item=item, key=queue.vote_queue(item)[0].key)
    voting.do_close_poll(actor=chair, poll=a, now=now + timedelta(days=4))
    b = queue.do_open_vote(actor=chair, item=item, key=queue.next_entry(queue.vote_queue(item)).key)
    voting.do_close_poll(actor=chair, poll=b, now=now)  # an earlier clock
    assert queue.latest_closed(meeting) == b
    projector = client_for(chair).get(console_url(meeting, "projector")).content.decode()
    assert b.title in projector and f'data-poll="{b.public_id}"' in projector


def test_console_agenda_is_numbered_once_and_says_what_it_counts(item, chair, meeting):
    body = client_for(chair).get(console_url(meeting)).content.decode()
    assert '<ol class="utrecht-ordered-list">' not in body.split("console-votes")[0]
    assert "01. Opening" in body
    assert "leden zijn verbonden" not in body
    assert "livepagina van deze vergadering open" in body and "geen aanwezigheid" in body


def test_the_close_page_warns_about_low_turnout_too(item, chair, meeting, reps):
    poll = queue.do_open_vote(actor=chair, item=item, key=queue.vote_queue(item)[0].key)
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="for")
    url = reverse("web:poll_close", args=[meeting.association.slug, poll.public_id])
    html = client_for(chair).get(url).content.decode()
    assert "De opkomst is laag." in html and "1 van de 12 leden hebben gestemd" in html


def test_the_secretariat_sets_the_voting_rules(association, secretariat, chair):
    url = reverse("live:voting_rules", args=[association.slug])
    assert client_for(chair).get(url).status_code == 403
    client = client_for(secretariat)
    assert "Stemregels" in client.get(url).content.decode()
    response = client.post(
        url, {"default_majority": "two_thirds", "default_quorum": "25", "turnout_warning": "40"}
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.default_quorum == Decimal("0.25")
    assert association.turnout_warning == Decimal("0.4")
    assert association.default_majority == "two_thirds"
    bad = client.post(
        url, {"default_majority": "two_thirds", "default_quorum": "250", "turnout_warning": "40"}
    )
    assert bad.status_code == 200
    association.refresh_from_db()
    assert association.default_quorum == Decimal("0.25")


def test_the_poll_form_starts_from_the_statutes_too(association, chair, meeting):
    association.default_quorum = Decimal("0.3")
    association.default_majority = "two_thirds"
    association.save()
    url = reverse("web:poll_create", args=[association.slug, meeting.pk])
    html = client_for(chair).get(url).content.decode()
    assert re.search(r'name="quorum"[^>]*value="30(\.0+)?"', html)
    assert re.search(r'value="two_thirds"[^>]*checked', html)


def test_an_item_without_a_proposal_queues_its_motions_only(meeting, chair, reps, item):
    other = meeting.agenda_items.get(number="08")
    motion = proposals.do_submit_motion(
        actor=reps[0],
        meeting=meeting,
        agenda_item=other,
        title="Verantwoording",
        considerations="overwegende dat",
        request="verzoekt het bestuur",
    )
    # A vote on item 07's proposal does not show up under item 08.
    queue.do_open_vote(actor=chair, item=item, key=queue.vote_queue(item)[-1].key)
    entries = queue.vote_queue(other)
    assert [(e.subject, e.target.pk, e.state) for e in entries] == [("motion", motion.pk, "todo")]
    proposals.do_withdraw(actor=reps[0], submission=motion)
    assert queue.vote_queue(other) == []
