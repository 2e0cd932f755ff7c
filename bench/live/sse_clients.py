"""C live clients (Server-Sent Events) in one process: connect, then time the poll events.

    python bench/live/sse_clients.py --port P --meeting M --poll UUID --session S --clients C

Speaks JSON lines: prints {"type": "connected", ...} once every stream has its
snapshot, then answers commands read from stdin:
  ``await <name> <timeout_s>`` - wait until every stream saw event <name> (opened/closed),
                                 then print {"type": "times", ...} with the arrival times
  ``stats``                    - print byte/event counters
  ``quit``
Arrival times are time.monotonic() values, a clock shared by all processes of the
machine, so the orchestrator subtracts the moment it sent the chair's request.

Each stream is a bare asyncio.Protocol that only looks for byte markers, so that
5,000 streams cost the load machine little CPU (it shares the cores with the server).
"""

import argparse
import asyncio
import json
import resource
import sys
import time


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Stream(asyncio.Protocol):
    def __init__(self, request: bytes, markers: dict[str, bytes], ready: asyncio.Future) -> None:
        self.request = request
        self.markers = markers
        self.ready = ready
        self.head = b""
        self.status = 0
        self.tail = b""
        self.keep = max(len(m) for m in markers.values())
        self.times: dict[str, float] = {}
        self.bytes = 0
        self.participation = 0
        self.lost_at: float | None = None
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.status:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = int(self.head.split(b" ", 2)[1])
            data, self.head = self.head[end + 4 :], b""
            if self.status != 200 and not self.ready.done():
                self.ready.set_exception(RuntimeError(f"HTTP {self.status}"))
        self.bytes += len(data)
        chunk = self.tail + data
        for name, marker in self.markers.items():
            if name not in self.times and marker in chunk:
                self.times[name] = now
                if name == "snapshot" and not self.ready.done():
                    self.ready.set_result(now)
        self.participation += data.count(b"event: participation")
        self.tail = chunk[-self.keep :]

    def connection_lost(self, exc) -> None:
        self.lost_at = time.monotonic()
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the snapshot: {exc!r}"))


async def main_async(args) -> None:
    loop = asyncio.get_running_loop()
    request = (
        f"GET /live/meetings/{args.meeting}/events HTTP/1.1\r\n"
        f"Host: {args.host}:{args.port}\r\n"
        "Accept: text/event-stream\r\n"
        f"Cookie: sessionid={args.session}\r\n\r\n"
    ).encode()
    markers = {
        "snapshot": b"event: snapshot\n",
        "opened": f'event: poll-opened\ndata: {{"poll":"{args.poll}"'.encode(),
        "closed": f'event: poll-closed\ndata: {{"poll":"{args.poll}"'.encode(),
    }
    streams: list[Stream] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(args.connect_concurrency)
    connect_latency: list[float] = []

    skipped = 0

    async def open_one() -> None:
        nonlocal skipped
        async with gate:
            if errors and not args.keep_going:
                # Fail fast: once streams are refused, do not queue thousands more behind
                # a server-side timeout (that would take many minutes to learn nothing new).
                skipped += 1
                return
            ready = loop.create_future()
            started = time.monotonic()
            try:
                _, proto = await loop.create_connection(
                    lambda: Stream(request, markers, ready), args.host, args.port
                )
                streams.append(proto)
                await asyncio.wait_for(ready, args.connect_timeout)
                connect_latency.append((time.monotonic() - started) * 1000)
            except Exception as exc:
                errors.append(f"connect: {exc!r}"[:200])

    started = time.monotonic()
    await asyncio.gather(*(open_one() for _ in range(args.clients)))
    connected = sum(1 for s in streams if "snapshot" in s.times and s.lost_at is None)
    emit(
        {
            "type": "connected",
            "clients": args.clients,
            "connected": connected,
            "errors": errors[:20],
            "error_count": len(errors),
            "skipped": skipped,
            "seconds": round(time.monotonic() - started, 2),
            "connect_ms": sorted(connect_latency),
        }
    )

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "quit":
            break
        parts = line.split()
        if parts[0] == "await":
            name, timeout = parts[1], float(parts[2])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                live = [s for s in streams if s.lost_at is None]
                if all(name in s.times for s in live):
                    break
                await asyncio.sleep(0.05)
            emit(
                {
                    "type": "times",
                    "name": name,
                    "times": [s.times[name] for s in streams if name in s.times],
                    "missing": sum(1 for s in streams if name not in s.times),
                    "lost": sum(1 for s in streams if s.lost_at is not None),
                }
            )
        elif parts[0] == "stats":
            emit(
                {
                    "type": "stats",
                    "streams": len(streams),
                    "lost": sum(1 for s in streams if s.lost_at is not None),
                    "bytes": sum(s.bytes for s in streams),
                    "participation_events": sum(s.participation for s in streams),
                }
            )
    for s in streams:
        if s.transport is not None:
            s.transport.close()


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--meeting", type=int, required=True)
    parser.add_argument("--poll", required=True)
    parser.add_argument("--session", required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--connect-timeout", type=float, default=120)
    parser.add_argument("--keep-going", action="store_true", help="no fail-fast on errors")
    args = parser.parse_args()
    limit = raise_fd_limit()
    if limit < args.clients + 100:
        sys.exit(f"the open-files limit ({limit}) is too low for {args.clients} streams")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
