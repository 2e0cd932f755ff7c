"""A delivery left "sending" by a stopped worker is taken over when its lease expires;
two workers never send the same attempt. Against the real receiver on localhost."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from besluit.webhooks import services
from besluit.webhooks.models import Attempt, Delivery, Subscription
from tests import factories
from tests.live.servers import database_url
from tests.webhooks.conftest import time_passes
from tests.webhooks.receiver import Receiver, start


def recover() -> str:
    from io import StringIO

    out = StringIO()
    call_command("webhooks", "recover", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_worker_stopped_mid_request_leaves_a_lease_that_another_run_takes_over(
    subscribed, receiver, association, client, run_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{association.slug}/webhooks/{subscribed.pk}/test/")
    # The job dies while the request is under way (the worker records the job as failed;
    # nothing of ours runs afterwards, as after SIGKILL, which the last test does for real).
    with mock.patch.object(services, "_post", side_effect=MemoryError):
        run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENDING and delivery.attempts == 0
    assert delivery.claimed_until > timezone.now() + services.LEASE - timedelta(minutes=1)
    page = client.get(f"/{association.slug}/webhooks/{subscribed.pk}/").content.decode()
    assert "door een andere worker overgenomen als het niet klaar is om" in page

    # Before the lease runs out nobody touches it, however often asked.
    assert recover().startswith("0 ")
    services.enqueue(delivery.pk)
    run_worker()
    assert not receiver.requests and Delivery.objects.get().status == "sending"

    time_passes(services.LEASE + timedelta(seconds=1))
    assert recover().startswith("1 ")  # the command takes it over and sends it
    run_worker()  # the queued job finds it delivered: nothing is sent twice
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 1
    assert delivery.claim == "" and delivery.claimed_until is None
    (attempt,) = delivery.attempt_log.all()
    assert attempt.recovered and attempt.status_code == 204
    assert receiver.requests[0].headers["webhook-id"] == delivery.message_id
    page = client.get(f"/{association.slug}/webhooks/{subscribed.pk}/").content.decode()
    assert "overgenomen nadat een worker stopte tijdens het verzenden" in page
    api = client.get(f"/api/v1/associations/{association.slug}/webhooks/{subscribed.pk}/deliveries")
    assert api.json()[0]["attempts"][0]["recovered"] is True


@pytest.mark.django_db
def test_a_worker_that_outlives_its_lease_does_not_overwrite_the_one_that_took_over(
    subscribed, receiver, association, secretariat
):
    delivery = services.do_send_test(actor=secretariat, subscription=subscribed)
    now = timezone.now()
    slow, recovered = services._claim(delivery.pk, now)
    assert slow is not None and not recovered
    assert services._claim(delivery.pk, now + timedelta(seconds=5)) == (None, False)
    later = now + services.LEASE + timedelta(seconds=1)
    fast, recovered = services._claim(delivery.pk, later)
    assert fast is not None and recovered
    assert services._finish(fast, later, 204, "", 3, recovered) == "succeeded"
    # The first worker's request comes back at last: logged, but the delivery stays done.
    assert services._finish(slow, now, 500, "", 400_000, False) == "succeeded"
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert [(a.status_code, a.recovered) for a in delivery.attempt_log.order_by("pk")] == [
        (204, True),
        (500, False),
    ]


@pytest.mark.django_db
def test_a_due_delivery_whose_job_was_lost_is_queued_again(subscribed, secretariat, run_worker):
    delivery = services.do_send_test(actor=secretariat, subscription=subscribed)  # no job ran
    assert recover().startswith("0 ")
    time_passes(services.LEASE + timedelta(minutes=1))
    assert recover().startswith("1 ")
    assert Delivery.objects.get(pk=delivery.pk).status == "succeeded"


@pytest.mark.django_db
def test_every_delivery_job_also_sends_what_a_stopped_worker_left(
    subscribed, receiver, secretariat, run_worker, django_capture_on_commit_callbacks
):
    left = services.do_send_test(actor=secretariat, subscription=subscribed)
    assert services._claim(left.pk, timezone.now())[0] is not None  # then the worker died
    time_passes(services.LEASE + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.do_send_test(actor=secretariat, subscription=subscribed)  # a new event
    run_worker()  # its job sends the new one, then takes over the one left behind
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert Attempt.objects.get(delivery=left).recovered
    assert len(receiver.requests) == 2


@pytest.mark.dbbackend
@pytest.mark.django_db(transaction=True)
def test_racing_workers_send_each_attempt_once(settings):
    """Eight threads, each its own database connection, deliver the same due deliveries at
    once against a slow receiver: every delivery is sent once and logged once."""
    settings.BESLUIT_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    server, url = start(receiver)
    try:
        association = factories.make_association(2, slug="race")
        secretariat = factories.make_user("sec", association, "secretariat")
        subscription = services.do_create_subscription(
            actor=secretariat, association=association, url=url, events=["poll.opened"]
        )
        receiver.secret = subscription.secret
        ids = [
            services.do_send_test(actor=secretariat, subscription=subscription).pk for _ in range(4)
        ]
        barrier = threading.Barrier(8)
        results: list[str] = []

        def worker():
            try:
                barrier.wait()
                for delivery_id in ids:
                    results.append(services.deliver(delivery_id))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(results) == 32
        assert len(receiver.requests) == 4 and len(receiver.accepted) == 4
        assert Attempt.objects.count() == 4
        assert set(Delivery.objects.values_list("status", "attempts")) == {("succeeded", 1)}
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.dbbackend
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_process_is_taken_over_after_its_lease(tmp_path, settings):
    """A real ``besluit db_worker`` process on the test database is killed (SIGKILL) while
    the receiver holds its request; after the lease the next worker run delivers it."""
    settings.BESLUIT_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver(hold_next=1)
    server, url = start(receiver)
    worker = None
    try:
        association = factories.make_association(2, slug="kill")
        secretariat = factories.make_user("sec", association, "secretariat")
        subscription = services.do_create_subscription(
            actor=secretariat, association=association, url=url, events=["poll.opened"]
        )
        receiver.secret = subscription.secret
        # Committed at once (no test transaction), so its job is queued already.
        delivery = services.do_send_test(actor=secretariat, subscription=subscription)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "BESLUIT_DATA_DIR": str(tmp_path),
            "BESLUIT_SECRET_KEY": settings.SECRET_KEY,
            "BESLUIT_WEBHOOKS_ALLOW_PRIVATE": "1",
            "REDIS_URL": "",
        }
        env.pop("PYTEST_VERSION", None)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "besluit.cli",
                "db_worker",
                "--queue-name",
                "*",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.2",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert receiver.held.wait(timeout=90), "the worker never sent the delivery"
        worker.kill()
        worker.wait(timeout=30)
        receiver.release.set()
        delivery.refresh_from_db()
        assert delivery.status == "sending" and not delivery.attempt_log.exists()

        assert services.recover_expired() == []  # the lease still holds
        time_passes(services.LEASE + timedelta(seconds=1))
        assert services.recover_expired() == [delivery.pk]  # this run takes it over
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"
        (attempt,) = delivery.attempt_log.all()
        assert attempt.recovered and attempt.status_code == 204
        assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id]
        assert Subscription.objects.get().pk == subscription.pk
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        receiver.release.set()
        server.shutdown()
        server.server_close()
