"""Single sign-on end to end in Chromium against the local OpenID Connect provider, and
axe on the integration pages (login with SSO, API tokens, people import, webhooks)."""

import json

from axe_playwright_python.sync_playwright import Axe

from besluit.associations.models import Role
from besluit.sso import services as sso
from tests import factories
from tests.browser.conftest import login
from tests.sso.conftest import ROLE_MAP, start_provider  # noqa: F401 (the fixture)


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_sso_login_end_to_end(new_page, live_server, start_provider, db):  # noqa: F811
    association = factories.make_association(4, slug="vvg")
    issuer = start_provider(f"{live_server.url}/accounts/sso/callback/")
    provider = sso.do_configure_provider(
        actor=None,
        association=association,
        issuer=issuer,
        client_id="besluit",
        client_secret="besluit-secret",
        name="VNG-account",
        role_map=ROLE_MAP,
        scopes="openid email profile besluit",
    )
    assert provider.scopes.endswith("besluit")

    page = new_page(phone=True)
    page.goto("/accounts/login/")
    problems = _serious(page)
    page.get_by_role("link", name="Inloggen voor Vereniging van Testgemeenten").click()
    page.wait_for_url(f"{issuer.removesuffix('/openid')}/accounts/login/**")
    page.fill("#id_username", "burgemeester")
    page.fill("#id_password", "provider-pass")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/**")
    # Logged in as the mapped person (on a phone the header keeps the name for wider screens).
    page.locator(".besluit-user__name").filter(has_text="Bram Burgemeester").wait_for(
        state="attached"
    )
    assert "/accounts/login/" not in page.url
    role = Role.objects.get(user__email="b@gm0014.example", association=association)
    assert role.kind == "representative" and role.member.code == "GM1000"

    # Logging out of Besluit logs out at the provider too (RP-initiated logout): the
    # browser passes the provider's end_session_endpoint and lands on Besluit's login page.
    provider_logouts = []
    page.on(
        "request",
        lambda r: (
            r.url.startswith(provider.end_session_endpoint) and provider_logouts.append(r.url)
        ),
    )
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert len(provider_logouts) == 1 and "id_token_hint=" in provider_logouts[0]
    assert page.locator(".besluit-user__name").count() == 0
    # Single sign-on again: the provider asks for the password (its session ended too).
    page.get_by_role("link", name="Inloggen voor Vereniging van Testgemeenten").click()
    page.wait_for_url(f"{issuer.removesuffix('/openid')}/accounts/login/**")
    assert page.locator("#id_password").is_visible()
    assert problems == [], json.dumps(problems, indent=1)


def test_integration_pages_pass_axe(new_page, db):
    association = factories.make_association(4, slug="vvg")
    factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    page = new_page()
    login(page, "secretariaat")
    problems = []
    for url in ("/accounts/tokens/", "/vvg/mensen/import/", "/vvg/webhooks/"):
        response = page.goto(url)
        assert response.status == 200, url
        problems += _serious(page)
    # A token made on the page is shown once, in the page itself.
    page.goto("/accounts/tokens/")
    page.fill("input[name=name]", "iBabs")
    page.get_by_role("button", name="Token aanmaken").click()
    assert page.locator("#new-token").inner_text().startswith("bsl_")
    problems += _serious(page)
    assert problems == [], json.dumps(problems, indent=1)
