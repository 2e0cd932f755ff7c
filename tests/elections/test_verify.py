"""`besluit verify` recounts an election's published record, and refuses a changed one."""

import io
import json

import pytest

from besluit import verify
from besluit.elections import publish
from besluit.elections import services as el

from . import helpers as h

pytestmark = pytest.mark.django_db


def _decided(chair, board, secretariat, meeting, *, secret):
    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=2, secret=secret)
    h.stand(e, ["Anna", "Bert", "Cor", "Dirk"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    rankings = [["k1", "k2"], ["k3", "k1"], ["k4", "k3", "k2"], ["k2"]]
    for i, rep in enumerate(h.reps(meeting.association, 8)):
        el.do_cast(actor=rep, election=e, choice=rankings[i % 4])
    el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    return e


@pytest.mark.parametrize("secret", [True, False])
def test_verify_recounts_the_record(tmp_path, chair, board, secretariat, meeting, secret):
    e = _decided(chair, board, secretariat, meeting, secret=secret)
    path = tmp_path / "verkiezing.json"
    path.write_bytes(publish.bundle_bytes(e))
    out = io.StringIO()
    assert verify.main([str(path)], out=out) == 0
    assert "OK: election Verkiezing bestuursleden, 1 round(s) recounted" in out.getvalue()
    data = json.loads(path.read_bytes())
    if not secret:
        assert {b["member"] for b in data["rounds"][0]["ballots"]}
    # A changed result (with the signature left as it was) is caught by the recount too.
    data["rounds"][0]["result"]["elected"] = ["k4", "k3"]
    path.write_text(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    )
    out = io.StringIO()
    assert verify.main([str(path)], out=out) == 1
    assert "recount from the ballots differs" in out.getvalue()
    assert "signature does not verify" in out.getvalue()


def test_the_plain_verify_script_recounts_an_election_with_django_blocked(
    tmp_path, chair, board, secretariat, meeting
):
    import subprocess
    import sys
    from pathlib import Path

    e = _decided(chair, board, secretariat, meeting, secret=True)
    path = tmp_path / "verkiezing.json"
    path.write_bytes(publish.bundle_bytes(e))
    script = Path(verify.__file__)
    code = (
        "import runpy, sys; sys.modules['django'] = None\n"
        f"sys.argv = ['verify.py', {str(path)!r}]\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "OK: election" in run.stdout


def test_the_command_recounts_and_writes_the_record(tmp_path, chair, board, secretariat, meeting):
    from django.core.management import call_command

    e = _decided(chair, board, secretariat, meeting, secret=True)
    out = io.StringIO()
    call_command("elections", "recount", str(e.public_id), stdout=out)
    assert "round 1: elected" in out.getvalue() and "same" in out.getvalue()
    target = tmp_path / "r.json"
    call_command("elections", "record", str(e.public_id), "-o", str(target))
    assert verify.main([str(target)], out=io.StringIO()) == 0
