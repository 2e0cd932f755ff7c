"""How the edge's stream writes live messages: at once while idle, in order always.

A broadcast hands every open stream the same bytes; an idle stream writes them from
the hub's delivery without waking its task (live.stream.MeetingStream, write_now). These
tests drive edge.events.stream with a ``send`` of their own, as uvicorn would call it.
"""

import asyncio

import pytest

from besluit.associations.models import Role
from besluit.live.bus import hub
from besluit.live.models import LiveEvent
from tests import aio, factories
from tests.security.test_hardening import _never_disconnects, _stream_scope


@pytest.fixture
def stream_setup(transactional_db):
    association = factories.make_association(3, slug="delivery")
    user = factories.make_user(
        "kijker", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 0)
    )
    meeting = factories.make_meeting(association)
    return meeting, _stream_scope(meeting, user)


def _bodies(sent: list[dict]) -> list[bytes]:
    return [m["body"] for m in sent if m["type"] == "http.response.body"]


async def _open(scope, meeting, send):
    from besluit.edge import events

    task = asyncio.ensure_future(events.stream(scope, _never_disconnects, send, meeting.pk))
    for _ in range(3000):  # a guard against hanging, not a measurement
        if hub.count(meeting.pk):
            break
        await asyncio.sleep(0.01)
    return task


def test_an_idle_stream_is_written_within_the_delivery_without_its_task(stream_setup):
    meeting, scope = stream_setup

    async def scenario():
        sent, started = [], asyncio.Event()

        async def send(message):
            sent.append(message)
            if message.get("body", b"").startswith(b"retry:"):
                started.set()

        task = await _open(scope, meeting, send)
        await asyncio.wait_for(started.wait(), 30)
        await asyncio.sleep(0)  # the stream's task reaches its wait
        before = len(sent)
        (subscriber,) = hub._subscribers[meeting.pk]
        # What the hub's delivery does per stream; written before anything else runs.
        subscriber.offer((None, b"event: participation\ndata: {}\n\n"))
        assert _bodies(sent[before:]) == [b"event: participation\ndata: {}\n\n"]
        assert not subscriber.pending
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    aio.run(scenario())


def test_a_write_that_waits_keeps_the_order_of_the_messages_behind_it(stream_setup):
    """A slow client: the first live write waits for its window; the next messages wait
    behind it and arrive in order once it is written."""
    meeting, scope = stream_setup

    async def scenario():
        sent, started, window = [], asyncio.Event(), asyncio.Event()

        async def send(message):
            body = message.get("body", b"")
            if body == b"one":
                await window.wait()  # the client's window is full for a while
            sent.append(message)
            if body.startswith(b"retry:"):
                started.set()

        task = await _open(scope, meeting, send)
        await asyncio.wait_for(started.wait(), 30)
        await asyncio.sleep(0)
        for body in (b"one", b"two", b"three"):
            hub.deliver_formatted(meeting.pk, (None, body))
        await asyncio.sleep(0.05)
        assert b"two" not in _bodies(sent)
        window.set()
        for _ in range(300):  # a guard against hanging
            if _bodies(sent)[-1:] == [b"three"]:
                break
            await asyncio.sleep(0.01)
        assert _bodies(sent)[-3:] == [b"one", b"two", b"three"]
        hub.deliver_formatted(meeting.pk, (None, b"four"))  # idle again: at once
        await asyncio.sleep(0)
        assert _bodies(sent)[-1] == b"four"
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    aio.run(scenario())


def test_numbered_events_are_sent_once_and_a_gap_is_filled_from_the_database(stream_setup):
    meeting, scope = stream_setup

    async def scenario():
        sent, started = [], asyncio.Event()

        async def send(message):
            sent.append(message)
            if message.get("body", b"").startswith(b"retry:"):
                started.set()

        task = await _open(scope, meeting, send)
        await asyncio.wait_for(started.wait(), 30)
        await asyncio.sleep(0)
        # Event 1 was committed, but its message is overtaken by event 2's.
        await asyncio.to_thread(
            LiveEvent.objects.create, meeting=meeting, seq=1, kind="agenda-item", data={"n": 1}
        )
        hub.deliver_formatted(meeting.pk, (2, b"id: 2\nevent: x\ndata: {}\n\n"))
        hub.deliver_formatted(meeting.pk, (2, b"id: 2\nevent: x\ndata: {}\n\n"))  # again
        hub.deliver_formatted(meeting.pk, (1, b"id: 1\nevent: agenda-item\ndata: {}\n\n"))
        for _ in range(300):  # a guard against hanging
            if any(b.startswith(b"id: 2") for b in _bodies(sent)):
                break
            await asyncio.sleep(0.01)
        live = [b for b in _bodies(sent) if b.startswith(b"id: ")]
        assert [b.split(b"\n")[0] for b in live] == [b"id: 1", b"id: 2"]
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    aio.run(scenario())


def test_the_participation_message_is_rarer_when_a_worker_has_many_streams(settings):
    """Its cost is a write per open stream: BESLUIT_LIVE_WRITES_PER_SECOND bounds it."""
    from besluit.live.services import ParticipationNotifier

    settings.BESLUIT_LIVE_WRITES_PER_SECOND = 1000
    notifier = ParticipationNotifier(interval=1.0)

    async def scenario():
        subscribers = [hub.subscribe(-1) for _ in range(2500)]
        try:
            return notifier.tick(), hub.count()
        finally:
            for subscriber in subscribers:
                hub.unsubscribe(-1, subscriber)

    assert notifier.tick() == 1.0  # few streams: once a second
    # The hub is the process's: another test's streams may still be open beside ours.
    interval, streams = aio.run(scenario())
    assert 2500 <= streams < 2600
    assert interval == streams / 1000  # 2,500 streams: every 2.5 s
