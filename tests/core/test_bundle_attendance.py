"""Ballots cast by proxy or on paper in the log and the bundle (the attendance app).

A named ballot leaf may say ``"proxy": <member>`` (cast by that member's
representatives) and ``"paper": true``; a secret ballot leaf only ``"paper": true``. A
bundle with them verifies; a proxy that is the member itself or not on the register, a
``paper`` that is not true, or a proxy on a secret leaf is refused. No Django.
"""

from datetime import timedelta

from besluit.core import bundle as B
from besluit.core import votelog as V
from besluit.core.voting import YES_NO, Rule
from tests.core.test_bundle import POLL, REGISTER, T0, TITLE, count

KEY = V.generate_private_key()


def build(ballots, *, check=False) -> bytes:
    """A named poll's bundle; ``ballots``: (id, member, option, extra fields of the leaf)."""
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
            changes=False,
        )
    )
    checkpoints = [log.signed_checkpoint(T0)]
    votes = {}
    for n, (ballot, member, option, extra) in enumerate(ballots, start=1):
        event = V.ballot_event(
            poll=POLL,
            ballot=ballot,
            member=member,
            option=option,
            at=T0 + timedelta(minutes=n),
        )
        log.append({**event, **extra})
        votes[member] = option
    log.append(V.closed_event(poll=POLL, totals=count(REGISTER, votes), at=T0 + timedelta(hours=1)))
    checkpoints.append(log.signed_checkpoint(T0 + timedelta(hours=1)))
    bundle = B.build_bundle(
        register=REGISTER,
        leaves=log.leaves,
        checkpoints=checkpoints,
        private_key=KEY,
        check=check,
    )
    return B.serialize_bundle(bundle)


def test_a_proxy_ballot_and_a_paper_ballot_verify():
    event = V.ballot_event(
        poll=POLL, ballot="1", member="GM0014", option="for", at=T0, proxy="GM0034", paper=False
    )
    assert event["proxy"] == "GM0034" and "paper" not in event
    data = build(
        [("1", "GM0014", "for", {"proxy": "GM0034"}), ("2", "GM0034", "against", {"paper": True})],
        check=True,
    )
    assert B.verify_bundle(data) == []
    leaves = B.load_bundle(data)["log"]["leaves"]
    assert [e.get("proxy") for e in leaves[1:3]] == ["GM0034", None]
    assert [e.get("paper") for e in leaves[1:3]] == [None, True]


def test_a_ballot_as_before_keeps_its_bytes():
    plain = V.ballot_event(poll=POLL, ballot="1", member="GM0014", option="for", at=T0)
    assert set(plain) == {"type", "poll", "ballot", "member", "option", "at"}


def test_a_wrong_proxy_or_paper_mark_is_refused():
    to_itself = build([("1", "GM0014", "for", {"proxy": "GM0014"})])
    assert any("proxy GM0014 is not another member" in p for p in B.verify_bundle(to_itself))
    stranger = build([("1", "GM0014", "for", {"proxy": "GM9999"})])
    assert any("proxy GM9999" in p for p in B.verify_bundle(stranger))
    not_true = build([("1", "GM0014", "for", {"paper": False})])
    assert any("'paper' is true when present" in p for p in B.verify_bundle(not_true))


def test_a_secret_leaf_may_say_paper_but_names_no_proxy():
    code = V.new_receipt_code()
    paper = V.secret_ballot_event(poll=POLL, receipt_code=code, paper=True)
    assert V.event_problems(paper, poll=POLL, secret=True, where="leaf 1") == []
    proxied = {**V.secret_ballot_event(poll=POLL, receipt_code=code), "proxy": "GM0014"}
    assert V.event_problems(proxied, poll=POLL, secret=True, where="leaf 1") == [
        "leaf 1: secret ballot must not contain proxy"
    ]
