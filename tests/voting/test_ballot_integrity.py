"""One counted ballot per member per poll, whatever the clients do.

These tests run real threads against a real database file (SQLite) and, in the
second pass of scripts/test, against PostgreSQL.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Poll, SecretTally
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_association(transactional_db):
    return factories.make_association(342, slug="groot")


def _open_poll(association, chair, **kwargs):
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal, **kwargs
    )
    if poll.is_secret:
        factories.trustees_for(chair, meeting)
    return voting.do_open_poll(actor=chair, poll=poll)


def _post_ballot(token: str, poll: Poll, option: str = "for", request_key: str = ""):
    client = Client()
    try:
        return client.post(
            f"/api/v1/polls/{poll.public_id}/ballots",
            data={"option": option, "requestKey": request_key},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    finally:
        connection.close()


def test_1000_concurrent_ballots_for_one_member_leave_exactly_one(big_association):
    chair = factories.make_user("chair", big_association, Role.Kind.CHAIR)
    member = factories.member(big_association, 7)
    tokens = []
    for i, function in enumerate(["mayor", "alderman", "council_member", "secretary", "clerk"]):
        user = factories.make_user(
            f"rep{i}", big_association, Role.Kind.REPRESENTATIVE, member=member, function=function
        )
        tokens.append(ApiToken.issue(user, "test")[1])
    poll = _open_poll(big_association, chair)
    assert poll.eligible_members == 342

    start = threading.Barrier(8)

    def vote(i: int):
        if i < 8:
            start.wait()
        option = ("for", "against", "abstain")[i % 3]
        return _post_ballot(tokens[i % len(tokens)], poll, option)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(vote, range(1000)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses[:5]
    assert statuses.count(409) == 999
    for r in responses:
        if r.status_code == 409:
            assert r["Content-Type"] == "application/problem+json"
            assert "heeft al gestemd" in r.json()["detail"]
    assert Ballot.objects.filter(poll=poll).count() == 1
    winner = next(r for r in responses if r.status_code == 201).json()
    assert Ballot.objects.get(poll=poll).public_id.hex == winner["ballotId"].replace("-", "")

    poll = voting.do_close_poll(actor=chair, poll=poll)
    result = poll.outcome
    assert result.voted_members == 1
    assert result == voting.compute_result(poll)


def test_after_close_and_for_another_member_nothing_changes(big_association):
    chair = factories.make_user("chair", big_association, Role.Kind.CHAIR)
    own, other = factories.member(big_association, 1), factories.member(big_association, 2)
    rep = factories.make_user("rep", big_association, Role.Kind.REPRESENTATIVE, member=own)
    token = ApiToken.issue(rep, "test")[1]
    poll = _open_poll(big_association, chair)

    first = _post_ballot(token, poll, "for")
    assert first.status_code == 201
    tally_before = voting.compute_result(Poll.objects.get(pk=poll.pk))

    # A representative can only ever vote for its own member: the API has no way to
    # name another member, and a token of a non-representative is refused with 403.
    outsider = factories.make_user("observer", big_association, Role.Kind.OBSERVER)
    refused = _post_ballot(ApiToken.issue(outsider, "t")[1], poll, "against")
    assert refused.status_code == 403
    assert refused.json()["status"] == 403

    voting.do_close_poll(actor=chair, poll=poll)
    late = _post_ballot(token, poll, "against")
    assert late.status_code == 409
    assert "gesloten" in late.json()["detail"]
    other_rep = factories.make_user("rep2", big_association, Role.Kind.REPRESENTATIVE, member=other)
    late_other = _post_ballot(ApiToken.issue(other_rep, "t")[1], poll, "for")
    assert late_other.status_code == 409

    poll.refresh_from_db()
    assert poll.outcome == tally_before
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_retry_with_same_request_key_returns_the_same_ballot(big_association):
    chair = factories.make_user("chair", big_association, Role.Kind.CHAIR)
    rep = factories.make_user(
        "rep", big_association, Role.Kind.REPRESENTATIVE, member=factories.member(big_association)
    )
    token = ApiToken.issue(rep, "test")[1]
    poll = _open_poll(big_association, chair)
    first = _post_ballot(token, poll, "for", request_key="attempt-1")
    again = _post_ballot(token, poll, "for", request_key="attempt-1")
    other = _post_ballot(token, poll, "for", request_key="attempt-2")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["ballotId"] == again.json()["ballotId"]
    assert again.json()["replayed"] is True


def test_secret_poll_stores_who_voted_but_not_what(big_association):
    chair = factories.make_user("chair", big_association, Role.Kind.CHAIR)
    poll = _open_poll(big_association, chair, is_secret=True)
    choices = {}
    for i in range(30):
        member = factories.member(big_association, i)
        rep = factories.make_user(f"r{i}", big_association, Role.Kind.REPRESENTATIVE, member=member)
        choice = ("for", "against", "abstain")[i % 3]
        receipt = factories.sealed_vote(poll, rep, choice)
        assert f'"{choice}"' not in json.dumps(receipt.as_json())  # the receipt holds no choice
        choices[member.pk] = choice
    stored = Ballot.objects.filter(poll=poll)
    assert stored.count() == 30
    assert not stored.exclude(option=None).exists()
    assert not stored.exclude(cast_by=None).exists()
    assert not SecretTally.objects.filter(poll=poll).exists()  # nothing counted in the clear

    poll = factories.close_secret(chair, poll)
    weights = {e.member_id: e.weight for e in poll.register.all()}
    for key in ("for", "against", "abstain"):
        expected = sum((weights[m] for m, c in choices.items() if c == key), Decimal(0))
        assert poll.outcome.option(key).weight == expected
        assert poll.outcome.option(key).members == 10
    assert poll.outcome.groups == ()
