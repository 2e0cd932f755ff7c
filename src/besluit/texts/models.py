"""Structured texts of proposals: versions, consultation rounds, amendment passages, PDF jobs.

The text itself is a ``core.texts.Document`` stored as JSON on each version. A published
version never changes (see ``TextVersion.save``); a new draft is a new version. Proposals keep
their plain ``text`` as a mirror of the latest published version (other pages show it).
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Member
from besluit.core import texts as core
from besluit.meetings.models import Meeting
from besluit.proposals.models import Amendment, Proposal


class ImmutableVersion(Exception):
    """A published version was about to be changed."""


class TextVersion(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft", _("draft resolution")
        REVISED = "revised", _("revised draft")
        FINAL = "final", _("final text")
        ADOPTED = "adopted", _("adopted text")

    class Status(models.TextChoices):
        EDITING = "editing", _("being written")
        PUBLISHED = "published", _("published")

    class Source(models.TextChoices):
        PROPOSAL = "proposal", _("the proposal's text")
        DOCX = "docx", _("Word import")
        MARKDOWN = "markdown", _("Markdown import")
        EDITED = "edited", _("edited")
        MERGED = "merged", _("adopted amendments merged")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="text_versions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.EDITING)
    label = models.CharField(_("label"), max_length=200, blank=True)
    summary = models.TextField(_("what changed and why"), blank=True)
    blocks = models.JSONField(default=list)
    line_width = models.PositiveSmallIntegerField(
        _("characters per line"), default=core.DEFAULT_LINE_WIDTH
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source, default=Source.EDITED)
    # For an adopted text: block id -> ids of the amendments merged into that block.
    provenance = models.JSONField(default=dict, blank=True)
    plain_text = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="text_version_number"),
            models.CheckConstraint(
                condition=Q(status="editing") | Q(published_at__isnull=False),
                name="text_version_published_at",
            ),
            # At most one draft being written per proposal.
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(status="editing"), name="text_one_editing"
            ),
        ]
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and (
            TextVersion.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists()
        ):
            raise ImmutableVersion(f"Version {self.number} is published and cannot change.")
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @cached_property
    def document(self) -> core.Document:
        return core.Document.from_list(self.blocks)

    @cached_property
    def lines(self) -> tuple[core.Line, ...]:
        return core.number_lines(self.document, self.line_width)

    @cached_property
    def line_index(self) -> core.LineIndex:
        return core.LineIndex.of(self.lines)

    @property
    def title(self) -> str:
        return self.label or str(self.get_kind_display())

    def set_document(self, document: core.Document) -> None:
        self.blocks = document.to_list()
        self.plain_text = core.to_plain_text(document)
        self.word_count = document.word_count()
        for name in ("document", "lines", "line_index"):
            self.__dict__.pop(name, None)


class Consultation(models.Model):
    """A consultation round on a draft: sessions, input per passage, the board's responses."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="consultations")
    version = models.ForeignKey(TextVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("invitation"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("written input until"))
    is_closed = models.BooleanField(_("closed"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="consultation_dates"
            ),
        ]
        verbose_name = _("consultation round")

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day) -> bool:
        return not self.is_closed and self.opens_on <= day <= self.closes_on


class ConsultationSession(models.Model):
    class Kind(models.TextChoices):
        OPEN_MEETING = "open_meeting", _("open members' meeting")
        DEPARTMENT = "department", _("provincial department")
        NETWORK = "network", _("network")
        SOUNDING_BOARD = "sounding_board", _("sounding board")
        WRITTEN = "written", _("written input")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["consultation", "held_on", "id"]
        verbose_name = _("consultation session")

    def __str__(self) -> str:
        return self.title


class ConsultationInput(models.Model):
    class Response(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        PARTLY = "partly", _("partly adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="inputs")
    session = models.ForeignKey(
        ConsultationSession, on_delete=models.PROTECT, related_name="inputs"
    )
    number = models.PositiveIntegerField(_("number"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf = models.CharField(
        _("on behalf of"), max_length=200, blank=True, help_text=_("A network, region or group.")
    )
    # The passage it points at (in the consulted version), if any.
    block_id = models.CharField(max_length=40, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(_("passage"), blank=True)
    text = models.TextField(_("input"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    response = models.CharField(_("response"), max_length=12, choices=Response, blank=True)
    response_reason = models.TextField(_("reason"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="input_number"),
            models.CheckConstraint(
                condition=Q(response="") | ~Q(response_reason=""), name="input_response_reason"
            ),
        ]
        verbose_name = _("consultation input")

    def __str__(self) -> str:
        return f"#{self.number} {self.source}"

    @property
    def source(self) -> str:
        if self.member_id and self.on_behalf:
            return f"{self.member.name} ({self.on_behalf})"
        return self.member.name if self.member_id else self.on_behalf


class ChangeReason(models.Model):
    """A changed block of a new version answers a consultation input: "what changed and why"."""

    version = models.ForeignKey(TextVersion, on_delete=models.CASCADE, related_name="reasons")
    block_id = models.CharField(max_length=40)
    input = models.ForeignKey(ConsultationInput, on_delete=models.CASCADE, related_name="changes")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "block_id", "input"], name="change_reason_once"
            ),
        ]


class AmendmentTarget(models.Model):
    """The passage an amendment changes, in a specific version of the structured text."""

    class Status(models.TextChoices):
        APPLICABLE = "applicable", _("applies to this version")
        REBASED = "rebased", _("carried over to a newer version")
        CONFLICT = "conflict", _("the passage changed: the submitter must look")

    amendment = models.OneToOneField(Amendment, on_delete=models.CASCADE, related_name="target")
    version = models.ForeignKey(TextVersion, on_delete=models.PROTECT, related_name="targets")
    original_version = models.ForeignKey(TextVersion, on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=40)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.APPLICABLE)
    conflict_reason = models.TextField(blank=True)
    vote_position = models.PositiveIntegerField(_("position in the voting order"), null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="target_range"),
        ]
        verbose_name = _("amendment passage")

    def __str__(self) -> str:
        return f"{self.amendment} @ {self.block_id}[{self.start}:{self.end}]"


def book_path(instance: "PdfJob", filename: str) -> str:
    return f"texts/pdf/{instance.public_id}.pdf"


class PdfJob(models.Model):
    """A PDF made in the background (meeting book, decision list, redline), with progress."""

    class Kind(models.TextChoices):
        MEETING_BOOK = "meeting_book", _("meeting book")
        DECISION_LIST = "decision_list", _("decision list")
        REDLINE = "redline", _("comparison of versions")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=book_path, blank=True)
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="pdf_job_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


def logo_path(instance: "Branding", filename: str) -> str:
    return f"texts/logos/{instance.association.slug}-{uuid.uuid4().hex[:8]}.{instance.logo_ext}"


class Branding(models.Model):
    """How the association's documents look: logo, sender lines, who signs."""

    association = models.OneToOneField(
        Association, on_delete=models.CASCADE, related_name="branding"
    )
    logo = models.FileField(_("logo"), upload_to=logo_path, blank=True)
    logo_ext = models.CharField(max_length=4, blank=True)
    sender = models.TextField(_("address lines"), blank=True)
    signature = models.CharField(_("signed by"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("house style")

    def __str__(self) -> str:
        return str(self.association)
