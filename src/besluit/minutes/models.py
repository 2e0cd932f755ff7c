"""Minutes (notulen) of a meeting: a draft made from what happened, versions with a redline,
corrections proposed by members, adopted by the next meeting and then immutable and public.

The text of every version is a ``core.texts.Document`` (as the resolution texts), so the same
line numbers, redline and PDF serve both.
"""

from functools import cached_property

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Member
from besluit.core import texts as core
from besluit.meetings.models import AgendaItem, Meeting
from besluit.voting.models import Decision


class ImmutableMinutes(Exception):
    """Adopted minutes, or a published version, were about to be changed."""


class Minutes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONCEPT = "concept", _("concept, open for corrections")
        ADOPTED = "adopted", _("adopted")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    # The next meeting's agenda item "Vaststelling notulen vorige vergadering".
    adoption_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_to_adopt",
        verbose_name=_("adopted under agenda item"),
    )
    adopted_version = models.ForeignKey(
        "MinutesVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="minutes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    # The attendance as open data, frozen at adoption: the register may still change after
    # the meeting (a check-out, a revoked proxy); the adopted minutes' data may not.
    attendance = models.JSONField(null=True, blank=True, editable=False, encoder=DjangoJSONEncoder)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="adopted")
                | (Q(adopted_at__isnull=False) & Q(adopted_version__isnull=False)),
                name="minutes_adopted_has_version",
            ),
        ]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting}"

    def save(self, *args, **kwargs):
        if self.pk is not None and (
            Minutes.objects.filter(pk=self.pk, status=self.Status.ADOPTED).exists()
        ):
            raise ImmutableMinutes("Adopted minutes cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Minutes.objects.filter(pk=self.pk, status=self.Status.ADOPTED).exists():
            raise ImmutableMinutes("Adopted minutes cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class MinutesVersion(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft", _("draft from the meeting's record")
        EDITED = "edited", _("edited by the secretariat")
        CORRECTION = "correction", _("correction proposed by a member")
        ACCEPTED = "accepted", _("correction taken over")

    class Status(models.TextChoices):
        EDITING = "editing", _("being written")
        PUBLISHED = "published", _("published")
        PROPOSED = "proposed", _("proposed")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.EDITING)
    summary = models.TextField(_("what changed and why"), blank=True)
    blocks = models.JSONField(default=list)
    line_width = models.PositiveSmallIntegerField(default=core.DEFAULT_LINE_WIDTH)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_number"),
            models.UniqueConstraint(
                fields=["minutes"], condition=Q(status="editing"), name="minutes_one_editing"
            ),
        ]
        verbose_name = _("minutes version")

    def __str__(self) -> str:
        return f"{self.minutes} v{self.number}"

    def save(self, *args, **kwargs):
        # A published or proposed version never changes; nothing of adopted minutes does.
        if self.pk is not None and (
            MinutesVersion.objects.filter(pk=self.pk)
            .filter(~Q(status=self.Status.EDITING) | Q(minutes__status=Minutes.Status.ADOPTED))
            .exists()
        ):
            raise ImmutableMinutes(f"Version {self.number} cannot change any more.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if MinutesVersion.objects.filter(pk=self.pk).exclude(status=self.Status.EDITING).exists():
            raise ImmutableMinutes(f"Version {self.number} cannot be deleted.")
        return super().delete(*args, **kwargs)

    @cached_property
    def document(self) -> core.Document:
        return core.Document.from_list(self.blocks)

    def set_document(self, document: core.Document) -> None:
        self.blocks = document.to_list()
        self.__dict__.pop("document", None)

    @property
    def is_correction(self) -> bool:
        return self.kind == self.Kind.CORRECTION
