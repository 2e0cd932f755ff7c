"""Changed votes in the bundle: a later leaf of the same ballot is a change, not a duplicate.

A poll that allows changes publishes a bundle that verifies (the last leaf of a ballot
counts; the receipts of the earlier and the later request both verify); real
duplicates are still refused, each with its own message. No Django, no database.
"""

from datetime import timedelta

from besluit.core import bundle as B
from besluit.core import votelog as V
from besluit.core.voting import YES_NO, Rule
from tests.core.test_bundle import POLL, REGISTER, T0, TITLE, count, edited, run_main

KEY = V.generate_private_key()


def build(ballots, *, opened_changes, bundle_changes=None, check=False):
    """Bundle bytes and receipts of a named poll with ``ballots`` as (id, member, option)."""
    log = V.PollLog(POLL, KEY)
    log.append(
        V.opened_event(
            poll=POLL,
            title=TITLE,
            register=REGISTER,
            options=YES_NO,
            rule=Rule(),
            secret=False,
            at=T0,
            changes=opened_changes,
        )
    )
    checkpoints = [log.signed_checkpoint(T0)]
    last: dict[str, str] = {}
    receipts = []
    for n, (ballot, member, option) in enumerate(ballots, start=1):
        at = T0 + timedelta(minutes=n)
        index, _ = log.append(
            V.ballot_event(poll=POLL, ballot=ballot, member=member, option=option, at=at)
        )
        receipts.append(log.receipt(index, at))
        last[member] = option
    log.append(V.closed_event(poll=POLL, totals=count(REGISTER, last), at=T0 + timedelta(hours=1)))
    checkpoints.append(log.signed_checkpoint(T0 + timedelta(hours=1)))
    bundle = B.build_bundle(
        register=REGISTER,
        leaves=log.leaves,
        checkpoints=checkpoints,
        private_key=KEY,
        changes=bundle_changes,
        check=check,
    )
    return B.serialize_bundle(bundle), receipts


CHANGED = [("1", "GM0014", "for"), ("2", "GM0034", "against"), ("1", "GM0014", "against")]


def test_a_changed_vote_in_a_changeable_poll_verifies_and_the_last_leaf_counts():
    data, receipts = build(CHANGED, opened_changes=True, check=True)
    assert B.verify_bundle(data) == []
    bundle = B.load_bundle(data)
    assert bundle["poll"]["changes"] is True
    assert bundle["choices"] == {"GM0014": "against", "GM0034": "against"}
    earlier, other, later = receipts
    assert B.verify_receipt_in_bundle(earlier, data) == []
    assert B.verify_receipt_in_bundle(later, data) == []
    assert B.changed_later(earlier, bundle) == 3
    assert B.changed_later(later, bundle) is None
    assert B.changed_later(other, bundle) is None


def test_the_verifier_script_accepts_the_bundle_and_both_receipts(tmp_path):
    data, (earlier, _other, later) = build(CHANGED, opened_changes=True)
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    code, out, _ = run_main(path)
    assert code == 0 and out.startswith("OK: poll")
    for receipt, note in ((earlier, True), (later, False)):
        receipt_path = tmp_path / "receipt.json"
        receipt_path.write_bytes(V.canonical_json(receipt))
        code, out, _ = run_main(path, "--receipt", receipt_path)
        assert code == 0
        assert f"OK: receipt {receipt['ballot']} is leaf {receipt['index']}" in out
        assert ("changed later: leaf 3 of the same ballot counts" in out) is note


def test_a_repeated_ballot_id_in_a_poll_without_changes_is_a_duplicate():
    data, _ = build(CHANGED, opened_changes=False)
    assert B.verify_bundle(data) == [
        "leaf 3: ballot id 1 also at leaf 1: a second ballot of GM0014, but this poll does "
        "not allow a vote to be changed"
    ]


def test_one_ballot_id_for_two_members_is_a_duplicate_even_with_changes():
    ballots = [("1", "GM0014", "for"), ("1", "GM0034", "against")]
    data, _ = build(ballots, opened_changes=True)
    assert B.verify_bundle(data) == [
        "leaf 2: ballot id 1 also at leaf 1, where it is the ballot of GM0014, not of GM0034"
    ]


def test_two_ballot_ids_for_one_member_are_a_duplicate_even_with_changes():
    ballots = [("1", "GM0014", "for"), ("2", "GM0014", "against")]
    data, _ = build(ballots, opened_changes=True)
    problems = B.verify_bundle(data)
    assert "leaf 2: member GM0014 voted twice (also leaf 1)" in problems


def test_a_bundle_cannot_allow_changes_the_opened_event_did_not():
    data, _ = build(CHANGED[:2], opened_changes=False, check=True)

    def allow(b):
        b["poll"]["changes"] = True

    assert B.verify_bundle(edited_poll(data, allow)) == [
        "poll: changes differs from the opened event (leaf 0)"
    ]


def test_a_log_opened_before_the_field_existed_takes_it_from_the_bundle():
    data, _ = build(CHANGED, opened_changes=None, bundle_changes=True, check=True)
    assert B.verify_bundle(data) == []
    data, _ = build(CHANGED, opened_changes=None)  # the bundle does not say: no changes
    assert B.verify_bundle(data)[0].endswith("does not allow a vote to be changed")


def edited_poll(data, change):
    class Signed:  # what tests.core.test_bundle.edited needs of a poll
        key = KEY

    Signed.data = data
    return edited(Signed, change, resign_bundle=True)


def test_changes_must_be_true_or_false():
    data, _ = build(CHANGED[:2], opened_changes=True, check=True)

    def one(b):
        b["poll"]["changes"] = 1

    problems = B.verify_bundle(edited_poll(data, one))
    assert problems == [
        "poll: expected {id, title, secret, options, rule, yes_no, changes?} of the right types"
    ]
