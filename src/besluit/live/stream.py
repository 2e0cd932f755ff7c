"""The Server-Sent Events stream of a meeting: replay, then live, without gaps or doubles.

A client sends the number of the last durable event it saw (EventSource does so
itself as ``Last-Event-ID`` on reconnect). The stream subscribes first, then
reads the missed events from the database, then passes on live messages whose
number is higher than the last one sent: nothing is lost between the replay and
the subscription, and nothing is sent twice. Ephemeral messages (participation)
carry no number and are simply passed on.
"""

import asyncio
import functools
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, StreamingHttpResponse

from besluit import access
from besluit.dbthreads import give_back_connection
from besluit.live import presence
from besluit.live.bus import PING, format_event, get_bus, hub
from besluit.live.models import LiveEvent
from besluit.live.selectors import snapshot
from besluit.meetings.models import Meeting

HEARTBEAT_SECONDS = 20
REPLAY_LIMIT = 10_000


def parse_last_event_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def _db(func):
    """Run ``func`` in a worker thread and give its connection back at once.

    A stream lives for hours and Django returns connections only when a request
    ends; without this, a few dozen open pages would hold the whole pool.
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            # Not inside a transaction someone else owns (a test's, for one). A SQLite
            # file stays open: reopening it for each of thousands of streams costs more
            # than the stream's queries, and it holds no pool's connection.
            give_back_connection(keep_sqlite=True)

    return sync_to_async(run)  # in a request: its thread (a test sees its data)


@_db
def load_meeting(meeting_id: int, user) -> Meeting:
    meeting = Meeting.objects.select_related("association").filter(pk=meeting_id).first()
    if meeting is None or not access.can_view(user, meeting.association):
        raise Http404("No such meeting.")
    return meeting


@_db
def _replay(meeting_id: int, after: int) -> list[dict]:
    events = LiveEvent.objects.filter(meeting_id=meeting_id, seq__gt=after).order_by("seq")
    return [{"id": e.seq, "event": e.kind, "data": e.data} for e in events[:REPLAY_LIMIT]]


@_db
def _snapshot(meeting: Meeting) -> dict:
    return snapshot(meeting)


class _Continue:
    """Awaits the rest of a write that ``MeetingStream._at_once`` began and that had to
    wait (the client's window was full): first the future it waits for, then the rest."""

    __slots__ = ("coro", "future")

    def __init__(self, coro, future) -> None:
        self.coro, self.future = coro, future

    def __await__(self):
        try:
            yield self.future  # the task waits for it, as the write itself would have
            return (yield from self.coro.__await__())
        finally:
            self.coro.close()  # cancelled while waiting: the write is abandoned


class MeetingStream:
    """One client's stream of a meeting: the snapshot or the missed events, then live.

    ``chunks()`` yields its bytes. With ``write_now`` (an async function writing bytes to
    the client, the edge's), a live message that finds the stream idle is written at
    once from the hub's delivery, with no task woken for it: a broadcast to 5,000
    streams then costs one write each. A write that has to wait (a slow client) is
    finished by the stream's own task before anything else is written, so the order
    holds. ``on_close`` is called when the stream must end at once (see
    bus.Subscriber.cut_off).
    """

    def __init__(
        self,
        meeting: Meeting,
        user_id: int | None,
        last: int | None,
        on_close: Callable[[], None] | None = None,
        write_now: Callable[[bytes], Awaitable[None]] | None = None,
    ) -> None:
        self.meeting, self.user_id, self.sent = meeting, user_id, last
        self.on_close, self.write_now = on_close, write_now
        self.subscriber = None
        self._unfinished: _Continue | None = None
        self._failed: BaseException | None = None

    @property
    def writing(self) -> bool:
        """A write of ``write_now`` waits for the client."""
        return self._unfinished is not None

    def _at_once(self, item: tuple[int | None, bytes]) -> bool:
        """The subscriber's sink while the stream is idle: write now, or say it cannot."""
        number, data = item
        if number is not None:
            if number <= self.sent:
                return True  # replayed already
            if number > self.sent + 1:
                return False  # a gap: the stream's task fills it from the database
            self.sent = number
        coro = self.write_now(data)
        try:
            future = coro.send(None)
        except StopIteration:
            return True
        except BaseException as exc:  # the stream's task raises it
            self._failed = exc
        else:
            self._unfinished = _Continue(coro, future)
        self.subscriber.sink = None  # later messages wait for the stream's task
        self.subscriber.wake()
        return True

    async def chunks(self) -> AsyncIterator[bytes]:
        get_bus().ensure_listening()
        ensure_heartbeat()
        meeting_id, user_id = self.meeting.pk, self.user_id
        subscriber = self.subscriber = hub.subscribe(
            meeting_id,
            user_id=user_id,
            per_user=settings.BESLUIT_MAX_STREAMS_PER_USER,
            on_close=self.on_close,
        )
        try:
            if user_id:
                await sync_to_async(presence.touch, thread_sensitive=False)(meeting_id, user_id)
            if self.sent is None:
                state = await _snapshot(self.meeting)
                self.sent = state["last_event"]
                yield format_event({"id": self.sent or None, "event": "snapshot", "data": state})
            else:
                for message in await _replay(meeting_id, self.sent):
                    self.sent = message["id"]
                    yield format_event(message)
            yield b"retry: 2000\n\n"
            while not subscriber.overflowed:
                if self._unfinished is not None:
                    await self._unfinished
                    self._unfinished = None
                if self._failed is not None:
                    raise self._failed
                items = subscriber.take()
                if not items:
                    # Idle: everything yielded so far is written (the consumer asks for
                    # more only then), so a message may be written at once.
                    subscriber.sink = self._at_once if self.write_now else None
                    try:
                        await subscriber.wait()
                    finally:
                        subscriber.sink = None
                    continue
                for number, data in items:
                    if number is not None:
                        if number <= self.sent:
                            continue  # replayed already
                        if number > self.sent + 1:
                            # Two commits' messages crossed on the way: fill the gap from
                            # the database, where the earlier event is committed already.
                            for missed in await _replay(meeting_id, self.sent):
                                if missed["id"] >= number:
                                    break
                                self.sent = missed["id"]
                                yield format_event(missed)
                        self.sent = number
                    yield data
        finally:
            subscriber.sink = None
            if self._unfinished is not None:
                self._unfinished.coro.close()
            hub.unsubscribe(meeting_id, subscriber)
            if user_id:  # another open tab touches it again within a heartbeat
                await sync_to_async(presence.leave, thread_sensitive=False)(meeting_id, user_id)


def event_stream(
    meeting: Meeting,
    user_id: int | None,
    last: int | None,
    on_close: Callable[[], None] | None = None,
) -> AsyncIterator[bytes]:
    """The bytes of one client's stream (Django's view; the edge uses MeetingStream with
    its writer)."""
    return MeetingStream(meeting, user_id, last, on_close).chunks()


# One heartbeat per process (per event loop), not a timer per stream: it keeps
# proxies from closing idle streams and refreshes who is present, in one call.
_heartbeats: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = (
    weakref.WeakKeyDictionary()
)


def ensure_heartbeat() -> None:
    loop = asyncio.get_running_loop()
    task = _heartbeats.get(loop)
    if task is None or task.done():
        _heartbeats[loop] = loop.create_task(_beat())


async def _beat() -> None:
    touch = sync_to_async(presence.touch_many, thread_sensitive=False)
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        hub.deliver_formatted(None, PING)
        for meeting_id, user_ids in hub.present().items():
            if user_ids:
                await touch(meeting_id, user_ids)


async def meeting_events(request: HttpRequest, meeting_id: int) -> StreamingHttpResponse:
    """The stream through Django (tests, a server without the edge); besluit.asgi
    serves the same stream from edge.events without Django's request cycle."""
    user = await request.auser()
    meeting = await load_meeting(meeting_id, user)
    last = parse_last_event_id(
        request.headers.get("Last-Event-ID") or request.GET.get("lastEventId")
    )
    user_id = user.pk if user.is_authenticated else None
    response = StreamingHttpResponse(
        event_stream(meeting, user_id, last), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response
