"""Member letters (ledenbrieven): written from a template, sent by e-mail, archived.

Integrity in the schema:
- a letter number ("Lbr. 26/045") is unique per association;
- one delivery per letter per e-mail address (``letter_delivery_once``): sending a
  letter again, or a job that runs twice, cannot mail anyone twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Member
from besluit.meetings.models import Meeting
from besluit.uploads import StoredFile


class Letter(models.Model):
    class Kind(models.TextChoices):
        CONVOCATION = "convocation", _("convocation")
        DEADLINE_REMINDER = "deadline_reminder", _("deadline reminder")
        RESULTS = "results", _("results")
        CONSULTATION = "consultation", _("consultation opening")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")

    class Audience(models.TextChoices):
        ALL = "all", _("representatives and secretaries")
        SECRETARIES = "secretaries", _("secretaries only")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="letters")
    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("template"), max_length=20, choices=Kind, default=Kind.OTHER)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("meeting"),
    )
    include_invitation = models.BooleanField(
        _("include a calendar invitation (.ics) for the meeting"), default=False
    )
    audience = models.CharField(
        _("recipients"), max_length=20, choices=Audience, default=Audience.ALL
    )
    members = models.ManyToManyField(
        Member, blank=True, related_name="+", verbose_name=_("members written to")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    send_requested_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["association", "number"], name="letter_number_unique"),
        ]
        verbose_name = _("member letter")
        verbose_name_plural = _("member letters")

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


def letter_attachment_path(instance: "LetterAttachment", filename: str) -> str:
    return f"letters/{instance.uuid}.{instance.extension}"


class LetterAttachment(StoredFile):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=letter_attachment_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "uploaded_at", "id"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.title


class MemberAddress(models.Model):
    """A member's own mailbox for member letters (e.g. the municipality's secretariat).

    Letters also go to the e-mail address of each representative of the member.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="letter_addresses")
    email = models.EmailField(_("e-mail address"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    is_secretary = models.BooleanField(_("the municipal secretary's address"), default=True)

    class Meta:
        ordering = ["member", "email"]
        constraints = [
            models.UniqueConstraint(fields=["member", "email"], name="member_address_once"),
        ]
        verbose_name = _("member address")

    def __str__(self) -> str:
        return f"{self.member.code} {self.email}"


class LetterDelivery(models.Model):
    """One e-mail of one letter to one address: what happened to it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("bounced")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "member__name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "email"], name="letter_delivery_once"),
        ]
        indexes = [models.Index(fields=["letter", "status"], name="letter_delivery_status")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.letter.number} → {self.email} ({self.status})"
