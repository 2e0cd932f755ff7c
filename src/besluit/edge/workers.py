"""Worker processes for `besluit serve`, each listening on a socket of its own.

Why not uvicorn's own supervisor: its workers share one listening socket, and a worker
that wakes accepts every connection waiting (uvloop, like asyncio, accepts in a loop).
Measured with bench/bench_live.py (each server process's share of the server's CPU),
the 64 connections its load generator opens at once left the two workers at 64 % / 36 %
and 70 % / 30 % of the work during sealed ballots, where a socket each gives 51 % / 49 %:
one worker's event loop and its thread checking sealed ballots did most of the work
while the other core's worker waited. A reverse proxy opening its upstream connections
in a burst does the same. With SO_REUSEPORT every worker listens on a socket of its own
on the same port, and the kernel spreads new connections over the sockets by their
addresses.

What this keeps of uvicorn's supervisor: each worker is uvicorn's own server; one that
dies is started again on the same socket (the socket stays open here meanwhile, so the
connections the kernel gives it wait instead of failing); SIGTERM and SIGINT stop every
worker gracefully. What it leaves out: reloading on SIGHUP, changing the number of
workers with SIGTTIN/SIGTTOU, and the ping that kills a worker frozen for 30 s.
"""

import logging
import multiprocessing
import os
import signal
import socket
import threading

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")

spawn = multiprocessing.get_context("spawn")  # as uvicorn: no state forked from here


def can_spread() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


class CannotListen(Exception):
    """The port is taken, or not ours to take (a privileged port)."""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on. SO_REUSEPORT would otherwise let a
    second `besluit serve` (same user, same port) take half of the connections in
    silence, where a plain socket fails with "address in use"."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CannotListen(f"{host}:{port}: {exc.strerror or exc}") from exc


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # Listening before any worker starts: every socket is in the kernel's group at once.
    sock.listen(backlog)
    return sock


def _serve(config: uvicorn.Config, sock: socket.socket) -> None:
    """A worker process: uvicorn's server on its own socket."""
    config.configure_logging()
    uvicorn.Server(config).run(sockets=[sock])


def _start(config: uvicorn.Config, sock: socket.socket):
    process = spawn.Process(target=_serve, args=(config, sock), daemon=False)
    process.start()
    return process


def run(config: uvicorn.Config, workers: int) -> int:
    """Serve with ``workers`` processes until SIGTERM or SIGINT; the exit status.
    Raises CannotListen (before any worker starts) when the port is taken."""
    config.configure_logging()
    check_port_free(config.host, config.port)
    sockets = [listening_socket(config.host, config.port, config.backlog) for _ in range(workers)]
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    log.info("Started parent process [%d]", os.getpid())
    processes = [_start(config, sock) for sock in sockets]
    status = 0
    while not stop.wait(0.5):
        for index, process in enumerate(processes):
            if process.is_alive() or stop.is_set():
                continue
            # uvicorn's wording: bench/bench_live.py counts the restarts by it.
            log.warning("Child process [%d] died", process.pid)
            if process.exitcode == STARTUP_FAILURE:  # the application cannot start
                status = STARTUP_FAILURE
                stop.set()
                break
            processes[index] = _start(config, sockets[index])
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes what it serves
    for process in processes:
        process.join(config.timeout_graceful_shutdown or 30)
        if process.is_alive():
            process.kill()
            process.join()
    for sock in sockets:
        sock.close()
    log.info("Stopping parent process [%d]", os.getpid())
    return status
