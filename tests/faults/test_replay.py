"""Replaying a ballot request, in the same poll or in another, never counts twice."""

import pytest
from django.test import Client

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf, Poll
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


@pytest.fixture
def setup(association, meeting, chair):
    rep = factories.make_user(
        "burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )
    token = ApiToken.issue(rep, "t")[1]

    def poll(**kwargs) -> Poll:
        p = voting.do_create_poll(
            actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"], **kwargs
        )
        return voting.do_open_poll(actor=chair, poll=p)

    def post(p: Poll, option: str, key: str):
        return Client().post(
            f"/api/v1/polls/{p.public_id}/ballots",
            data={"option": option, "requestKey": key},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return poll, post


def test_replay_in_the_same_poll_gives_the_same_receipt_and_counts_once(setup):
    poll, post = setup
    p = poll()
    first = post(p, "option-1", "k1")
    replays = [post(p, "option-1", "k1"), post(p, "option-2", "k1")]
    assert first.status_code == 201
    assert [r.status_code for r in replays] == [200, 200]
    assert {r.json()["ballotId"] for r in replays} == {first.json()["ballotId"]}
    assert all(r.json()["option"] == "option-1" for r in replays)  # the first request's choice
    assert Ballot.objects.filter(poll=p).count() == 1
    assert LogLeaf.objects.filter(poll=p).count() == 2  # opened + one ballot
    print("3 identical requests → 1 ballot, 1 log leaf, the same receipt")


def test_replay_in_another_poll_is_refused(setup):
    poll, post = setup
    one, two = poll(), poll()
    assert post(one, "option-1", "same-key").status_code == 201
    again = post(two, "option-1", "same-key")
    assert again.status_code == 409 and "andere stemming" in again.json()["detail"]
    assert Ballot.objects.filter(poll=two).count() == 0
    assert post(two, "option-1", "fresh-key").status_code == 201


def test_a_sealed_ballot_replayed_in_another_poll_is_refused(setup, chair, meeting):
    """A secret poll's ballot is bound to its poll, member and request key by its proofs:
    the same bytes sent to another poll fail there, whatever the request key."""
    poll, post = setup
    factories.trustees_for(chair, meeting)
    one, two = poll(is_secret=True), poll(is_secret=True)
    rep = Ballot._meta.apps.get_model("accounts", "User").objects.get(username="burgemeester")
    member = factories.member(meeting.association, 0)
    token = ApiToken.issue(rep, "s")[1]

    def send(p, data: bytes, key: str):
        return Client().post(
            f"/api/v1/polls/{p.public_id}/sealed-ballots",
            data={"ballot": data.hex(), "requestKey": key},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    data, key = sealedkit.seal(one, member, 0)
    assert send(one, data, key).status_code == 201
    again = send(two, data, key)
    assert again.status_code == 400 and again["Content-Type"] == "application/problem+json"
    assert Ballot.objects.filter(poll=two).count() == 0
    # Plaintext to a secret poll: refused with a problem saying why.
    plain = post(two, "option-1", "plain-key")
    assert plain.status_code == 400 and "versleutelde" in plain.json()["detail"]
    fresh, fresh_key = sealedkit.seal(two, member, 1)
    assert send(two, fresh, fresh_key).status_code == 201


def test_replay_after_the_close_is_refused(setup, chair):
    poll, post = setup
    p = poll()
    assert post(p, "option-1", "k").status_code == 201
    voting.do_close_poll(actor=chair, poll=p)
    late = post(p, "option-2", "k2")
    assert late.status_code == 409


def test_replaying_an_older_request_does_not_undo_a_change(setup):
    poll, post = setup
    p = poll(allow_change=True)
    assert post(p, "option-1", "k1").status_code == 201
    changed = post(p, "option-2", "k2")
    assert changed.status_code == 201 and changed.json()["changed"]
    replayed = post(p, "option-1", "k1")  # the first request, sent again (flaky network)
    assert replayed.status_code == 409 and "latere wijziging" in replayed.json()["detail"]
    assert Ballot.objects.get(poll=p).option.key == "option-2"
    retried = post(p, "option-2", "k2")  # the latest request again: the same ballot back
    assert retried.status_code == 200 and retried.json()["replayed"]
    assert retried.json()["ballotId"] == changed.json()["ballotId"]
    assert LogLeaf.objects.filter(poll=p).count() == 3  # opened + two ballots, no more
