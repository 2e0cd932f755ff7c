"""The published poll bundle (core.bundle) and the stand-alone verifier (besluit/verify.py).

No Django and no database. A bundle that verifies, then every kind of tampering
with its own message, then every single byte changed, then the script as a
plain file in an environment where Django cannot be imported.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from besluit import verify as verify_script
from besluit.core import bundle as B
from besluit.core import votelog as V
from besluit.core.voting import YES_NO, Ballot, Option, Rule, Voter, tally

D = Decimal
T0 = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
POLL = "5f0c8f7e-1b1a-4c55-9a39-3f1f0d6c2a10"
SRC = Path(B.__file__).resolve().parents[3]  # src/besluit/core/bundle/__init__.py
SCRIPT = SRC / "besluit" / "verify.py"
REGISTER = [
    {"member": "GM0014", "name": "Groningen", "weight": D("5.000"),
     "groups": ["network:G40", "province:Groningen"]},
    {"member": "GM0034", "name": "Almere", "weight": D("4"),
     "groups": ["network:G40", "province:Flevoland"]},
    {"member": "GM0363", "name": "Amsterdam", "weight": D("10"),
     "groups": ["network:G4", "province:Noord-Holland"]},
    {"member": "GM0880", "name": "Wormerland", "weight": D("1.5"),
     "groups": ["network:K80", "province:Noord-Holland"]},
    {"member": "GM1680", "name": "Aa en Hunze", "weight": D("2"),
     "groups": ["network:P10", "province:Drenthe"]},
]  # fmt: skip
VOTES = {"GM0014": "for", "GM0034": "against", "GM0363": "for", "GM0880": "abstain"}
TITLE = "07 Motie ‘Samen sterk’ (Drechterland c.s.)"


@dataclass
class Poll:
    key: bytes
    secret: bool
    log: V.PollLog
    receipts: list
    bundle: dict
    data: bytes


def count(register, votes, by_group=False):
    index = {r["member"]: n for n, r in enumerate(register)}
    return tally(
        register=[Voter(index[r["member"]], r["weight"], frozenset(r["groups"])) for r in register],
        ballots=[Ballot(index[m], o) for m, o in votes.items()],
        options=YES_NO,
        rule=Rule(),
        by_group=by_group,
    )


def make_poll(*, secret=False, votes=VOTES, key=None, by_group=False, register=REGISTER):
    key = key or V.generate_private_key()
    log = V.PollLog(POLL, key)
    log.append(
        V.opened_event(
            poll=POLL,
            title=TITLE,
            register=register,
            options=YES_NO,
            rule=Rule(),
            secret=secret,
            at=T0,
        )
    )
    checkpoints = [log.signed_checkpoint(T0)]
    receipts = []
    for n, (member, option) in enumerate(votes.items(), start=1):
        at = T0 + timedelta(minutes=n)
        if secret:
            event = V.secret_ballot_event(poll=POLL, receipt_code=V.new_receipt_code())
        else:
            event = V.ballot_event(poll=POLL, ballot=str(n), member=member, option=option, at=at)
        index, _ = log.append(event)
        receipts.append(log.receipt(index, at))
    result = count(register, votes, by_group)
    log.append(V.closed_event(poll=POLL, totals=result, at=T0 + timedelta(hours=1)))
    checkpoints.append(log.signed_checkpoint(T0 + timedelta(hours=1)))
    bundle = B.build_bundle(
        register=register,
        leaves=log.leaves,
        checkpoints=checkpoints,
        private_key=key,
        voters=list(votes) if secret else None,
    )
    return Poll(key, secret, log, receipts, bundle, B.serialize_bundle(bundle))


@pytest.fixture(scope="module")
def named():
    return make_poll()


@pytest.fixture(scope="module")
def secret():
    return make_poll(secret=True)


def edited(poll, change, *, resign_bundle=False):
    """The bundle after ``change(dict)``, written canonically; the bundle signature is
    recomputed only with ``resign_bundle`` (a publisher who has the key)."""
    bundle = json.loads(poll.data)
    change(bundle)
    if resign_bundle:
        body = {k: v for k, v in bundle.items() if k != "signature"}
        signature = V.sign(poll.key, B.BUNDLE_CONTEXT + V.canonical_json(body))
        bundle["signature"] = signature.hex()
    return B.serialize_bundle(bundle)


def forged(poll, events, *, key=None, **overrides):
    """A server with the key rewrites the log: new events, freshly signed checkpoints."""
    key = key or poll.key
    log = V.PollLog(POLL, key, [V.encode_event(e) for e in events])
    checkpoints = [log.signed_checkpoint(T0, 1), log.signed_checkpoint(T0 + timedelta(hours=1))]
    register = overrides.pop("register", REGISTER)
    if poll.secret:
        overrides.setdefault("voters", poll.bundle.get("voters"))
    bundle = B.build_bundle(
        register=register,
        leaves=log.leaves,
        checkpoints=checkpoints,
        private_key=key,
        check=False,
        **overrides,
    )
    return B.serialize_bundle(bundle)


def events_of(poll):
    return json.loads(poll.data)["log"]["leaves"]


def problems_of(data, **kwargs):
    problems = B.verify_bundle(data, **kwargs)
    assert problems, "tampering went unnoticed"
    return "\n".join(problems)


# --- bundles that verify -------------------------------------------------------------


def test_a_named_bundle_verifies_and_has_the_documented_shape(named):
    assert B.verify_bundle(named.data) == []
    assert B.verify_bundle(named.bundle) == []
    b = named.bundle
    assert sorted(b) == [
        "choices",
        "decision",
        "format",
        "key",
        "log",
        "poll",
        "register",
        "signature",
        "totals",
    ]
    assert b["format"] == "besluit-poll-bundle/1"
    assert b["choices"] == VOTES
    assert b["decision"] == {"outcome": "adopted", "winner": "for"}
    assert b["totals"] == count(REGISTER, VOTES).to_dict()
    assert b["register"][0] == {
        "member": "GM0014",
        "name": "Groningen",
        "weight": "5",
        "groups": ["network:G40", "province:Groningen"],
    }
    assert b["key"]["key_id"] == V.key_id(V.public_key_for(named.key))
    assert [c["checkpoint"]["size"] for c in b["log"]["checkpoints"]] == [1, 6]
    assert named.data == V.canonical_json(b) + b"\n"
    assert B.bundle_hash(named.data) == B.bundle_hash(b)
    assert B.bundle_summary(b) == {
        "title": TITLE,
        "ballots": 4,
        "root": named.log.tree.root().hex(),
        "key_id": b["key"]["key_id"],
    }


def test_a_secret_bundle_verifies_and_tells_nothing_about_choices(secret):
    assert B.verify_bundle(secret.data) == []
    b = secret.bundle
    assert "choices" not in b
    assert b["voters"] == sorted(VOTES)
    for event in b["log"]["leaves"][1:-1]:
        assert sorted(event) == ["ballot", "poll", "type"]
    for member in VOTES:  # the leaves never name a member
        assert member not in json.dumps(b["log"])


def test_group_breakdowns_are_recounted_too():
    poll = make_poll(by_group=True)
    assert poll.bundle["totals"]["groups"]
    assert B.verify_bundle(poll.data) == []


def test_build_bundle_refuses_to_produce_a_bundle_that_fails():
    poll = make_poll()
    with pytest.raises(B.BundleError) as info:
        B.build_bundle(
            register=REGISTER,
            leaves=poll.log.leaves,
            checkpoints=[poll.log.signed_checkpoint(T0, 1)],
            private_key=poll.key,
        )
    assert "must sign the whole log" in str(info.value)
    with pytest.raises(ValueError, match="closed log"):
        B.build_bundle(
            register=REGISTER, leaves=poll.log.leaves[:-1], checkpoints=[], private_key=poll.key
        )


def test_receipts_check_out_against_the_bundle(named, secret):
    for poll in (named, secret):
        for receipt in poll.receipts:
            assert B.verify_receipt_in_bundle(receipt, poll.data) == []
    foreign = secret.receipts[0]
    assert B.verify_receipt_in_bundle(foreign, named.data)


# --- tampering, each with its own message ----------------------------------------------


def test_changed_vote(named):
    def change(b):
        b["log"]["leaves"][2]["option"] = "for"  # GM0034 voted against

    text = problems_of(edited(named, change))
    assert "checkpoint 1 (size 6): signed root" in text
    assert "does not match the root" in text
    assert "choices: GM0034 is listed as 'against' but its ballot (leaf 2) says 'for'" in text
    assert "totals: the recount of the ballots gives option 'for' weight 19" in text
    assert "bundle signature is not valid" in text

    # the same change by a server that has the key and signs everything anew
    events = events_of(named)
    events[2]["option"] = "for"
    text = problems_of(forged(named, events, choices=VOTES))
    assert "signature" not in text and "root" not in text
    assert "choices: GM0034 is listed as 'against'" in text
    assert "totals: the recount of the ballots gives option 'against' weight 0 from 0" in text


def test_changed_choice_list(named):
    def change(b):
        b["choices"]["GM0363"] = "against"

    text = problems_of(edited(named, change, resign_bundle=True))
    assert text == "choices: GM0363 is listed as 'against' but its ballot (leaf 3) says 'for'"


def test_changed_weight(named):
    def change(b):
        b["register"][2]["weight"] = "100"  # Amsterdam weighs 10

    text = problems_of(edited(named, change, resign_bundle=True))
    assert "register fingerprint" in text and "members or weights were changed" in text
    assert "totals: the recount of the ballots gives eligible_weight 112.5" in text


def test_added_or_removed_member(named):
    def change(b):
        del b["register"][4]

    text = problems_of(edited(named, change, resign_bundle=True))
    assert "register fingerprint" in text


def test_removed_ballot(named):
    def change(b):
        del b["log"]["leaves"][3]

    text = problems_of(edited(named, change))
    assert "checkpoint 1: signs a log of 6 leaves, but the bundle has 5" in text
    assert "the last checkpoint must sign the whole log of 5 leaves" in text
    assert "choices: GM0363 is listed as 'for' but cast no ballot" in text
    assert "totals: the recount of the ballots gives voted_members 3" in text


def test_reordered_leaves(named):
    def change(b):
        leaves = b["log"]["leaves"]
        leaves[1], leaves[3] = leaves[3], leaves[1]

    text = problems_of(edited(named, change))
    assert "checkpoint 1 (size 6): signed root" in text
    assert "leaf 3: time 2025-06-04T10:01:00Z is before the time of an earlier leaf" in text
    assert "recount" not in text  # the same ballots: only the order gives it away

    def swap_opened(b):
        leaves = b["log"]["leaves"]
        leaves[0], leaves[1] = leaves[1], leaves[0]

    assert "leaf 0 must be the opened event" in problems_of(edited(named, swap_opened))


def test_wrong_signature(named):
    def bundle_sig(b):
        b["signature"] = b["signature"][:-2] + ("00" if b["signature"][-2:] != "00" else "01")

    assert (
        problems_of(edited(named, bundle_sig))
        == "bundle signature is not valid for the published key"
    )

    def checkpoint_sig(b):
        sig = b["log"]["checkpoints"][0]["signature"]
        b["log"]["checkpoints"][0]["signature"] = ("00" if sig[:2] != "00" else "01") + sig[2:]

    assert problems_of(edited(named, checkpoint_sig, resign_bundle=True)) == (
        "checkpoint 0: signature is not valid"
    )

    def upper_case(b):
        b["signature"] = b["signature"].upper()

    assert "not 64 bytes of lower-case hex" in problems_of(edited(named, upper_case))


def test_different_key(named):
    other = V.generate_private_key()
    resigned = forged(named, events_of(named), key=other)
    # a consistent bundle under another key passes on its own ...
    assert B.verify_bundle(resigned) == []
    # ... so members compare the key id with the one the association publishes
    expected = V.key_id(V.public_key_for(named.key))
    text = problems_of(resigned, expected_key_id=expected)
    assert (
        text
        == f"signed by key {V.key_id(V.public_key_for(other))}, but the expected key is {expected}"
    )
    assert B.verify_bundle(named.data, expected_key_id=expected.upper()) == []

    def swap_key(b):  # only the published key replaced: nothing it signed matches
        public = V.public_key_for(other)
        b["key"].update(public_key=public.hex(), key_id=V.key_id(public))

    text = problems_of(edited(named, swap_key))
    assert "bundle signature is not valid" in text
    assert "checkpoint 0: signed by key" in text and "not by the published key" in text
    assert "checkpoint 1: signature is not valid" in text

    def bad_key_id(b):
        b["key"]["key_id"] = "00" * 32

    assert "is not the SHA-256 of the public key" in problems_of(edited(named, bad_key_id))


def test_changed_totals(named):
    def change(b):
        b["totals"]["options"][0]["weight"] = "16"

    text = problems_of(edited(named, change, resign_bundle=True))
    assert text == "totals differ from the totals in the closed event of the signed log"

    # the closing totals themselves, by a server that signs its own log
    events = events_of(named)
    events[-1]["totals"]["options"][0]["weight"] = "16"
    events[-1]["totals"]["voted_weight"] = "22.5"
    text = problems_of(forged(named, events))
    assert (
        "totals: the recount of the ballots gives voted_weight 20.5, the closed event says 22.5"
        in text
    )
    assert "option 'for' weight 15 from 2 members" in text


def test_totals_with_extra_fields(named):
    events = events_of(named)
    events[-1]["totals"]["note"] = "counted twice"
    text = problems_of(forged(named, events))
    assert text == "closed event: totals have other fields than a result (Result.to_dict())"


def test_changed_outcome(named):
    def change(b):
        b["decision"] = {"outcome": "rejected", "winner": None}

    text = problems_of(edited(named, change, resign_bundle=True))
    assert text == "decision rejected/None is not what the closed event says (adopted/for)"

    events = events_of(named)
    events[-1]["totals"].update(outcome="rejected", winner=None)
    text = problems_of(forged(named, events))
    assert (
        "totals: the recount of the ballots gives outcome adopted, the closed event says rejected"
        in text
    )
    assert "winner 'for', the closed event says None" in text


def test_changed_poll_description(named):
    def change(b):
        b["poll"]["title"] = "07 Motie (ingetrokken)"

    assert problems_of(edited(named, change, resign_bundle=True)) == (
        "poll: title differs from the opened event (leaf 0)"
    )


def test_ballots_that_cannot_count(named):
    events = events_of(named)
    stranger = {**events[1], "ballot": "9", "member": "GM9999"}
    twice = {**events[1], "ballot": "10", "option": "against"}
    unknown = {**events[1], "ballot": "11", "member": "GM1680", "option": "maybe"}
    same_id = {**events[2], "member": "GM1680"}
    forged_events = [*events[:-1], stranger, twice, unknown, same_id, events[-1]]
    text = problems_of(forged(named, forged_events))
    assert "leaf 5: member GM9999 is not on the register" in text
    assert "leaf 6: member GM0014 voted twice (also leaf 1)" in text
    assert "leaf 7: unknown option 'maybe'" in text
    assert "leaf 8: ballot id 2 also at leaf 2" in text

    leak = [*events[:-1], {**events[1], "weight": "5"}, events[-1]]
    assert "leaf 5: ballot event must not contain weight" in problems_of(forged(named, leak))


def test_secret_poll_tampering(secret):
    events = events_of(secret)
    # one ballot more than the totals count
    extra = V.secret_ballot_event(poll=POLL, receipt_code=V.new_receipt_code())
    text = problems_of(forged(secret, [*events[:-1], extra, events[-1]]))
    assert "the closed event counts 4 members who voted, but the log has 5 ballots" in text
    assert "voters: lists 4 members, but the log has 5 ballots" in text

    # a secret ballot that names its member
    leaky = [*events[:2], {**events[2], "member": "GM0034"}, *events[3:]]
    assert "leaf 2: secret ballot must not contain member" in problems_of(forged(secret, leaky))

    # totals moved between options: same turnout, other shares
    moved = json.loads(json.dumps(events))
    options = moved[-1]["totals"]["options"]
    options[0]["weight"], options[1]["weight"] = "4", "15"
    text = problems_of(forged(secret, moved))
    assert "totals: deciding the totals again gives outcome rejected" in text

    # more weight voted than the listed voters have
    heavy = json.loads(json.dumps(events))
    heavy[-1]["totals"]["options"][1]["weight"] = "6"
    heavy[-1]["totals"]["voted_weight"] = "22.5"
    text = problems_of(forged(secret, heavy))
    assert "voters: the listed members weigh 20.5, the totals say 22.5 voted" in text

    # a voter list that names somebody else
    text = problems_of(forged(secret, events, voters=["GM0014", "GM0034", "GM0363", "GM9999"]))
    assert "voters: GM9999 is not on the register" in text

    # choices have no place in a secret bundle
    def add_choices(b):
        b["choices"] = {}

    assert "must not list choices" in problems_of(edited(secret, add_choices, resign_bundle=True))


def test_impossible_secret_totals(secret):
    events = json.loads(json.dumps(events_of(secret)))
    events[-1]["totals"]["voted_weight"] = "1000"
    text = problems_of(forged(secret, events, voters=None))
    assert "voted weight 1000 exceeds the eligible weight 22.5" in text


def test_not_in_canonical_form(named):
    pretty = json.dumps(json.loads(named.data), indent=1, ensure_ascii=False).encode()
    text = problems_of(pretty)
    assert text.startswith("not in canonical form (first difference at byte 1)")
    assert "not in canonical form" in problems_of(named.data[:-1])  # no final newline
    assert "not in canonical form" in problems_of(named.data + b"\n")
    dup = named.data.replace(b'{"choices":', b'{"choices":{},"choices":', 1)
    assert "duplicate key 'choices'" in problems_of(dup)
    floaty = named.data.replace(b'"size":1}', b'"size":1.0}', 1)
    assert floaty != named.data
    assert "has a fraction or exponent" in problems_of(floaty)
    escaped = named.data.replace("‘".encode(), b"\\u2018", 1)
    assert escaped != named.data
    assert "not in canonical form" in problems_of(escaped)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON: Expecting value at line 1 column 1 (byte 0)"),
        (b'{"a": NaN}', "NaN is not a JSON value"),
        (b'{"a": "\xff"}', "not valid UTF-8 at byte 7"),
        (b"[" * 100000, "not valid JSON"),
        (b"[]\n", "a bundle is a JSON object"),
        (b'{"format":"besluit-poll-bundle/1"}\n', "missing field 'decision'"),
    ],
)
def test_unreadable_or_empty_bundles(data, message):
    assert message in problems_of(data)


# --- every byte matters ------------------------------------------------------------------


def small_poll(secret):
    """A poll of a few KB: three members, two ballots, one checkpoint."""
    register = [{**r, "name": "", "groups": []} for r in REGISTER[:3]]
    key = V.generate_private_key()
    log = V.PollLog(POLL, key)
    log.append(
        V.opened_event(
            poll=POLL,
            title="M",
            register=register,
            options=YES_NO,
            rule=Rule(),
            secret=secret,
            at=T0,
        )
    )
    votes = {"GM0014": "for", "GM0034": "against"}
    for n, (member, option) in enumerate(votes.items()):
        log.append(
            V.secret_ballot_event(poll=POLL, receipt_code=V.new_receipt_code())
            if secret
            else V.ballot_event(poll=POLL, ballot=str(n), member=member, option=option, at=T0)
        )
    log.append(V.closed_event(poll=POLL, totals=count(register, votes), at=T0))
    bundle = B.build_bundle(
        register=register,
        leaves=log.leaves,
        checkpoints=[log.signed_checkpoint(T0)],
        private_key=key,
        voters=list(votes) if secret else None,
    )
    return B.serialize_bundle(bundle)


@pytest.mark.parametrize(("kind", "flip"), [("named", 0x01), ("secret", 0x20)])
def test_changing_any_single_byte_makes_verification_fail(kind, flip):
    data = small_poll(secret=kind == "secret")
    assert B.verify_bundle(data) == []
    assert 2500 < len(data) < 5000
    unnoticed = []
    for i in range(len(data)):
        tampered = bytearray(data)
        tampered[i] ^= flip
        if not B.verify_bundle(bytes(tampered)):
            unnoticed.append(i)
    assert unnoticed == []


json_leaf = st.none() | st.booleans() | st.integers(-3, 10**20) | st.text(max_size=5)
json_value = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), json_value)
def test_any_changed_value_is_reported_and_never_crashes_the_verifier(named, data, value):
    bundle = json.loads(named.data)
    # walk to a random place in the bundle and put a random JSON value there
    node, path = bundle, []
    while isinstance(node, dict | list) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        path.append(key)
        if data.draw(st.booleans()) or not isinstance(node[key], dict | list):
            break
        node = node[key]
    parent = bundle
    for key in path[:-1]:
        parent = parent[key]
    if path:
        if parent[path[-1]] == value:
            return
        parent[path[-1]] = value
    problems = B.verify_bundle(B.serialize_bundle(bundle))
    assert problems and all(isinstance(p, str) for p in problems)
    if path[0] == "signature" or (path[0] == "register" and path[-1] in ("name", "groups")):
        # Re-signing restores the first; the second, names and groups, are bound by the
        # bundle signature only (the register fingerprint covers members and weights).
        return
    # ... even for a publisher who re-signs the bundle itself (the log stays bound by the
    # checkpoint signatures members hold in their receipts)
    resigned = edited(named, lambda b: (b.clear(), b.update(bundle)), resign_bundle=True)
    assert B.verify_bundle(resigned)


# --- the script ------------------------------------------------------------------------------


def run_main(*args):
    out, err = StringIO(), StringIO()
    code = verify_script.main([str(a) for a in args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_main_exit_codes(named, tmp_path):
    good = tmp_path / "poll.json"
    good.write_bytes(named.data)
    code, out, _ = run_main(good)
    assert code == 0
    assert out.splitlines()[0] == (
        f"OK: poll {TITLE}, 4 ballots, root {named.log.tree.root().hex()}, "
        f"signed by key {named.bundle['key']['key_id']}"
    )
    assert code == run_main(good, "--key-id", named.bundle["key"]["key_id"])[0] == 0
    code, out, _ = run_main(good, "--key-id", "ab" * 32)
    assert code == 1 and "but the expected key is" in out

    bad = tmp_path / "bad.json"
    bad.write_bytes(named.data.replace(b'"for"', b'"against"', 1))
    code, out, _ = run_main(bad)
    assert code == 1 and out.splitlines()[-1].startswith(f"{bad}: FAILED")

    broken = tmp_path / "broken.json"
    broken.write_bytes(named.data[:100])
    code, _, err = run_main(broken)
    assert code == 2 and err.startswith(f"{broken}: not valid JSON:") and "column" in err
    code, _, err = run_main(tmp_path / "missing.json")
    assert code == 2 and "cannot read" in err

    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(named.receipts[2]))
    code, out, _ = run_main(good, "--receipt", receipt)
    assert code == 0 and "OK: receipt 3 is leaf 3 of the closed log" in out
    receipt.write_text(json.dumps({**named.receipts[2], "index": 1}))
    assert run_main(good, "--receipt", receipt)[0] == 1


@pytest.fixture
def no_django(tmp_path):
    """An environment in which ``import django`` fails, and leaves a mark if tried."""
    blocker = tmp_path / "blocker"
    (blocker / "django").mkdir(parents=True)
    marker = tmp_path / "django-was-imported"
    (blocker / "django" / "__init__.py").write_text(
        "import os, pathlib\n"
        "pathlib.Path(os.environ['DJANGO_IMPORT_MARKER']).write_text('imported')\n"
        "raise ImportError('Django is not installed here')\n"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(blocker),
        "DJANGO_IMPORT_MARKER": str(marker),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    check = subprocess.run([sys.executable, "-c", "import django"], env=env, capture_output=True)
    assert check.returncode != 0 and marker.exists()  # the blocker works
    marker.unlink()
    return env, marker


def test_the_script_runs_as_a_plain_file_without_django(named, secret, tmp_path, no_django):
    env, marker = no_django
    for poll in (named, secret):
        path = tmp_path / "bundle.json"
        path.write_bytes(poll.data)
        result = subprocess.run(
            [sys.executable, str(SCRIPT), str(path)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"OK: poll {TITLE}, 4 ballots, root ")
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(named.data.replace(b'"weight":"10"', b'"weight":"11"', 1))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tampered), "--key-id", "00"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "register fingerprint" in result.stdout and "expected key is 00" in result.stdout
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"format": }')
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(broken)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{broken}: not valid JSON: Expecting value at line 1 column 12 (byte 11)"
    )
    assert not marker.exists(), "the verifier imported Django"


def test_the_script_runs_as_a_module_without_django(named, tmp_path, no_django):
    env, marker = no_django
    env = {**env, "PYTHONPATH": f"{env['PYTHONPATH']}{os.pathsep}{SRC}"}
    path = tmp_path / "bundle.json"
    path.write_bytes(named.data)
    result = subprocess.run(
        [sys.executable, "-m", "besluit.verify", str(path)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: poll ")
    assert not marker.exists()


def test_core_modules_do_not_import_django():
    code = (
        "import sys; import besluit.core.bundle, besluit.verify; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django' "
        "or m.startswith('besluit.') and not m.startswith(('besluit.core', 'besluit.verify'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alternatives_poll_with_fractional_weights():
    options = (
        Option("board", "Voorstel bestuur"),
        Option("amended", "Geamendeerd voorstel"),
        Option("against_both", "Tegen beide"),
        Option("abstain", "Onthouding", is_abstention=True),
    )
    register = [{"member": f"GM{i:04d}", "weight": D(i) / 4} for i in range(1, 8)]
    votes = {
        "GM0001": "board",
        "GM0002": "amended",
        "GM0003": "amended",
        "GM0007": "amended",
        "GM0005": "against_both",
        "GM0006": "abstain",
    }
    key = V.generate_private_key()
    rule = Rule(majority="two_thirds", quorum=D("0.5"))
    log = V.PollLog(POLL, key)
    log.append(
        V.opened_event(
            poll=POLL,
            title="Statutenwijziging",
            register=register,
            options=options,
            rule=rule,
            secret=False,
            at=T0,
        )
    )
    for n, (member, option) in enumerate(votes.items()):
        log.append(V.ballot_event(poll=POLL, ballot=f"b{n}", member=member, option=option, at=T0))
    index = {r["member"]: n for n, r in enumerate(register)}
    result = tally(
        register=[Voter(index[r["member"]], r["weight"]) for r in register],
        ballots=[Ballot(index[m], o) for m, o in votes.items()],
        options=options,
        rule=rule,
    )
    log.append(V.closed_event(poll=POLL, totals=result, at=T0))
    bundle = B.build_bundle(
        register=register,
        leaves=log.leaves,
        checkpoints=[log.signed_checkpoint(T0)],
        private_key=key,
    )
    # 3 of 4.5 cast is exactly two thirds: enough
    assert bundle["decision"] == {"outcome": "adopted", "winner": "amended"}
    assert B.verify_bundle(B.serialize_bundle(bundle)) == []


def test_an_option_key_of_another_type_is_reported_not_a_crash(named):
    """Found by the test above (an option's key replaced by a list): the verifier said
    "unhashable type" and stopped instead of reporting it."""

    def change(b):
        b["log"]["leaves"][0]["options"][0]["key"] = ["for"]

    assert "opened event: options or rule are not valid" in problems_of(edited(named, change))
