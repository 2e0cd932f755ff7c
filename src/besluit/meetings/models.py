"""Meetings (ALV, BALV, written consultation) and their agendas."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association
from besluit.uploads import StoredFile


class Meeting(models.Model):
    class Kind(models.TextChoices):
        ALV = "alv", _("general meeting (ALV)")
        BALV = "balv", _("extraordinary general meeting (BALV)")
        WRITTEN = "written", _("written consultation (ledenraadpleging)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONVENED = "convened", _("convened")
        IN_PROGRESS = "in_progress", _("in progress")
        CLOSED = "closed", _("closed")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    is_digital = models.BooleanField(_("digital"), default=False)
    convocation_date = models.DateField(_("convocation date"), null=True, blank=True)
    amendment_deadline = models.DateTimeField(_("deadline for amendments"))
    motion_deadline = models.DateTimeField(_("deadline for motions"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        if self.is_digital and self.location:
            return _("%(location)s and digital") % {"location": self.location}
        return str(_("digital")) if self.is_digital else self.location


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    requested_decision = models.TextField(_("requested decision"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_number_unique"),
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never trust the uploaded name on disk: a random name, the extension we checked.
    return f"attachments/{instance.uuid}.{instance.extension}"


class Attachment(StoredFile):
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=attachment_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agenda_item", "uploaded_at"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.title
