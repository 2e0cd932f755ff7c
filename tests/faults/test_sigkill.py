"""SIGKILL of the server process during a burst of ballots (SQLite and PostgreSQL).

A real `uvicorn besluit.asgi:application` process on the test database takes ballots
from 8 client threads and is killed with SIGKILL halfway. After a restart: every
acknowledged ballot is there, the log has exactly one leaf per ballot, retries with
the same request key count nothing twice, and the closed poll's bundle verifies.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.core import bundle as core_bundle
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf, Poll, PollLog
from tests import factories
from tests.live.servers import database_url, free_port

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]
VOTERS, KILL_AFTER = 48, 16


def start_server(data_dir) -> tuple[subprocess.Popen, str]:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BESLUIT_DATA_DIR": str(data_dir),
        "BESLUIT_SECRET_KEY": settings.SECRET_KEY,
        # The key that signed the poll's opening, so that the log has one signer.
        "BESLUIT_SIGNING_KEY_FILE": str(settings.BESLUIT_SIGNING_KEY_FILE),
        "REDIS_URL": "",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if connection.vendor == "sqlite":
        # Not DATABASE_URL=sqlite:///...: that drops the IMMEDIATE transactions, the busy
        # timeout and WAL that settings give the embedded database (see the report), and
        # concurrent ballots then fail with "database is locked". The server uses its data
        # dir's database file, here a link to the test database.
        del env["DATABASE_URL"]
        (data_dir / "besluit.sqlite3").symlink_to(connection.settings_dict["NAME"])
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
            "critical",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


def call(base: str, path: str, token: str, data: dict | None = None, method="POST"):
    body = json.dumps(data or {}).encode() if method == "POST" else None
    request = urllib.request.Request(
        base + path,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, http.client.HTTPException):
        # killed: no answer, or half of one (IncompleteRead), so not acknowledged
        return None, b""


def test_sigkill_during_a_burst_loses_no_acknowledged_ballot(tmp_path):
    association = factories.make_association(VOTERS, slug="kill")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    chair_token = ApiToken.issue(chair, "t")[1]
    tokens = [
        ApiToken.issue(
            factories.make_user(
                f"r{i}",
                association,
                Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            "t",
        )[1]
        for i in range(VOTERS)
    ]
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"]
    )
    poll = voting.do_open_poll(actor=chair, poll=poll)
    path = f"/api/v1/polls/{poll.public_id}/ballots"

    process, base = start_server(tmp_path / "one")
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()

    def vote(n: int):
        status, body = call(base, path, tokens[n], {"option": "option-1", "requestKey": f"k{n}"})
        if status == 201:
            with lock:
                acknowledged[n] = json.loads(body)["ballotId"]
                if len(acknowledged) == KILL_AFTER:
                    os.kill(process.pid, signal.SIGKILL)
        return status

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(vote, range(VOTERS)))
    finally:
        process.kill()
        process.wait(10)
    lost = [n for n, s in enumerate(statuses) if s is None]
    assert process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= KILL_AFTER and lost, "the kill came after the burst"

    # After the restart: every acknowledged ballot is stored, the log is whole.
    process, base = start_server(tmp_path / "two")
    try:
        stored = {
            str(b) for b in Ballot.objects.filter(poll=poll).values_list("public_id", flat=True)
        }
        assert set(acknowledged.values()) <= stored
        leaves = [
            json.loads(d) for d in LogLeaf.objects.filter(poll=poll).values_list("data", flat=True)
        ]
        assert PollLog.objects.get(poll=poll).size == len(leaves) == len(stored) + 1
        assert {e["ballot"] for e in leaves if e["type"] == "ballot"} == stored

        # Clients retry what got no answer, with the same request key: nothing counts twice.
        retried = [
            call(base, path, tokens[n], {"option": "option-1", "requestKey": f"k{n}"}) for n in lost
        ]
        assert all(status in (200, 201) for status, _ in retried), retried
        replayed = sum(1 for status, _ in retried if status == 200)
        status, _ = call(base, f"/api/v1/polls/{poll.public_id}/close", chair_token)
        assert status == 200
        status, bundle = call(
            base, f"/api/v1/polls/{poll.public_id}/bundle", chair_token, method="GET"
        )
        assert status == 200
    finally:
        process.terminate()
        process.wait(10)
    assert core_bundle.verify_bundle(bundle) == []
    poll = Poll.objects.get(pk=poll.pk)
    assert set(statuses) <= {None, 201}
    assert poll.outcome.voted_members == Ballot.objects.filter(poll=poll).count() == VOTERS
    print(
        f"SIGKILL after {len(acknowledged)} acknowledged ballots: {len(acknowledged)} of "
        f"{len(acknowledged)} present after restart, {len(lost)} unanswered retried "
        f"({replayed} had been stored: same ballot back), log verifies"
    )
