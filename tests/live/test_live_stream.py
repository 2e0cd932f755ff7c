"""The live channel across real worker processes: fan-out through Redis, replay, secrecy."""

import json
import os
import urllib.request

import pytest
import redis
from django.test import Client

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.live import services as live
from besluit.live.bus import reset_bus
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories
from tests.live.servers import EventStream, server
from tests.voting import sealedkit

pytestmark = [
    pytest.mark.dbbackend,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("live-servers"),
]

REDIS_URL = os.environ.get("BESLUIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is needed for the live tests: {exc}")
    return REDIS_URL


@pytest.fixture
def setup(transactional_db):
    association = factories.make_association(12, slug="live")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    observer = factories.make_user("observer", association, Role.Kind.OBSERVER)
    meeting = factories.make_meeting(association)
    client = Client()
    client.force_login(observer)
    return {
        "association": association,
        "chair": chair,
        "meeting": meeting,
        "session": client.cookies["sessionid"].value,
        "chair_token": ApiToken.issue(chair, "test")[1],
    }


def api_post(base: str, path: str, token: str) -> dict:
    request = urllib.request.Request(
        base + path, method="POST", data=b"", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def new_poll(setup, **kwargs) -> Poll:
    proposal = factories.make_proposal(setup["meeting"])
    return voting.do_create_poll(
        actor=setup["chair"],
        meeting=setup["meeting"],
        subject="proposal",
        proposal=proposal,
        **kwargs,
    )


def test_event_caused_on_one_worker_reaches_a_client_on_another(setup, redis_url, tmp_path):
    poll = new_poll(setup)
    meeting = setup["meeting"]
    with (
        server(redis_url=redis_url, data_dir=tmp_path) as a,
        server(redis_url=redis_url, data_dir=tmp_path) as b,
    ):
        stream = EventStream(f"{a}/live/meetings/{meeting.pk}/events", session=setup["session"])
        snapshot = stream.next_of("snapshot")
        assert snapshot["data"]["open_polls"] == []

        api_post(b, f"/api/v1/polls/{poll.public_id}/open", setup["chair_token"])
        opened = stream.next_of("poll-opened")
        assert opened["data"]["poll"] == str(poll.public_id)
        assert opened["id"] == snapshot["data"]["last_event"] + 1

        api_post(b, f"/api/v1/polls/{poll.public_id}/close", setup["chair_token"])
        closed = stream.next_of("poll-closed")
        assert closed["data"]["outcome"] in ("adopted", "rejected")
        assert closed["id"] == opened["id"] + 1
        stream.close()


def test_reconnect_with_last_event_id_gets_exactly_the_missed_events(setup, redis_url, tmp_path):
    meeting, chair = setup["meeting"], setup["chair"]
    items = list(meeting.agenda_items.all())
    live.do_set_current_item(actor=chair, meeting=meeting, item=items[0])
    with (
        server(redis_url=redis_url, data_dir=tmp_path) as a,
        server(redis_url=redis_url, data_dir=tmp_path) as b,
    ):
        url = f"{a}/live/meetings/{meeting.pk}/events"
        first = EventStream(url, session=setup["session"])
        seen = first.next_of("snapshot")["data"]["last_event"]
        first.close()

        # While the client is away, three events happen.
        for item in items[1:4]:
            live.do_set_current_item(actor=chair, meeting=meeting, item=item)

        again = EventStream(url, session=setup["session"], last_event_id=seen)
        replayed = [again.next() for _ in range(3)]
        assert [e["id"] for e in replayed] == [seen + 1, seen + 2, seen + 3]
        assert [e["data"]["number"] for e in replayed] == [i.number for i in items[1:4]]

        # And the next live event, caused on the other worker, comes exactly once.
        poll = new_poll(setup)
        api_post(b, f"/api/v1/polls/{poll.public_id}/open", setup["chair_token"])
        following = again.next_of("poll-opened", "agenda-item")
        assert following["event"] == "poll-opened"
        assert following["id"] == seen + 4
        again.close()


def test_secret_poll_events_never_contain_a_choice(setup, redis_url, tmp_path, settings):
    association = setup["association"]
    factories.trustees_for(setup["chair"], setup["meeting"])
    poll = new_poll(setup, is_secret=True)
    reps = [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(6)
    ]
    tokens = [ApiToken.issue(rep, "t")[1] for rep in reps]
    meeting = setup["meeting"]
    with server(redis_url=redis_url, data_dir=tmp_path) as a:
        stream = EventStream(f"{a}/live/meetings/{meeting.pk}/events", session=setup["session"])
        stream.next_of("snapshot")
        api_post(a, f"/api/v1/polls/{poll.public_id}/open", setup["chair_token"])
        events = [stream.next_of("poll-opened")]
        choices = ["for", "against", "abstain", "for", "for", "against"]
        poll.refresh_from_db()
        keys = list(poll.options.values_list("key", flat=True))
        for i, (token, choice) in enumerate(zip(tokens, choices, strict=True)):
            # Encrypted by the client (core.ballotcrypto, as docs/api.md shows).
            data, key = sealedkit.seal(poll, factories.member(association, i), keys.index(choice))
            request = urllib.request.Request(
                f"{a}/api/v1/polls/{poll.public_id}/sealed-ballots",
                data=json.dumps({"ballot": data.hex(), "requestKey": key}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=10).read()
        while True:
            event = stream.next_of("participation")
            events.append(event)
            if event["data"]["voted_members"] == 6:
                break
        api_post(a, f"/api/v1/polls/{poll.public_id}/close", setup["chair_token"])
        # The result is announced when k trustees have decrypted the totals (here, in
        # this process, publishing on the same bus as the servers).
        settings.REDIS_URL = redis_url
        reset_bus()
        try:
            factories.decrypt(poll)
            events.append(stream.next_of("poll-closed"))
        finally:
            reset_bus()
        stream.close()

    member_codes = {factories.member(association, i).code for i in range(6)}
    for event in events[:-1]:
        text = json.dumps(event["data"])
        assert not any(code in text for code in member_codes)
        assert "interim" not in text
        if event["event"] == "participation":
            assert set(event["data"]) == {
                "poll",
                "status",
                "voted_members",
                "eligible_members",
                "voted_weight",
                "eligible_weight",
                "members_pct",
                "weight_pct",
            }
    closing = json.dumps(events[-1]["data"])
    assert not any(code in closing for code in member_codes)
    assert {o["key"]: o["members"] for o in events[-1]["data"]["options"]} == {
        "for": 3,
        "against": 2,
        "abstain": 1,
    }


def test_many_open_streams_do_not_hold_database_connections(setup, tmp_path, monkeypatch):
    """Forty open pages at once: more than the connection pool (16) of a worker."""
    # One session opens them all: above the per-user cap of streams, which is not the point.
    monkeypatch.setenv("BESLUIT_MAX_STREAMS_PER_USER", "40")
    meeting = setup["meeting"]
    with server(data_dir=tmp_path) as a:
        url = f"{a}/live/meetings/{meeting.pk}/events"
        streams = [EventStream(url, session=setup["session"]) for _ in range(40)]
        for stream in streams:
            assert stream.next_of("snapshot")["event"] == "snapshot"
        poll = new_poll(setup)
        api_post(a, f"/api/v1/polls/{poll.public_id}/open", setup["chair_token"])
        for stream in streams:
            assert stream.next_of("poll-opened")["data"]["poll"] == str(poll.public_id)
            stream.close()
