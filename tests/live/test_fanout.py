"""How the hub hands one message to thousands of streams: a chunk per turn of the event
loop, so a ballot arriving during a broadcast waits for one chunk, not for all of them,
and every stream gets the messages in the order they were delivered (live.bus._put_all).
Pacing the chunks of a message without a number was tried and did not land
(docs/benchmarks.md)."""

import asyncio
import threading

import pytest

from besluit.live import bus


class _Stream:
    def __init__(self) -> None:
        self.got: list[bytes] = []

    def offer(self, item) -> None:
        self.got.append(item[1])


class _Loop:
    """Records what ``_put_all`` schedules, and runs it when the test says so."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[float, object, tuple]] = []  # (delay, callback, args)

    def call_soon(self, callback, *args):
        self.scheduled.append((0.0, callback, args))

    def call_later(self, delay, callback, *args):
        self.scheduled.append((delay, callback, args))

    def run_all(self) -> list[float]:
        delays = []
        while self.scheduled:
            delay, callback, args = self.scheduled.pop(0)
            delays.append(delay)
            callback(*args)
        return delays


def _deliver(monkeypatch, items, n=2 * bus.FANOUT_CHUNK + 50):
    loop = _Loop()
    monkeypatch.setattr(bus.asyncio, "get_running_loop", lambda: loop)
    streams = [_Stream() for _ in range(n)]
    for item in items:
        bus._put_all(streams, item)
    first = [len(s.got) for s in streams]
    return streams, first, loop.run_all()


def test_a_numbered_event_reaches_every_stream_in_turns_of_the_loop(monkeypatch):
    streams, first, delays = _deliver(monkeypatch, [(7, b"result")])
    assert first.count(1) == bus.FANOUT_CHUNK  # the first chunk at once
    assert delays == [0.0, 0.0]  # the other two chunks at the loop's next turns
    assert all(s.got == [b"result"] for s in streams)


def test_messages_keep_their_order_at_every_stream(monkeypatch):
    streams, first, delays = _deliver(
        monkeypatch, [(None, b"participation 1"), (8, b"closed"), (None, b"participation 2")]
    )
    assert first.count(3) == bus.FANOUT_CHUNK
    assert delays == [0.0] * 6  # two more chunks of each, at the loop's next turns
    assert all(s.got == [b"participation 1", b"closed", b"participation 2"] for s in streams)


def test_a_few_streams_get_a_message_at_once(monkeypatch):
    _, first, delays = _deliver(monkeypatch, [(None, b"ping")], n=bus.FANOUT_CHUNK)
    assert first == [1] * bus.FANOUT_CHUNK and delays == []


def test_a_failing_watcher_keeps_no_message_from_the_streams(caplog):
    """Hub.watch: the edge watches every delivered message (a poll opening); a watcher
    that raises is logged, and the message still goes to every stream."""

    async def scenario():
        hub = bus.Hub()
        seen = []

        def broken(_meeting_id, _item):
            raise RuntimeError("can't start new thread")

        hub.watch(broken)
        hub.watch(lambda meeting_id, item: seen.append((meeting_id, item[0])))
        subs = [hub.subscribe(7) for _ in range(3)]
        hub.deliver(7, {"id": 1, "event": "poll-opened", "data": {"poll": "p"}})
        await asyncio.sleep(0.01)  # the loop runs the delivery
        return seen, [s.take() for s in subs]

    # In a thread of its own: another test's event loop (the browser's) may be running
    # in this one.
    result = {}
    thread = threading.Thread(target=lambda: result.update(out=asyncio.run(scenario())))
    thread.start()
    thread.join(10)
    seen, taken = result["out"]
    assert seen == [(7, 1)]
    assert all(len(items) == 1 and b"event: poll-opened" in items[0][1] for items in taken)
    assert "a live message watcher failed" in caplog.text


def test_a_watcher_reads_the_event_name_and_data_as_format_event_wrote_them():
    numbered = bus.format_event({"id": 10**24, "event": "election-opened", "data": {"a": [1]}})
    plain = bus.format_event({"event": "poll-opened", "data": {"poll": "p\nevent: x"}})
    assert bus.event_name(numbered) == "election-opened"
    assert bus.event_name(plain) == "poll-opened"
    assert bus.event_data(numbered) == {"a": [1]} and bus.event_data(plain)["poll"] == "p\nevent: x"
    assert bus.event_name(bus.PING[1]) is None
    with pytest.raises(ValueError):
        bus.event_data(bus.PING[1])
