"""Single sign-on keeps the roles it gave in step with the claims (and leaves the roles
given in Besluit alone), and logging out ends the session at the provider too
(RP-initiated logout). Against the real provider on localhost; claims change there."""

import html
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from besluit.accounts.people import do_import_people
from besluit.associations.models import Role
from besluit.associations.services import do_assign_role
from besluit.audit.models import AuditEvent
from besluit.sso.models import GrantedRole
from tests.sso.conftest import ROLE_MAP
from tests.sso.test_sso import CALLBACK, sign_in, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp(module_provider):
    """(issuer, set_groups): one provider for the module; tests put changed groups back."""
    issuer = module_provider(CALLBACK)
    return issuer, lambda user, groups: module_provider.set_groups(issuer, user, groups)


@pytest.fixture
def provider(association, idp):
    call_command(
        "sso",
        "configure",
        "--association",
        association.slug,
        "--issuer",
        idp[0],
        "--client-id",
        "besluit",
        "--client-secret",
        "besluit-secret",
        "--role-map",
        json.dumps(ROLE_MAP),
        "--scopes",
        "openid email profile besluit",
    )
    return association.sso_provider


def kinds(user, association) -> dict[str, bool]:
    """Each role kind of the person here, and whether single sign-on gave it."""
    return {
        r.kind: GrantedRole.objects.filter(role=r).exists()
        for r in Role.objects.filter(user=user, association=association)
    }


def test_roles_given_by_sso_follow_the_claims_and_local_roles_stay(
    client, association, provider, idp, secretariat
):
    set_groups = idp[1]
    try:
        sign_in(client, association.slug, "voorzitter")
        user = user_in(client)
        assert kinds(user, association) == {"chair": True}
        # The secretariat gives the same person a role of its own in Besluit.
        do_assign_role(actor=secretariat, user=user, association=association, kind="observer")

        set_groups("voorzitter", ["role:griffie"])  # chair no more; the clerk's office now
        client.logout()
        sign_in(client, association.slug, "voorzitter")
        assert user_in(client) == user
        assert kinds(user, association) == {"secretariat": True, "observer": False}
        # The people page tells the secretariat which roles the provider's claims decide.
        office = Client()
        office.force_login(secretariat)
        page = office.get(f"/{association.slug}/mensen/?kind=secretariat").content.decode()
        assert page.count("uit single sign-on: volgt de claims van de provider") == 1
        login = AuditEvent.objects.filter(action="sso.login").latest("pk")
        assert (login.data["roles_added"], login.data["roles_removed"]) == (
            ["secretariat"],
            ["chair"],
        )
        assert AuditEvent.objects.filter(action="role.removed", data__kind="chair").exists()

        set_groups("voorzitter", [])  # the provider names no role at all
        client.logout()
        sign_in(client, association.slug, "voorzitter")
        assert kinds(user, association) == {"observer": False}
        assert user_in(client) == user  # the local role still lets them in
    finally:
        set_groups("voorzitter", ["role:voorzitter"])


def test_a_role_given_in_besluit_is_never_taken_or_changed_by_sso(
    client, association, provider, idp
):
    set_groups = idp[1]
    data = (
        b"naam,e-mail,lidcode,functie,rol\n"
        b"Iris Import,iris@gm1001.example,GM1001,wethouder,vertegenwoordiger\n"
    )
    do_import_people(actor=None, association=association, data=data)
    try:
        # The claims name a representative role for another member: the imported role wins.
        set_groups(
            "vertegenwoordiger", ["role:burgemeesters", "gemeente:GM1002", "functie:burgemeester"]
        )
        sign_in(client, association.slug, "vertegenwoordiger")
        user = user_in(client)
        role = Role.objects.get(user=user, association=association)
        assert (role.member.code, role.function) == ("GM1001", "alderman")
        assert kinds(user, association) == {"representative": False}
        set_groups("vertegenwoordiger", [])
        client.logout()
        sign_in(client, association.slug, "vertegenwoordiger")
        assert kinds(user, association) == {"representative": False} and user_in(client) == user
    finally:
        set_groups("vertegenwoordiger", [])


def test_a_claimed_representative_follows_the_member_and_function_in_the_claims(
    client, association, provider, idp
):
    set_groups = idp[1]
    try:
        sign_in(client, association.slug, "burgemeester")
        user = user_in(client)
        set_groups("burgemeester", ["role:burgemeesters", "gemeente:GM1003", "functie:wethouder"])
        client.logout()
        sign_in(client, association.slug, "burgemeester")
        role = Role.objects.get(user=user, association=association)
        assert (role.member.code, role.function) == ("GM1003", "alderman")
        assert kinds(user, association) == {"representative": True}
    finally:
        set_groups(
            "burgemeester", ["role:burgemeesters", "gemeente:GM1000", "functie:burgemeester"]
        )


def test_logout_after_sso_logs_out_at_the_provider_too(client, association, provider, idp):
    assert provider.end_session_endpoint == f"{idp[0]}/end-session"
    at_provider = requests.Session()
    sign_in(client, association.slug, "griffier", idp=at_provider)
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    # A page that goes on to the provider (a redirect would break the form's CSP).
    assert response.status_code == 200
    page = response.content.decode()
    link = html.unescape(page.split('id="provider-logout" href="')[1].split('"')[0])
    assert f'<meta http-equiv="refresh" content="0; url={html.escape(link)}">' in page
    assert "Uitgelogd bij Besluit" in page
    target = urlsplit(link)
    assert f"{target.scheme}://{target.netloc}{target.path}" == provider.end_session_endpoint
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert user_in(client) is None  # logged out of Besluit already
    # The browser follows: the provider ends its session and sends it back to Besluit.
    back = at_provider.get(link, allow_redirects=False)
    assert (
        back.status_code == 302 and back.headers["Location"] == query["post_logout_redirect_uri"][0]
    )
    # At the provider nobody is logged in any more: a new start asks for the password.
    start = client.get(f"/accounts/sso/{association.slug}/")
    again = at_provider.get(start["Location"], allow_redirects=True)
    assert 'name="password"' in again.text and "/accounts/login/" in again.url


def test_logout_without_sso_or_without_an_end_session_endpoint_is_besluits_own(
    client, association, provider, chair
):
    client.post("/accounts/login/", {"username": "voorzitter", "password": "correct horse battery"})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert user_in(client) is None
    provider.end_session_endpoint = ""
    provider.save()
    sign_in(client, association.slug, "griffier")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert user_in(client) is None
    assert client.get("/accounts/logout/").status_code == 405  # a link cannot log anyone out
