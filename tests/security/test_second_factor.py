"""TOTP as a second factor: optional for everyone, required for the secretariat and the
chair once their association turns it on."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.security.models import SecurityPolicy
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def test_turning_it_on_logs_officers_out_and_asks_them_for_a_code(association, secretariat):
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    factories.make_user("waarnemer", association, Role.Kind.OBSERVER)
    chair_client = log_in("voorzitter")
    observer_client = log_in("waarnemer")
    home = f"/{association.slug}/"
    assert chair_client.get(home).status_code == 200

    # The secretariat turns the policy on (its own session goes on: it must verify later).
    admin = log_in("secretariaat")
    response = admin.post(
        f"/{association.slug}/beveiliging/", {"totp_required": "on"}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302
    assert SecurityPolicy.objects.get(association=association).totp_required
    event = AuditEvent.objects.get(action="security.totp_policy")
    assert (event.actor, event.ip, event.data["required"]) == (secretariat, "192.0.2.7", True)

    # The chair's session has ended; the observer's has not.
    assert chair_client.get(home).status_code == 302
    assert observer_client.get(home).status_code == 200
    chair_ids = [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(chair.pk)
    ]
    assert chair_ids == []

    # Logging in again: every page sends the chair to the second-factor page; the API refuses.
    chair_client = log_in("voorzitter")
    page = chair_client.get(home)
    assert page.status_code == 302 and page["Location"].startswith("/accounts/tweede-factor/")
    api = chair_client.get("/api/v1/associations")
    assert api.status_code == 403 and api.json()["type"].endswith("second-factor-required")

    # Setting it up: a QR code (an inline SVG image, allowed by the CSP) and the key.
    setup = chair_client.get(page["Location"])
    assert setup.status_code == 200 and b"data:image/svg+xml;base64," in setup.content
    device = TOTPDevice.objects.get(user=chair, confirmed=False)
    wrong = chair_client.post("/accounts/tweede-factor/", {"token": "000000", "next": home})
    assert wrong.status_code == 400
    # Throttled: right after a wrong code even the right one waits (django-otp: 1 s, 2 s, ...).
    throttled = chair_client.post("/accounts/tweede-factor/", {"token": code(device)})
    assert throttled.status_code == 400 and "wacht even" in throttled.content.decode()
    time.sleep(1.1)
    first = code(device)
    done = chair_client.post("/accounts/tweede-factor/", {"token": first, "next": home})
    assert done.status_code == 302 and done["Location"] == home
    assert chair_client.get(home).status_code == 200
    assert chair_client.get("/api/v1/associations").status_code == 200

    # It cannot be removed while the role requires it.
    chair_client.post("/accounts/tweede-factor/verwijderen/")
    assert TOTPDevice.objects.filter(user=chair, confirmed=True).exists()

    # A new login needs a new code; a wrong one is refused and audited, a replayed one too.
    chair_client = log_in("voorzitter")
    assert chair_client.get(home).status_code == 302
    bad = chair_client.post("/accounts/tweede-factor/", {"token": first})
    assert bad.status_code == 400  # the code that set it up cannot be used twice
    time.sleep(1.1)
    ok = chair_client.post("/accounts/tweede-factor/", {"token": code(device, 1), "next": home})
    assert ok.status_code == 302
    assert chair_client.get(home).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=chair).values_list("action", flat=True))
    for action in ("auth.login", "security.totp_enrolled", "security.totp_verified"):
        assert action in actions
    assert "security.totp_refused" in actions
    print("policy on → 1 chair session ended, 0 observer sessions; code required at login")


def test_someone_made_chair_later_is_logged_out(association, secretariat):
    SecurityPolicy.objects.create(association=association, totp_required=True)
    person = factories.make_user("lid", association, Role.Kind.OBSERVER)
    client = log_in("lid")
    assert client.get(f"/{association.slug}/").status_code == 200
    from besluit.associations import services as assoc

    assoc.do_assign_role(actor=secretariat, user=person, association=association, kind="chair")
    assert client.get(f"/{association.slug}/").status_code == 302
    client = log_in("lid")
    assert client.get(f"/{association.slug}/")["Location"].startswith("/accounts/tweede-factor/")


def test_optional_for_others_and_removable(association, representative):
    client = log_in("burgemeester")
    assert client.get(f"/{association.slug}/").status_code == 200
    client.get("/accounts/tweede-factor/")
    device = TOTPDevice.objects.get(user=representative)
    assert client.post("/accounts/tweede-factor/", {"token": code(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=representative).confirmed
    client.post("/accounts/tweede-factor/verwijderen/")
    assert not TOTPDevice.objects.filter(user=representative).exists()
    assert AuditEvent.objects.filter(action="security.totp_removed", actor=representative)


def test_only_the_secretariat_sets_the_policy(association, chair, board, representative):
    for username in ("voorzitter", "bestuurslid", "burgemeester"):
        client = log_in(username)
        assert client.get(f"/{association.slug}/beveiliging/").status_code == 403
        assert (
            client.post(f"/{association.slug}/beveiliging/", {"totp_required": "on"}).status_code
            == 403
        )
    assert not SecurityPolicy.objects.filter(totp_required=True).exists()
