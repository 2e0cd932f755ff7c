"""Ballots racing repeated close calls: what was acknowledged is what was counted."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.core import bundle as core_bundle
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf, Poll
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]
VOTERS, CLOSERS = 60, 6


def _post(path: str, token: str, data=None):
    try:
        return Client().post(
            path,
            data=data or {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    finally:
        connection.close()


def test_every_acknowledged_ballot_is_in_the_closing_checkpoint_and_nothing_else():
    association = factories.make_association(VOTERS, slug="race")
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
    ballots_url = f"/api/v1/polls/{poll.public_id}/ballots"
    close_url = f"/api/v1/polls/{poll.public_id}/close"
    start = threading.Barrier(8)

    # Ballots for every member; from about halfway, close requests among them.
    jobs: list[tuple[str, int]] = [("ballot", n) for n in range(VOTERS)]
    for k in range(CLOSERS):
        jobs.insert(VOTERS * 6 // 10 + 3 * k, ("close", k))

    def job(i: int):
        if i < 8:
            start.wait()
        kind, n = jobs[i]
        if kind == "close":
            return (kind, _post(close_url, chair_token))
        return (kind, _post(ballots_url, tokens[n], {"option": ("option-1", "option-2")[n % 2]}))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(job, range(len(jobs))))

    closes = [r for kind, r in results if kind == "close"]
    ballots = [r for kind, r in results if kind == "ballot"]
    assert [r.status_code for r in closes].count(200) == 1
    assert all(
        r.status_code == 409 and "Alleen een open stemming" in r.json()["detail"]
        for r in closes
        if r.status_code != 200
    )
    acknowledged = {r.json()["ballotId"] for r in ballots if r.status_code == 201}
    refused = [r for r in ballots if r.status_code != 201]
    assert all(r.status_code == 409 and "gesloten" in r.json()["detail"] for r in refused)

    poll = Poll.objects.get(pk=poll.pk)
    bundle = vote_log.bundle_bytes(poll)
    assert core_bundle.verify_bundle(bundle, expected_key_id=vote_log.public_key_id()) == []
    closing = poll.log.closing_checkpoint["checkpoint"]
    leaves = [
        json.loads(d) for d in LogLeaf.objects.filter(poll=poll).values_list("data", flat=True)
    ]
    in_checkpoint = {e["ballot"] for e in leaves[: closing["size"]] if e["type"] == "ballot"}
    assert closing["size"] == len(leaves)  # nothing after the close
    stored = {str(b) for b in Ballot.objects.filter(poll=poll).values_list("public_id", flat=True)}
    assert in_checkpoint == acknowledged == stored
    assert poll.outcome.voted_members == len(acknowledged)
    # Every acknowledged receipt proves its ballot in the closed log.
    for r in ballots:
        if r.status_code == 201:
            receipt = r.json()["logReceipt"]
            assert core_bundle.verify_receipt_in_bundle(receipt, bundle) == []
    # Closing again, and again, agrees: refused, and the stored result does not move.
    for _ in range(3):
        assert _post(close_url, chair_token).status_code == 409
    assert Poll.objects.get(pk=poll.pk).outcome == poll.outcome == voting.compute_result(poll)
    print(
        f"{len(ballots)} ballots racing {len(closes)} closes → 1 close, {len(acknowledged)} "
        f"acknowledged = {len(in_checkpoint)} in the closing checkpoint, {len(refused)} refused"
    )
