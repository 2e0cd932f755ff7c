"""Processes from /proc (no psutil needed): children, RSS, CPU time, threads, sockets."""

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    # comm may contain spaces and parentheses: split after its closing ')'.
    return raw[raw.rindex(")") + 2 :].split()


def ppid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in all_pids():
        try:
            children.setdefault(ppid(p), []).append(p)
        except (OSError, ValueError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def rss_kb(pid: int) -> int:
    try:
        return int(status(pid)["VmRSS"].split()[0])
    except (OSError, KeyError):
        return 0


def threads(pid: int) -> int:
    try:
        return int(status(pid)["Threads"])
    except (OSError, KeyError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads)."""
    try:
        f = _stat_fields(pid)
    except (OSError, ValueError):
        return 0.0
    return (int(f[11]) + int(f[12])) / CLOCK_TICKS


def open_sockets(pid: int) -> int:
    try:
        return sum(
            1
            for fd in os.listdir(f"/proc/{pid}/fd")
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        )
    except OSError:
        return 0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def pids_named(name: str) -> list[int]:
    out = []
    for p in all_pids():
        try:
            if Path(f"/proc/{p}/comm").read_text().strip() == name:
                out.append(p)
        except OSError:
            continue
    return out


def postgres_pids(database: str = "besluit_bench") -> list[int]:
    """The backends of the benchmark database and PostgreSQL's shared helper processes.

    Backends of other databases (other work on the same server) are left out.
    """
    out = []
    for p in pids_named("postgres"):
        title = cmdline(p)
        is_backend = " 127.0.0.1(" in title or " [local]" in title
        if not is_backend or f" {database} " in title:
            out.append(p)
    return out


def system_cpu() -> tuple[float, float]:
    """(busy seconds, total seconds) summed over all cores, from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields[:8]]
    idle = values[3] + values[4]
    total = sum(values)
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class CpuSnapshot:
    at: float
    server: float
    postgres: float
    redis: float
    load: float
    system_busy: float
    system_total: float
    per_server: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds


def _shares(a: dict[int, float], b: dict[int, float]) -> list[float]:
    used = {pid: b[pid] - a[pid] for pid in b.keys() & a.keys()}
    total = sum(used.values())
    return sorted((u / total for u in used.values()), reverse=True) if total > 0 else []


class CpuMeter:
    """CPU seconds per party between two points: server, database, Redis, load generator."""

    def __init__(
        self, server_pids, load_pids, *, with_postgres: bool = True, database: str = "besluit_bench"
    ) -> None:
        self.server_pids = server_pids  # callable -> list[int]
        self.load_pids = load_pids
        self.with_postgres = with_postgres
        self.database = database

    def snapshot(self) -> CpuSnapshot:
        busy, total = system_cpu()
        per_server = {p: cpu_seconds(p) for p in self.server_pids()}
        return CpuSnapshot(
            at=time.monotonic(),
            server=sum(per_server.values()),
            per_server=per_server,
            postgres=(
                sum(cpu_seconds(p) for p in postgres_pids(self.database))
                if self.with_postgres
                else 0.0
            ),
            redis=sum(cpu_seconds(p) for p in pids_named("redis-server")),
            load=sum(cpu_seconds(p) for p in self.load_pids()),
            system_busy=busy,
            system_total=total,
        )

    @staticmethod
    def delta(a: CpuSnapshot, b: CpuSnapshot) -> dict[str, float]:
        wall = b.at - a.at
        ours = (
            (b.server - a.server)
            + (b.postgres - a.postgres)
            + (b.redis - a.redis)
            + (b.load - a.load)
        )
        busy = b.system_busy - a.system_busy
        return {
            "wall_s": wall,
            "server_cpu_s": b.server - a.server,
            "postgres_cpu_s": b.postgres - a.postgres,
            "redis_cpu_s": b.redis - a.redis,
            "load_cpu_s": b.load - a.load,
            "system_busy_s": busy,
            "system_total_s": b.system_total - a.system_total,
            # Each server process's part of the server's CPU, largest first: does one
            # worker do the work while the other waits?
            "server_shares": _shares(a.per_server, b.per_server),
            # CPU used by processes outside this benchmark (other work on the machine).
            "others_cpu_s": max(0.0, busy - ours),
        }
