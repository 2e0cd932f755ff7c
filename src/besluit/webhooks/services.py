"""Webhooks: subscriptions, deliveries signed as Standard Webhooks, retries with back-off.

- ``announce`` (from the listeners, inside the announcing transaction) writes one
  ``Delivery`` per subscription that asked for the event and, after the commit, queues
  the background job ``tasks.deliver`` (django-tasks, the same worker as the letters).
- ``deliver`` claims a due delivery with a lease (pending -> sending until
  ``claimed_until``; on PostgreSQL the row is taken with ``SELECT ... FOR UPDATE SKIP
  LOCKED`` and the claim is a conditional update on every backend, so two workers never
  send the same attempt), POSTs the body with ``webhook-id`` (the delivery's,
  the same on every attempt), ``webhook-timestamp`` (this attempt's) and
  ``webhook-signature`` (``v1,`` base64 HMAC-SHA256 of ``id.timestamp.body``, signed by
  the ``standardwebhooks`` package) and logs the attempt. A 2xx delivers; anything else
  is tried again after BACKOFF, up to MAX_ATTEMPTS, then the delivery has failed.
- A worker killed while sending leaves the delivery ``sending``; when its lease (LEASE)
  has expired, the next ``deliver`` of it claims it again and logs that attempt as
  ``recovered``. ``recover_expired`` (run at the end of every delivery job and by
  ``besluit webhooks recover``) sends such deliveries, and due ones whose job was lost.
- Receivers reject replays by the id and the timestamp (docs/webhooks.md).

Addresses must be http(s) and, unless BESLUIT_WEBHOOKS_ALLOW_PRIVATE, resolve to public
addresses only (checked when subscribing and again before every attempt); redirects are
not followed: a webhook cannot be pointed at the installation's own network.
"""

import base64
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from besluit import access
from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.errors import ValidationFailed
from besluit.webhooks.models import EVENTS, TEST_EVENT, Attempt, Delivery, Subscription

BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 10  # seconds per blocking step of an attempt (connect, send, each read)
# How long a claim holds: far longer than an attempt can take (a few TIMEOUTs), so a live
# worker is never overtaken; a killed worker's delivery waits this long to be taken over.
LEASE = timedelta(minutes=5)
USER_AGENT = "Besluit-Webhooks/1"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _allow_private() -> bool:
    return bool(getattr(settings, "BESLUIT_WEBHOOKS_ALLOW_PRIVATE", False))


def check_url(url: str) -> str:
    """An http(s) address whose host resolves to public addresses only (unless allowed)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            _("A webhook address starts with https:// (or http://)."), field="url"
        )
    if len(url) > 500:
        raise ValidationFailed(_("A webhook address has at most 500 characters."), field="url")
    if parts.username or parts.password:
        raise ValidationFailed(
            _("A webhook address carries no user name or password."), field="url"
        )
    if not _allow_private():
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise ValidationFailed(
                _("The host %(host)s is unknown.") % {"host": parts.hostname}, field="url"
            ) from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise ValidationFailed(
                    _("A webhook address must be on the public internet."), field="url"
                )
    return url


def _check_events(events) -> list[str]:
    chosen = [e for e in EVENTS if e in set(events)]
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValidationFailed(
            _("Unknown event(s): %(events)s.") % {"events": ", ".join(unknown)}, field="events"
        )
    if not chosen:
        raise ValidationFailed(_("Choose at least one event."), field="events")
    return chosen


def do_create_subscription(
    *, actor, association: Association, url: str, events, description: str = ""
) -> Subscription:
    access.require_administer(actor, association)
    url = check_url(url)
    chosen = _check_events(events)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            association=association,
            url=url,
            description=description.strip()[:200],
            secret=new_secret(),
            events=chosen,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            "webhook.subscribed",
            actor=actor,
            association=association,
            obj=subscription,
            url=url,
            events=chosen,
        )
    return subscription


def do_set_active(*, actor, subscription: Subscription, active: bool) -> Subscription:
    access.require_administer(actor, subscription.association)
    with transaction.atomic():
        subscription.active = active
        subscription.save(update_fields=["active"])
        record(
            "webhook.activated" if active else "webhook.paused",
            actor=actor,
            association=subscription.association,
            obj=subscription,
        )
    return subscription


def do_delete_subscription(*, actor, subscription: Subscription) -> None:
    access.require_administer(actor, subscription.association)
    with transaction.atomic():
        record(
            "webhook.deleted",
            actor=actor,
            association=subscription.association,
            obj=subscription,
            url=subscription.url,
        )
        subscription.delete()


def _body(event_type: str, data: dict, at: datetime) -> str:
    payload = {"type": event_type, "timestamp": at.astimezone(UTC).isoformat(), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)


def _create(subscription: Subscription, event_type: str, data: dict, now: datetime) -> Delivery:
    delivery = Delivery.objects.create(
        subscription=subscription,
        message_id="msg_" + secrets.token_urlsafe(18),
        event_type=event_type,
        body=_body(event_type, data, now),
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))
    return delivery


def announce(association_id: int, event_type: str, data: dict) -> list[Delivery]:
    """A delivery for every active subscription of the association that asked for the
    event; sent after the announcing transaction commits (nothing if it rolls back)."""
    now = timezone.now()
    subscriptions = Subscription.objects.filter(association_id=association_id, active=True)
    return [_create(s, event_type, data, now) for s in subscriptions if event_type in s.events]


def do_send_test(*, actor, subscription: Subscription) -> Delivery:
    access.require_administer(actor, subscription.association)
    with transaction.atomic():
        delivery = _create(
            subscription,
            TEST_EVENT,
            {"association": subscription.association.slug, "subscription": subscription.pk},
            timezone.now(),
        )
        record("webhook.test", actor=actor, association=subscription.association, obj=subscription)
    return delivery


def enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from besluit.webhooks.tasks import deliver_webhook

    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    task.enqueue(delivery_id)


def signed_headers(subscription: Subscription, delivery: Delivery, at: datetime) -> dict:
    signature = Webhook(subscription.secret).sign(
        msg_id=delivery.message_id, timestamp=at.astimezone(UTC), data=delivery.body
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer (a failed attempt), never followed


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    try:
        check_url(url)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with _opener.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except ValidationFailed as exc:
        return None, exc.message
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]


def _claimable(now: datetime) -> Q:
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    return due | Q(status=Delivery.Status.SENDING, claimed_until__lt=now)


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, bool]:
    """Take the delivery for one attempt: (the delivery, whether an expired lease was
    taken over), or (None, False) when it is not due, is gone or another worker has it.

    On PostgreSQL the row is locked and skipped by a concurrent worker (FOR UPDATE SKIP
    LOCKED); the conditional update is the claim itself on every backend (SQLite ignores
    FOR UPDATE), so only one of two racing workers gets 1 row back.
    """
    token = secrets.token_hex(16)
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk=delivery_id)
            .values_list("status", flat=True)
            .first()
        )
        if row is None:
            return None, False
        claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
            status=Delivery.Status.SENDING, claim=token, claimed_until=now + LEASE
        )
        if not claimed:
            return None, False
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    return delivery, row == Delivery.Status.SENDING


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """One attempt at a due delivery (or one whose lease expired); returns its status."""
    now = now or timezone.now()
    delivery, recovered = _claim(delivery_id, now)
    if delivery is None:
        current = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True)
        return current.first() or "gone"
    subscription = delivery.subscription
    headers = signed_headers(subscription, delivery, now)
    started = time.monotonic()
    if subscription.active or delivery.event_type == TEST_EVENT:
        status_code, error = _post(subscription.url, delivery.body.encode(), headers)
    else:
        status_code, error = None, "The subscription is paused."
    duration = int((time.monotonic() - started) * 1000)
    return _finish(delivery, now, status_code, error, duration, recovered)


def _finish(delivery, now, status_code, error, duration, recovered) -> str:
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status_code,
            error=error,
            duration_ms=duration,
            recovered=recovered,
        )
        # Still ours? A worker that outlived its lease logs what it did but leaves the
        # delivery to the worker that took it over.
        current = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery.pk, status=Delivery.Status.SENDING, claim=delivery.claim)
            .first()
        )
        if current is None:
            return Delivery.objects.get(pk=delivery.pk).status
        current.attempts += 1
        current.claim, current.claimed_until = "", None
        if status_code is not None and 200 <= status_code < 300:
            current.status, current.next_attempt_at = Delivery.Status.SUCCEEDED, None
        elif current.attempts >= MAX_ATTEMPTS:
            current.status, current.next_attempt_at = Delivery.Status.FAILED, None
        else:
            current.status = Delivery.Status.PENDING
            current.next_attempt_at = retry_at = now + BACKOFF[current.attempts - 1]
            delivery_id = current.pk
            transaction.on_commit(lambda: enqueue(delivery_id, retry_at))
        current.save(
            update_fields=["attempts", "status", "next_attempt_at", "claim", "claimed_until"]
        )
    return current.status


def recover_expired(*, now: datetime | None = None, limit: int = 10) -> list[int]:
    """Send, in this worker, what a stopped worker left behind: deliveries ``sending``
    with an expired lease, and due ones nobody claimed for longer than a lease (their job
    died before the claim). Returns the ids tried (at most ``limit``).

    Inline rather than queued: a queued job per stale delivery, from every job that
    looks, would multiply jobs while a backlog lasts. The claim still decides, so a
    delivery another worker is at is skipped."""
    now = now or timezone.now()
    stale = Q(status=Delivery.Status.SENDING, claimed_until__lt=now) | Q(
        status=Delivery.Status.PENDING, next_attempt_at__lt=now - LEASE
    )
    ids = list(Delivery.objects.filter(stale).order_by("pk").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        deliver(delivery_id)
    return ids
