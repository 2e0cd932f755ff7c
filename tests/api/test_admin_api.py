"""The secretariat's API: bad input (wrong types, unknown references, another
association's objects) is a problem+json answer and changes nothing; ETags, pages."""

import json
from decimal import Decimal

import pytest

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from tests import factories
from tests.api.test_api import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    """A second association with its own meeting, proposal, poll and secretariat."""
    association = factories.make_association(4, slug="ander")
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting)
    secretariat = factories.make_user("secretariaat-ander", association, Role.Kind.SECRETARIAT)
    return association, meeting, proposal, secretariat


def send(client, user, method, path, body=None, **extra):
    raw = ApiToken.issue(user, "t")[1]
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return client.generic(
        method,
        f"/api/v1{path}",
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        **extra,
    )


def changes() -> int:
    """Audit events other than token uses: every change writes one."""
    return AuditEvent.objects.exclude(action="api_token.used").count()


@pytest.mark.parametrize(
    "method, path, body, field",
    [
        (
            "POST",
            "/associations/vvg/weight-rules",
            {"validFrom": "morgen", "kind": "equal"},
            "validFrom",
        ),
        (
            "POST",
            "/associations/vvg/weight-rules",
            {"validFrom": "2001-01-01", "kind": "cubic"},
            "kind",
        ),
        (
            "POST",
            "/associations/vvg/weight-rules",
            {
                "validFrom": "2001-01-01",
                "kind": "brackets",
                "brackets": [{"minInhabitants": "veel", "votes": 1}],
            },
            "brackets.0.minInhabitants",
        ),
        (
            "POST",
            "/associations/vvg/weight-rules",
            {"validFrom": "2001-01-01", "kind": "brackets", "brackets": []},
            None,
        ),
        ("PUT", "/associations/vvg/networks/G4", {"members": ["GM9999"]}, "members"),
        ("PUT", "/associations/vvg/networks/G4", {"members": "GM1000"}, "members"),
        ("POST", "/associations/vvg/people", {"username": "x", "role": "king"}, "role"),
        (
            "POST",
            "/associations/vvg/people",
            {"username": "x", "role": "representative", "member": "GM9999", "function": "mayor"},
            "member",
        ),
        (
            "POST",
            "/associations/vvg/people",
            {"username": "x", "role": "observer", "password": "kort"},
            "password",
        ),
        (
            "POST",
            "/meetings",
            {
                "association": "vvg",
                "kind": "alv",
                "title": "T",
                "startsAt": "volgende week",
                "isDigital": True,
            },
            "startsAt",
        ),
        (
            "POST",
            "/meetings",
            {
                "association": "vvg",
                "kind": "alv",
                "title": "T",
                "startsAt": "2030-01-01T10:00:00+01:00",
            },
            "location",
        ),
        ("PATCH", "/meetings/{meeting}", {"status": "done"}, "status"),
        ("POST", "/meetings/{meeting}/agenda-items", {"number": "07", "title": "Dubbel"}, "number"),
        (
            "POST",
            "/polls",
            {"meetingId": "{meeting}", "subject": "free", "alternatives": ["A"]},
            "alternatives",
        ),
        (
            "POST",
            "/polls",
            {"meetingId": "{meeting}", "subject": "proposal", "proposalId": 999999},
            "proposalId",
        ),
        (
            "POST",
            "/polls",
            {
                "meetingId": "{meeting}",
                "subject": "free",
                "alternatives": ["A", "B"],
                "quorum": "veel",
            },
            "quorum",
        ),
        ("POST", "/letters", {"association": "vvg", "kind": "results"}, "meeting"),
        (
            "POST",
            "/tokens",
            {"name": "x", "scopes": ["read"], "expiresInDays": 1000},
            "expiresInDays",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    client, association, secretariat, meeting, method, path, body, field
):
    text = json.dumps(body).replace('"{meeting}"', str(meeting.pk))
    before = changes()
    response = send(client, secretariat, method, path.format(meeting=meeting.pk), text)
    problem = assert_problem(response, 400)
    if field:
        assert field in [p["name"] for p in problem.get("invalidParams", [])], problem
    assert changes() == before


def test_another_associations_objects_are_unknown(client, association, secretariat, meeting, other):
    _, their_meeting, their_proposal, _ = other
    before = changes()
    item = their_proposal.agenda_item
    for method, path, body in [
        (
            "POST",
            "/polls",
            {"meetingId": their_meeting.pk, "subject": "free", "alternatives": ["A", "B"]},
        ),
        ("PATCH", f"/meetings/{their_meeting.pk}", {"status": "closed"}),
        ("POST", f"/meetings/{their_meeting.pk}/agenda-items", {"number": "99", "title": "X"}),
        ("PUT", f"/agenda-items/{item.pk}", {"number": "07", "title": "X"}),
        ("PUT", f"/agenda-items/{item.pk}/proposal", {"title": "X", "text": "Y"}),
        ("GET", f"/proposals/{their_proposal.pk}", None),
        ("PUT", "/associations/ander/networks/G4", {"members": []}),
        ("POST", "/associations/ander/weight-rules", {"validFrom": "2001-01-01", "kind": "equal"}),
        ("GET", "/associations/ander/people", None),
        (
            "POST",
            "/letters",
            {"association": "ander", "kind": "other", "subject": "S", "body": "B"},
        ),
        (
            "POST",
            "/letters",
            {"association": "vvg", "kind": "convocation", "meetingId": their_meeting.pk},
        ),
        ("GET", "/letters?association=ander", None),
        ("GET", "/commitments?association=ander", None),
    ]:
        assert_problem(send(client, secretariat, method, path, body), 404)
    # A proposal of another meeting named in a poll of one's own: refused, not used.
    problem = assert_problem(
        send(
            client,
            secretariat,
            "POST",
            "/polls",
            {"meetingId": meeting.pk, "subject": "proposal", "proposalId": their_proposal.pk},
        ),
        400,
    )
    assert problem["invalidParams"][0]["name"] == "proposalId"
    assert changes() == before


def test_roles_below_the_secretariat_are_refused(
    client, association, representative, chair, meeting
):
    items = f"/meetings/{meeting.pk}/agenda-items"
    assert_problem(send(client, representative, "POST", items, {"number": "99", "title": "X"}), 403)
    assert_problem(send(client, chair, "POST", "/associations", {"name": "X", "slug": "x"}), 403)
    # The chair may create a poll; a representative may not.
    assert_problem(
        send(
            client,
            representative,
            "POST",
            "/polls",
            {"meetingId": meeting.pk, "subject": "free", "alternatives": ["A", "B"]},
        ),
        403,
    )
    created = send(
        client,
        chair,
        "POST",
        "/polls",
        {"meetingId": meeting.pk, "subject": "free", "alternatives": ["A", "B"]},
    )
    assert created.status_code == 201


def test_members_without_a_weight_rule_say_none_yet(client, db):
    from besluit.associations import services as assoc

    association = assoc.do_create_association(actor=None, name="Nieuw", slug="nieuw")
    assoc.do_import_members(actor=None, association=association, data=factories.register_csv(3))
    user = factories.make_user("s", association, Role.Kind.SECRETARIAT)
    members = send(client, user, "GET", "/associations/nieuw/members").json()
    assert [(m["weight"], m["share"], m["weightStatus"]) for m in members] == [
        (None, None, "none yet")
    ] * 3


def test_new_collections_are_paginated_and_have_etags(client, association, secretariat):
    raw = ApiToken.issue(secretariat, "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    first = client.get("/api/v1/associations/vvg/people?pageSize=1&sort=-username", **auth)
    assert first.status_code == 200 and first["X-Total-Count"] == "1"
    again = client.get(
        "/api/v1/associations/vvg/people?pageSize=1&sort=-username",
        HTTP_IF_NONE_MATCH=first["ETag"],
        **auth,
    )
    assert again.status_code == 304
    rules = client.get("/api/v1/associations/vvg/weight-rules", **auth)
    assert rules.json()[0]["inForce"] is True and 'rel="first"' in rules["Link"]
    assert_problem(client.get("/api/v1/associations/vvg/networks?sort=size", **auth), 400)


def test_member_overrides_and_networks_and_letter_edits(client, association, secretariat):
    code = factories.member(association, 3).code
    url = f"/api/v1/associations/vvg/members/{code}"
    refused = send(client, secretariat, "PATCH", url.removeprefix("/api/v1"), {"weightOverride": 5})
    assert_problem(refused, 400)  # an override needs its reason
    body = {"weightOverride": "5.5", "overrideReason": "Statuten art. 9", "networks": ["P10"]}
    done = send(client, secretariat, "PATCH", url.removeprefix("/api/v1"), body)
    assert done.status_code == 200, done.content
    assert Decimal(done.json()["weightOverride"]) == Decimal("5.5")
    assert done.json()["networks"] == ["P10"]
    members = send(client, secretariat, "GET", "/associations/vvg/members?pageSize=50").json()
    row = next(m for m in members if m["code"] == code)
    assert row["weightStatus"] == "overridden" and Decimal(row["weight"]) == Decimal("5.5")
    assert_problem(
        send(client, secretariat, "PATCH", "/associations/vvg/members/GM9999", {"networks": []}),
        404,
    )

    letter = send(
        client,
        secretariat,
        "POST",
        "/letters",
        {"association": "vvg", "kind": "other", "subject": "Eerste", "body": "Tekst"},
    ).json()
    edited = send(client, secretariat, "PATCH", f"/letters/{letter['id']}", {"subject": "Tweede"})
    assert edited.status_code == 200 and edited.json()["subject"] == "Tweede"
    assert edited.json()["body"] == "Tekst"


def test_roles_are_given_and_taken_away(client, association, secretariat, board, other):
    base = "/associations/vvg/people/bestuurslid/roles"
    code = factories.member(association, 4).code
    given = send(
        client,
        secretariat,
        "PUT",
        f"{base}/representative",
        {"member": code, "function": "alderman"},
    )
    assert given.status_code == 200, given.content
    assert given.json()["role"] == "representative" and given.json()["function"] == "alderman"
    assert_problem(
        send(
            client,
            secretariat,
            "PUT",
            f"{base}/representative",
            {"member": "GM9999", "function": "mayor"},
        ),
        400,
    )
    assert_problem(send(client, secretariat, "PUT", f"{base}/king", {}), 400)
    assert send(client, secretariat, "DELETE", f"{base}/board").status_code == 204
    assert set(board.roles.values_list("kind", flat=True)) == {"representative"}
    assert_problem(send(client, secretariat, "DELETE", f"{base}/board"), 404)
    # A person of another association does not exist for this secretariat.
    for slug in ("vvg", "ander"):
        url = f"/associations/{slug}/people/secretariaat-ander/roles/observer"
        assert_problem(send(client, secretariat, "PUT", url, {}), 404)
