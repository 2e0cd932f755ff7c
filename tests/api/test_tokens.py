"""API tokens: issued with scopes and an expiry (page, CLI, API), shown once, revoked,
every use audited; expired, revoked and out-of-scope tokens answer problem+json."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from besluit.accounts import credentials
from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from tests import factories
from tests.api.test_api import assert_problem

pytestmark = pytest.mark.django_db


def auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def issue(client, user, **body) -> dict:
    raw = ApiToken.issue(user, "bootstrap")[1]
    body = {"name": "koppeling", "scopes": ["read"], **body}
    response = client.post("/api/v1/tokens", body, content_type="application/json", **auth(raw))
    assert response.status_code == 201, response.content
    return response.json()


def test_a_token_is_shown_once_and_listed_without_its_secret(client, secretariat):
    new = issue(client, secretariat, scopes=["read", "write"], expiresInDays=30)
    assert new["token"].startswith("bsl_")
    assert new["scopes"] == ["read", "write"] and new["status"] == "active"
    assert (
        timedelta(days=29)
        < (timezone.datetime.fromisoformat(new["expiresAt"]) - timezone.now())
        <= timedelta(days=30)
    )
    listed = client.get("/api/v1/tokens", **auth(new["token"])).json()
    assert {t["name"] for t in listed} == {"koppeling", "bootstrap"}
    assert all("token" not in t for t in listed)
    assert new["token"] not in str(ApiToken.objects.values_list())


def test_scopes_decide_what_a_token_may_do(client, association, secretariat, chair, meeting):
    read = issue(client, secretariat)["token"]
    assert client.get("/api/v1/associations", **auth(read)).status_code == 200
    body = assert_problem(
        client.post(
            "/api/v1/tokens",
            {"name": "x", "scopes": ["read"]},
            content_type="application/json",
            **auth(read),
        ),
        403,
    )
    assert body["type"].endswith("token-scope") and "'write'" in body["detail"]
    rep = factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 2)
    )
    poll = factories.open_poll(chair, meeting)
    write_only = ApiToken.issue(rep, "w", scopes=["read", "write"])[1]
    ballot = {"option": "option-1"}
    url = f"/api/v1/polls/{poll.public_id}/ballots"
    assert_problem(
        client.post(url, ballot, content_type="application/json", **auth(write_only)), 403
    )
    vote = ApiToken.issue(rep, "v", scopes=["vote"])[1]
    assert (
        client.post(url, ballot, content_type="application/json", **auth(vote)).status_code == 201
    )


def test_expired_and_revoked_tokens_get_401_problems(client, secretariat):
    _token, raw = ApiToken.issue(
        secretariat, "old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    body = assert_problem(client.get("/api/v1/associations", **auth(raw)), 401)
    assert body["type"].endswith("token-expired") and "expired" in body["detail"]
    new = issue(client, secretariat)
    other = ApiToken.issue(secretariat, "admin")[1]
    response = client.delete(f"/api/v1/tokens/{new['id']}", **auth(other))
    assert response.status_code == 204
    body = assert_problem(client.get("/api/v1/associations", **auth(new["token"])), 401)
    assert body["type"].endswith("token-revoked")
    # A revoked token also counts for nothing with a browser session beside it.
    client.force_login(secretariat)
    assert_problem(client.get("/api/v1/associations", **auth(new["token"])), 401)


def test_every_use_is_audited(client, secretariat):
    token, raw = ApiToken.issue(secretariat, "audit")
    for _ in range(3):
        client.get("/api/v1/associations", **auth(raw))
    client.get("/api/v1/nope-not-here", **auth(raw))
    token.revoked_at = timezone.now()
    token.save()
    client.get("/api/v1/associations", **auth(raw))
    uses = AuditEvent.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert [e.data["status"] for e in uses.order_by("id")] == [200, 200, 200, 401]
    assert all(e.actor_id == secretariat.pk and e.data["method"] == "GET" for e in uses)


def test_the_secretariat_issues_tokens_only_for_its_own_people(
    client, association, secretariat, representative
):
    new = issue(
        client,
        secretariat,
        username="burgemeester",
        association=association.slug,
        scopes=["read", "vote"],
    )
    assert new["username"] == "burgemeester"
    assert AuditEvent.objects.filter(action="api_token.issued", actor=secretariat).count() == 1
    other = factories.make_association(3, slug="ander")
    outsider = factories.make_user("elders", other, Role.Kind.OBSERVER)
    both = factories.make_user("dubbel", other, Role.Kind.OBSERVER)
    Role.objects.create(user=both, association=association, kind=Role.Kind.OBSERVER)
    raw = ApiToken.issue(secretariat, "admin")[1]
    for username in ("elders", "dubbel", "nobody"):
        response = client.post(
            "/api/v1/tokens",
            {
                "name": "x",
                "scopes": ["read"],
                "username": username,
                "association": association.slug,
            },
            content_type="application/json",
            **auth(raw),
        )
        assert response.status_code in (400, 403), (username, response.content)
    assert not ApiToken.objects.filter(user__in=[outsider, both]).exists()
    # A representative cannot issue for someone else.
    rep_raw = ApiToken.issue(representative, "rep")[1]
    assert_problem(
        client.post(
            "/api/v1/tokens",
            {
                "name": "x",
                "scopes": ["read"],
                "username": "secretariaat",
                "association": association.slug,
            },
            content_type="application/json",
            **auth(rep_raw),
        ),
        403,
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["read"], "expiresInDays": 0}, "expiresInDays"),
        ({"name": "x", "scopes": ["read"], "expiresInDays": "soon"}, "expiresInDays"),
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": "read"}, "scopes"),
    ],
)
def test_bad_token_requests_are_400_and_change_nothing(client, secretariat, body, field):
    raw = ApiToken.issue(secretariat, "admin")[1]
    before = ApiToken.objects.count()
    response = client.post("/api/v1/tokens", body, content_type="application/json", **auth(raw))
    problem = assert_problem(response, 400)
    assert field in [p["name"] for p in problem["invalidParams"]]
    assert ApiToken.objects.count() == before


def test_cli_creates_lists_and_revokes(secretariat):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "tokens",
        "create",
        "secretariaat",
        "--name",
        "cli",
        "--scopes",
        "read,write",
        "--days",
        "7",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith("bsl_") and "shown only this once" in err.getvalue()
    token = ApiToken.objects.get(name="cli")
    assert token.scopes == "read write" and token.expires_at < timezone.now() + timedelta(days=8)
    out = io.StringIO()
    call_command("tokens", "list", "--user", "secretariaat", stdout=out)
    assert "cli" in out.getvalue() and raw not in out.getvalue() and "active" in out.getvalue()
    call_command("tokens", "revoke", str(token.pk), stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="scopes"):
        call_command(
            "tokens",
            "create",
            "secretariaat",
            "--name",
            "x",
            "--scopes",
            "root",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with pytest.raises(CommandError, match="No person"):
        call_command("tokens", "create", "niemand", "--name", "x", stdout=io.StringIO())


def test_the_page_shows_a_new_token_once_and_revokes_it(client, secretariat):
    client.force_login(secretariat)
    page = client.get("/")
    assert 'href="/accounts/tokens/"' in page.content.decode()
    response = client.post(
        "/accounts/tokens/", {"name": "iBabs", "scopes": ["read"], "expires_in_days": 30}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="iBabs")
    html = response.content.decode()
    secret = html.split('id="new-token" class="besluit-token">')[1].split("<")[0]
    assert token.key_hash == credentials.hash_secret(secret)
    assert secret not in client.get("/accounts/tokens/").content.decode()
    bad = client.post("/accounts/tokens/", {"name": "", "scopes": [], "expires_in_days": 0})
    assert bad.status_code == 400
    client.post(f"/accounts/tokens/{token.pk}/intrekken/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_edge_accepts_only_live_tokens_with_the_vote_scope(secretariat):
    live = ApiToken.issue(secretariat, "v", scopes=["vote"])[1]
    read = ApiToken.issue(secretariat, "r", scopes=["read"])[1]
    expired = ApiToken.issue(secretariat, "e", expires_at=timezone.now() - timedelta(minutes=1))[1]
    found = credentials.resolve([credentials.Credential("token", t) for t in (live, read, expired)])
    assert found == [secretariat.pk, None, None]
    assert AuditEvent.objects.filter(action="api_token.used").count() == 1
