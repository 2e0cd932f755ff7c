"""The ceiling: the least a ballot endpoint can do on this machine, measured beside Besluit.

    .venv/bin/python bench/ceiling.py --dsn postgresql://postgres@127.0.0.1:5432/DB \\
        [--workers 2] [--port 8901]       # serve it (Ctrl-C stops it)

A Starlette + asyncpg endpoint that answers ``POST /api/v1/polls/<poll>/ballots``
(the same request as Besluit's: JSON body with ``option`` and ``requestKey``, the
session cookie) by inserting one row, ``INSERT ... ON CONFLICT DO NOTHING RETURNING
id`` under UNIQUE(poll, member), and answering 201 with the id (409 for a second
ballot of the same session). No authentication, no rules, no log, no events: what
is left is HTTP, JSON, one round trip to PostgreSQL and its commit.

``bench/bench_live.py`` starts it (``Ceiling``) after Besluit's ballot phase, with the
same load generator (bench/live/reps.py, the same sessions, bodies and number of
connections) against the same PostgreSQL, and reports Besluit's ballots/s as a
fraction of this one's: absolute rates move with the machine and its other load,
a ratio measured in one run much less (issue 20).

Needs the ``bench`` extra (``pip install -e '.[bench]'``: starlette, asyncpg).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TABLE = "bench_ceiling_ballot"
POOL_SIZE = 16  # per worker; 2 workers x 16 >= the load generator's 64 requests in flight


def schema_sql() -> list[str]:
    return [
        f"DROP TABLE IF EXISTS {TABLE}",
        f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, poll uuid NOT NULL, "
        "member text NOT NULL, option text NOT NULL, request_key text NOT NULL, "
        "cast_at timestamptz NOT NULL DEFAULT now(), UNIQUE (poll, member))",
    ]


def create_app():
    """The ASGI application (one per uvicorn worker; ``BENCH_CEILING_DSN`` says where)."""
    import contextlib
    import uuid

    import asyncpg
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    dsn = os.environ["BENCH_CEILING_DSN"]
    state: dict = {}
    insert = (
        f"INSERT INTO {TABLE} (poll, member, option, request_key) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (poll, member) DO NOTHING RETURNING id"
    )

    async def ballot(request):
        member = request.cookies.get("sessionid")
        if not member:
            return JSONResponse({"detail": "unauthenticated"}, status_code=401)
        try:
            poll = uuid.UUID(request.path_params["poll"])
            body = await request.json()
            option, key = str(body["option"]), str(body.get("requestKey", ""))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"detail": "invalid"}, status_code=400)
        async with state["pool"].acquire() as conn:
            row_id = await conn.fetchval(insert, poll, member, option, key)
        if row_id is None:
            return JSONResponse({"detail": "voted already"}, status_code=409)
        return JSONResponse({"id": row_id, "option": option}, status_code=201)

    async def ready(request):
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state["pool"] = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
        yield
        await state["pool"].close()

    return Starlette(
        routes=[
            Route("/api/v1/polls/{poll}/ballots", ballot, methods=["POST"]),
            Route("/ready", ready),
        ],
        lifespan=lifespan,
    )


class Ceiling:
    """The endpoint as a server process of its own (for bench_live.py)."""

    def __init__(self, dsn: str, workers: int, log_path: Path, port: int = 0) -> None:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            for sql in schema_sql():
                conn.execute(sql)
        self.dsn = dsn
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # 0: a free port
            self.port = s.getsockname()[1]
        self.log = open(log_path, "w")  # noqa: SIM115 - open for the server's lifetime
        env = {**os.environ, "BENCH_CEILING_DSN": dsn}
        # Its workers are started as `besluit serve` starts Besluit's (besluit.edge.workers:
        # a listening socket each), so that both spread a burst of connections alike.
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(self.port), "--workers", str(workers)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers = workers
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        ok = 0
        while ok < 20:  # several answers: every worker is up (they share the socket)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the ceiling server stopped (exit {self.proc.returncode})")
            try:
                with urllib.request.urlopen(self.base + "/ready", timeout=5) as r:
                    ok += r.status == 200
            except OSError:
                time.sleep(0.2)
            if time.monotonic() > deadline:
                raise RuntimeError("the ceiling server did not start")
        time.sleep(1)

    def truncate(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {TABLE}")

    def rows(self) -> tuple[int, int]:
        """(rows, distinct members): exactly one row per member that got 201."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(f"SELECT count(*), count(DISTINCT member) FROM {TABLE}").fetchone()

    def all_pids(self) -> list[int]:
        sys.path.insert(0, str(Path(__file__).parent / "live"))
        import procs

        return [self.proc.pid, *procs.descendants(self.proc.pid)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")


def serve(port: int, workers: int) -> int:
    """The server process (``Ceiling`` starts it): uvicorn workers with a socket each."""
    import uvicorn

    from besluit.edge import workers as spread

    config = uvicorn.Config(
        "ceiling:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        access_log=False,
        backlog=4096,
        log_level="warning",
    )
    return spread.run(config, workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.exit(serve(args.serve, args.workers))
    if not args.dsn:
        parser.error("--dsn is required")
    server = Ceiling(args.dsn, args.workers, Path(os.devnull), port=args.port)
    try:
        server.wait_ready()
        print(f"ceiling endpoint on {server.base}/api/v1/polls/<uuid>/ballots", flush=True)
        server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
