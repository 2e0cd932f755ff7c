"""What a representative and the hall read around a vote: the participation bar on the
right scale, the confirmation with the vote just cast, one receipt wording, and a
written consultation's closing date in days."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from besluit.associations.models import Role
from besluit.voting import services as voting
from tests import factories

pytestmark = pytest.mark.django_db


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
def poll(chair, meeting):
    return factories.open_poll(
        chair, meeting, subject="proposal", proposal=factories.make_proposal(meeting), title=""
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def progress_values(html: str) -> list[float]:
    return [float(v) for v in re.findall(r'<progress max="100" value="([^"]+)"', html)]


def test_the_participation_bar_is_on_the_percent_scale(poll, reps, chair, meeting):
    for rep in reps[:2]:
        voting.cast_ballot(actor=rep, poll=poll, option_key="for")
    share = float(voting_share(poll)) * 100
    base = [meeting.association.slug, meeting.pk]
    for url in (reverse("live:projector", args=base), reverse("live:participant", args=base)):
        values = progress_values(logged_in(chair).get(url).content.decode())
        assert values and all(abs(v - share) < 0.06 for v in values), (url, values, share)
        assert all(v > 1 for v in values)  # never a fraction on a 0-100 scale


def voting_share(poll):
    from besluit.voting.selectors import participation

    return participation(poll).weight_share


def test_the_confirmation_counts_the_vote_just_cast_and_says_what_the_receipt_is_for(poll, reps):
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="for")
    url = reverse("web:poll_vote", args=[poll.meeting.association.slug, poll.public_id])
    response = logged_in(reps[1]).post(
        url, {"option": "against", "request_key": "k1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Met uw stem hebben 2 van de 12 leden gestemd" in html
    receipt = "bewaar het om na het sluiten in het gepubliceerde stemmenlog"
    assert receipt in html
    # The same words on the live page, and on the poll page.
    base = [poll.meeting.association.slug, poll.meeting.pk]
    live = logged_in(reps[1]).get(reverse("live:participant", args=base)).content.decode()
    page = (
        logged_in(reps[1])
        .get(reverse("web:poll", args=[poll.meeting.association.slug, poll.public_id]))
        .content.decode()
    )
    assert receipt in live and receipt in page
    assert "Ballot id" not in live and "Stem-id" not in live


def test_a_written_consultation_shows_its_closing_date_and_days_left(association, chair, reps):
    written = factories.make_meeting(association, kind="written")
    closes = timezone.now() + timedelta(days=14, hours=2)
    poll = factories.open_poll(chair, written, closes_at=closes)
    html = (
        logged_in(reps[0])
        .get(reverse("web:poll", args=[association.slug, poll.public_id]))
        .content.decode()
    )
    local = timezone.localtime(closes)
    assert f"Stemmen kan tot {local.day} " in html and f"om {local:%H:%M}" in html
    assert "nog 14 dagen" in html
    assert not re.search(r"\d{4,}:\d\d", html)  # no "20144:02" (minutes of 14 days)
