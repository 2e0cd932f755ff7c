"""An election's rounds and participation reach the live pages through the meeting's
event stream (as polls do): opened, participation without member or choice, closed."""

import json
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.elections import services as el
from besluit.live.models import LiveEvent
from tests import factories
from tests.live.servers import EventStream, server
from tests.live.test_live_stream import REDIS_URL, api_post, redis_url  # noqa: F401

from . import helpers as h


@pytest.mark.django_db
def test_opening_and_closing_a_round_are_durable_live_events(
    chair, board, secretariat, meeting, django_capture_on_commit_callbacks
):
    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=1)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    (rep,) = h.reps(meeting.association, 1)
    with django_capture_on_commit_callbacks() as callbacks:
        el.do_cast(actor=rep, election=e, choice=["k2"])
    assert callbacks  # the participation tick, after the commit
    el.do_close_round(actor=chair, election=e)
    events = list(LiveEvent.objects.filter(meeting=meeting).order_by("seq"))
    kinds = [ev.kind for ev in events]
    assert kinds[-2:] == ["election-opened", "election-closed"]
    assert events[-2].data == {"election": str(e.public_id), "round": 1}
    assert events[-1].data["elected"] == ["Bert"] and events[-1].data["outcome"] == "elected"


@pytest.mark.django_db
def test_the_live_panels_are_fragments_the_stream_refreshes(
    client, chair, board, secretariat, meeting
):
    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=1)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    slug = meeting.association.slug
    client.force_login(chair)
    console = client.get(reverse("elections:console_panel", args=[slug, meeting.pk]))
    text = console.content.decode()
    assert 'data-live-refresh="election-opened election-closed"' in text
    assert f'data-election-participation="{e.public_id}"' in text
    # The console's forms return to the console, not to the fragment's address.
    assert f'value="{reverse("live:console", args=[slug, meeting.pk])}"' in text
    projector = client.get(reverse("elections:projector_panel", args=[slug, meeting.pk]))
    assert 'id="projector-elections"' in projector.content.decode()
    assert "every 3s" not in projector.content.decode()  # no timer: the stream says when
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    mine = client.get(reverse("elections:participant_panel", args=[slug, meeting.pk]))
    assert reverse("elections:vote", args=[slug, e.public_id]) in mine.content.decode()
    refused = client.get(reverse("elections:console_panel", args=[slug, meeting.pk]))
    assert refused.status_code == 403


@pytest.mark.dbbackend
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("live-servers")
def test_a_secret_election_reaches_the_stream_without_a_choice(redis_url, tmp_path):  # noqa: F811
    association = factories.make_association(8, slug="live-el")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    secretariat = factories.make_user("sec", association, Role.Kind.SECRETARIAT)
    board = factories.make_user("board", association, Role.Kind.BOARD)
    observer = factories.make_user("observer", association, Role.Kind.OBSERVER)
    meeting = factories.make_meeting(association)
    e = h.election(chair, meeting, h.body(secretariat, association), seats=2)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    reps = h.reps(association, 4)
    tokens = [ApiToken.issue(rep, "t")[1] for rep in reps]
    chair_token = ApiToken.issue(chair, "t")[1]
    watcher = Client()
    watcher.force_login(observer)
    with server(redis_url=redis_url, data_dir=tmp_path) as a:
        stream = EventStream(
            f"{a}/live/meetings/{meeting.pk}/events", session=watcher.cookies["sessionid"].value
        )
        stream.next_of("snapshot")
        api_post(a, f"/api/v1/elections/{e.public_id}/open", chair_token)
        events = [stream.next_of("election-opened")]
        for token, ranking in zip(
            tokens, [["k1"], ["k2", "k1"], ["k3"], ["k1", "k3"]], strict=True
        ):
            request = urllib.request.Request(
                f"{a}/api/v1/elections/{e.public_id}/ballots",
                data=json.dumps({"ranking": ranking}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=10).read()
        while True:
            event = stream.next_of("election-participation")
            events.append(event)
            if event["data"]["voted"] == 4:
                break
        api_post(a, f"/api/v1/elections/{e.public_id}/close", chair_token)
        events.append(stream.next_of("election-closed"))
        stream.close()
    codes = {m.code for m in association.members.all()}
    for event in events[1:-1]:
        assert set(event["data"]) == {"election", "round", "voted", "eligible"}
        assert event["data"]["eligible"] == 8
    for event in events:
        text = json.dumps(event["data"])
        assert not any(code in text for code in codes)
    assert events[-1]["data"]["outcome"] == "elected" and len(events[-1]["data"]["elected"]) == 2
