"""The poll event log (core.votelog): canonical JSON, events, signed checkpoints, receipts.

No Django and no database.
"""

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from besluit.core import votelog as V
from besluit.core.merkle import MerkleLog, leaf_hash, verify_inclusion
from besluit.core.voting import YES_NO, Ballot, Rule, Voter, tally

D = Decimal
T0 = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
POLL = "5f0c8f7e-1b1a-4c55-9a39-3f1f0d6c2a10"
REGISTER = [
    {"member": "GM0363", "weight": D("10.000")},
    {"member": "GM0014", "weight": D("5")},
    {"member": "GM0880", "weight": D("1.5")},
]


# --- canonical JSON ---------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8_with_decimals_as_strings():
    value = {"b": [1, True, None], "a": {"é": D("1.50"), "z": "’s-Hertogenbosch"}, "c": UUID(int=1)}
    data = V.canonical_json(value)
    assert (
        data
        == (
            '{"a":{"z":"’s-Hertogenbosch","é":"1.50"},"b":[1,true,null],'
            '"c":"00000000-0000-0000-0000-000000000001"}'
        ).encode()
    )
    assert V.loads_canonical(data) == json.loads(data)


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        {"x": float("nan")},
        D("NaN"),
        D("Infinity"),
        {1: "a"},
        object(),
        "\ud800",
        {"s": {1, 2}},
    ],
)
def test_canonical_json_refuses_what_has_no_single_exact_form(bad):
    with pytest.raises(V.CanonicalError):
        V.canonical_json(bad)


@pytest.mark.parametrize(
    "data",
    [b'{"b":1, "a":2}', b'{"b":1,"a":2}', b'{"a":1} ', b'{"a":"\\u00e9"}', b'{"a":1.0}', b"\xff"],
)
def test_loads_canonical_refuses_other_spellings(data):
    with pytest.raises(V.CanonicalError):
        V.loads_canonical(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_spelling_of_a_value_has_the_same_canonical_bytes(value):
    try:
        data = V.canonical_json(value)
    except V.CanonicalError:  # lone surrogates cannot be UTF-8
        return
    assert V.loads_canonical(data) == value
    pretty = json.dumps(value, indent=2, ensure_ascii=True, sort_keys=False)
    assert V.canonical_json(json.loads(pretty)) == data


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("12.000"), "12"),
        (D("0.50"), "0.5"),
        (D("1E+2"), "100"),
        (7, "7"),
        ("3.10", "3.1"),
        (D("0.000"), "0"),
        (D("-0"), "0"),
        (D("2.5E-3"), "0.0025"),
    ],
)
def test_canonical_decimal(value, text):
    assert V.canonical_decimal(value) == text


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", D("Infinity"), None])
def test_canonical_decimal_refuses_inexact_values(bad):
    with pytest.raises(V.CanonicalError):
        V.canonical_decimal(bad)


def test_format_time_is_utc_whole_seconds_and_refuses_naive_times():
    cet = timezone(timedelta(hours=2))
    assert (
        V.format_time(datetime(2025, 6, 4, 12, 15, 9, 999999, tzinfo=cet)) == "2025-06-04T10:15:09Z"
    )
    assert V.is_time("2025-06-04T10:15:09Z")
    assert not V.is_time("2025-02-30T10:15:09Z")
    assert not V.is_time("2025-06-04T10:15:09+00:00")
    with pytest.raises(ValueError):
        V.format_time(datetime(2025, 6, 4, 12, 0))


def test_hex_is_strict_lower_case():
    assert V.from_hex("00ff", 2) == b"\x00\xff"
    for bad in ["00FF", "0", "zz", "00 ff", 5, None]:
        with pytest.raises(ValueError):
            V.from_hex(bad)
    with pytest.raises(ValueError):
        V.from_hex("00", 2)


# --- register and events ---------------------------------------------------------


def test_register_fingerprint_is_sha256_of_the_sorted_member_weight_list():
    expected = hashlib.sha256(
        b'[{"member":"GM0014","weight":"5"},{"member":"GM0363","weight":"10"},'
        b'{"member":"GM0880","weight":"1.5"}]'
    ).hexdigest()
    assert V.register_fingerprint(REGISTER) == expected
    # order, the spelling of a weight and other fields do not matter ...
    shuffled = [{**r, "name": "x", "groups": ["g"]} for r in reversed(REGISTER)]
    shuffled[0]["weight"] = D("1.50000")
    assert V.register_fingerprint(shuffled) == expected
    # ... a weight or a member does
    assert V.register_fingerprint([*REGISTER[:2], {"member": "GM0880", "weight": 2}]) != expected
    assert V.register_fingerprint(REGISTER[:2]) != expected
    with pytest.raises(ValueError, match="twice"):
        V.register_fingerprint([*REGISTER, REGISTER[0]])
    with pytest.raises(ValueError, match="negative"):
        V.register_fingerprint([{"member": "GM0001", "weight": -1}])


def test_events_have_the_documented_fields():
    opened = V.opened_event(
        poll=UUID(POLL),
        title="Motie 7",
        register=REGISTER,
        options=YES_NO,
        rule=Rule(),
        secret=False,
        at=T0,
    )
    assert opened == {
        "type": "opened",
        "poll": POLL,
        "title": "Motie 7",
        "secret": False,
        "register_fingerprint": V.register_fingerprint(REGISTER),
        "options": [
            {"key": "for", "label": "Voor", "is_abstention": False},
            {"key": "against", "label": "Tegen", "is_abstention": False},
            {"key": "abstain", "label": "Onthouding", "is_abstention": True},
        ],
        "rule": {"majority": "simple", "abstentions": "not_cast", "quorum": "0"},
        "yes_no": None,
        "at": "2025-06-04T10:00:00Z",
    }
    assert V.options_from_json(opened["options"]) == YES_NO
    assert V.rule_from_json(opened["rule"]) == Rule()
    named = V.ballot_event(poll=POLL, ballot="17", member="GM0014", option="for", at=T0)
    assert set(named) == {"type", "poll", "ballot", "member", "option", "at"}
    result = tally(
        register=[Voter(1, D(5))], ballots=[Ballot(1, "for")], options=YES_NO, rule=Rule()
    )
    closed = V.closed_event(poll=POLL, totals=result, at=T0)
    assert closed["totals"] == result.to_dict()
    for event in (opened, named, closed):
        assert V.event_problems(event, poll=POLL, secret=False, where="leaf") == []
        assert V.decode_event(V.encode_event(event)) == event


def test_a_secret_ballot_leaf_holds_only_a_random_code():
    code = V.new_receipt_code()
    event = V.secret_ballot_event(poll=POLL, receipt_code=code)
    assert event == {"type": "ballot", "poll": POLL, "ballot": code}  # no member, option, time
    assert len({V.new_receipt_code() for _ in range(1000)}) == 1000
    assert len(code) == 29 and code.count("-") == 5
    with pytest.raises(ValueError):
        V.secret_ballot_event(poll=POLL, receipt_code="GM0014")
    assert V.event_problems(event, poll=POLL, secret=True, where="leaf 3") == []
    leaky = {**event, "member": "GM0014", "at": "2025-06-04T10:00:00Z"}
    assert V.event_problems(leaky, poll=POLL, secret=True, where="leaf 3") == [
        "leaf 3: secret ballot must not contain at, member"
    ]
    guessable = {**event, "ballot": "42"}
    assert (
        "not a random receipt code"
        in V.event_problems(guessable, poll=POLL, secret=True, where="leaf 3")[0]
    )


def test_event_problems_catch_foreign_and_malformed_events():
    named = V.ballot_event(poll=POLL, ballot="1", member="GM0014", option="for", at=T0)
    assert "belongs to poll" in V.event_problems(named, poll="other", secret=False, where="l")[0]
    assert (
        "unknown event type"
        in V.event_problems({**named, "type": "vote"}, poll=POLL, secret=False, where="l")[0]
    )
    assert (
        "lacks option"
        in V.event_problems(
            {k: v for k, v in named.items() if k != "option"}, poll=POLL, secret=False, where="l"
        )[0]
    )
    assert (
        "UTC time"
        in V.event_problems({**named, "at": "yesterday"}, poll=POLL, secret=False, where="l")[0]
    )
    assert V.event_problems([named], poll=POLL, secret=False, where="l") == ["l: not a JSON object"]


# --- keys and checkpoints -----------------------------------------------------------


def test_sign_and_verify_checkpoints():
    key, other = V.generate_private_key(), V.generate_private_key()
    public = V.public_key_for(key)
    assert len(key) == 32 and len(public) == 32
    assert V.key_id(public) == hashlib.sha256(public).hexdigest()
    cp = V.checkpoint(poll=POLL, size=3, root=b"\x01" * 32, at=T0)
    assert cp == {"poll": POLL, "size": 3, "root": "01" * 32, "at": "2025-06-04T10:00:00Z"}
    signed = V.sign_checkpoint(cp, key)
    assert V.verify_checkpoint(signed, public) == []
    assert V.verify_signature(
        public, V.CHECKPOINT_CONTEXT + V.canonical_json(cp), V.from_hex(signed["signature"])
    )

    grown = {**signed, "checkpoint": {**cp, "size": 4}}
    assert V.verify_checkpoint(grown, public) == ["checkpoint: signature is not valid"]
    by_other = V.sign_checkpoint(cp, other)
    problems = V.verify_checkpoint(by_other, public)
    assert "not by the published key" in problems[0]
    assert problems[1] == "checkpoint: signature is not valid"
    upper = {**signed, "signature": signed["signature"].upper()}
    assert "lower-case hex" in V.verify_checkpoint(upper, public)[0]
    assert "not a signed checkpoint" in V.verify_checkpoint(cp, public)[0]
    assert not V.verify_signature(b"short", b"m", b"s")


def test_private_key_file_is_created_once_with_owner_only_access(tmp_path):
    path = tmp_path / "data" / "signing-key.ed25519"
    key = V.load_or_create_private_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert V.load_or_create_private_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.ed25519"]
    path.write_bytes(b"not a key")
    with pytest.raises(ValueError):
        V.load_or_create_private_key(path)


# --- the log and receipts ------------------------------------------------------------


def named_log(key, votes=(("GM0014", "for"), ("GM0363", "against"), ("GM0880", "for"))):
    log = V.PollLog(POLL, key)
    log.append(
        V.opened_event(
            poll=POLL,
            title="Motie 7",
            register=REGISTER,
            options=YES_NO,
            rule=Rule(),
            secret=False,
            at=T0,
        )
    )
    receipts = []
    for n, (member, option) in enumerate(votes, start=1):
        at = T0 + timedelta(minutes=n)
        index, data = log.append(
            V.ballot_event(poll=POLL, ballot=str(n), member=member, option=option, at=at)
        )
        assert log.leaves[index] == data
        receipts.append(log.receipt(index, at))
    log.append(V.closed_event(poll=POLL, totals={"outcome": "x"}, at=T0 + timedelta(hours=1)))
    return log, receipts


def test_receipts_verify_against_the_closing_checkpoint():
    key = V.generate_private_key()
    public = V.public_key_for(key)
    log, receipts = named_log(key)
    closing = log.signed_checkpoint(T0 + timedelta(hours=1))
    for receipt in receipts:
        assert receipt["format"] == V.RECEIPT_FORMAT
        assert receipt["checkpoint"]["checkpoint"]["size"] == receipt["index"] + 1
        proof = [V.from_hex(p) for p in receipt["proof"]]
        cp = receipt["checkpoint"]["checkpoint"]
        leaf = leaf_hash(V.canonical_json(receipt["event"]))
        assert verify_inclusion(leaf, receipt["index"], cp["size"], proof, V.from_hex(cp["root"]))
        assert V.verify_receipt(receipt, closing, public, leaves=log.leaves) == []
        size = receipt["checkpoint"]["checkpoint"]["size"]
        consistency = log.consistency_proof(size)
        assert V.verify_receipt(receipt, closing, public, consistency_proof=consistency) == []
        # a receipt is also a valid JSON document
        assert json.loads(json.dumps(receipt)) == receipt


def test_a_receipt_exposes_a_rewritten_or_shortened_log():
    key = V.generate_private_key()
    public = V.public_key_for(key)
    log, receipts = named_log(key)
    mine = receipts[1]  # GM0363 voted against

    # the server rewrites that ballot after handing out the receipt, and signs the new log
    events = [V.decode_event(x) for x in log.leaves]
    events[mine["index"]]["option"] = "for"
    forged = V.PollLog(POLL, key, [V.encode_event(e) for e in events])
    closing = forged.signed_checkpoint(T0 + timedelta(hours=1))
    problems = V.verify_receipt(mine, closing, public, leaves=forged.leaves)
    assert problems == [
        "receipt: the closed log at size 3 differs from the tree the receipt was signed for"
    ]
    # ... and no consistency proof can bridge the two trees
    proof = forged.consistency_proof(mine["checkpoint"]["checkpoint"]["size"])
    assert V.verify_receipt(mine, closing, public, consistency_proof=proof) == [
        "receipt: the closing tree is not an extension of the receipt's tree"
    ]
    # the server drops the ballot: the closing log no longer starts with the receipt's tree
    dropped = V.PollLog(POLL, key, [x for i, x in enumerate(log.leaves) if i != mine["index"]])
    problems = V.verify_receipt(mine, dropped.signed_checkpoint(T0), public, leaves=dropped.leaves)
    assert problems and "differs from the tree" in problems[0]


def test_a_tampered_or_foreign_receipt_does_not_verify():
    key = V.generate_private_key()
    public = V.public_key_for(key)
    log, receipts = named_log(key)
    closing = log.signed_checkpoint(T0 + timedelta(hours=1))
    mine = receipts[0]

    changed = {**mine, "event": {**mine["event"], "option": "against"}}
    assert (
        "inclusion proof does not put ballot 1 at leaf 1"
        in V.verify_receipt(changed, closing, public, leaves=log.leaves)[0]
    )
    moved = {**mine, "index": 2}
    assert V.verify_receipt(moved, closing, public, leaves=log.leaves)
    other_key = V.public_key_for(V.generate_private_key())
    problems = V.verify_receipt(mine, closing, other_key, leaves=log.leaves)
    assert any("signature is not valid" in p for p in problems)
    assert V.verify_receipt(mine, closing, public) == [
        "receipt: give the closed log's leaves or a consistency proof"
    ]
    assert V.verify_receipt({"ballot": "1"}, closing, public, leaves=log.leaves)[0].startswith(
        "receipt: expected the fields"
    )
    early = log.signed_checkpoint(T0, size=1)
    assert V.verify_receipt(mine, early, public, leaves=log.leaves) == [
        "receipt: its tree is larger than the closing tree"
    ]


def test_poll_log_rejects_events_of_another_poll_and_rebuilds_from_leaves():
    key = V.generate_private_key()
    log, _ = named_log(key)
    with pytest.raises(ValueError):
        log.append({"type": "ballot", "poll": "other"})
    again = V.PollLog(POLL, key, log.leaves)
    assert again.tree.root() == log.tree.root() == MerkleLog.from_data(log.leaves).root()
    assert len(again) == len(log)
