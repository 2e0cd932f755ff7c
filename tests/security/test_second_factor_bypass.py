"""A session that logged in with its password but has not confirmed its TOTP code
is refused everywhere but the login, logout and second-factor pages: an
``Authorization: Bearer ...`` header (any, valid or not) does not lift that, in
Django (pages, API) nor at the edge (event stream, ballots). A token without a
session cookie is not a session login and still works."""

import secrets

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from besluit.accounts.models import ApiToken, User
from besluit.associations.models import Role
from besluit.live.models import MeetingState
from besluit.security.models import SecurityPolicy
from besluit.voting import services as voting
from besluit.voting.models import Ballot
from tests import factories
from tests.security import asgi

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"
BEARER = ("Authorization", "Bearer x")


@pytest.fixture
def officer(association):
    """A chair who also represents a member (a superuser, so the TOTP policy applies to
    them), with a confirmed device, logged in with the password only."""
    SecurityPolicy.objects.create(association=association, totp_required=True)
    user = factories.make_user(
        "voorzitter-burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    TOTPDevice.objects.create(user=user, name="Besluit", confirmed=True)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/associations").status_code == 403  # owes the code
    return user, client


def test_a_bearer_header_does_not_open_the_chair_console(officer, association, meeting):
    _user, client = officer
    console = f"/{association.slug}/vergaderingen/{meeting.pk}/voorzitter/"
    page = client.get(console, HTTP_AUTHORIZATION="Bearer x")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/tweede-factor/")
    item = meeting.agenda_items.first()
    changed = client.post(f"{console}agendapunt/", {"item": item.pk}, HTTP_AUTHORIZATION="Bearer x")
    assert changed.status_code == 302
    assert changed["Location"].startswith("/accounts/tweede-factor/")
    assert not MeetingState.objects.filter(meeting=meeting, current_item=item).exists()


def test_a_bearer_header_does_not_open_the_api(officer):
    user, client = officer
    for header in ("Bearer x", f"Bearer {ApiToken.issue(user, 'mine')[1]}"):
        api = client.get("/api/v1/associations", HTTP_AUTHORIZATION=header)
        assert api.status_code == 403
        assert api["Content-Type"] == "application/problem+json"
        assert api.json()["type"].endswith("second-factor-required")


def test_the_api_session_authentication_refuses_such_a_session_itself(officer, settings):
    """Should the middleware ever be bypassed: the API's own session check holds."""
    _user, client = officer
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "besluit.security.middleware.SecurityMiddleware"
    ]
    bypassed = Client()  # loads the middleware anew
    bypassed.cookies = client.cookies
    assert bypassed.get("/api/v1/associations").status_code == 401


def test_the_edge_event_stream_refuses_such_a_session(officer, meeting):
    _user, client = officer
    # Django's own view of the stream (served when Django runs without the edge).
    django = client.get(f"/live/meetings/{meeting.pk}/events", HTTP_AUTHORIZATION="Bearer x")
    assert django.status_code == 403
    assert django.json()["type"].endswith("second-factor-required")
    cookie = ("Cookie", f"sessionid={client.cookies['sessionid'].value}")
    for headers in ([cookie], [cookie, BEARER]):
        answer = asgi.call("GET", f"/live/meetings/{meeting.pk}/events", headers=headers)
        assert answer.status == 403, answer.body[:300]
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("second-factor-required")


def test_the_edge_ballot_refuses_such_a_session_and_takes_a_token_alone(
    officer, association, meeting, chair
):
    user, client = officer
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=proposal
    )
    poll = voting.do_open_poll(actor=chair, poll=poll)
    path = f"/api/v1/polls/{poll.public_id}/ballots"
    csrf = secrets.token_hex(16)
    session = client.cookies["sessionid"].value
    cookie = ("Cookie", f"sessionid={session}; csrftoken={csrf}")
    body = (b'{"option": "for"}',)
    token = ApiToken.issue(user, "mine")[1]
    for headers in (
        [cookie, ("X-CSRFToken", csrf), ("Content-Type", "application/json")],
        [cookie, BEARER, ("Content-Type", "application/json")],
        [cookie, ("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")],
    ):
        answer = asgi.call("POST", path, headers=headers, body=body)
        assert answer.status == 403, answer.body
        assert answer.json()["type"].endswith("second-factor-required")
    assert not Ballot.objects.filter(poll=poll).exists()
    # A valid token without a session is not a session login: it votes.
    answer = asgi.call(
        "POST",
        path,
        headers=[("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")],
        body=body,
    )
    assert answer.status == 201, answer.body
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_valid_token_without_a_session_still_reads_the_api(officer):
    user, _client = officer
    token = ApiToken.issue(user, "mine")[1]
    api = Client().get("/api/v1/associations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
