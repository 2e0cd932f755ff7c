"""Single sign-on against a real OpenID Connect provider on localhost: claims become a
person and roles, the association's second-factor policy or the provider's amr decides,
and password logins and voting codes keep working."""

import json
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core.management import call_command

from besluit.accounts.models import User
from besluit.accounts.people import do_import_people
from besluit.associations.models import Role
from besluit.security import services as security
from besluit.security.services import SESSION_FLAG
from besluit.sso import services as sso
from besluit.sso.models import Identity
from tests.sso.conftest import ROLE_MAP

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/accounts/sso/callback/"


@pytest.fixture(scope="module")
def issuer(module_provider):
    return module_provider(CALLBACK)


@pytest.fixture
def provider(association, issuer):
    call_command(
        "sso",
        "configure",
        "--association",
        association.slug,
        "--issuer",
        issuer,
        "--client-id",
        "besluit",
        "--client-secret",
        "besluit-secret",
        "--role-map",
        json.dumps(ROLE_MAP),
        "--name",
        "VNG-account",
        "--scopes",
        "openid email profile besluit",
    )
    return association.sso_provider


def sign_in(client, slug: str, username: str, password: str = "provider-pass", idp=None):
    """The browser's part, by hand: Besluit -> provider login -> back with a code. ``idp``:
    the browser's session at the provider (its cookies), to use it again afterwards."""
    start = client.get(f"/accounts/sso/{slug}/?next=/{slug}/")
    assert start.status_code == 302
    idp = idp if idp is not None else requests.Session()
    page = idp.get(start["Location"], allow_redirects=True)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    back = idp.post(
        page.url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf,
            "next": parse_qs(urlsplit(page.url).query)["next"][0],
        },
        headers={"Referer": page.url},
        allow_redirects=False,
    )
    location = back.headers["Location"]
    while not location.startswith(CALLBACK):  # the provider's own redirects, then ours
        back = idp.get(urljoin(page.url, location), allow_redirects=False)
        location = back.headers["Location"]
    assert "code=" in location, location
    return client.get(location.removeprefix("http://testserver"))


def user_in(client):
    session_user = client.session.get("_auth_user_id")
    return User.objects.get(pk=session_user) if session_user else None


def test_claims_become_a_person_with_roles(client, association, provider):
    response = sign_in(client, association.slug, "burgemeester")
    assert response.status_code == 302 and response["Location"] == f"/{association.slug}/"
    user = user_in(client)
    role = Role.objects.get(user=user, association=association)
    assert (role.kind, role.member.code, role.function) == ("representative", "GM1000", "mayor")
    assert user.email == "b@gm0014.example" and not user.has_usable_password()
    assert Identity.objects.get(user=user).provider == provider
    # The next login finds the same person by the provider's subject.
    client.logout()
    sign_in(client, association.slug, "burgemeester")
    assert user_in(client) == user and User.objects.filter(email="b@gm0014.example").count() == 1


def test_a_person_imported_without_password_is_linked_by_verified_email(
    client, association, provider
):
    data = (
        b"naam,e-mail,lidcode,functie,rol\n"
        b"Iris Import,iris@gm1001.example,GM1001,wethouder,vertegenwoordiger\n"
    )
    (username,) = do_import_people(actor=None, association=association, data=data).created
    sign_in(client, association.slug, "vertegenwoordiger")
    assert user_in(client).username == username


def test_nobody_gets_in_without_a_role(client, association, provider):
    response = sign_in(client, association.slug, "buitenstaander")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert user_in(client) is None
    assert not User.objects.filter(email="bo@example.org").exists()


def test_the_second_factor_policy_or_the_providers_amr(client, association, provider, secretariat):
    security.do_set_totp_policy(actor=secretariat, association=association, required=True)
    # The clerk logged in with a second factor at the provider (amr "mfa"): accepted.
    sign_in(client, association.slug, "griffier")
    assert user_in(client).roles.get().kind == "secretariat"
    assert client.session[SESSION_FLAG] is False
    assert client.get(f"/{association.slug}/mensen/").status_code == 200
    # The chair did not (amr "pwd"): the association's own second factor is owed.
    client.logout()
    sign_in(client, association.slug, "voorzitter")
    assert client.session[SESSION_FLAG] is True
    assert client.get(f"/{association.slug}/").status_code == 302  # to the second factor
    # An association that does not accept the provider's word asks its own as well.
    provider.accept_amr = False
    provider.save()
    client.logout()
    sign_in(client, association.slug, "griffier")
    assert client.session[SESSION_FLAG] is True


def test_password_logins_still_work_and_sso_is_offered(client, association, provider, chair):
    page = client.get("/accounts/login/").content.decode()
    assert f'href="/accounts/sso/{association.slug}/"' in page
    response = client.post(
        "/accounts/login/", {"username": "voorzitter", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and user_in(client) == chair


def test_a_forged_callback_logs_nobody_in(client, association, provider):
    client.get(f"/accounts/sso/{association.slug}/")
    response = client.get("/accounts/sso/callback/?code=made-up&state=made-up")
    assert response.status_code in (302, 400) and user_in(client) is None


def test_configuring_needs_a_real_provider(association):
    from besluit.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="OpenID-configuratie"):
        sso.do_configure_provider(
            actor=None,
            association=association,
            issuer="http://127.0.0.1:9/openid",
            client_id="x",
            client_secret="y",
        )


def test_the_secretariat_sets_it_up_on_a_page(client, association, secretariat, issuer):
    client.force_login(secretariat)
    policy = client.get(f"/{association.slug}/beveiliging/").content.decode()
    assert f"/accounts/sso/{association.slug}/instellingen/" in policy
    url = f"/accounts/sso/{association.slug}/instellingen/"
    page = client.get(url).content.decode()
    assert "http://testserver/accounts/sso/callback/" in page
    form = {
        "name": "VNG",
        "issuer": issuer,
        "client_id": "besluit",
        "client_secret": "s",
        "role_claim": "besluit_roles",
        "role_map": '{"griffie": "koning"}',
        "member_claim": "gemeentecode",
        "function_claim": "functie",
        "scopes": "openid email profile besluit",
    }
    assert client.post(url, form).status_code == 400  # an unknown role
    form["role_map"] = json.dumps(ROLE_MAP)
    assert client.post(url, form).status_code == 302
    provider = association.sso_provider
    assert provider.token_endpoint.startswith(issuer) and provider.accept_amr is False
    assert provider.role_map == ROLE_MAP and provider.scopes == "openid email profile besluit"
