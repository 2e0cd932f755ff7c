"""`besluit serve` spreads a burst of connections over its workers, starts a worker
that dies again, and stops them all on SIGTERM (besluit.edge.workers).

With one listening socket shared by the workers (uvicorn's supervisor), the worker that
wakes first accepts every connection waiting: the 64 connections a load generator opens
at once left one worker with up to 70 % of the work (bench/bench_live.py). Each worker now listens
on a socket of its own (SO_REUSEPORT).
"""

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live.servers import free_port, server_environment

CONNECTIONS = 256


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (name) state ppid ...": the name may hold spaces, so split after ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _server_side_inodes(port: int, client_ports: set[int]) -> set[str]:
    """The inodes of the accepted sockets (local port ``port``, peer one of ours)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == port and remote_port in client_ports:
            inodes.add(fields[9])
    return inodes


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # LISTEN
            inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _ask(conn: socket.socket) -> None:
    conn.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert conn.recv(12).startswith(b"HTTP/1.1 ")


def _workers(parent: int) -> list[int]:
    return [
        pid
        for pid in _children(parent)
        if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    ]


def _wait_for_workers(process, port: int, count: int, *, besides=()) -> list[int]:
    """The worker pids once ``count`` of them (none of ``besides``) run and one answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                _ask(probe)
            workers = [pid for pid in _workers(process.pid) if pid not in besides]
            if len(workers) == count:
                time.sleep(1)  # each worker's loop is running, not only its process
                return workers
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"besluit serve did not run {count} workers")
        time.sleep(0.2)


def _start(data_dir: Path):
    port = free_port()
    env = server_environment(data_dir)
    command = [sys.executable, "-m", "besluit.cli", "serve", "--workers", "2", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL), port


def _stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(30)


# Each served fixture starts three interpreters that load the whole project (the parent
# and two workers): one server serves every test that leaves it as it found it, and the
# module stays on one xdist worker so that the server is started once.
pytestmark = pytest.mark.xdist_group("serve-spread")


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    """A running `besluit serve --workers 2`, shared: a test must not stop or kill it."""
    process, port = _start(tmp_path_factory.mktemp("served"))
    try:
        yield process, port, _wait_for_workers(process, port, 2)
    finally:
        _stop(process)


@pytest.fixture
def served_alone(django_db_setup, tmp_path):
    """A server of the test's own, for a test that kills a worker or the server."""
    process, port = _start(tmp_path)
    try:
        yield process, port, _wait_for_workers(process, port, 2)
    finally:
        _stop(process)


REQUEST_HEAD = b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _connect_all(port: int, count: int) -> list[socket.socket]:
    """``count`` connections begun at once (as an asyncio load generator does), each
    with its request's head sent but not its end: every one stays with the worker that
    accepted it (an answered connection may be closed after the keep-alive timeout)."""
    opened = [socket.socket() for _ in range(count)]
    for conn in opened:
        conn.setblocking(False)
        conn.connect_ex(("127.0.0.1", port))
    for conn in opened:
        select.select([], [conn], [], 10)
        conn.setblocking(True)
        conn.settimeout(30)
    for conn in opened:
        conn.sendall(REQUEST_HEAD)
    return opened


def _finish(opened: list[socket.socket]) -> None:
    """Each connection's request completed and answered."""
    for conn in opened:
        conn.sendall(b"\r\n")
    for conn in opened:
        assert conn.recv(12).startswith(b"HTTP/1.1 ")
        conn.close()


def _burst(port: int, count: int) -> None:
    _finish(_connect_all(port, count))


def test_a_burst_of_connections_reaches_every_worker(served):
    _process, port, workers = served
    opened = _connect_all(port, CONNECTIONS)
    clients = {conn.getsockname()[1] for conn in opened}
    deadline = time.monotonic() + 30
    while True:  # until the workers have accepted every one
        ours = _server_side_inodes(port, clients) - {"0"}
        held = {pid: len(_sockets_of(pid) & ours) for pid in workers}
        if sum(held.values()) == CONNECTIONS or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sum(held.values()) == CONNECTIONS, held
    # The kernel spreads by the connections' addresses: about half each; three
    # eighths at the least (four standard deviations).
    assert min(held.values()) >= CONNECTIONS * 3 // 8, held
    _finish(opened)


def test_each_worker_listens_on_a_socket_of_its_own(served):
    """What makes the spread hold however busy a worker is when a burst arrives: the
    kernel picks the socket, not the worker that wakes first (with uvicorn's shared
    socket, the bench's 64 connections left one worker up to 70 % of the work)."""
    _process, port, workers = served
    listening = _listening_inodes(port)
    assert len(listening) == 2
    mine = [_sockets_of(pid) & listening for pid in workers]
    assert all(len(held) == 1 for held in mine) and mine[0] != mine[1]


def test_a_dead_worker_is_started_again_and_sigterm_stops_every_worker(served_alone):
    process, port, workers = served_alone
    os.kill(workers[0], signal.SIGKILL)
    again = _wait_for_workers(process, port, 2, besides={workers[0]})
    assert workers[1] in again and workers[0] not in again
    _burst(port, 64)  # every connection answered, whichever socket it reached
    # SIGTERM stops them all, the worker started again included.
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    for pid in again:
        assert _gone(pid)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # exited, not yet reaped


def _serve_on(port: int, tmp_path, **extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "besluit.cli", "serve", "--workers", "2", "--port", str(port)]
    env = server_environment(tmp_path, **extra)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_a_port_another_program_listens_on_is_refused(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = _serve_on(port, tmp_path, REDIS_URL="")
        with_redis = _serve_on(port, tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")
    assert done.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Started parent process" not in done.stderr  # no worker started
    # Several workers without Redis: the operator is told what the live pages lose.
    assert "without REDIS_URL a live event reaches only" in done.stderr
    assert "without REDIS_URL" not in with_redis.stderr


def test_a_second_serve_on_the_same_port_is_refused(served, tmp_path):
    """SO_REUSEPORT would let it share the port with the first in silence."""
    process, port, workers = served
    done = _serve_on(port, tmp_path / "second")
    assert done.returncode != 0 and f"Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert process.poll() is None and set(_workers(process.pid)) == set(workers)  # serves on
