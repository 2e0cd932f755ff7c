"""A whole meeting set up and voted through the API alone, as an integrator scripts it.

The installation administrator's first token comes from the command line (``besluit
createuser`` and ``besluit tokens create``, in the fixture); everything after that is an
HTTP request: no shell, no ORM. 342 real municipalities, two weight rules, a network,
343 representatives from a CSV, a meeting with its agenda and proposal, a poll opened,
voted with the representatives' own tokens, closed, and its results read back.
"""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]
GEMEENTEN = Path(__file__).resolve().parents[3] / "shared" / "data" / "gemeenten.csv"
BRACKETS = [
    {"minInhabitants": lower, "votes": str(votes)}
    for votes, lower in enumerate(
        (0, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000, 500_000),
        start=1,
    )
]
VOTERS = 60  # representatives who vote (of 342 members): enough for a real tally


class Api:
    """A client with one bearer token; every call returns the JSON or fails loudly."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None, *, status: int = 200, csv_body=None):
        kwargs = dict(self.headers)
        if csv_body is not None:
            data, kwargs["content_type"] = csv_body, "text/csv"
        elif body is not None:
            data, kwargs["content_type"] = body, "application/json"
        else:
            data = None
        response = self.client.generic(method, f"/api/v1{path}", data or "", **kwargs)
        assert response.status_code == status, (method, path, response.content[:500])
        return response.json() if response.content else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, json.dumps(body) if body is not None else None, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, json.dumps(body), **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", path, json.dumps(body), **kw)


@pytest.fixture
def admin(client):
    out = io.StringIO()
    call_command("createuser", "beheer", "--superuser", "--no-password", stdout=out)
    out = io.StringIO()
    call_command(
        "tokens",
        "create",
        "beheer",
        "--name",
        "inrichting",
        "--scopes",
        "read,write",
        stdout=out,
        stderr=io.StringIO(),
    )
    return Api(client, out.getvalue().strip())


def representatives_csv(codes: list[str]) -> bytes:
    rows = ["naam,e-mail,lidcode,functie,rol"]
    rows += [
        f"Burgemeester {c},burgemeester@{c.lower()}.nl,{c},burgemeester,vertegenwoordiger"
        for c in codes
    ]
    rows.append(
        f"Griffier {codes[0]},griffier@{codes[0].lower()}.nl,{codes[0]},griffier,vertegenwoordiger"
    )
    return ("\n".join(rows) + "\n").encode()


def test_a_whole_meeting_through_the_api(client, admin):
    # The association and its register.
    admin.post(
        "/associations",
        {"name": "Vereniging van Nederlandse Gemeenten", "slug": "vng", "shortName": "VNG"},
        status=201,
    )
    report = admin.post("/associations/vng/members/import", csv_body=GEMEENTEN.read_bytes())
    assert report == {"created": 342, "updated": 0, "unchanged": 0}
    before = admin.get("/associations/vng/members?pageSize=5")
    assert before[0]["weight"] is None and before[0]["weightStatus"] == "none yet"

    # Two weight rules: the bracket table now, square roots from 2030.
    admin.post(
        "/associations/vng/weight-rules",
        {
            "validFrom": "2000-01-01",
            "kind": "brackets",
            "brackets": BRACKETS,
            "label": "Statuten art. 12",
        },
        status=201,
    )
    admin.post(
        "/associations/vng/weight-rules",
        {"validFrom": "2030-01-01", "kind": "square_root", "decimals": 2},
        status=201,
    )
    rules = admin.get("/associations/vng/weight-rules")
    assert [(r["kind"], r["inForce"]) for r in rules] == [
        ("square_root", False),
        ("brackets", True),
    ]
    members = admin.get("/associations/vng/members?pageSize=500")
    assert len(members) == 342 and all(m["weightStatus"] == "computed" for m in members)
    weight = {m["code"]: Decimal(m["weight"]) for m in members}
    g4 = ["GM0363", "GM0599", "GM0518", "GM0344"]
    admin.put("/associations/vng/networks/G4", {"name": "De vier grote steden", "members": g4})

    # People: the secretariat and the chair, 343 representatives, and their tokens.
    for username, role in (("secretariaat", "secretariat"), ("voorzitter", "chair")):
        admin.post(
            "/associations/vng/people",
            {"username": username, "role": role, "email": f"{username}@vng.nl"},
            status=201,
        )
    codes = sorted(weight)
    created = admin.post(
        "/associations/vng/people/import", csv_body=representatives_csv(codes), status=201
    )["created"]
    assert len(created) == 343
    people = admin.get("/associations/vng/people?role=representative&pageSize=500")
    assert len(people) == 343

    def token_for(username: str, scopes: list[str]) -> Api:
        new = admin.post(
            "/tokens",
            {
                "name": "alv",
                "scopes": scopes,
                "username": username,
                "association": "vng",
                "expiresInDays": 7,
            },
            status=201,
        )
        return Api(client, new["token"])

    secretariat = token_for("secretariaat@vng", ["read", "write"])
    chair = token_for("voorzitter@vng", ["read", "write"])

    # The meeting, its agenda and the proposal: by the secretariat.
    meeting = secretariat.post(
        "/meetings",
        {
            "association": "vng",
            "kind": "alv",
            "title": "Najaars-ALV",
            "startsAt": "2026-12-11T10:00:00+01:00",
            "endsAt": "2026-12-11T16:00:00+01:00",
            "location": "Jaarbeurs Utrecht",
            "standardAgenda": False,
        },
        status=201,
    )
    mid = meeting["id"]
    secretariat.post(
        f"/meetings/{mid}/agenda-items", {"number": "01", "title": "Opening"}, status=201
    )
    item = secretariat.post(
        f"/meetings/{mid}/agenda-items",
        {
            "number": "07",
            "title": "Resolutie kabinetsformatie",
            "requestedDecision": "De ALV stemt in met de resolutie.",
        },
        status=201,
    )
    proposal = secretariat.put(
        f"/agenda-items/{item['id']}/proposal",
        {
            "title": "Resolutie kabinetsformatie",
            "text": "De ALV besluit het fonds te herstellen.",
        },
    )
    assert secretariat.get(f"/meetings/{mid}/agenda-items")[1]["proposalId"] == proposal["id"]
    assert secretariat.patch(f"/meetings/{mid}", {"status": "convened"})["status"] == "convened"

    # The poll: created, opened by the chair.
    poll = chair.post(
        "/polls",
        {"meetingId": mid, "subject": "proposal", "proposalId": proposal["id"]},
        status=201,
    )
    assert [o["key"] for o in poll["options"]] == ["for", "against", "abstain"]
    assert chair.post(f"/polls/{poll['id']}/open")["status"] == "open"

    # Representatives vote with their own tokens (vote scope only).
    choices = {}
    for i, code in enumerate(codes[:VOTERS]):
        voter = token_for(f"burgemeester.{code.lower()}.nl@vng", ["vote"])
        option = ("for", "for", "against", "abstain")[i % 4]
        receipt = voter.post(f"/polls/{poll['id']}/ballots", {"option": option}, status=201)
        assert receipt["member"] == code
        choices[code] = option
    # The clerk of a municipality that voted already: one ballot per member.
    clerk = token_for(f"griffier.{codes[0].lower()}.nl@vng", ["vote"])
    clerk.post(f"/polls/{poll['id']}/ballots", {"option": "against"}, status=409)
    participation = chair.get(f"/polls/{poll['id']}/participation")
    assert participation["votedMembers"] == VOTERS and participation["eligibleMembers"] == 342

    # Closed by the chair; the results as anyone with a role reads them.
    assert chair.post(f"/polls/{poll['id']}/close")["status"] == "closed"
    results = secretariat.get(f"/polls/{poll['id']}/results")
    totals = {o["key"]: Decimal(o["weight"]) for o in results["options"]}
    for key in ("for", "against", "abstain"):
        assert totals[key] == sum(weight[c] for c, o in choices.items() if o == key)
    assert results["votedMembers"] == VOTERS
    assert Decimal(results["eligibleWeight"]) == sum(weight.values())
    assert results["outcome"] == ("adopted" if totals["for"] > totals["against"] else "rejected")
    assert {v["member"]: v["option"] for v in results["votes"] if v["option"]} == choices
    g4_group = next(g for g in results["groups"] if g["group"] == "network:G4")
    assert g4_group["eligibleMembers"] == 4
    assert Decimal(g4_group["eligibleWeight"]) == sum(weight[c] for c in g4)
    # The bundle is published at the close.
    assert (
        client.get(f"/api/v1/polls/{poll['id']}/bundle", **secretariat.headers).status_code == 200
    )
