"""Webhooks: events to a real receiver on localhost that verifies the Standard Webhooks
signature, fails once and gets the retry from the background worker, and detects replays."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from besluit.errors import PermissionDenied, ValidationFailed
from besluit.meetings import services as meetings
from besluit.voting import services as voting
from besluit.webhooks import services
from besluit.webhooks.models import Attempt, Delivery, Subscription
from tests import factories
from tests.webhooks.conftest import time_passes

pytestmark = pytest.mark.django_db


@pytest.mark.dbbackend
def test_events_arrive_signed_and_a_failure_is_retried_by_the_worker(
    subscribed, receiver, chair, meeting, client, django_capture_on_commit_callbacks, run_worker
):
    receiver.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        poll = factories.open_poll(chair, meeting)
    run_worker()
    first = Delivery.objects.get(event_type="poll.opened")
    assert first.status == Delivery.Status.PENDING and first.attempts == 1
    assert receiver.requests[0].status == 500 and not receiver.accepted
    assert first.next_attempt_at > timezone.now() + timedelta(seconds=20)
    run_worker()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    time_passes(services.BACKOFF[0])
    run_worker()
    first.refresh_from_db()
    assert first.status == Delivery.Status.SUCCEEDED and first.attempts == 2
    assert [a.status_code for a in first.attempt_log.all()] == [500, 204]
    # The retry carried the same webhook-id, so the receiver can tell it from a new event.
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    (opened,) = receiver.payloads("poll.opened")
    assert opened["data"]["pollId"] == str(poll.public_id)

    with django_capture_on_commit_callbacks(execute=True):
        voting.do_close_poll(actor=chair, poll=poll)
    run_worker()
    assert {p["type"] for p in receiver.payloads()} == {
        "poll.opened",
        "poll.closed",
        "decision.recorded",
    }
    closed = receiver.payloads("poll.closed")[0]["data"]
    assert closed["outcome"] in ("adopted", "rejected", "no_quorum", "no_majority")
    # The delivery log on the page, with each attempt's status.
    page = client.get(f"/{meeting.association.slug}/webhooks/{subscribed.pk}/").content.decode()
    assert "HTTP 500" in page and "HTTP 204" in page and first.message_id in page


def test_the_receiver_detects_replays_and_forgeries(
    subscribed, receiver, chair, meeting, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.open_poll(chair, meeting)
    run_worker()
    original = receiver.requests[-1]
    assert original.status == 204

    def resend(headers: dict, body: bytes) -> int:
        request = urllib.request.Request(receiver.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    headers = {k: v for k, v in original.headers.items() if k.startswith("webhook-")}
    assert resend(headers, original.body) == 409  # the same message again: a replay
    tampered = original.body.replace(b'"poll.opened"', b'"poll.closed"')
    assert resend(headers, tampered) == 401  # the signature no longer matches
    # An old message, re-signed by someone who knows the secret, is still too old.
    delivery = Delivery.objects.get()
    stale = services.signed_headers(subscribed, delivery, timezone.now() - timedelta(minutes=10))
    stale = {k: v for k, v in stale.items() if k.startswith("webhook-")}
    assert resend(stale, delivery.body.encode()) == 400
    assert len(receiver.accepted) == 1


def test_the_test_button_sends_a_test_event(
    subscribed, receiver, client, association, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{association.slug}/webhooks/{subscribed.pk}/test/")
    assert response.status_code == 302
    run_worker()
    (test,) = receiver.payloads("webhook.test")
    assert test["data"]["association"] == association.slug


def test_a_receiver_that_keeps_failing_ends_failed(
    subscribed, receiver, chair, meeting, django_capture_on_commit_callbacks
):
    receiver.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        factories.open_poll(chair, meeting)
    delivery = Delivery.objects.get()
    for step in range(services.MAX_ATTEMPTS):
        with django_capture_on_commit_callbacks(execute=True):
            services.deliver(delivery.pk, now=timezone.now() + timedelta(days=step))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert Attempt.objects.filter(delivery=delivery).count() == services.MAX_ATTEMPTS


def test_every_event_kind_makes_a_delivery(subscribed, association, secretariat, chair, receiver):
    meeting = factories.make_meeting(association)
    meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status="convened")
    from besluit import hooks

    hooks.emit(hooks.MinutesAdopted(meeting=meeting, minutes=None, actor=secretariat))
    from besluit.letters import services as letters
    from besluit.letters.models import MemberAddress

    MemberAddress.objects.create(member=factories.member(association, 0), email="lid@example.org")
    letter = letters.do_create_letter(
        actor=secretariat, association=association, kind="other", subject="Onderwerp", body="Tekst"
    )
    letters.do_send_letter(actor=secretariat, letter=letter)
    kinds = set(Delivery.objects.values_list("event_type", flat=True))
    assert {"meeting.published", "minutes.adopted", "letter.sent"} <= kinds
    body = json.loads(Delivery.objects.get(event_type="letter.sent").body)
    assert body["data"]["number"] == letter.number and body["type"] == "letter.sent"


def test_unsubscribed_or_paused_means_nothing_is_sent(
    association, secretariat, chair, meeting, receiver
):
    only_letters = services.do_create_subscription(
        actor=secretariat, association=association, url=receiver.url, events=["letter.sent"]
    )
    factories.open_poll(chair, meeting)
    assert not Delivery.objects.exists()
    only_polls = services.do_create_subscription(
        actor=secretariat, association=association, url=receiver.url, events=["poll.opened"]
    )
    services.do_set_active(actor=secretariat, subscription=only_polls, active=False)
    factories.open_poll(chair, meeting, title="Tweede")
    assert not Delivery.objects.exists() and only_letters.pk


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.0.0.5/x",
        "ftp://example.org/",
        "http://user:pw@example.org/",
        "javascript:alert(1)",
    ],
)
def test_private_or_odd_addresses_are_refused(association, secretariat, url, settings):
    settings.BESLUIT_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationFailed):
        services.do_create_subscription(
            actor=secretariat, association=association, url=url, events=["poll.opened"]
        )
    assert not Subscription.objects.exists()


def test_only_the_secretariat_manages_webhooks(client, association, chair, representative):
    for user in (chair, representative):
        client.force_login(user)
        assert client.get(f"/{association.slug}/webhooks/").status_code == 403
    with pytest.raises(PermissionDenied, match="secretariaat"):
        services.do_create_subscription(
            actor=chair, association=association, url="https://example.org/", events=["x"]
        )


def test_the_api_subscribes_tests_and_shows_the_log(
    client, association, secretariat, receiver, run_worker, django_capture_on_commit_callbacks
):
    from besluit.accounts.models import ApiToken

    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(secretariat, 't')[1]}"}
    base = f"/api/v1/associations/{association.slug}/webhooks"
    bad = client.post(
        base, {"url": "ftp://x", "events": ["poll.opened"]}, content_type="application/json", **auth
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    unknown = client.post(
        base,
        {"url": receiver.url, "events": ["poll.exploded"]},
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 400
    created = client.post(
        base,
        {"url": receiver.url, "events": ["poll.opened"]},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    receiver.secret = created.json()["secret"]
    sid = created.json()["id"]
    assert "secret" not in client.get(base, **auth).json()[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/{sid}/test", **auth).status_code == 202
    run_worker()
    (delivery,) = client.get(f"{base}/{sid}/deliveries", **auth).json()
    assert delivery["status"] == "succeeded" and delivery["eventType"] == "webhook.test"
    assert [a["statusCode"] for a in delivery["attempts"]] == [204]
    assert client.delete(f"{base}/{sid}", **auth).status_code == 204
    assert client.get(f"{base}/{sid}/deliveries", **auth).status_code == 404
