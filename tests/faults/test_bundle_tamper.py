"""Changing any single byte of a poll's published bundle makes `besluit verify` fail.

The bundle is the one the API publishes for a real poll in the database. SAMPLE byte
positions (seeded, spread over the whole file: register, leaves, checkpoints, signatures,
totals) are flipped one at a time and checked by the verifier that `besluit verify` runs,
and three of them through the `besluit verify` command itself, in its own process.
(tests/core/test_bundle.py flips every byte of a bundle built in memory.)
"""

import io
import os
import random
import subprocess
import sys
import time

import pytest
from django.test import Client

from besluit import verify
from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]
SAMPLE = 300


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_every_single_byte_change_fails_verification(tmp_path, secret):
    association = factories.make_association(5, slug="klein")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    if secret:  # encrypted: the ballots' proofs, the tally and the trustees' shares
        factories.trustees_for(chair, meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"], is_secret=secret
    )
    poll = voting.do_open_poll(actor=chair, poll=poll)
    for i in range(3):
        rep = factories.make_user(
            f"r{i}", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, i)
        )
        choice = ("option-1", "option-2")[i % 2]
        if secret:
            factories.sealed_vote(poll, rep, choice)
        else:
            voting.cast_ballot(actor=rep, poll=poll, option_key=choice)
    if secret:
        factories.close_secret(chair, poll)
    else:
        voting.do_close_poll(actor=chair, poll=poll)
    token = ApiToken.issue(chair, "t")[1]
    response = Client().get(
        f"/api/v1/polls/{poll.public_id}/bundle", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    published = response.content
    key_id = vote_log.public_key_id()
    path = tmp_path / "bundle.json"

    def verdict(data: bytes) -> int:
        path.write_bytes(data)
        return verify.main([str(path), "--key-id", key_id], out=io.StringIO(), err=io.StringIO())

    assert verdict(published) == 0
    started = time.monotonic()
    positions = sorted(
        {
            0,
            1,
            len(published) - 1,
            *random.Random(7).sample(range(len(published)), SAMPLE // 3 if secret else SAMPLE),
        }
    )
    passed = [i for i in positions if verdict(_flip(published, i)) == 0]
    assert passed == [], f"byte(s) {passed[:10]} changed and still verified"

    # The command itself, in its own process: the original passes, changed copies fail.
    env = {**os.environ, "BESLUIT_DATA_DIR": str(tmp_path / "cli")}
    env.pop("DATABASE_URL", None)

    def command(data: bytes) -> subprocess.CompletedProcess:
        path.write_bytes(data)
        return subprocess.run(
            [sys.executable, "-m", "besluit.cli", "verify", str(path), "--key-id", key_id],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    if secret:
        return
    ok = command(published)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: poll"), ok.stdout + ok.stderr
    for i in (len(published) // 3, len(published) // 2, len(published) - 2):
        result = command(_flip(published, i))
        assert result.returncode in (1, 2), (i, result.stdout)
        assert "FAILED" in result.stdout or result.returncode == 2
    print(
        f"{len(positions)} single-byte changes of a {len(published)}-byte published bundle → "
        f"{len(positions)} verification failures ({time.monotonic() - started:.1f} s), "
        "3 through `besluit verify`"
    )


def _flip(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
