"""Real `besluit` server processes for the live tests, sharing the test database."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test runs on, for the server processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgresql://{user}@{host}:{port}/{s['NAME']}"


def server_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server process on this test's database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BESLUIT_DATA_DIR": str(data_dir),
        # The same key as this process, so that the sessions made here are valid there.
        "BESLUIT_SECRET_KEY": settings.SECRET_KEY,
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@contextlib.contextmanager
def server(*, redis_url: str = "", data_dir: Path):
    port = free_port()
    env = server_environment(
        data_dir,
        REDIS_URL=redis_url,
        # And the same signing key: receipts signed there verify in bundles made here.
        BESLUIT_SIGNING_KEY_FILE=str(settings.BESLUIT_SIGNING_KEY_FILE),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "besluit.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            # As besluit serve and demo: forwarded headers are judged by the application.
            "--no-proxy-headers",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server on port {port} did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


class EventStream:
    """A minimal Server-Sent Events client reading from a real socket."""

    def __init__(self, url: str, *, session: str, last_event_id: int | None = None):
        headers = {"Cookie": f"sessionid={session}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        request = urllib.request.Request(url, headers=headers)
        self.response = urllib.request.urlopen(request, timeout=10)

    def next(self) -> dict:
        """The next event (comments and retry lines skipped)."""
        fields: dict = {}
        while True:
            line = self.response.readline().decode()
            if line == "":
                raise EOFError("stream closed")
            line = line.rstrip("\n")
            if line == "":
                if "event" in fields:
                    return {
                        "id": int(fields["id"]) if "id" in fields else None,
                        "event": fields["event"],
                        "data": json.loads(fields.get("data", "null")),
                    }
                fields = {}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            fields[key] = value

    def next_of(self, *kinds: str) -> dict:
        while True:
            event = self.next()
            if event["event"] in kinds:
                return event

    def close(self) -> None:
        self.response.close()
