"""Webhook subscriptions of an association, their deliveries and each attempt."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association

# The events a subscription can ask for (the names receivers see in "type").
EVENTS = {
    "poll.opened": _("a poll was opened"),
    "poll.closed": _("a poll was closed"),
    "decision.recorded": _("a decision was recorded (by a vote or by acclamation)"),
    "meeting.published": _("a meeting was convened (published)"),
    "letter.sent": _("a member letter was sent"),
    "commitment.changed": _("a commitment changed"),
    "minutes.adopted": _("minutes were adopted"),
}
TEST_EVENT = "webhook.test"


class Subscription(models.Model):
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("address (URL)"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Standard Webhooks: "whsec_" and base64 of 32 random bytes. Kept (not hashed): every
    # delivery is signed with it.
    secret = models.CharField(max_length=80)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["association", "pk"]
        verbose_name = _("webhook subscription")

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event for one subscription: the same id and body on every attempt, so a
    receiver can tell a retry (or a replay) by ``webhook-id``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker sending it (status "sending"): its claim, which only that
    # worker knows, and until when. A worker killed mid-request leaves the lease to expire;
    # then another run claims the delivery again (services.deliver, recover_expired).
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("webhook delivery")

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # Made by a worker that took over an expired lease: an earlier worker stopped while
    # sending, so the receiver may have had this webhook-id already.
    recovered = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "at", "pk"]
        verbose_name = _("webhook attempt")

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
