"""Fan-out of live messages to the open event streams of every worker process.

Each process keeps its subscribers (one ``Subscriber`` per open stream) in a
``Hub``. Publishing goes through the bus: in-process when there is no Redis,
else through Redis pub/sub, whose one listener thread per process hands every
message to the local hub. So a ballot on worker A reaches a projector on worker B.

A message is encoded once, by its publisher: Redis carries the Server-Sent Events
bytes themselves (after a line with the event's number), so a worker neither parses
nor formats it, and every stream of the meeting is handed the same bytes object.
"""

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from django.conf import settings

log = logging.getLogger("besluit.live")
CHANNEL_PREFIX = "besluit:live:"


class Subscriber:
    """One open stream in this process: what the hub hands it, in its own event loop.

    A live message costs a stream one call of ``offer``: while the stream is idle (it
    waits for news and has set a ``sink``), the sink writes the message's bytes to the
    client at once, in the hub's turn of the loop, without waking a task (see
    live.stream). Otherwise the message waits in ``pending`` (at most ``maxsize``) for
    the stream's own task.
    """

    __slots__ = (
        "_waiter",
        "loop",
        "maxsize",
        "on_close",
        "overflowed",
        "pending",
        "sink",
        "user_id",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        maxsize: int = 1000,
        user_id: int | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.loop = loop
        self.maxsize = maxsize
        self.user_id = user_id
        self.overflowed = False
        # Ends the stream at once, even while it waits for a client that does not read
        # (the edge cancels its sender); None: the stream ends when it next wakes.
        self.on_close = on_close
        self.pending: deque[tuple[int | None, bytes]] = deque()
        # Takes a message at once and says whether it did (True: written or dropped as
        # seen already); set by the stream only while it is idle.
        self.sink: Callable[[tuple[int | None, bytes]], bool] | None = None
        self._waiter: asyncio.Future | None = None

    def offer(self, item: tuple[int | None, bytes]) -> None:
        """In this stream's loop: a message for it."""
        if self.overflowed:
            return
        sink = self.sink
        if sink is not None and not self.pending and sink(item):
            return
        if len(self.pending) >= self.maxsize:
            # A stream that cannot keep up is ended, at once (its sender may be stuck on a
            # client that does not read); its client reconnects and replays.
            self.cut_off()
            return
        self.pending.append(item)
        self.wake()

    def wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until a message is pending, the stream is cut off, or someone wakes it."""
        if self.pending or self.overflowed:
            return
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def take(self) -> list[tuple[int | None, bytes]]:
        items = list(self.pending)
        self.pending.clear()
        return items

    def cut_off(self) -> None:
        """End this stream: it fell behind, or its user opened too many. In its loop."""
        self.overflowed = True
        self.sink = None
        if self.on_close is not None:
            self.on_close()
        self.wake()


def format_event(message: dict[str, Any]) -> bytes:
    """A message as Server-Sent Events text. Done once per message, not per stream."""
    lines = []
    if message.get("id") is not None:
        lines.append(f"id: {message['id']}")
    lines.append(f"event: {message['event']}")
    lines.append("data: " + json.dumps(message["data"], separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


def event_name(text: bytes) -> str | None:
    """The event's name in what ``format_event`` wrote (it stands in the first line or
    two), without reading the rest: watchers (``Hub.watch``) see every message."""
    start = text.find(b"event: ", 0, 64)
    if start < 0:
        return None
    end = text.find(b"\n", start)
    return text[start + 7 : end].decode("utf-8", "replace")


def event_data(text: bytes) -> Any:
    """The event's data in what ``format_event`` wrote. Raises ValueError without it."""
    _head, found, data = text.partition(b"\ndata: ")
    if not found:
        raise ValueError("no data line")
    return json.loads(data)


PING = (None, b": ping\n\n")


def encode(message: dict[str, Any]) -> bytes:
    """What goes over Redis: the event's number (or nothing) on a line, then its bytes."""
    number = message.get("id")
    return b"%s\n%s" % (b"" if number is None else str(int(number)).encode(), format_event(message))


def decode(payload: bytes) -> tuple[int | None, bytes]:
    number, _, data = payload.partition(b"\n")
    return (int(number) if number else None), data


class Hub:
    """This process's subscribers, per meeting. Thread-safe publishing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Subscriber]] = defaultdict(set)
        # Each user's open streams in this process, oldest first.
        self._by_user: dict[int, list[Subscriber]] = defaultdict(list)
        self._watchers: list[Callable[[int | None, tuple[int | None, bytes]], None]] = []

    def watch(self, watcher: Callable[[int | None, tuple[int | None, bytes]], None]) -> None:
        """Call ``watcher(meeting_id, (number, bytes))`` with every message this process
        delivers, in the delivering thread (the Redis listener's, or the publisher's).
        It must be quick: the edge uses it to see a poll open before its ballots arrive.
        One that raises is logged, and the message still reaches every stream."""
        if watcher not in self._watchers:
            self._watchers.append(watcher)

    def subscribe(
        self,
        meeting_id: int,
        maxsize: int = 1000,
        user_id: int | None = None,
        *,
        per_user: int | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> Subscriber:
        """A new stream. A user with ``per_user`` streams open already loses the oldest: a
        tab closed without a word (a phone gone to sleep) must not lock its owner out."""
        sub = Subscriber(asyncio.get_running_loop(), maxsize, user_id, on_close=on_close)
        evicted: list[Subscriber] = []
        with self._lock:
            self._subscribers[meeting_id].add(sub)
            if user_id is not None:
                mine = self._by_user[user_id]
                mine.append(sub)
                if per_user is not None:
                    while len(mine) > per_user:
                        evicted.append(mine.pop(0))
        for old in evicted:
            with contextlib.suppress(RuntimeError):  # its loop is closed: it is gone
                old.loop.call_soon_threadsafe(old.cut_off)
        return sub

    def unsubscribe(self, meeting_id: int, sub: Subscriber) -> None:
        with self._lock:
            subs = self._subscribers.get(meeting_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[meeting_id]
            mine = self._by_user.get(sub.user_id) if sub.user_id is not None else None
            if mine is not None:
                with contextlib.suppress(ValueError):  # evicted already
                    mine.remove(sub)
                if not mine:
                    del self._by_user[sub.user_id]

    def count_user(self, user_id: int) -> int:
        with self._lock:
            return len(self._by_user.get(user_id, ()))

    def count(self, meeting_id: int | None = None) -> int:
        with self._lock:
            if meeting_id is None:
                return sum(len(s) for s in self._subscribers.values())
            return len(self._subscribers.get(meeting_id, ()))

    def deliver(self, meeting_id: int, message: dict[str, Any]) -> None:
        self.deliver_formatted(meeting_id, (message.get("id"), format_event(message)))

    def deliver_formatted(self, meeting_id: int | None, item: tuple[int | None, bytes]) -> None:
        """Hand one formatted message to the streams of a meeting (None: of all meetings)."""
        for watcher in self._watchers:
            try:
                watcher(meeting_id, item)
            except Exception:  # a watcher's failure must not keep a message from anyone
                log.exception("a live message watcher failed")
        with self._lock:
            if meeting_id is None:
                targets = [s for subs in self._subscribers.values() for s in subs]
            else:
                targets = list(self._subscribers.get(meeting_id, ()))
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscriber]] = defaultdict(list)
        for sub in targets:
            by_loop[sub.loop].append(sub)
        # One call per event loop, not per subscriber: 5,000 streams cost one wake-up.
        for loop, subs in by_loop.items():
            with contextlib.suppress(RuntimeError):  # loop closed: its streams are gone
                loop.call_soon_threadsafe(_put_all, subs, item)

    def present(self) -> dict[int, set[int]]:
        """The users with an open stream, per meeting (this process)."""
        with self._lock:
            return {
                meeting: {s.user_id for s in subs if s.user_id is not None}
                for meeting, subs in self._subscribers.items()
            }


FANOUT_CHUNK = 200


def _put_all(subs: list[Subscriber], item: tuple[int | None, bytes]) -> None:
    # A few hundred streams per turn of the event loop: between turns the loop reads
    # the sockets again, so a ballot arriving during a broadcast to 5,000 streams
    # waits for one chunk, not for all of them.
    if len(subs) > FANOUT_CHUNK:
        asyncio.get_running_loop().call_soon(_put_all, subs[FANOUT_CHUNK:], item)
        subs = subs[:FANOUT_CHUNK]
    for sub in subs:
        sub.offer(item)


hub = Hub()


class LocalBus:
    def publish(self, meeting_id: int, message: dict[str, Any]) -> None:
        hub.deliver(meeting_id, message)

    def ensure_listening(self) -> None:
        pass


class RedisBus:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._url = url
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()

    def publish(self, meeting_id: int, message: dict[str, Any]) -> None:
        self._redis.publish(f"{CHANNEL_PREFIX}{meeting_id}", encode(message))

    def ensure_listening(self) -> None:
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(
                    target=self._listen, name="besluit-live-redis", daemon=True
                )
                self._listener.start()

    def _listen(self) -> None:
        import redis

        while True:
            try:
                client = redis.Redis.from_url(self._url)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                for item in pubsub.listen():
                    channel = item["channel"].decode()
                    meeting_id = int(channel.removeprefix(CHANNEL_PREFIX))
                    hub.deliver_formatted(meeting_id, decode(item["data"]))
            except Exception:  # reconnect after a Redis restart
                log.exception("Redis listener failed; reconnecting")
                threading.Event().wait(1)


_bus: LocalBus | RedisBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> LocalBus | RedisBus:
    global _bus
    with _bus_lock:
        if _bus is None:
            _bus = RedisBus(settings.REDIS_URL) if settings.REDIS_URL else LocalBus()
        return _bus


def reset_bus() -> None:
    """For tests that switch REDIS_URL."""
    global _bus
    with _bus_lock:
        _bus = None
