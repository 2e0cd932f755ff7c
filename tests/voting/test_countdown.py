"""Closing with a countdown: the chair announces the close, ballots stop at zero, and
the poll closes itself (in the chair's name) when the countdown ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from besluit.audit.models import AuditEvent
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.live.models import LiveEvent
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(chair, meeting):
    p = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
    )
    return voting.do_open_poll(actor=chair, poll=p)


def test_countdown_announces_the_close_and_stops_ballots_at_zero(
    poll, chair, representative, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        voting.do_start_countdown(actor=chair, poll=poll, seconds=30, now=start)
    poll.refresh_from_db()
    assert poll.closes_at == start + timedelta(seconds=30)
    assert poll.countdown_by == chair
    event = LiveEvent.objects.filter(meeting=poll.meeting, kind="poll-countdown").get()
    assert event.data["poll"] == str(poll.public_id) and event.data["seconds"] == 30
    assert AuditEvent.objects.filter(action="poll.countdown").exists()
    # A ballot within the countdown counts; after zero it is refused.
    voting.cast_ballot(
        actor=representative, poll=poll, option_key="for", now=start + timedelta(seconds=29)
    )
    with pytest.raises(Conflict, match="stemperiode is voorbij"):
        voting.cast_ballot(
            actor=representative, poll=poll, option_key="for", now=start + timedelta(seconds=31)
        )


def test_the_poll_closes_itself_when_the_countdown_ends(poll, chair, representative):
    start = timezone.now()
    voting.do_start_countdown(actor=chair, poll=poll, seconds=10, now=start)
    voting.cast_ballot(actor=representative, poll=poll, option_key="for", now=start)
    assert voting.close_if_due(poll.pk, now=start + timedelta(seconds=9)) is None
    closed = voting.close_if_due(poll.pk, now=start + timedelta(seconds=10))
    assert closed is not None and closed.status == Poll.Status.CLOSED
    assert closed.closed_by == chair and closed.result["voted_members"] == 1
    assert voting.close_if_due(poll.pk, now=start + timedelta(seconds=11)) is None  # once


def test_countdown_rules(poll, chair, representative, meeting):
    with pytest.raises(PermissionDenied):
        voting.do_start_countdown(actor=representative, poll=poll, seconds=30)
    for seconds in (0, 3, 3601):
        with pytest.raises(ValidationFailed):
            voting.do_start_countdown(actor=chair, poll=poll, seconds=seconds)
    start = timezone.now()
    voting.do_start_countdown(actor=chair, poll=poll, seconds=60, now=start)
    # Shortening is allowed; a countdown never moves the close later.
    voting.do_start_countdown(actor=chair, poll=poll, seconds=20, now=start)
    with pytest.raises(Conflict):
        voting.do_start_countdown(actor=chair, poll=poll, seconds=120, now=start)
    draft = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
    )
    with pytest.raises(Conflict):
        voting.do_start_countdown(actor=chair, poll=draft, seconds=30)


def test_the_chair_starts_a_countdown_from_the_close_page(poll, chair, association):
    client = Client()
    client.force_login(chair)
    url = reverse("web:poll_close", args=[association.slug, poll.public_id])
    page = client.get(url)
    assert page.status_code == 200 and 'name="countdown"' in page.content.decode()
    response = client.post(url, {"countdown": "45"})
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and poll.closes_at is not None
    shown = client.get(
        reverse("web:poll", args=[association.slug, poll.public_id])
    ).content.decode()
    assert "data-closes-at" in shown
