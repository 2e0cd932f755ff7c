"""N representatives: log in with a voting code, then cast one ballot each, as fast as allowed.

    python bench/live/reps.py --port P --codes FILE --poll UUID --concurrency 64

JSON lines protocol; commands on stdin:
  ``login [timeout_s]`` - every representative: GET /stemcode/ (csrftoken cookie), POST the code
              (302 + session cookie). Prints {"type": "login", ...}.
  ``vote [timeout_s]``  - every representative: POST /api/v1/polls/<poll>/ballots with the session
              cookie and the X-CSRFToken header. Prints {"type": "vote", ...}.
  ``sealed POLL FILE [timeout_s]`` - every representative: POST .../polls/<POLL>/sealed-ballots
              with the sealed ballot made for its member beforehand (FILE: setup_data.py's
              sealed.txt). Prints {"type": "vote", ...}; "sent" maps member to option.
  ``ceiling PORT [timeout_s]`` - the same ballots (sessions, bodies, connections) sent to
              another server: bench/ceiling.py's minimal endpoint. Prints {"type": "vote", ...}.
  ``quit``
A fixed number of keep-alive connections (``--concurrency``) work through the
representatives, like wrk: at most that many requests are in flight. Latencies are
per HTTP request, in milliseconds.
"""

import argparse
import asyncio
import json
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from httpc import Connection, ConnectionLost

RETRIES = 2
OPTION_CYCLE = ("for", "for", "against", "for", "abstain", "against", "for", "against")


def option_for(index: int) -> str:
    return OPTION_CYCLE[index % len(OPTION_CYCLE)]


class Reps:
    def __init__(self, args) -> None:
        self.args = args
        lines = Path(args.codes).read_text().splitlines()
        self.codes = [line.split() for line in lines if line]
        if args.limit:
            self.codes = self.codes[: args.limit]
        self.sessions: list[dict[str, str] | None] = [None] * len(self.codes)

    async def _run(self, work, timeout: float, port: int | None = None) -> tuple[float, float]:
        """Run work(index, connection) for every representative over the connection pool.

        After ``timeout`` seconds no new representative starts (a phase that cannot
        finish in reasonable time is reported as such rather than waited for).
        """
        queue = iter(range(len(self.codes)))
        deadline = time.monotonic() + timeout
        connections = [
            Connection(self.args.host, port or self.args.port) for _ in range(self.args.concurrency)
        ]

        async def worker(conn: Connection) -> None:
            for index in queue:
                await work(index, conn)
                if time.monotonic() > deadline:
                    break
            conn.close()

        started = time.monotonic()
        await asyncio.gather(*(worker(c) for c in connections))
        return started, time.monotonic()

    async def login(self, timeout: float) -> dict:
        form_ms, post_ms, total_ms, errors = [], [], [], []
        attempted = [0]

        async def one(index: int, conn: Connection) -> None:
            attempted[0] += 1
            member, code = self.codes[index]
            t0 = time.monotonic()
            try:
                form = await conn.request("GET", "/stemcode/", headers={"Accept": "text/html"})
                t1 = time.monotonic()
                csrf = form.cookies.get("csrftoken")
                if form.status != 200 or not csrf:
                    errors.append(f"{member} form: HTTP {form.status}")
                    return
                body = urllib.parse.urlencode({"code": code, "csrfmiddlewaretoken": csrf}).encode()
                done = await conn.request(
                    "POST",
                    "/stemcode/",
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={csrf}",
                        "Accept": "text/html",
                    },
                    body=body,
                )
                t2 = time.monotonic()
            except (ConnectionLost, OSError) as exc:
                errors.append(f"{member} login: {exc!r}"[:200])
                return
            session = done.cookies.get("sessionid")
            if done.status != 302 or not session:
                errors.append(f"{member} login: HTTP {done.status} {done.body[:120]!r}")
                return
            self.sessions[index] = {
                "sessionid": session,
                "csrftoken": done.cookies.get("csrftoken", csrf),
            }
            form_ms.append((t1 - t0) * 1000)
            post_ms.append((t2 - t1) * 1000)
            total_ms.append((t2 - t0) * 1000)

        started, ended = await self._run(one, timeout)
        return {
            "type": "login",
            "attempted": attempted[0],
            "count": len(self.codes),
            "ok": len(total_ms),
            "started": started,
            "ended": ended,
            "form_ms": form_ms,
            "post_ms": post_ms,
            "total_ms": total_ms,
            "errors": errors[:20],
            "error_count": len(errors),
        }

    async def vote(
        self, timeout: float, port: int | None = None, sealed: tuple[str, str] | None = None
    ) -> dict:
        latencies, ends, errors, statuses = [], [], [], {}
        retried: list[str] = []
        sent: dict[str, str] = {}
        path = f"/api/v1/polls/{self.args.poll}/ballots"
        starts: list[float] = []
        bodies: dict[str, tuple[str, bytes]] = {}  # member: (option, body), sealed
        if sealed:
            path = f"/api/v1/polls/{sealed[0]}/sealed-ballots"
            for line in Path(sealed[1]).read_text().splitlines():
                code, option, key, data = line.split()
                body = json.dumps({"ballot": data, "requestKey": key}).encode()
                bodies[code] = (option, body)

        async def one(index: int, conn: Connection) -> None:
            member, _ = self.codes[index]
            session = self.sessions[index]
            if session is None:
                errors.append(f"{member}: not logged in")
                return
            if sealed:
                option, body = bodies[member]
            else:
                option = option_for(index)
                body = json.dumps({"option": option, "requestKey": uuid.uuid4().hex}).encode()
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Cookie": f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}",
                "X-CSRFToken": session["csrftoken"],
            }
            t0 = time.monotonic()
            starts.append(t0)
            for attempt in range(1 + RETRIES):
                try:
                    response = await conn.request("POST", path, headers=headers, body=body)
                    break
                except (ConnectionLost, OSError) as exc:
                    # Counted as an error; then retried as a client should: with the same
                    # requestKey, so a ballot that was stored comes back (200, replayed)
                    # and the tally check can still demand exactly one ballot per member.
                    errors.append(f"{member} ballot (attempt {attempt + 1}): {exc!r}"[:200])
                    retried.append(member)
            else:
                return
            ended = time.monotonic()
            latencies.append((ended - t0) * 1000)
            ends.append(ended)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            replayed = response.status == 200 and member in retried
            if response.status != 201 and not replayed:
                errors.append(f"{member} ballot: HTTP {response.status} {response.body[:160]!r}")
                return
            sent[member] = option

        started, ended = await self._run(one, timeout, port)
        return {
            "type": "vote",
            "attempted": len(starts),
            "count": len(self.codes),
            "ok": len(sent),
            "started": started,
            "ended": ended,
            "latency_ms": latencies,
            "ends": ends,
            "statuses": {str(k): v for k, v in statuses.items()},
            "sent": sent,
            "retried": len(retried),
            "errors": errors[:20],
            "error_count": len(errors),
        }


async def main_async(args) -> None:
    reps = Reps(args)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    emit({"type": "ready", "count": len(reps.codes)})
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "quit":
            break
        command, *rest = line.split()
        if command == "sealed":
            timeout = float(rest[2]) if len(rest) > 2 else 3600.0
            emit(await reps.vote(timeout, sealed=(rest[0], rest[1])))
            continue
        if command == "ceiling":
            timeout = float(rest[1]) if len(rest) > 1 else 3600.0
            emit(await reps.vote(timeout, port=int(rest[0])))
            continue
        timeout = float(rest[0]) if rest else 3600.0
        if command == "login":
            emit(await reps.login(timeout))
        elif command == "vote":
            emit(await reps.vote(timeout))


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--codes", required=True)
    parser.add_argument("--poll", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
