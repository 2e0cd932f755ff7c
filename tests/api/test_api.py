"""The REST API as a client sees it: auth, problem+json, submissions, polls, results."""

from decimal import Decimal

import pytest

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def assert_problem(response, status: int, *, detail_contains: str = ""):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    assert detail_contains in body["detail"]
    return body


def test_the_openapi_document_is_made_once_and_every_caller_gets_a_copy(client, monkeypatch):
    """GET /api/v1/openapi.json needs no login: making the document again for every
    request would let anyone spend a quarter of a second of the server's CPU a request."""
    from ninja import NinjaAPI

    from besluit.api.router import api

    first = client.get("/api/v1/openapi.json").json()
    made = []
    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", lambda *a, **k: made.append(a) or {})
    mine = api.get_openapi_schema()
    mine["paths"].clear()  # a caller changing its copy changes nothing for the next
    assert client.get("/api/v1/openapi.json").json() == first
    assert first["paths"] and not made


def test_openapi_document_describes_the_resources(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["version"].count(".") == 2
    assert doc["info"]["contact"]["email"]
    # Paths are relative to the server URL, which carries the major version
    # (NL API Design Rules /core/uri-version; see docs/api.md).
    assert doc["servers"][0]["url"] == "/api/v1"
    paths = set(doc["paths"])
    for path in [
        "/associations",
        "/associations/{slug}/members",
        "/meetings",
        "/meetings/{meeting_id}/agenda-items",
        "/motions",
        "/amendments",
        "/polls",
        "/polls/{poll_id}/ballots",
        "/polls/{poll_id}/results",
    ]:
        assert path in paths
    assert not any(p.endswith("/") for p in paths)


def test_unauthenticated_and_bad_token_get_401_problem(client, association):
    assert_problem(client.get("/api/v1/associations"), 401)
    assert_problem(client.get("/api/v1/associations", HTTP_AUTHORIZATION="Bearer nonsense"), 401)


def test_members_with_weights_and_shares(client, association, secretariat):
    response = client.get(f"/api/v1/associations/{association.slug}/members", **bearer(secretariat))
    assert response.status_code == 200
    members = response.json()
    assert len(members) == 12
    assert {"code", "name", "province", "weight", "share", "inhabitants", "referenceDate"} <= set(
        members[0]
    )
    assert abs(sum(Decimal(m["share"]) for m in members) - 1) < Decimal("0.000001")
    g4 = [m for m in members if "G4" in m["networks"]]
    assert len(g4) == 2


def test_other_associations_are_invisible(client, association, secretariat):
    factories.make_association(3, slug="andere")
    response = client.get("/api/v1/associations/andere/members", **bearer(secretariat))
    assert_problem(response, 404)
    slugs = [a["slug"] for a in client.get("/api/v1/associations", **bearer(secretariat)).json()]
    assert slugs == [association.slug]


def test_representative_submits_motion_with_co_submitter(
    client, association, representative, meeting
):
    co = factories.member(association, 3)
    response = client.post(
        "/api/v1/motions",
        {
            "meetingId": meeting.pk,
            "title": "Herstel de groei van het gemeentefonds",
            "considerations": "gemeenten structureel tekortkomen;",
            "request": "bij het kabinet aan te dringen op herstel van de normering.",
            "coSubmitters": [co.code],
        },
        content_type="application/json",
        **bearer(representative),
    )
    assert response.status_code == 201, response.content
    motion = response.json()
    assert motion["displayTitle"] == f"Motie {factories.member(association).name} c.s."
    assert motion["coSubmitters"] == [co.code]
    assert motion["status"] == "admitted" and motion["isLate"] is False


def test_motions_list_filters_on_status_submitter_and_lateness(
    client, association, representative, meeting
):
    body = {"meetingId": meeting.pk, "title": "t", "considerations": "c", "request": "r"}
    auth = bearer(representative)
    made = client.post("/api/v1/motions", body, content_type="application/json", **auth).json()
    code = factories.member(association).code

    def listed(query: str) -> list:
        url = f"/api/v1/motions?meeting={meeting.pk}&{query}"
        return [m["id"] for m in client.get(url, **auth).json()]

    assert listed(f"submitter=%20{code.lower()}&status=admitted&isLate=false") == [made["id"]]
    assert listed("isLate=true") == []
    assert listed("status=withdrawn") == []
    assert listed("submitter=GM0000") == []


def test_invalid_motion_is_a_400_problem_naming_the_field(client, representative, meeting):
    response = client.post(
        "/api/v1/motions",
        {"meetingId": meeting.pk, "title": "", "considerations": "x"},
        content_type="application/json",
        **bearer(representative),
    )
    body = assert_problem(response, 400)
    names = {p["name"] for p in body["invalidParams"]}
    assert "title" in names and "request" in names


def test_unknown_co_submitter_is_refused(client, representative, meeting):
    response = client.post(
        "/api/v1/motions",
        {
            "meetingId": meeting.pk,
            "title": "t",
            "considerations": "c",
            "request": "r",
            "coSubmitters": ["GM0000"],
        },
        content_type="application/json",
        **bearer(representative),
    )
    assert_problem(response, 400, detail_contains="GM0000")


def test_observer_cannot_submit(client, association, meeting):
    observer = factories.make_user("obs", association, Role.Kind.OBSERVER)
    response = client.post(
        "/api/v1/motions",
        {"meetingId": meeting.pk, "title": "t", "considerations": "c", "request": "r"},
        content_type="application/json",
        **bearer(observer),
    )
    assert_problem(response, 403)


def test_poll_ballots_and_results_through_the_api(client, association, chair, meeting):
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
    )
    chair_auth = bearer(chair)
    opened = client.post(f"/api/v1/polls/{poll.public_id}/open", **chair_auth)
    assert opened.status_code == 200 and opened.json()["status"] == "open"

    choices = ["for", "for", "against", "abstain", "for"]
    for i, choice in enumerate(choices):
        rep = factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        r = client.post(
            f"/api/v1/polls/{poll.public_id}/ballots",
            {"option": choice},
            content_type="application/json",
            **bearer(rep),
        )
        assert r.status_code == 201
        assert r.json()["ballotId"]

    assert_problem(client.get(f"/api/v1/polls/{poll.public_id}/results", **chair_auth), 409)
    participation = client.get(f"/api/v1/polls/{poll.public_id}/participation", **chair_auth)
    assert participation.json()["votedMembers"] == 5

    closed = client.post(f"/api/v1/polls/{poll.public_id}/close", **chair_auth)
    assert closed.json()["status"] == "closed"
    result = client.get(f"/api/v1/polls/{poll.public_id}/results", **chair_auth).json()

    weights = {e.member.code: e.weight for e in Poll.objects.get(pk=poll.pk).register.all()}
    codes = [factories.member(association, i).code for i in range(5)]
    w_for = sum(weights[c] for c, ch in zip(codes, choices, strict=True) if ch == "for")
    w_against = sum(weights[c] for c, ch in zip(codes, choices, strict=True) if ch == "against")
    options = {o["key"]: o for o in result["options"]}
    assert Decimal(options["for"]["weight"]) == w_for
    assert Decimal(options["for"]["share"]) == pytest.approx(w_for / (w_for + w_against))
    assert result["votedMembers"] == 5 and result["eligibleMembers"] == 12
    assert result["outcome"] == ("adopted" if w_for > w_against else "rejected")
    assert len(result["votes"]) == 12
    assert any(g["group"] == "network:G4" for g in result["groups"])


def test_bad_poll_id_and_bad_option(client, association, chair, representative, meeting):
    auth = bearer(representative)
    assert_problem(client.get("/api/v1/polls/not-a-uuid", **auth), 400)
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
    )
    not_open = client.post(
        f"/api/v1/polls/{poll.public_id}/ballots",
        {"option": "for"},
        content_type="application/json",
        **auth,
    )
    assert_problem(not_open, 409, detail_contains="niet open")
    voting.do_open_poll(actor=chair, poll=poll)
    wrong = client.post(
        f"/api/v1/polls/{poll.public_id}/ballots",
        {"option": "maybe"},
        content_type="application/json",
        **auth,
    )
    assert_problem(wrong, 400, detail_contains="maybe")
    representative_cannot_close = client.post(f"/api/v1/polls/{poll.public_id}/close", **auth)
    assert_problem(representative_cannot_close, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/associations/a%2Fb/members", "/api/v1/associations/%2F/members", "/api/v1/nothing"],
)
def test_a_path_no_pattern_matches_gets_problem_details_under_the_api(client, path):
    """An encoded slash is decoded before routing, so Django answers, not the API: still
    problem+json (the API fuzz found the HTML page)."""
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_a_page_no_pattern_matches_is_still_the_dutch_page(client):
    response = client.get("/bestaat/niet/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Deze pagina bestaat niet" in response.content.decode()
