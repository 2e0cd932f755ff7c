"""Each election round has a signed Merkle vote log: every voter gets a receipt, the
record carries the log, and `besluit verify` checks the log and a receipt's inclusion.
A secret election's leaf holds only a random code: nothing links a member to a choice."""

import io
import json

import pytest

from besluit import verify
from besluit.core import votelog
from besluit.core.elections import log as core_log
from besluit.core.elections import record as core_record
from besluit.elections import publish
from besluit.elections import services as el
from besluit.elections.models import RoundLogLeaf
from besluit.voting import log as vote_log

from . import helpers as h

pytestmark = pytest.mark.django_db

RANKINGS = [["k1", "k2"], ["k3", "k1"], ["k2", "k3", "k1"]]


def _voted(chair, board, secretariat, meeting, *, secret, close=True):
    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=2, secret=secret)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    receipts = []
    for i, rep in enumerate(h.reps(meeting.association, 6)):
        receipts.append(el.do_cast(actor=rep, election=e, choice=RANKINGS[i % 3]).receipt)
    if close:
        el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    return e, receipts


def _write(tmp_path, name, value) -> str:
    path = tmp_path / name
    path.write_bytes(value if isinstance(value, bytes) else json.dumps(value).encode())
    return str(path)


@pytest.mark.parametrize("secret", [True, False])
def test_every_receipt_checks_against_its_signed_checkpoint_and_the_closed_log(
    tmp_path, chair, board, secretariat, meeting, secret
):
    e, receipts = _voted(chair, board, secretariat, meeting, secret=secret)
    public = votelog.public_key_for(vote_log.private_key())
    bundle = json.loads(publish.bundle_bytes(e))
    assert bundle["version"] == 2 and core_record.verify_election_bundle(bundle) == []
    rnd = bundle["rounds"][0]
    leaves = [t.encode() for t in rnd["log"]["leaves"]]
    assert len(leaves) == 1 + 6 + 1  # opened, six ballots, closed
    for i, receipt in enumerate(receipts):
        assert receipt["poll"] == f"{e.public_id}/1" and receipt["index"] == i + 1
        # Its own checkpoint was signed when it was cast (what the browser check uses) ...
        assert receipt["checkpoint"]["checkpoint"]["size"] == i + 2
        # ... and the closed log in the record still holds it.
        assert votelog.verify_receipt(receipt, rnd["log"]["closing"], public, leaves=leaves) == []
    bundle_path = _write(tmp_path, "v.json", publish.bundle_bytes(e))
    out = io.StringIO()
    code = verify.main([bundle_path, "--receipt", _write(tmp_path, "r.json", receipts[4])], out=out)
    assert code == 0, out.getvalue()
    assert f"OK: receipt {receipts[4]['ballot']} is leaf 5 of the closed log of round 1" in (
        out.getvalue()
    )


def test_a_secret_leaf_names_no_member_and_no_choice(chair, board, secretariat, meeting):
    e, receipts = _voted(chair, board, secretariat, meeting, secret=True, close=False)
    codes = {m.code for m in meeting.association.members.all()}
    for data in RoundLogLeaf.objects.filter(round__election=e).values_list("data", flat=True):
        event = json.loads(data)
        if event["type"] != "ballot":
            continue
        assert set(event) == {"type", "poll", "ballot"}
        assert not codes & set(data.replace('"', " ").split())
        assert not any(k in data for k in ("k1", "k2", "k3"))
    # The receipt is the voter's only link to its leaf: a random code, never the member.
    assert all(votelog._RECEIPT_CODE.fullmatch(r["ballot"]) for r in receipts)


def test_a_named_leaf_holds_the_member_and_the_ranking(chair, board, secretariat, meeting):
    _e, receipts = _voted(chair, board, secretariat, meeting, secret=False, close=False)
    event = receipts[1]["event"]
    assert event["member"] == meeting.association.members.order_by("code")[1].code
    assert event["choice"] == ["k3", "k1"]


def test_a_receipt_of_another_round_or_a_forged_one_fails(
    tmp_path, chair, board, secretariat, meeting
):
    e, receipts = _voted(chair, board, secretariat, meeting, secret=True)
    bundle_path = _write(tmp_path, "v.json", publish.bundle_bytes(e))
    forged = json.loads(json.dumps(receipts[0]))
    forged["event"]["ballot"] = forged["ballot"] = votelog.new_receipt_code()
    out = io.StringIO()
    assert verify.main([bundle_path, "--receipt", _write(tmp_path, "f.json", forged)], out=out) == 1
    assert "inclusion proof does not put ballot" in out.getvalue()
    elsewhere = json.loads(json.dumps(receipts[0]))
    elsewhere["poll"] = f"{e.public_id}/2"
    out = io.StringIO()
    assert (
        verify.main([bundle_path, "--receipt", _write(tmp_path, "e.json", elsewhere)], out=out) == 1
    )
    assert "no round of this election has the log" in out.getvalue()


def _resigned(bundle: dict) -> dict:
    """The record changed and signed again with the installation's key: only the log's
    own checks (its separately signed checkpoints and leaves) can catch the change."""
    body = {k: v for k, v in bundle.items() if k != "signature"}
    signature = votelog.sign(
        vote_log.private_key(), core_record.SIGN_CONTEXT + votelog.canonical_json(body)
    )
    return {**body, "signature": votelog.to_hex(signature)}


def test_a_ballot_dropped_from_the_record_is_caught_by_the_log(chair, board, secretariat, meeting):
    e, _ = _voted(chair, board, secretariat, meeting, secret=False)
    bundle = json.loads(publish.bundle_bytes(e))
    rnd = bundle["rounds"][0]
    rnd["ballots"] = rnd["ballots"][1:]
    rnd["seed"] = votelog.to_hex(core_record.lot_seed(rnd["nonce"], rnd["ballots"]))
    rnd["result"] = core_record.result_json(
        core_record.count_round(
            method="ranked",
            seats=2,
            candidates=rnd["candidates"],
            ballots=rnd["ballots"],
            nonce=rnd["nonce"],
        )
    )
    problems = core_record.verify_election_bundle(_resigned(bundle))
    assert "round 1 log: the logged ballots differ from the published ballots" in problems
    assert "round 1 log: the closed leaf does not name the published ballots" in problems


def test_a_secret_pool_inflated_in_the_record_is_caught_by_the_log(
    chair, board, secretariat, meeting
):
    e, _ = _voted(chair, board, secretariat, meeting, secret=True)
    bundle = json.loads(publish.bundle_bytes(e))
    bundle["rounds"][0]["ballots"][0]["members"] += 1
    problems = core_record.verify_election_bundle(_resigned(bundle))
    assert "round 1 log: 6 ballots logged, 7 published" in problems


def test_a_changed_leaf_breaks_the_signed_tree(chair, board, secretariat, meeting):
    e, _ = _voted(chair, board, secretariat, meeting, secret=False)
    bundle = json.loads(publish.bundle_bytes(e))
    leaves = bundle["rounds"][0]["log"]["leaves"]
    leaves[2] = leaves[2].replace('"k3"', '"k2"', 1) if '"k3"' in leaves[2] else leaves[2] + " "
    problems = core_record.verify_election_bundle(_resigned(bundle))
    assert any("do not make the signed" in p or "not canonical" in p for p in problems)


def test_log_id_is_never_a_poll_id():
    assert core_log.log_id("0b7c7d0e-0000-4000-8000-000000000000", 2).endswith("/2")


def test_a_round_opened_before_the_logs_existed_keeps_a_version_1_record(
    chair, board, secretariat, meeting
):
    from besluit.elections.models import Round

    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=1)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    Round.objects.filter(election=e).update(log_opening=None)  # as before the migration
    (rep,) = h.reps(meeting.association, 1)
    assert el.do_cast(actor=rep, election=e, choice=["k2"]).receipt is None
    el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    bundle = json.loads(publish.bundle_bytes(e))
    assert bundle["version"] == 1 and "log" not in bundle["rounds"][0]
    assert core_record.verify_election_bundle(bundle) == []
