"""The webhooks tests' worker, clock and receiver (a real one on localhost)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command

from besluit.webhooks.models import Delivery, Subscription
from tests.webhooks.receiver import Receiver, start

ALL_EVENTS = [
    "poll.opened",
    "poll.closed",
    "decision.recorded",
    "meeting.published",
    "letter.sent",
    "commitment.changed",
    "minutes.adopted",
]


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """The background worker, as `besluit db_worker --batch --queue-name '*'` runs it
    (inside the test's transaction: without closing the test's connection, and running
    the jobs' on-commit callbacks, such as queueing a retry)."""
    from django_tasks_db.management.commands import db_worker

    def run():
        with (
            mock.patch.object(db_worker, "close_old_connections", lambda: None),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command(
                "db_worker",
                "--batch",
                "--queue-name",
                "*",
                "--no-startup-delay",
                "--no-reload",
                verbosity=0,
            )

    return run


def time_passes(delta: timedelta) -> None:
    """Move what is due (deliveries and the worker's queued jobs) ``delta`` earlier."""
    from django_tasks_db.models import DBTaskResult

    for job in DBTaskResult.objects.filter(status="READY", run_after__isnull=False):
        job.run_after -= delta
        job.save(update_fields=["run_after"])
    for d in Delivery.objects.filter(next_attempt_at__isnull=False):
        d.next_attempt_at -= delta
        d.save(update_fields=["next_attempt_at"])
    for d in Delivery.objects.filter(claimed_until__isnull=False):
        d.claimed_until -= delta  # a worker's lease runs out as well
        d.save(update_fields=["claimed_until"])


@pytest.fixture
def receiver(settings):
    settings.BESLUIT_WEBHOOKS_ALLOW_PRIVATE = True
    found = Receiver()
    server, url = start(found)
    found.url = url
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(client, association, secretariat, receiver):
    """A subscription made on the page by the secretariat, its secret given to the receiver."""
    client.force_login(secretariat)
    response = client.post(
        f"/{association.slug}/webhooks/",
        {"url": receiver.url, "description": "RIS", "events": ALL_EVENTS},
    )
    assert response.status_code == 302, response.content
    subscription = Subscription.objects.get()
    page = client.get(response["Location"]).content.decode()
    receiver.secret = page.split('id="webhook-secret">')[1].split("<")[0]
    assert receiver.secret == subscription.secret and receiver.secret.startswith("whsec_")
    return subscription
