"""Calling the ASGI application (besluit.asgi: the edge and Django) in this process.

Needs a transactional database: Django's sync views and the edge's look-ups run in
other threads, with their own connections.
"""

import asyncio
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field

from tests import aio


def application():
    """besluit.asgi.application, without the garbage-collector schedule that importing
    it sets for a server process (edge.collector.configure): this is a test process."""
    threshold, callbacks = gc.get_threshold(), list(gc.callbacks)
    from besluit import asgi

    gc.set_threshold(*threshold)
    gc.callbacks[:] = callbacks
    gc.unfreeze()
    return asgi.application


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    chunks_read: int  # how many request body chunks the application asked for
    extra: dict = field(default_factory=dict)

    def json(self):
        import json

        return json.loads(self.body)


def call(
    method: str,
    path: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    body: Iterable[bytes] = (b"",),
    client: tuple[str, int] = ("127.0.0.1", 54321),
    query: str = "",
) -> Answer:
    """One request; ``body`` may be a generator (it is pulled only as the application
    reads). A streamed response (200 event stream) ends after its first chunk."""
    return aio.run(_call(method, path, headers, body, client, query))


async def _call(method, path, headers, body, client, query) -> Answer:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        + [(b"host", b"127.0.0.1")],
        "client": client,
        "server": ("127.0.0.1", 8000),
    }
    chunks = iter(body)
    exhausted = False
    read = 0
    finished = asyncio.Event()
    sent: list[dict] = []

    async def receive():
        # Each chunk is made only when the application asks for it; the end of the
        # body is an empty last message.
        nonlocal exhausted, read
        if not exhausted:
            chunk = next(chunks, None)
            if chunk is not None:
                read += 1
                return {"type": "http.request", "body": chunk, "more_body": True}
            exhausted = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and (
            not message.get("more_body") or message.get("body")
        ):
            finished.set()

    app = application()
    await asyncio.wait_for(app(scope, receive, send), timeout=60)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Answer(
        status=start["status"],
        headers={k.decode().lower(): v.decode() for k, v in start.get("headers", [])},
        body=b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
        chunks_read=read,
        extra={"headers": [(k.decode().lower(), v.decode()) for k, v in start.get("headers", [])]},
    )
