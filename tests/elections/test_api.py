"""The election API: read, cast (problem+json for bad input), the record."""

import json

import pytest

from besluit.core.elections import record as core_record
from besluit.elections import services as el
from besluit.elections.models import ElectionBallot, PooledChoice

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(chair, board, secretariat, meeting):
    e = h.election(chair, meeting, h.body(secretariat, meeting.association), seats=2)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    return e


def test_cast_a_ranking_and_get_the_record(client, chair, election):
    voters = h.reps(election.meeting.association, 3)
    url = f"/api/v1/elections/{election.public_id}/ballots"
    for voter in voters:
        client.force_login(voter)
        answer = client.post(url, {"ranking": ["k2", "k1"]}, content_type="application/json")
        assert answer.status_code == 201, answer.content
        assert answer.json()["round"] == 1
        receipt = answer.json()["logReceipt"]
        assert receipt["poll"] == f"{election.public_id}/1" and "member" not in receipt["event"]
    again = client.post(url, {"ranking": ["k3"]}, content_type="application/json")
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/problem+json")
    client.force_login(chair)
    got = client.get(f"/api/v1/elections/{election.public_id}").json()
    assert got["rounds"][0]["votedMembers"] == 3 and len(got["rounds"][0]["nonce"]) == 64
    early = client.get(f"/api/v1/elections/{election.public_id}/bundle")
    assert early.status_code == 409
    el.do_close_round(actor=chair, election=election)
    bundle = client.get(f"/api/v1/elections/{election.public_id}/bundle")
    assert core_record.verify_election_bundle(json.loads(bundle.content)) == []
    listed = client.get(f"/api/v1/meetings/{election.meeting_id}/elections").json()
    assert [e["title"] for e in listed] == [election.title]


@pytest.mark.parametrize("ranking", [["k1", "k1"], ["k9"], [], ["k1", "k2", "k3", "k1"]])
def test_a_bad_ranking_is_a_problem_and_stores_nothing(client, election, ranking):
    (voter,) = h.reps(election.meeting.association, 1)
    client.force_login(voter)
    answer = client.post(
        f"/api/v1/elections/{election.public_id}/ballots",
        {"ranking": ranking},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["invalidParams"][0]["name"] == "choice"
    assert not ElectionBallot.objects.exists() and not PooledChoice.objects.exists()


def test_the_chair_opens_and_closes_rounds_through_the_api(
    client, chair, board, secretariat, meeting
):
    e = h.election(
        chair, meeting, h.body(secretariat, meeting.association), seats=1, method="two_round"
    )
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    assert client.post(f"/api/v1/elections/{e.public_id}/open").status_code == 403
    client.force_login(chair)
    opened = client.post(f"/api/v1/elections/{e.public_id}/open").json()
    assert opened["status"] == "voting" and opened["rounds"][0]["status"] == "open"
    assert client.post(f"/api/v1/elections/{e.public_id}/open").status_code == 409
    client.force_login(rep)
    ballot = client.post(
        f"/api/v1/elections/{e.public_id}/ballots",
        {"choice": "k2"},
        content_type="application/json",
    )
    assert ballot.status_code == 201
    client.force_login(chair)
    closed = client.post(f"/api/v1/elections/{e.public_id}/close").json()
    assert closed["status"] == "decided" and closed["rounds"][0]["result"]["elected"] == ["k2"]
