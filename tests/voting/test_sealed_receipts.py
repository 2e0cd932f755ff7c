"""A voter's sealed receipt checked against the published bundle (`besluit verify
--receipt`, the Django-free verifier) and against the poll's latest signed checkpoint
from the public feed (the consistency proof "Controleer uw stem" checks in the browser).
A changed byte in the receipt, the proof or the checkpoint fails."""

import io
import json

import pytest
from django.test import Client

from besluit import verify
from besluit.associations.models import Role
from besluit.core import merkle, votelog
from besluit.voting import log as vote_log
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


@pytest.fixture
def closed(association, chair, meeting, tmp_path):
    poll = factories.open_poll(chair, meeting, is_secret=True)
    receipts = []
    for i, key in enumerate(["option-1", "option-2", "option-1", "option-1"]):
        member = factories.member(association, i)
        rep = factories.make_user(f"r{i}", association, Role.Kind.REPRESENTATIVE, member=member)
        receipts.append(factories.sealed_vote(poll, rep, key).as_json())
    open_answer = Client().get(_url(poll, receipts[0]))
    poll = factories.close_secret(chair, poll)
    bundle = tmp_path / "bundel.json"
    bundle.write_bytes(vote_log.bundle_bytes(poll))
    return poll, receipts, bundle, open_answer


def _url(poll, receipt) -> str:
    size = receipt["log"]["checkpoint"]["checkpoint"]["size"]
    return f"/open/stemmingen/{poll.public_id}/controlepunt.json?van={size}"


def _verify(bundle, receipt, tmp_path) -> tuple[int, str]:
    path = tmp_path / "stembewijs.json"
    path.write_text(json.dumps(receipt))
    out = io.StringIO()
    code = verify.main([str(bundle), "--receipt", str(path)], out=out, err=out)
    return code, out.getvalue()


def test_each_receipt_verifies_against_the_bundle(closed, tmp_path):
    _poll, receipts, bundle, _ = closed
    for receipt in receipts:
        code, out = _verify(bundle, receipt, tmp_path)
        assert code == 0, out
        assert f"receipt with tracker {receipt['tracker']} is leaf" in out
    # The log receipt alone (inside the sealed one) verifies too.
    assert _verify(bundle, receipts[1]["log"], tmp_path)[0] == 0


def _flip_hex(text: str, at: int = 5) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(tracker=_flip_hex(r["tracker"])),
        lambda r: r.update(voter=_flip_hex(r["voter"])),
        lambda r: r["log"].update(index=r["log"]["index"] + 1),
        lambda r: r["log"]["proof"].__setitem__(0, _flip_hex(r["log"]["proof"][0])),
        lambda r: r["log"]["checkpoint"].update(
            signature=_flip_hex(r["log"]["checkpoint"]["signature"])
        ),
        lambda r: r["log"]["checkpoint"]["checkpoint"].update(
            root=_flip_hex(r["log"]["checkpoint"]["checkpoint"]["root"])
        ),
        lambda r: r["log"]["event"].update(ballot=_flip_hex(r["log"]["event"]["ballot"], 200)),
        lambda r: r["log"]["event"].update(tracker=_flip_hex(r["log"]["event"]["tracker"])),
        lambda r: r.update(poll="00000000-0000-4000-8000-000000000000"),
    ],
    ids=[
        "tracker",
        "voter",
        "index",
        "proof",
        "signature",
        "root",
        "ballot",
        "event-tracker",
        "poll",
    ],
)
def test_a_changed_receipt_fails(closed, tmp_path, change):
    _poll, receipts, bundle, _ = closed
    receipt = json.loads(json.dumps(receipts[1]))
    change(receipt)
    code, out = _verify(bundle, receipt, tmp_path)
    assert code == 1, out
    assert "FAILED" in out


def test_another_polls_receipt_fails(closed, chair, meeting, association, tmp_path):
    _poll, _receipts, bundle, _ = closed
    other = factories.open_poll(chair, meeting, is_secret=True, title="Andere")
    rep = factories.make_user(
        "r9", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 9)
    )
    receipt = factories.sealed_vote(other, rep, "option-1").as_json()
    code, out = _verify(bundle, receipt, tmp_path)
    assert code == 1 and "receipt: for poll" in out


def test_the_public_feed_proves_the_closed_log_extends_each_receipt(closed):
    poll, receipts, _bundle, open_answer = closed
    assert open_answer.status_code == 404  # no closing checkpoint while the poll is open
    for receipt in receipts:
        answer = Client().get(_url(poll, receipt))
        assert answer.status_code == 200 and answer["Access-Control-Allow-Origin"] == "*"
        data = answer.json()
        public = votelog.from_hex(data["key"]["public_key"], 32)
        assert data["key"]["key_id"] == vote_log.public_key_id()
        closing = data["checkpoint"]
        assert votelog.verify_checkpoint(closing, public) == []
        mine = receipt["log"]["checkpoint"]["checkpoint"]
        final = closing["checkpoint"]
        proof = [bytes.fromhex(h) for h in data["consistency"]["proof"]]
        args = (
            mine["size"],
            final["size"],
            bytes.fromhex(mine["root"]),
            bytes.fromhex(final["root"]),
        )
        assert merkle.verify_consistency(*args, proof)
        # What the browser's check refuses: any changed byte of the proof or the roots.
        if proof:
            assert not merkle.verify_consistency(
                *args, [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            )
        assert not merkle.verify_consistency(
            args[0], args[1], bytes([args[2][0] ^ 1]) + args[2][1:], args[3], proof
        )
        # And votelog's own receipt check with this proof, without the bundle's leaves.
        assert (
            votelog.verify_receipt(receipt["log"], closing, public, consistency_proof=proof) == []
        )
    bad = Client().get(f"/open/stemmingen/{poll.public_id}/controlepunt.json?van=999999")
    assert bad.status_code == 400
