"""GET /live/meetings/<id>/events at the edge: the meeting's Server-Sent Events.

The same stream as Django's view (live.stream.meeting_events, the replay rules
are there), as a coroutine: no thread and no database connection while it is
open. A live message that finds the stream idle is written to the client from the
hub's delivery itself (live.stream.MeetingStream, ``write_now``): a broadcast to
thousands of streams costs one write per stream, and wakes no task.
"""

import asyncio
import contextlib
from io import BytesIO
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404
from django.http.cookie import parse_cookie

from besluit.edge import auth, collector
from besluit.edge.http import SECURITY_HEADERS, host_allowed, send_json
from besluit.http import problems
from besluit.live.stream import MeetingStream, load_meeting, parse_last_event_id

CODE_ELSEWHERE = "A voting code gives access only to the voting pages of its own meeting."


def _user(cookies: dict[str, str]):
    """The session's user, AnonymousUser, or SECOND_FACTOR_OWED (as Django's security
    middleware, which does not run here, refuses such a session)."""
    return auth.user_behind(auth.session_credential(cookies))


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def stream(scope, receive, send, meeting_id: int) -> None:
    collector.ensure_running()
    if not host_allowed(ASGIRequest(scope, BytesIO())):
        body = problems.status_body(400, "This host name is not served here.", code="bad_host")
        await send_json(send, 400, body, content_type="application/problem+json")
        return
    cookies = parse_cookie(_header(scope, b"cookie") or "")
    user = await sync_to_async(_user, thread_sensitive=False)(cookies)
    if user is auth.SECOND_FACTOR_OWED:
        await send_json(
            send,
            403,
            problems.status_body(
                403, problems.SECOND_FACTOR_REQUIRED, code="second-factor-required"
            ),
            content_type="application/problem+json",
        )
        return
    if getattr(user, "code_meeting_id", None) not in (None, meeting_id):
        # A voting code's session follows its own meeting only (as accounts.middleware
        # keeps it to that meeting's pages): no stream, and no presence, elsewhere.
        await send_json(
            send,
            403,
            problems.status_body(403, CODE_ELSEWHERE, code="voting-code-scope"),
            content_type="application/problem+json",
        )
        return
    try:
        meeting = await load_meeting(meeting_id, user)
    except Http404:
        await send_json(
            send,
            404,
            problems.status_body(404, "No such meeting.", code="not-found"),
            content_type="application/problem+json",
        )
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    last = parse_last_event_id(
        _header(scope, b"last-event-id") or (query.get("lastEventId") or [None])[0]
    )
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
                *SECURITY_HEADERS,
            ],
        }
    )
    # Set when the hub ends this stream at once: its queue overflowed (the client does not
    # read, so ``send`` may never return) or its user opened too many streams.
    cut_off = asyncio.get_running_loop().create_future()
    sending = False

    def close() -> None:
        if not cut_off.done():
            cut_off.set_result(None)

    def write_now(chunk: bytes):
        return send({"type": "http.response.body", "body": chunk, "more_body": True})

    live = MeetingStream(
        meeting, user.pk if user.is_authenticated else None, last, close, write_now
    )
    events = live.chunks()

    async def pump() -> None:
        nonlocal sending
        async for chunk in events:
            sending = True
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sending = False
        # The stream fell behind (its queue overflowed): end it; the client reconnects
        # with its last event id and gets the missed events from the database.
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def until_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = {asyncio.ensure_future(pump()), asyncio.ensure_future(until_disconnect())}
    try:
        await asyncio.wait({*tasks, cut_off}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        await events.aclose()
    if cut_off.done() and not sending and not live.writing:
        # Ended while idle (its user opened another stream): end the response properly;
        # the client reconnects. A client stuck mid-send gets no more: the server drops it.
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
