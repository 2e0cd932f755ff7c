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
