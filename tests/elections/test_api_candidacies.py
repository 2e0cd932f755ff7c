"""The nominations API: create an election, nominate, accept, withdraw, declare, results.
The issue's bad input, each as problem+json with nothing stored."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from besluit.associations.models import Role
from besluit.elections import services as el
from besluit.elections.models import Candidacy, Election, ElectionBallot
from tests import factories
from tests.api.test_api import assert_problem

from . import helpers as h

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def body(secretariat, meeting):
    return h.body(secretariat, meeting.association)


def _new_election(client, meeting, body, **changes):
    data = {
        "bodyId": body.pk,
        "title": "Verkiezing voorzitter",
        "seats": 1,
        "termStarts": "2027-01-01",
        "termEnds": "2030-12-31",
        "method": "ranked",
        "nominationDeadline": (timezone.now() + timedelta(days=3)).isoformat(),
        **changes,
    }
    return post(client, f"/api/v1/meetings/{meeting.pk}/elections", data)


def test_the_whole_nomination_workflow(client, chair, board, secretariat, meeting, body):
    association = meeting.association
    anna = factories.make_user("anna", association, Role.Kind.OBSERVER)
    client.force_login(chair)
    made = _new_election(client, meeting, body)
    assert made.status_code == 201, made.content
    url = f"/api/v1/elections/{made.json()['id']}"
    client.force_login(board)
    nominated = post(client, f"{url}/candidacies", {"name": "Anna", "username": "anna"})
    assert nominated.status_code == 201 and nominated.json()["byBoard"] is True
    (rep,) = h.reps(association, 1)
    client.force_login(rep)
    by_member = post(client, f"{url}/candidacies", {"name": "Bert", "memberCode": "GM1001"})
    assert by_member.status_code == 201 and by_member.json()["byBoard"] is False
    # Only the candidate (or the secretariat) gives consent.
    assert_problem(post(client, f"{url}/candidacies/1/accept"), 403)
    client.force_login(anna)
    accepted = post(client, f"{url}/candidacies/1/accept")
    assert accepted.json()["status"] == "accepted" and accepted.json()["consentedAt"]
    client.force_login(secretariat)
    assert post(client, f"{url}/candidacies/2/accept").json()["status"] == "accepted"
    listed = client.get(f"{url}/candidacies?sort=-name&pageSize=1")
    assert [c["name"] for c in listed.json()] == ["Bert"]
    assert listed["X-Total-Count"] == "2" and 'rel="next"' in listed["Link"]
    etag = listed["ETag"]
    again = client.get(f"{url}/candidacies?sort=-name&pageSize=1", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    client.force_login(anna)
    assert post(client, f"{url}/candidacies/1/withdraw").json()["status"] == "withdrawn"
    client.force_login(chair)
    declared = post(client, f"{url}/unopposed")
    assert declared.status_code == 200 and declared.json()["status"] == "decided"
    results = client.get(f"{url}/results").json()
    assert [s["name"] for s in results["elected"]] == ["Bert"]
    assert results["elected"][0]["startsOn"] == "2027-01-01"
    assert results["rounds"][0]["unopposed"] and results["record"].endswith("/bundle")
    bodies = client.get(f"/api/v1/associations/{association.slug}/bodies")
    assert bodies.json()[0]["seats"][0]["name"] == "Bert" and bodies["X-Total-Count"] == "1"


def test_results_of_a_counted_named_election(client, chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, seats=2, secret=False)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    for rep, ranking in zip(
        h.reps(meeting.association, 3), [["k1", "k2"], ["k3"], ["k2"]], strict=True
    ):
        el.do_cast(actor=rep, election=e, choice=ranking)
    el.do_close_round(actor=chair, election=e)
    client.force_login(chair)
    got = client.get(f"/api/v1/elections/{e.public_id}/results").json()
    first = got["rounds"][0]["counts"][0]
    assert first["votes"][0]["name"] == "Anna" and first["votes"][0]["key"] == "k1"
    assert first["quota"] is not None
    assert sorted(b["choice"] for b in got["ballots"]) == [["Anna", "Bert"], ["Bert"], ["Cor"]]


def test_a_secret_election_has_no_ballots_per_member(
    client, chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=1, secret=True)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    (rep,) = h.reps(meeting.association, 1)
    el.do_cast(actor=rep, election=e, choice=["k2"])
    el.do_close_round(actor=chair, election=e)
    client.force_login(chair)
    assert client.get(f"/api/v1/elections/{e.public_id}/results").json()["ballots"] == []


def test_a_nomination_after_the_deadline_is_refused_and_nothing_stored(
    client, chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, days=-1)
    client.force_login(board)
    answer = post(client, f"/api/v1/elections/{e.public_id}/candidacies", {"name": "Laat"})
    assert_problem(answer, 409, detail_contains="termijn voor kandidaatstellingen is verstreken")
    assert not Candidacy.objects.exists()


def test_a_late_nomination_waits_for_the_chair_where_the_rules_say_so(
    client, chair, board, meeting, body
):
    e = h.election(chair, meeting, body, days=-1, late_nominations="chair_admits")
    client.force_login(board)
    answer = post(client, f"/api/v1/elections/{e.public_id}/candidacies", {"name": "Laat"})
    assert answer.status_code == 201
    assert answer.json()["isLate"] is True and answer.json()["admitted"] is False


def test_a_candidate_who_did_not_accept_is_not_on_the_ballot(
    client, chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=1)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_nominate(actor=board, election=e, name="Cor", by_board=True)  # never accepts
    el.do_open_round(actor=chair, election=e)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    answer = post(client, f"/api/v1/elections/{e.public_id}/ballots", {"ranking": ["k3"]})
    body_ = assert_problem(answer, 400)
    assert body_["invalidParams"][0]["name"] == "choice"
    assert not ElectionBallot.objects.exists()
    # ... nor can anyone accept for them once voting began.
    client.force_login(secretariat)
    assert_problem(post(client, f"/api/v1/elections/{e.public_id}/candidacies/3/accept"), 409)


@pytest.mark.parametrize(
    ("ranking", "reason"),
    [
        (["k1", "k1"], "meer dan eens"),  # a candidate twice
        (["k9"], "doet niet mee"),  # an unknown candidate
        ({"k1": 1, "k2": 3}, "ontbreekt"),  # a gap
        ({"k1": 1, "k2": 1}, "dezelfde"),  # a rank twice
    ],
)
def test_bad_rankings_are_problems(
    client, chair, board, secretariat, meeting, body, ranking, reason
):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    key = "ranks" if isinstance(ranking, dict) else "ranking"
    answer = post(client, f"/api/v1/elections/{e.public_id}/ballots", {key: ranking})
    body_ = assert_problem(answer, 400)
    assert reason in body_["detail"] or reason in json.dumps(body_)
    assert not ElectionBallot.objects.exists()


def test_more_approvals_than_allowed_is_a_problem(client, chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, method="approval", seats=2, max_approvals=2)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    (rep,) = h.reps(meeting.association, 1)
    client.force_login(rep)
    answer = post(
        client, f"/api/v1/elections/{e.public_id}/ballots", {"approvals": ["k1", "k2", "k3"]}
    )
    assert "3" in assert_problem(answer, 400)["detail"]
    assert not ElectionBallot.objects.exists()


def test_bad_elections_and_nominations_are_problems(client, chair, board, meeting, body):
    client.force_login(chair)
    assert_problem(_new_election(client, meeting, body, termEnds="2026-01-01"), 400)
    assert_problem(_new_election(client, meeting, body, method="borda"), 400)
    assert_problem(_new_election(client, meeting, body, seats=0), 400)
    other = factories.make_association(3, slug="ander")
    from besluit.associations.models import Role as R

    foreign = h.body(factories.make_user("s2", other, R.Kind.SECRETARIAT), other)
    assert_problem(_new_election(client, meeting, foreign), 400)
    assert not Election.objects.exists()
    e = h.election(chair, meeting, body)
    url = f"/api/v1/elections/{e.public_id}/candidacies"
    client.force_login(board)
    assert_problem(post(client, url, {"name": "X", "memberCode": "NOPE"}), 400)
    assert_problem(post(client, url, {"name": "X", "username": "nobody"}), 400)
    assert_problem(post(client, url, {"name": " "}), 400)
    assert post(client, url, {"name": "Anna"}).status_code == 201
    assert_problem(post(client, url, {"name": "anna"}), 409)  # nominated already
    assert Candidacy.objects.count() == 1


def test_another_associations_user_sees_nothing(client, chair, meeting, body):
    e = h.election(chair, meeting, body)
    other = factories.make_association(3, slug="ander")
    stranger = factories.make_user("vreemde", other, Role.Kind.SECRETARIAT)
    client.force_login(stranger)
    assert_problem(post(client, f"/api/v1/elections/{e.public_id}/candidacies", {"name": "X"}), 404)
    assert_problem(client.get(f"/api/v1/elections/{e.public_id}/results"), 404)
    assert_problem(client.get(f"/api/v1/associations/{meeting.association.slug}/bodies"), 404)
    assert_problem(_new_election(client, meeting, body), 404)
