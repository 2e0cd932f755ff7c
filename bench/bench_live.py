#!/usr/bin/env python
"""Live meeting benchmark: C live clients (SSE) and N representatives voting at once.

    .venv/bin/python bench/bench_live.py [--mode postgres|sqlite|both] [--clients 5000]
        [--reps 2000] [--mass 20000] [--workers 2] [--concurrency 64] [--sealed]

For each scenario (PostgreSQL with N = --reps, PostgreSQL with N = --mass, SQLite demo
mode with N = --reps) it:

1. sets up a fresh database (PostgreSQL: ``besluit_bench``, dropped and created;
   SQLite: a temporary data directory) with the data made through the services:
   an association of N members (register CSV), a weight rule, a chair with an API
   token, an observer, a meeting, a proposal poll and a voting code per member;
2. starts ``besluit serve --workers W`` (PostgreSQL + Redis; SQLite with in-process
   events on one worker, because in-process events reach only the streams of the
   process that publishes them) and measures its memory idle and with C streams;
3. from separate load processes (stdlib asyncio, raw HTTP/1.1) opens C event streams as
   an observer, then lets N representatives log in with their code (GET + POST
   /stemcode/) and cast one ballot each (POST /api/v1/polls/<id>/ballots with the
   session and CSRF header), --concurrency requests in flight; the chair opens and
   closes the poll through the API, and every stream times the poll-closed event;
4. checks that every ballot got 201, that the stored tally and each member's stored
   choice equal what was sent, and that there are exactly N ballots;
   with --sealed, then the same representatives send sealed (encrypted) ballots to a
   secret poll of the same meeting (made at setup, as the browsers would), which is
   checked too (one participation and one sealed row per member, the trackers sent,
   no choice stored): sealed ballots/s against plaintext and the minimal endpoint;
5. prints a markdown report and writes it to the "## Live meeting" section of
   docs/benchmarks.md (replacing that section only).

No extra dependency: the load generators use only the standard library. (py-spy, if
installed, is used with --py-spy to profile a worker during the ballots.)

The findings of the first measurements (a thread and a database connection per open
stream, one transaction per ballot holding the log's lock) led to besluit.edge and
voting.casting; docs/benchmarks.md has the figures.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "live"))

import procs  # noqa: E402
from ceiling import Ceiling  # noqa: E402
from httpc import Connection  # noqa: E402

PY = sys.executable
BESLUIT = str(Path(sys.executable).parent / "besluit")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Several people may benchmark on one machine: BESLUIT_BENCH_DB names the databases
# (this one, its templates and the ceiling's), BESLUIT_BENCH_REDIS_URL the Redis database.
PG_DB = os.environ.get("BESLUIT_BENCH_DB", "besluit_bench")
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
CEILING_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}_ceiling"
# Redis pub/sub channels are shared by all databases of a Redis server; the benchmark's
# meeting id (7,700,001, see setup_data.py; BESLUIT_BENCH_MEETING_BASE moves it) keeps
# its channel apart from other users'.
REDIS_URL = os.environ.get("BESLUIT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Live meeting"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def windows(ends: list[float], latencies: list[float], parts: int = 5) -> list[dict]:
    """Ballots/s and median latency per fifth of the run (by completion): does it drift?
    And how many of the run's slowest 1 % each fifth holds: where the p99 comes from."""
    pairs = sorted(zip(ends, latencies, strict=True))
    size = len(pairs) // parts
    slowest = sorted(latencies, reverse=True)[: max(1, len(latencies) // 100)]
    bar = slowest[-1] if slowest else float("inf")
    out = []
    for i in range(parts if size > 1 else 0):
        chunk = pairs[i * size : (i + 1) * size if i < parts - 1 else len(pairs)]
        span = chunk[-1][0] - chunk[0][0]
        out.append(
            {
                "per_s": (len(chunk) - 1) / span if span > 0 else None,
                "p50_ms": pct([lat for _, lat in chunk], 50),
                "slowest": sum(1 for _, lat in chunk if lat >= bar),
            }
        )
    return out


def python_speed() -> float:
    """µs for sum(range(1000)), best of 5: how fast one core runs Python right now."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- child processes speaking JSON lines ------------------------------------------------


class JsonProcess:
    def __init__(self, args: list[str], env: dict, name: str, log_path: Path) -> None:
        self.name = name
        self.stderr = open(log_path, "w")  # noqa: SIM115 - open for the child's lifetime
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def read(self, timeout: float) -> dict:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.name}: no answer within {timeout:.0f} s") from None
        if line is None:
            raise RuntimeError(f"{self.name} ended (exit {self.proc.wait()}); see its log")
        return json.loads(line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(15)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


# --- the server ------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict, workers: int, run_dir: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = run_dir / "server.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - open for the server's lifetime
        self.command = [
            BESLUIT,
            "serve",
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.proc = subprocess.Popen(
            self.command,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=run_dir,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/stemcode/", timeout=5) as r:
                    if r.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {self.log_path}")
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.proc.pid]  # uvicorn serves in the process itself
        return [p for p in procs.descendants(self.proc.pid) if "spawn_main" in procs.cmdline(p)]

    def all_pids(self) -> list[int]:
        return [self.proc.pid, *procs.descendants(self.proc.pid)]

    def memory(self) -> dict:
        workers = self.worker_pids()
        rss = {p: procs.rss_kb(p) for p in workers}
        return {
            "workers_kb": sum(rss.values()),
            "all_kb": sum(procs.rss_kb(p) for p in self.all_pids()),
            "per_worker_kb": list(rss.values()),
            "threads": [procs.threads(p) for p in workers],
            "sockets": [procs.open_sockets(p) for p in workers],
        }

    def log_size(self) -> int:
        self.log.flush()
        return self.log_path.stat().st_size

    def errors_in_log(self) -> dict:
        self.log.flush()
        return scan_log(self.log_path)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def gc_pauses(path: Path, start: int, end: int) -> list[float]:
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(max(0, end - start)).decode(errors="replace")
    return [float(ms) for ms in re.findall(r"paused the process for (\d+) ms", text)]


def scan_log(path: Path) -> dict:
    text = path.read_text(errors="replace")
    reasons = sorted(set(re.findall(r"^[\w.]*(?:Error|Exception): .{0,120}", text, re.M)))
    return {
        "http_5xx": len(re.findall(r'HTTP/1\.1" 5\d\d', text)),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "reasons": reasons[:5],
        # uvicorn's supervisor kills a worker that does not answer its health check in time.
        "workers_restarted": len(re.findall(r"Child process \[\d+\] died", text)),
    }


class PeakMemory:
    """Samples the workers' RSS every 0.5 s: the peak of the run."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            with contextlib.suppress(Exception):  # a process ended between two reads
                self.peak_kb = max(self.peak_kb, self.server.memory()["workers_kb"])

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kb


class PgActivity:
    """Samples pg_stat_activity of the benchmark database every 0.1 s during a phase."""

    SQL = (
        "SELECT count(*) FILTER (WHERE state = 'active'),"
        " count(*) FILTER (WHERE wait_event_type = 'Lock'),"
        " count(*) FILTER (WHERE state LIKE 'idle in transaction%'),"
        " count(*)"
        f" FROM pg_stat_activity WHERE datname = '{PG_DB}' AND pid <> pg_backend_pid()"
    )

    def __init__(self) -> None:
        import psycopg

        self.conn = psycopg.connect(PG_ADMIN, autocommit=True)
        self.samples: list[tuple[int, int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    WAITING = (
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), count(*)"
        f" FROM pg_stat_activity WHERE datname = '{PG_DB}' AND wait_event_type = 'Lock'"
        " GROUP BY 1"
    )

    def _run(self) -> None:
        self.waiting: dict[str, int] = {}
        while not self._stop.wait(0.1):
            try:
                self.samples.append(self.conn.execute(self.SQL).fetchone())
                for query, count in self.conn.execute(self.WAITING).fetchall():
                    self.waiting[query] = self.waiting.get(query, 0) + count
            except Exception:
                return

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self.conn.close()
        n = len(self.samples) or 1
        avg = [sum(s[i] for s in self.samples) / n for i in range(4)]
        return {
            "samples": len(self.samples),
            "active": round(avg[0], 1),
            "waiting_on_lock": round(avg[1], 1),
            "idle_in_transaction": round(avg[2], 1),
            "connections": round(avg[3], 1),
            # What the waiting backends were running (sampled backends, most first).
            "waiting_on": sorted(self.waiting.items(), key=lambda kv: -kv[1])[:3],
        }


def api(base: str, method: str, path: str, token: str, timeout: float = 120) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + "/api/v1" + path,
        method=method,
        data=b"" if method == "POST" else None,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read()[:300].decode(errors="replace")}


async def warm_up(
    port: int, meeting_id: int, session: str, requests: int = 200, streams: int = 4
) -> None:
    """Let every worker import and compile what the measured requests use."""

    async def pages(conn: Connection) -> None:
        for _ in range(requests // 8):
            await conn.request("GET", "/stemcode/")
        conn.close()

    await asyncio.gather(*(pages(Connection("127.0.0.1", port)) for _ in range(8)))

    async def one_stream() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /live/meetings/{meeting_id}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: sessionid={session}\r\n\r\n".encode()
        )
        await asyncio.wait_for(reader.readuntil(b"event: snapshot"), 30)
        writer.close()

    await asyncio.gather(*(one_stream() for _ in range(streams)))


# --- databases -------------------------------------------------------------------------


def pg_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


COMMAND = [""]
SOURCE: dict = {"src": str(ROOT / "src"), "label": "work tree"}


def use_source(ref: str, work: Path) -> None:
    """Serve the work tree (default) or a git revision, extracted read-only with git archive."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if ref == "worktree":
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        SOURCE["label"] = f"work tree (HEAD {head}" + (
            f" + {len(changed)} uncommitted changes under src/)" if changed else ")"
        )
        return
    target = work / "source"
    target.mkdir()
    # The compiled part (native/, setup.py) where the revision has one, built in place.
    paths = [
        p
        for p in ("src", "native", "setup.py")
        if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{ref}:{p}"]).returncode == 0
    ]
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, *paths], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    if (target / "setup.py").exists():
        subprocess.run(
            [PY, "setup.py", "-q", "build_ext", "--build-lib", "src"], cwd=target, check=True
        )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True
    ).stdout.strip()
    SOURCE.update(src=str(target / "src"), label=f"git {ref} ({commit})")


def compiled_combinations() -> str:
    """Whether the served code checks proofs with the compiled combinations."""
    found = list(Path(SOURCE["src"], "besluit/core/ballotcrypto").glob("_combinations*.so"))
    has_native = Path(SOURCE["src"]).parent.joinpath("native").exists()
    return "compiled" if found else ("not built" if has_native else "none in this revision")


def base_env(secret: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "BESLUIT_DEBUG")
    }
    env["BESLUIT_SECRET_KEY"] = secret
    # The simulated clients share one observer session: above the per-user cap of streams.
    env["BESLUIT_MAX_STREAMS_PER_USER"] = "1000000"
    # The source served first (the venv's editable install points at the work tree).
    env["PYTHONPATH"] = os.pathsep.join(
        [SOURCE["src"], str(ROOT), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    return env


class Dataset:
    """One setup (through the services), reused by the variants of a scenario.

    PostgreSQL: built in a template database, each run gets a fresh ``besluit_bench``
    copied from it (CREATE DATABASE ... TEMPLATE). SQLite: the file is copied.
    """

    def __init__(self, mode: str, n: int, work: Path, sealed: bool = False) -> None:
        self.mode, self.n, self.sealed = mode, n, sealed
        self.dir = work / f"data-{mode}-{n}"
        self.secret = "bench-" + secrets.token_urlsafe(40)
        self.template = f"{PG_DB}_tpl_{n}"
        env = base_env(self.secret)
        env["BESLUIT_DATA_DIR"] = str(self.dir / "sqlite")
        if mode == "postgres":
            pg_execute(
                f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)",
                f"CREATE DATABASE {self.template}",
            )
            env["DATABASE_URL"] = PG_URL.replace(PG_DB, self.template)
        log(f"setup {mode} N={n} ...")
        started = time.monotonic()
        result = subprocess.run(
            [
                PY,
                str(HERE / "live" / "setup_data.py"),
                "setup",
                "--reps",
                str(n),
                "--out",
                str(self.dir),
                *(["--sealed"] if sealed else []),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode:
            raise RuntimeError(f"setup failed:\n{result.stderr[-3000:]}")
        self.setup_seconds = time.monotonic() - started
        self.info = json.loads((self.dir / "setup.json").read_text())
        log(f"setup done in {self.setup_seconds:.0f} s ({self.info['timings_s']})")

    def fresh_env(self, run_dir: Path) -> dict:
        env = base_env(self.secret)
        data = run_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        env["BESLUIT_DATA_DIR"] = str(data)
        if self.mode == "postgres":
            pg_execute(
                f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)",
                f"CREATE DATABASE {PG_DB} TEMPLATE {self.template}",
            )
            env["DATABASE_URL"] = PG_URL
        else:
            for f in (self.dir / "sqlite").glob("besluit.sqlite3*"):
                shutil.copy(f, data / f.name)
        # The work tree may have gained a migration since the setup (others work on it).
        subprocess.run([BESLUIT, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
        return env

    def profile(self, work: Path, count: int = 300) -> dict:
        """SQL statements and in-process time per login and ballot (setup_data.py profile)."""
        env = self.fresh_env(work / f"profile-{self.mode}-{self.n}")
        log(f"in-process profile of {count} logins and ballots ({self.mode})")
        result = subprocess.run(
            [
                PY,
                str(HERE / "live" / "setup_data.py"),
                "profile",
                "--poll",
                self.info["poll_id"],
                "--out",
                str(self.dir),
                "--count",
                str(count),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode:
            log(f"profile failed: {result.stderr[-1500:]}")
            return {"error": result.stderr[-1500:]}
        return json.loads(result.stdout)

    def drop(self) -> None:
        if self.mode == "postgres":
            pg_execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


# --- one run ---------------------------------------------------------------------------


def run(
    data: Dataset,
    *,
    clients: int,
    workers: int,
    redis: bool,
    concurrency: int,
    work: Path,
    py_spy: bool,
    voters: int | None = None,
    phase_timeout: float = 300,
    gc_automatic: bool = False,
    ceiling_rounds: int = 2,
    ceiling_workers: int = 2,
) -> dict:
    label = f"{data.mode}-N{data.n}-C{clients}" + ("-gc-automatic" if gc_automatic else "")
    run_dir = work / label
    run_dir.mkdir(parents=True, exist_ok=True)
    env = data.fresh_env(run_dir)
    if redis:
        env["REDIS_URL"] = REDIS_URL
    if gc_automatic:
        env["BESLUIT_GC_AUTOMATIC"] = "1"
    info = data.info
    poll, token, meeting = info["poll_id"], info["chair_token"], info["meeting_id"]
    out: dict = {
        "mode": data.mode,
        "variant": "Python's automatic GC (comparison)" if gc_automatic else "as shipped",
        "clients": clients,
        "reps": data.n,
        "voters": voters or data.n,
        "workers": workers,
        "events": "Redis" if redis else "in-process",
        "concurrency": concurrency,
        "setup_s": round(data.setup_seconds, 1),
        "members_path": info["members_path"],
        "loadavg_before": procs.loadavg(),
        "errors": {},
    }
    log(f"run {label}: server with {workers} worker(s), events {out['events']}")
    server = Server(env, workers, run_dir)
    sse = reps = ceiling = None
    ceiling_runs: list[dict] = []
    load_pids: list[int] = []
    meter = procs.CpuMeter(
        server.all_pids,
        lambda: list(load_pids),
        with_postgres=data.mode == "postgres",
        database=PG_DB,
    )
    try:
        server.wait_ready()
        asyncio.run(warm_up(server.port, meeting, info["observer_session"]))
        # Calibration: server CPU of a page without SQL (GET /stemcode/: middleware, CSRF
        # cookie, template), to compare a ballot's cost with on this machine, now.
        c0 = meter.snapshot()
        asyncio.run(warm_up(server.port, meeting, info["observer_session"], streams=0))
        c1 = meter.snapshot()
        out["server_ms_per_page"] = (c1.server - c0.server) * 1000 / 200
        time.sleep(2)
        out["mem_idle"] = server.memory()
        peak = PeakMemory(server)

        # 1. C live clients.
        connected = 0
        if clients:
            sse = JsonProcess(
                [
                    PY,
                    str(HERE / "live" / "sse_clients.py"),
                    "--port",
                    str(server.port),
                    "--meeting",
                    str(meeting),
                    "--poll",
                    poll,
                    "--session",
                    info["observer_session"],
                    "--clients",
                    str(clients),
                ],
                env,
                "sse clients",
                run_dir / "sse.log",
            )
            load_pids.append(sse.proc.pid)
            c0 = meter.snapshot()
            got = sse.read(timeout=900)  # one worker opening 5,000 on a busy machine
            out["cpu_connect"] = meter.delta(c0, meter.snapshot())
            connected = got["connected"]
            out["streams"] = {
                "connected": connected,
                "seconds": got["seconds"],
                "connect_p50_ms": pct(got["connect_ms"], 50),
                "connect_p99_ms": pct(got["connect_ms"], 99),
                "error_count": got["error_count"],
                "skipped": got["skipped"],
                "errors": got["errors"][:3],
            }
            log(
                f"streams: {connected}/{clients} in {got['seconds']} s, "
                f"{got['error_count']} errors {got['errors'][:1]}"
            )
            time.sleep(3)
            out["mem_connected"] = server.memory()
            if got["error_count"] or connected < clients:
                out["errors"]["streams"] = clients - connected
                out["errors"]["stream_reasons"] = server.errors_in_log()["reasons"]
                # The open streams may hold what the ballots need (as shipped: every pooled
                # DB connection). Close them and measure the ballot path without live clients.
                log("not every stream connected: closing them; ballots run without live clients")
                sse.stop()
                sse = None
                connected = 0
                out["ballots_without_clients"] = True
                time.sleep(3)
        out["connected"] = connected

        # 2. N representatives log in.
        reps = JsonProcess(
            [
                PY,
                str(HERE / "live" / "reps.py"),
                "--port",
                str(server.port),
                "--codes",
                str(data.dir / "codes.txt"),
                "--poll",
                poll,
                "--concurrency",
                str(concurrency),
                "--limit",
                str(voters or 0),
            ],
            env,
            "representatives",
            run_dir / "reps.log",
        )
        load_pids.append(reps.proc.pid)
        reps.read(timeout=30)
        c0 = meter.snapshot()
        reps.send(f"login {phase_timeout}")
        login = reps.read(timeout=phase_timeout + 300)
        out["cpu_login"] = meter.delta(c0, meter.snapshot())
        wall = login["ended"] - login["started"]
        out["login"] = {
            "ok": login["ok"],
            "seconds": wall,
            "per_s": login["ok"] / wall if wall else None,
            "p50_ms": pct(login["total_ms"], 50),
            "p99_ms": pct(login["total_ms"], 99),
            "post_p50_ms": pct(login["post_ms"], 50),
            "post_p99_ms": pct(login["post_ms"], 99),
            "form_p50_ms": pct(login["form_ms"], 50),
            "errors": login["errors"][:3],
        }
        if login["error_count"]:
            out["errors"]["login"] = login["error_count"]
        if login["attempted"] < login["count"]:
            out["errors"]["logins_not_done_in_time"] = login["count"] - login["attempted"]
            log(f"login phase stopped after {phase_timeout:.0f} s")
        log(f"logins: {login['ok']}/{login['count']} in {wall:.1f} s")
        out["mem_after_login"] = server.memory()

        # The ceiling (bench/ceiling.py), first half of its rounds: the same ballots from the
        # same load generator to the minimal endpoint, before and after Besluit's.
        if ceiling_rounds:
            ceiling = Ceiling(CEILING_URL, ceiling_workers, run_dir / "ceiling.log")
            ceiling.wait_ready()
            for _ in range((ceiling_rounds + 1) // 2):
                ceiling_runs.append(
                    ceiling_round(ceiling, reps, meter_for(ceiling, load_pids), phase_timeout)
                )

        # 3. The chair opens the poll (the register is frozen); the streams see it.
        t0 = time.monotonic()
        status, body = api(server.base, "POST", f"/polls/{poll}/open", token)
        t1 = time.monotonic()
        if status != 200:
            raise RuntimeError(f"opening the poll: HTTP {status} {body}")
        out["open_request_ms"] = (t1 - t0) * 1000
        if sse:
            sse.send("await opened 60")
            got = sse.read(timeout=90)
            delays = [(t - t0) * 1000 for t in got["times"]]
            out["open_fanout"] = {
                "p50_ms": pct(delays, 50),
                "p99_ms": pct(delays, 99),
                "max_ms": max(delays, default=None),
                "missing": got["missing"],
            }
            if got["missing"]:
                out["errors"]["open_event_missing"] = got["missing"]

        # 4. Every representative casts one ballot.
        spy = start_py_spy(server, run_dir) if py_spy else None
        activity = PgActivity() if data.mode == "postgres" else None
        c0 = meter.snapshot()
        log_from = server.log_size()
        reps.send(f"vote {phase_timeout}")
        vote = reps.read(timeout=phase_timeout + 300)
        # What the server logged while the ballots came in: long garbage-collection
        # pauses (besluit.edge.collector logs every pass of 50 ms or more).
        out["gc_pauses_ms"] = gc_pauses(server.log_path, log_from, server.log_size())
        out["cpu_vote"] = meter.delta(c0, meter.snapshot())
        if activity:
            out["pg_during_vote"] = activity.stop()
        if spy:
            out["py_spy"] = stop_py_spy(spy)
        wall = vote["ended"] - vote["started"]
        out["vote"] = {
            "ok": vote["ok"],
            "seconds": wall,
            "per_s": vote["ok"] / wall if wall else None,
            "p50_ms": pct(vote["latency_ms"], 50),
            "p95_ms": pct(vote["latency_ms"], 95),
            "p99_ms": pct(vote["latency_ms"], 99),
            "max_ms": max(vote["latency_ms"], default=None),
            "statuses": vote["statuses"],
            "errors": vote["errors"][:3],
        }
        out["vote"]["windows"] = windows(vote["ends"], vote["latency_ms"])
        if vote["error_count"]:
            out["errors"]["ballots"] = vote["error_count"]
        out["vote"]["retried"] = vote.get("retried", 0)
        if vote["attempted"] < vote["count"]:
            out["errors"]["ballots_not_cast_in_time"] = vote["count"] - vote["attempted"]
            log(f"ballot phase stopped after {phase_timeout:.0f} s")
        log(
            f"ballots: {vote['ok']}/{vote['count']} in {wall:.1f} s "
            f"({out['vote']['per_s']:.0f}/s), "
            f"p99 {out['vote']['p99_ms']:.0f} ms"
        )
        out["mem_after_vote"] = server.memory()

        # 5. The chair closes the poll; every stream times the result event.
        time.sleep(1.5)  # the last participation message (coalesced every 0.25 s)
        t0 = time.monotonic()
        status, body = api(server.base, "POST", f"/polls/{poll}/close", token)
        t1 = time.monotonic()
        if status != 200:
            raise RuntimeError(f"closing the poll: HTTP {status} {body}")
        out["close_request_ms"] = (t1 - t0) * 1000
        if sse:
            sse.send("await closed 60")
            got = sse.read(timeout=90)
            delays = [(t - t0) * 1000 for t in got["times"]]
            out["close_fanout"] = {
                "p50_ms": pct(delays, 50),
                "p99_ms": pct(delays, 99),
                "max_ms": max(delays, default=None),
                "received": len(delays),
                "missing": got["missing"],
                "lost_streams": got["lost"],
            }
            if got["missing"]:
                out["errors"]["result_event_missing"] = got["missing"]
            sse.send("stats")
            out["sse_stats"] = sse.read(timeout=30)
        out["mem_peak_kb"] = peak.stop()

        # 6. The tally.
        out["tally"] = check_tally(server.base, poll, token, vote["sent"], vote["attempted"], env)
        if not out["tally"]["ok"]:
            out["errors"]["tally"] = 1

        # 6b. The same representatives (same sessions, connections and load generator)
        # cast sealed ballots in the secret poll, made before the run (issue 14).
        if data.sealed and info.get("sealed_poll_id"):
            spy = start_py_spy(server, run_dir, "-sealed", gil=False) if py_spy else None
            out["sealed"] = sealed_phase(server, data, reps, meter, env, phase_timeout)
            if spy:
                out["sealed"]["py_spy"] = stop_py_spy(spy)
            out["sealed"]["ratio"] = (
                out["sealed"]["per_s"] / out["vote"]["per_s"]
                if out["sealed"]["per_s"] and out["vote"]["per_s"]
                else None
            )
            if out["sealed"]["error_count"] or not out["sealed"]["check"]["ok"]:
                out["errors"]["sealed"] = out["sealed"]["error_count"] or 1
            log(
                f"sealed ballots: {out['sealed']['ok']} at {fmt(out['sealed']['per_s'])}/s, "
                f"{fmt(out['sealed']['ratio'], 2)} of plaintext"
            )

        # 7. The ceiling's other rounds, and Besluit's rate as a fraction of its median.
        if ceiling:
            for _ in range(ceiling_rounds // 2):
                ceiling_runs.append(
                    ceiling_round(ceiling, reps, meter_for(ceiling, load_pids), phase_timeout)
                )
            rates = sorted(c["per_s"] for c in ceiling_runs if c["per_s"])
            median = (
                rates[len(rates) // 2]
                if len(rates) % 2
                else sum(rates[len(rates) // 2 - 1 : len(rates) // 2 + 1]) / 2
            )
            out["ceiling"] = {
                "workers": ceiling_workers,
                "rounds": ceiling_runs,
                "per_s": median,
                "min_per_s": rates[0],
                "max_per_s": rates[-1],
                "ratio": out["vote"]["per_s"] / median if median else None,
            }
            log(
                f"ceiling: {median:.0f}/s (rounds {', '.join(f'{r:.0f}' for r in rates)}); "
                f"Besluit at {out['ceiling']['ratio']:.2f} of it"
            )
            if out.get("sealed") and median and out["sealed"]["per_s"]:
                out["sealed"]["ceiling_ratio"] = out["sealed"]["per_s"] / median
    finally:
        if ceiling is not None:
            ceiling.stop()
        for p in (sse, reps):
            if p is not None:
                p.stop()
        log_errors = server.errors_in_log()
        server.stop()
    out["server_log"] = log_errors
    if log_errors["http_5xx"] and "streams" not in out["errors"]:
        out["errors"]["http_5xx"] = log_errors["http_5xx"]
    if log_errors["workers_restarted"]:
        out["errors"]["workers_killed"] = log_errors["workers_restarted"]
    out["loadavg_after"] = procs.loadavg()
    out["run_dir"] = str(run_dir)
    out["command"] = COMMAND[0]
    out["source"] = short_source(SOURCE["label"])
    (run_dir / "result.json").write_text(json.dumps(out, indent=1, default=str))
    return out


def sealed_phase(server, data: Dataset, reps, meter, env: dict, timeout: float) -> dict:
    """Open the secret poll, let every representative send its sealed ballot (made at
    setup: the browsers' encryption is not the server's work), close it, check it."""
    info, token = data.info, data.info["chair_token"]
    poll = info["sealed_poll_id"]
    status, body = api(server.base, "POST", f"/polls/{poll}/open", token)
    if status != 200:
        raise RuntimeError(f"opening the secret poll: HTTP {status} {body}")
    time.sleep(1)
    activity = PgActivity() if data.mode == "postgres" else None
    c0 = meter.snapshot()
    reps.send(f"sealed {poll} {data.dir / 'sealed.txt'} {timeout}")
    got = reps.read(timeout=timeout + 300)
    cpu = meter.delta(c0, meter.snapshot())
    pg_activity = activity.stop() if activity else None
    wall = got["ended"] - got["started"]
    ok = got["ok"]
    time.sleep(1.5)
    status, body = api(server.base, "POST", f"/polls/{poll}/close", token)
    closed = status == 200
    db = subprocess.run(
        [
            PY,
            str(HERE / "live" / "setup_data.py"),
            "verify-sealed",
            "--poll",
            poll,
            "--out",
            str(data.dir),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    stored = json.loads(db.stdout) if db.returncode == 0 else {"error": db.stderr[-500:]}
    n = got["attempted"]
    checks = {
        "every_ballot_201": ok == n,
        "closed": closed,
        "db_ballots_equal_n": stored.get("ballots") == n == stored.get("distinct_members"),
        "sealed_rows_equal_n": stored.get("sealed") == n,
        "members_as_sent": stored.get("members") == sorted(got["sent"]),
        "trackers_as_sent": all((stored.get("trackers") or {}).get(m) for m in got["sent"]),
        "no_choice_stored": stored.get("choices_stored") == 0,
    }
    return {
        "ok": ok,
        "seconds": wall,
        "per_s": ok / wall if wall else None,
        "p50_ms": pct(got["latency_ms"], 50),
        "p95_ms": pct(got["latency_ms"], 95),
        "p99_ms": pct(got["latency_ms"], 99),
        "statuses": got["statuses"],
        "pg_activity": pg_activity,
        "errors": got["errors"][:3],
        "error_count": got["error_count"],
        "cpu": cpu,
        "check": {"ok": all(checks.values()), "checks": checks},
    }


def meter_for(ceiling: Ceiling, load_pids: list[int]) -> procs.CpuMeter:
    return procs.CpuMeter(
        ceiling.all_pids,
        lambda: list(load_pids),
        with_postgres=True,
        database=CEILING_URL.rsplit("/", 1)[1],
    )


def ceiling_round(ceiling: Ceiling, reps: "JsonProcess", meter, timeout: float) -> dict:
    """One round of the same ballots against the minimal endpoint (a fresh table)."""
    ceiling.truncate()
    c0 = meter.snapshot()
    reps.send(f"ceiling {ceiling.port} {timeout}")
    got = reps.read(timeout=timeout + 300)
    cpu = meter.delta(c0, meter.snapshot())
    wall = got["ended"] - got["started"]
    rows, distinct = ceiling.rows()
    ok = got["ok"]
    return {
        "ok": ok,
        "per_s": ok / wall if wall else None,
        "p50_ms": pct(got["latency_ms"], 50),
        "p99_ms": pct(got["latency_ms"], 99),
        "error_count": got["error_count"],
        "errors": got["errors"][:3],
        "rows_exact": rows == distinct == ok,
        "server_ms": cpu["server_cpu_s"] * 1000 / ok if ok else None,
        "postgres_ms": cpu["postgres_cpu_s"] * 1000 / ok if ok else None,
        "load_ms": cpu["load_cpu_s"] * 1000 / ok if ok else None,
    }


def check_tally(base: str, poll: str, token: str, sent: dict, n: int, env: dict) -> dict:
    status, result = api(base, "GET", f"/polls/{poll}/results", token)
    expected: dict[str, int] = {}
    for option in sent.values():
        expected[option] = expected.get(option, 0) + 1
    if status != 200:
        return {"ok": False, "reason": f"results: HTTP {status}"}
    stored = {o["key"]: o["members"] for o in result["options"]}
    stored_votes = {v["member"]: v["option"] for v in result["votes"] if v["option"]}
    db = subprocess.run(
        [PY, str(HERE / "live" / "setup_data.py"), "verify", "--poll", poll],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    db_info = json.loads(db.stdout) if db.returncode == 0 else {"error": db.stderr[-500:]}
    checks = {
        "every_ballot_201": len(sent) == n,
        "totals_equal_sent": all(stored.get(k, 0) == v for k, v in expected.items())
        and sum(stored.values()) == len(sent),
        "each_member_as_sent": stored_votes == sent,
        "voted_members_equal_n": result.get("votedMembers") == n,
        "db_ballots_equal_n": db_info.get("ballots") == n and db_info.get("distinct_members") == n,
        "db_choices_as_sent": db_info.get("member_option") == sent,
    }
    return {
        "ok": all(checks.values()),
        "checks": checks,
        "sent": expected,
        "stored": stored,
        "db_ballots": db_info.get("ballots"),
        "batches": db_info.get("batches"),
        "outcome": result.get("outcome"),
    }


def start_py_spy(server: Server, run_dir: Path, phase: str = "", gil: bool = True):
    """Sample one worker. ``gil``: only the thread holding the GIL (where Python's time
    goes); without it every running thread, which also shows libsodium's proof checks,
    which run without the GIL."""
    exe = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    if not Path(exe).exists():
        log("py-spy not found (pip install py-spy): no profile")
        return None
    pid = server.worker_pids()[0]
    out = run_dir / f"py-spy-{pid}{phase}.txt"
    proc = subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "200",
            "--output",
            str(out),
            "--nonblocking",
            "--threads",
            *(["--gil"] if gil else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    return proc, out


def stop_py_spy(spy) -> str:
    proc, out = spy
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    return str(out)


# --- report ----------------------------------------------------------------------------


def fmt(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def mb(kb) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f} MB"


def n_text(r: dict) -> str:
    if r.get("voters", r["reps"]) == r["reps"]:
        return f"{r['reps']:,}"
    return f"{r['reps']:,} ({r['voters']:,} vote)"


def row(r: dict) -> str:
    login, vote = r.get("login", {}), r.get("vote", {})
    close = r.get("close_fanout") or {}
    idle = r.get("mem_idle", {}).get("workers_kb")
    connected = r.get("mem_connected", {}).get("workers_kb")
    n_conn = (r.get("streams") or {}).get("connected") or 0
    per_conn = f"{(connected - idle) / n_conn:,.0f} KB" if connected and idle and n_conn else "–"
    c = f"{r['clients']:,}"
    if r.get("ballots_without_clients"):
        c += f" (**{n_conn:,} connected**; ballots ran with none)"
    errors = sum(v for k, v in r["errors"].items() if isinstance(v, int))
    error_text = (
        "0"
        if not errors
        else "**"
        + ", ".join(f"{v:,} {k}" for k, v in r["errors"].items() if isinstance(v, int))
        + "**"
    )
    tally = r.get("tally", {})
    tally_text = "ok" if tally.get("ok") else ("**FAIL**" if tally else "–")
    if tally.get("batches"):  # ballots per transaction (a batch: constant statements)
        tally_text += f"; {tally['db_ballots'] / tally['batches']:.0f} per batch"
    ceiling = r.get("ceiling") or {}
    ceiling_text = (
        f"{fmt(ceiling['per_s'])} ({fmt(ceiling['min_per_s'])}–{fmt(ceiling['max_per_s'])})"
        if ceiling
        else "–"
    )
    ratio_text = f"**{ceiling['ratio']:.2f}**" if ceiling.get("ratio") else "–"
    close_text = (
        f"{fmt(close.get('p50_ms'))} / {fmt(close.get('p99_ms'))} / {fmt(close.get('max_ms'))} ms"
        if close
        else "–"
    )
    return (
        f"| {r['mode']} ({r['workers']}w, {r['events']}) @ {r.get('source', '')} | {r['variant']} "
        f"| {c} | {n_text(r)} "
        f"| {fmt(login.get('per_s'))} | {fmt(login.get('p50_ms'))} / {fmt(login.get('p99_ms'))} ms "
        f"| {fmt(vote.get('per_s'))} | {ceiling_text} | {ratio_text} "
        f"| {fmt(vote.get('p50_ms'))} / {fmt(vote.get('p95_ms'))} / {fmt(vote.get('p99_ms'))} ms "
        f"| {close_text} | {mb(idle)} / {mb(connected)} / {per_conn} "
        f"| {error_text} | {tally_text} |"
    )


def ceiling_cpu(r: dict) -> str:
    rounds = (r.get("ceiling") or {}).get("rounds") or []
    if not rounds:
        return "–"
    mean = lambda k: sum(x[k] or 0 for x in rounds) / len(rounds)  # noqa: E731
    return (
        f"{fmt(mean('server_ms'), 2)} / {fmt(mean('postgres_ms'), 2)} / {fmt(mean('load_ms'), 2)}"
    )


def detail_row(r: dict) -> str:
    restarted = (r.get("server_log") or {}).get("workers_restarted")
    cpu = {} if restarted else (r.get("cpu_vote") or {})
    n = (r.get("vote") or {}).get("ok") or 0
    per = lambda k: fmt(cpu.get(k, 0) * 1000 / n, 2) if n and cpu else "–"  # noqa: E731
    login_cpu = {} if restarted else (r.get("cpu_login") or {})
    n_login = (r.get("login") or {}).get("ok") or 0
    login_server = (
        fmt(login_cpu.get("server_cpu_s", 0) * 1000 / n_login, 2) if n_login and login_cpu else "–"
    )
    opened = r.get("open_fanout") or {}
    mem = r.get("mem_connected") or r.get("mem_idle") or {}
    others = cpu.get("others_cpu_s")
    others_share = (
        f"{others / cpu['system_total_s'] * 100:.0f}%" if cpu.get("system_total_s") else "–"
    )
    w = (r.get("vote") or {}).get("windows") or []
    rates = " → ".join(fmt(x["per_s"]) for x in w)
    medians = " → ".join(fmt(x["p50_ms"]) for x in w)
    tail = " / ".join(str(x["slowest"]) for x in w if "slowest" in x)
    drift = f"{rates}/s; p50 {medians} ms" if w else "–"
    if tail:
        drift += f"; of the slowest 1 %: {tail}"
    pg = pg_text(r.get("pg_during_vote"))
    pauses = r.get("gc_pauses_ms")
    gc_text = "–" if pauses is None else f"{len(pauses)}, longest {fmt(max(pauses, default=0))} ms"
    return (
        f"| {r['mode']} | {r.get('source', '')} | {r['variant']} | {r['clients']:,} | {n_text(r)} "
        f"| {fmt(r.get('server_ms_per_page'), 2)} "
        f"| {login_server} | {per('server_cpu_s')} | {per('postgres_cpu_s')} "
        f"| {per('load_cpu_s')} | {ceiling_cpu(r)} | {others_share} "
        f"| {shares_text(cpu)} | {drift} "
        f"| {fmt((r.get('vote') or {}).get('max_ms'))} ms | {gc_text} "
        f"| {fmt(opened.get('p50_ms'))} / {fmt(opened.get('p99_ms'))} ms "
        f"| {fmt(r.get('close_request_ms'))} ms "
        f"| {pg} "
        f"| {'/'.join(str(t) for t in mem.get('threads', []))} "
        f"| {mb(r.get('mem_peak_kb'))} | {r['loadavg_before']} → {r['loadavg_after']} |"
    )


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {}
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN) as conn:
            versions["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        pass
    try:
        import redis

        versions["redis"] = redis.Redis.from_url(REDIS_URL).info()["redis_version"]
    except Exception:
        pass
    import django
    import uvicorn

    mem_kb = int(
        next(
            x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
        ).split()[1]
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{mem_kb / 1024 / 1024:.0f} GB",
        "python": platform.python_version(),
        "django": django.get_version(),
        "uvicorn": uvicorn.__version__,
        **versions,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python_speed_us": round(python_speed(), 1),
    }


def profile_lines(profiles: dict) -> list[str]:
    if not profiles:
        return []
    lines = [
        "One request at a time, in one process (Django's test client through the full "
        "middleware stack; no ASGI server, no concurrency, no lock waits): SQL statements "
        "and wall milliseconds per request (inflated when the machine is busy), the CPU "
        "time of a ballot, and where that CPU time goes (cProfile in thread CPU time, "
        "cumulative ms per ballot by layer, layers nest; cProfile roughly doubles "
        "Python-heavy code, so compare the layers with each other):",
        "",
    ]
    modes = [m for m in profiles if "statements" in profiles[m]]
    if not modes:
        return []
    lines += [
        "| | " + " | ".join(modes) + " |",
        "|---|" + "---|" * len(modes),
    ]
    for key, label in (
        ("form", "GET /stemcode/"),
        ("login", "POST /stemcode/ (login)"),
        ("ballot", "POST ballot"),
    ):
        lines.append(
            f"| {label}: statements, median ms | "
            + " | ".join(
                f"{profiles[m]['statements'][key]}, {profiles[m]['time'][key]['median_ms']:.1f} ms"
                for m in modes
            )
            + " |"
        )
    lines.append(
        "| POST ballot: CPU ms of the server thread (median, unprofiled) | "
        + " | ".join(fmt(profiles[m]["ballot_cpu"]["median_ms"], 1) for m in modes)
        + " |"
    )
    # (An outer middleware's cumulative time is the whole chain: not a layer of its own.)
    labels = [x for x in profiles[modes[0]]["ballot_breakdown_ms"] if "axes" not in x]
    for label in labels:
        values = [profiles[m]["ballot_breakdown_ms"].get(label) for m in modes]
        lines.append(f"| ballot: {label} | " + " | ".join(fmt(v, 2) for v in values) + " |")
    lines.append("")
    for m in modes:
        sql = profiles[m]["sql"]["ballot"]
        lines += [
            f"<details><summary>The {len(sql)} statements of one ballot ({m})</summary>",
            "",
            "```sql",
            *sql,
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def ratio_lines(results: list[dict]) -> list[str]:
    """Besluit's ballots/s as a fraction of the minimal endpoint's, per mode and code, run
    by run: the spread of the ratio over repeated runs."""
    groups: dict[tuple[str, int, str], list[dict]] = {}
    for r in results:
        if (r.get("ceiling") or {}).get("ratio"):
            groups.setdefault((r["mode"], r["clients"], r.get("source", "")), []).append(r)
    if not groups:
        return []
    most = max(len(g) for g in groups.values())
    lines = [
        "Ballots/s as a fraction of the minimal endpoint's (bench/ceiling.py) in the same "
        "run, run by run (Besluit / minimal endpoint = ratio):",
        "",
        "| mode | C live clients | code | "
        + " | ".join(f"run {i + 1}" for i in range(most))
        + " | ratio: lowest – highest |",
        "|---|---|---|" + "---|" * most + "---|",
    ]
    for (mode, clients, source), runs in groups.items():
        cells = [
            f"{fmt(r['vote']['per_s'])} / {fmt(r['ceiling']['per_s'])} = "
            f"**{r['ceiling']['ratio']:.2f}**"
            for r in runs
        ] + ["–"] * (most - len(runs))
        ratios = [r["ceiling"]["ratio"] for r in runs]
        lines.append(
            f"| {mode} | {clients:,} | {source} | "
            + " | ".join(cells)
            + f" | {min(ratios):.2f} – {max(ratios):.2f} |"
        )
    return [*lines, ""]


def sealed_lines(results: list[dict]) -> list[str]:
    """Encrypted ballots (issue 14) in the same runs as the plaintext ones."""
    runs = [r for r in results if r.get("sealed")]
    if not runs:
        return []

    def ms(r: dict, key: str, part: str) -> str:
        phase = r["sealed"] if key == "sealed" else r
        cpu = phase.get("cpu" if key == "sealed" else "cpu_vote") or {}
        n = phase.get("ok") if key == "sealed" else (r.get("vote") or {}).get("ok")
        return fmt(cpu.get(part, 0) * 1000 / n, 2) if n and cpu else "–"

    lines = [
        "Encrypted (sealed) ballots in the same runs (issue 14): after the plaintext poll "
        "is closed, the same representatives (same sessions, connections, load generator) "
        "send POST /api/v1/polls/{id}/sealed-ballots to a secret poll on the same proposal, "
        "each with the ballot its browser would have encrypted (made at setup, not timed). "
        "Targets: sealed ≥ 0.5 × plaintext ballots/s (issue 14), sealed ≥ 0.15 × the "
        "minimal endpoint (issue 20).",
        "",
        "| mode (workers) @ code | C | N | plaintext ballots/s | sealed ballots/s "
        "| **sealed / plaintext** | minimal endpoint ballots/s | **sealed / minimal** "
        "| sealed p50 / p95 / p99 | server ms per ballot: plaintext / sealed "
        "| PostgreSQL ms per ballot: plaintext / sealed "
        "| machine busy during sealed ballots | server CPU per process during sealed ballots "
        "| PostgreSQL backends during sealed ballots: active / waiting on a lock "
        "| errors | check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        sealed, vote, ceiling = r["sealed"], r.get("vote") or {}, r.get("ceiling") or {}
        ratio = f"**{sealed['ratio']:.2f}**" if sealed.get("ratio") else "–"
        c_ratio = f"**{sealed['ceiling_ratio']:.2f}**" if sealed.get("ceiling_ratio") else "–"
        failed = [k for k, v in sealed["check"]["checks"].items() if not v]
        lines.append(
            f"| {r['mode']} ({r['workers']}w) @ {r.get('source', '')} | {r['clients']:,} "
            f"| {n_text(r)} | {fmt(vote.get('per_s'))} | {fmt(sealed['per_s'])} | {ratio} "
            f"| {fmt(ceiling.get('per_s'))} | {c_ratio} "
            f"| {fmt(sealed['p50_ms'])} / {fmt(sealed['p95_ms'])} / {fmt(sealed['p99_ms'])} ms "
            f"| {ms(r, 'vote', 'server_cpu_s')} / {ms(r, 'sealed', 'server_cpu_s')} "
            f"| {ms(r, 'vote', 'postgres_cpu_s')} / {ms(r, 'sealed', 'postgres_cpu_s')} "
            f"| {busy(sealed.get('cpu'))} | {shares_text(sealed.get('cpu'))} "
            f"| {pg_text(sealed.get('pg_activity'))} "
            f"| {sealed['error_count']} "
            f"| {'ok' if not failed else '**FAIL** ' + ', '.join(failed)} |"
        )
    return [*lines, ""]


def busy(cpu: dict | None) -> str:
    """The share of the machine's CPU time in use (all processes) during a phase."""
    if not cpu or not cpu.get("system_total_s"):
        return "–"
    return f"{cpu['system_busy_s'] / cpu['system_total_s']:.0%}"


def shares_text(cpu: dict | None) -> str:
    """Each server process's share of the server's CPU, e.g. "52 % / 47 % / 1 %" (the
    workers and their supervisor): a burst served by one worker shows as "97 % / 2 %"."""
    shares = (cpu or {}).get("server_shares")
    return " / ".join(f"{share:.0%}" for share in shares) if shares else "–"


def pg_text(pg: dict | None) -> str:
    return f"{pg['active']} / {pg['waiting_on_lock']}" if pg else "–"


def report(results: list[dict], command: str, m: dict, profiles: dict | None = None) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {m['date']} with `bench/bench_live.py` on one machine: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory']} RAM; Python {m['python']}, Django {m['django']}, "
        f"uvicorn {m['uvicorn']}, PostgreSQL {m.get('postgres', '?')}, "
        f"Redis {m.get('redis', '?')}. Server, database and load generators share the cores. "
        + (
            f"One core's Python speed at the start: sum(range(1000)) in "
            f"{m['python_speed_us']} µs (a current desktop core: about 8 µs). "
            if m.get("python_speed_us")
            else ""
        )
        + f"Code served: {m.get('source', 'work tree')}"
        + (f"; proof checks: {m['combinations']} combinations." if m.get("combinations") else "."),
        "",
        "```",
        *command.splitlines(),
        "```",
        "",
        "Targets (C = 5,000, N = 2,000, issue 20): ballots/s ≥ 0.30 × the minimal endpoint's "
        "in the same run (bench/ceiling.py: Starlette + asyncpg, 2 workers, one INSERT … ON "
        "CONFLICT DO NOTHING RETURNING id, driven by the same load generator with the same "
        "sessions, bodies and connections), ballot p99 ≤ 250 ms, close request ≤ 300 ms, "
        "result event at all clients p99 ≤ 500 ms after the close, 0 errors, tally exact; "
        "cost per ballot flat from N = 2,000 to 20,000; 2,000 logins within 20 s.",
        "",
        "| mode (workers, events) @ code | variant | C live clients | N reps | logins/s "
        "| login p50 / p99 | ballots/s | minimal endpoint ballots/s, median (min–max of its "
        "rounds) | ratio | ballot p50 / p95 / p99 | close → result at the "
        "clients p50 / p99 / max | server RSS idle / with C / per connection | errors "
        "| tally; ballots per batch |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[row(r) for r in results],
        "",
        *ratio_lines(results),
        *sealed_lines(results),
        "Where the time goes (CPU milliseconds per request during the phase, from /proc; "
        '"others" is CPU used on the machine by processes outside the benchmark):',
        "",
        "| mode | code (commit; + = with uncommitted changes) | variant | C | N "
        "| server ms per GET /stemcode/ (no SQL; calibration) "
        "| server ms per login | server ms per ballot "
        "| PostgreSQL ms per ballot | load generator ms per ballot "
        "| minimal endpoint: server / PostgreSQL / load generator ms per ballot "
        "| others' share of CPU "
        "| server CPU per process during the ballots "
        "| ballots/s and p50 per fifth of the ballot phase (and how many of the slowest 1 % "
        "each holds) | ballot max "
        "| GC pauses ≥ 50 ms during the ballots "
        "| open → event p50 / p99 | close request "
        "| PostgreSQL backends during ballots: active / waiting on a lock "
        "| threads per worker (with C) | peak RSS | load average before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[detail_row(r) for r in results],
        "",
        "A login is GET /stemcode/ (CSRF cookie) plus POST of the code (302 and a session); "
        "a ballot is POST /api/v1/polls/{id}/ballots with the session and X-CSRFToken, "
        f"{results[0]['concurrency'] if results else 64} requests in flight. RSS is the sum "
        "over the worker processes (VmRSS); per connection = (with C − idle) / C. "
        "The tally check compares the API's totals, every member's stored choice (API and "
        "database) and the number of ballot rows with what the representatives sent.",
        "",
        *profile_lines(profiles or {}),
    ]
    return "\n".join(lines)


def write_section(text: str, extra: str = "") -> None:
    body = text + (("\n" + extra.strip() + "\n") if extra.strip() else "")
    if DOCS.exists():
        current = DOCS.read_text()
    else:
        current = (
            "# Benchmarks\n\nMeasurements of Besluit on the development machine; "
            "each section says how to reproduce it.\n\n"
        )
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _: body.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + body.rstrip("\n") + "\n"
    DOCS.write_text(updated.rstrip("\n") + "\n")


# --- main ------------------------------------------------------------------------------


def short_source(label: str) -> str:
    """'work tree (HEAD abc1234 + 6 uncommitted changes under src/)' -> 'abc1234+'."""
    if found := re.search(r"HEAD (\w+)( \+)?", label):
        return found[1] + ("+" if found[2] else "")
    if found := re.search(r"git \S+ \((\w+)\)", label):
        return found[1]
    return label


def report_from(args) -> None:
    """Rebuild the report from earlier work directories (runs in the order they ran)."""
    results, profiles, machines = [], {}, []
    for work in args.report_from:
        # A work directory (every run in it), or one run's directory.
        paths = (
            [work / "result.json"]
            if (work / "result.json").exists()
            # Its runs, with --repeat one directory each (run1, run2, ...).
            else [*sorted(work.glob("*/result.json")), *sorted(work.glob("run*/*/result.json"))]
        )
        if (work / "result.json").exists():
            work = work.parent
        info = work / "machine.json"
        m = json.loads(info.read_text()) if info.exists() else {}
        short = short_source(m.get("source", "?"))
        for path in paths:
            r = json.loads(path.read_text())
            r.setdefault("source", short)
            r["_date"] = m.get("date", "")
            if (path.parent / "server.log").exists():
                r["server_log"] = scan_log(path.parent / "server.log")
                if r["server_log"]["workers_restarted"]:
                    r["errors"]["workers_killed"] = r["server_log"]["workers_restarted"]
            results.append(r)
        for path in work.glob("profile-*.json"):
            profiles[f"{path.stem.removeprefix('profile-')}, {short}"] = json.loads(
                path.read_text()
            )
        if (work / "machine.json").exists():
            m = json.loads((work / "machine.json").read_text())
            if m not in machines:
                machines.append(m)
    if not results:
        sys.exit("no result.json found")
    order = {"postgres": 0, "sqlite": 1}
    results.sort(key=lambda r: (order.get(r["mode"], 2), r["reps"], r["_date"], r["variant"]))
    m = machines[0] if machines else machine()
    m["date"] = " and ".join(sorted({x["date"] for x in machines})) or m["date"]
    m["source"] = " and ".join(dict.fromkeys(x.get("source", "?") for x in machines))
    m["combinations"] = " and ".join(dict.fromkeys(x.get("combinations", "?") for x in machines))
    commands = list(dict.fromkeys(r.get("command", "?") for r in results))
    text = report(results, "\n".join(commands), m, profiles)
    print(text)
    if not args.no_docs:
        write_section(text, args.notes.read_text() if args.notes else "")
        log(f"wrote the '{SECTION}' section of {DOCS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--clients", type=int, default=5000, help="live clients (SSE)")
    parser.add_argument("--reps", type=int, default=2000, help="representatives (N)")
    parser.add_argument(
        "--mass",
        type=int,
        default=20000,
        help="N of the mass-consultation run on PostgreSQL (0: skip)",
    )
    parser.add_argument(
        "--mass-voters",
        type=int,
        default=0,
        help="how many of the mass run's members log in and vote (default: all)",
    )
    parser.add_argument(
        "--mass-clients",
        type=int,
        default=None,
        help="live clients during the mass run (default: --clients)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server workers (PostgreSQL)")
    parser.add_argument(
        "--sqlite-redis",
        action="store_true",
        help="SQLite with Redis events and --workers workers (default: 1 "
        "worker, in-process events)",
    )
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each scenario on the same setup (one row each: the ratio's spread)",
    )
    parser.add_argument(
        "--ceiling-rounds",
        type=int,
        default=2,
        help="rounds of the minimal endpoint (bench/ceiling.py), half before and half "
        "after Besluit's ballots; 0: none",
    )
    parser.add_argument("--ceiling-workers", type=int, default=2)
    parser.add_argument(
        "--gc-automatic",
        action="store_true",
        help="also run the first scenario with Python's automatic garbage collection "
        "(BESLUIT_GC_AUTOMATIC=1), for comparison with besluit.edge.collector",
    )
    parser.add_argument(
        "--phase-timeout",
        type=float,
        default=300,
        help="stop starting logins/ballots after this many seconds (reported)",
    )

    parser.add_argument(
        "--source",
        default="worktree",
        help="what to serve: the work tree (default) or a git revision",
    )
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="also a secret (encrypted) poll: the same representatives send sealed ballots "
        "made at setup; reports sealed ballots/s against plaintext and the minimal endpoint "
        "(not in the --mass run)",
    )
    parser.add_argument("--py-spy", action="store_true", help="profile a worker during ballots")
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="skip the in-process SQL/time breakdown per request",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--notes", type=Path, help="markdown appended to the section")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--report-from",
        type=Path,
        nargs="+",
        metavar="WORK_DIR",
        help="only rebuild the report from earlier runs' work directories",
    )
    args = parser.parse_args()
    import importlib.util

    missing = [m for m in ("asyncpg", "starlette") if importlib.util.find_spec(m) is None]
    if missing and args.ceiling_rounds:
        # Without it the minimal endpoint dies in its own log and the run stops minutes later.
        sys.exit(f"bench_live: {', '.join(missing)} missing: .venv/bin/pip install -e '.[bench]'")

    raise_fd_limit()
    command = ".venv/bin/python bench/bench_live.py " + " ".join(
        a if re.fullmatch(r"[\w./=-]+", a) else repr(a) for a in sys.argv[1:]
    )
    COMMAND[0] = command
    if args.report_from:
        report_from(args)
        return
    m = machine()
    if args.ceiling_rounds:
        ceiling_db = CEILING_URL.rsplit("/", 1)[1]
        pg_execute(
            f"DROP DATABASE IF EXISTS {ceiling_db} WITH (FORCE)", f"CREATE DATABASE {ceiling_db}"
        )
    work = Path(tempfile.mkdtemp(prefix="besluit-bench-live-"))
    log(f"work directory {work}")
    use_source(args.source, work)
    m["source"] = SOURCE["label"]
    m["combinations"] = compiled_combinations()
    log(f"serving {SOURCE['label']}; proof checks: {m['combinations']} combinations")
    (work / "machine.json").write_text(json.dumps(m))
    scenarios = []
    if args.mode in ("postgres", "both"):
        scenarios.append(("postgres", args.reps, args.clients, None))
        if args.mass:
            clients = args.clients if args.mass_clients is None else args.mass_clients
            scenarios.append(("postgres", args.mass, clients, args.mass_voters or None))
    if args.mode in ("sqlite", "both"):
        scenarios.append(("sqlite", args.reps, args.clients, None))
    results = []
    profiles: dict = {}
    for mode, n, clients, voters in scenarios:
        data = Dataset(mode, n, work, sealed=args.sealed and n == args.reps)
        try:
            sqlite_workers = args.workers if args.sqlite_redis else 1
            for repetition in range(args.repeat):
                results.append(
                    run(
                        data,
                        clients=clients,
                        workers=args.workers if mode == "postgres" else sqlite_workers,
                        redis=mode == "postgres" or args.sqlite_redis,
                        concurrency=args.concurrency,
                        work=work / f"run{repetition + 1}" if args.repeat > 1 else work,
                        py_spy=args.py_spy,
                        voters=voters,
                        phase_timeout=args.phase_timeout,
                        ceiling_rounds=args.ceiling_rounds,
                        ceiling_workers=args.ceiling_workers,
                    )
                )
                print(row(results[-1]), flush=True)
            if args.gc_automatic and not results[:-1]:
                results.append(
                    run(
                        data,
                        clients=clients,
                        workers=args.workers if mode == "postgres" else sqlite_workers,
                        redis=mode == "postgres" or args.sqlite_redis,
                        concurrency=args.concurrency,
                        work=work,
                        py_spy=False,
                        voters=voters,
                        phase_timeout=args.phase_timeout,
                        gc_automatic=True,
                    )
                )
                print(row(results[-1]), flush=True)
            if not args.no_profile and n == args.reps:
                profiles[mode] = data.profile(work)
                (work / f"profile-{mode}.json").write_text(json.dumps(profiles[mode]))
        finally:
            data.drop()
    text = report(results, command, m, profiles)
    print()
    print(text)
    (work / "results.json").write_text(
        json.dumps({"runs": results, "profiles": profiles, "machine": m}, indent=1, default=str)
    )
    log(f"raw results: {work / 'results.json'}")
    if not args.no_docs:
        notes = args.notes.read_text() if args.notes else ""
        write_section(text, notes)
        log(f"wrote the '{SECTION}' section of {DOCS}")
    if not args.keep:
        for d in work.glob("data-*"):
            shutil.rmtree(d, ignore_errors=True)
        for d in work.glob("*/data"):
            shutil.rmtree(d, ignore_errors=True)
    failed = any(r["errors"] for r in results)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
