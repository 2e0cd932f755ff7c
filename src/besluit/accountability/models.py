"""Accountability (verantwoording): what happened to every adopted motion and resolution demand.

- A **commitment** (toezegging) is something the board must carry out: one per adopted
  motion (or motion taken over by the board), one per adopted part of a split motion,
  one per demand the secretariat marks in an adopted resolution.
- Its **history** is kept as ``CommitmentEvent`` rows, written in the same transaction
  as every change (see services). "Overdue" is never stored: it follows from the due
  date (``Commitment.is_overdue``, ``selectors.with_overdue``).
- An **accountability report** (verantwoordingsrapportage) for a meeting lists
  commitments with what was done and planned and the board's proposal per motion:
  keep open (aanhouden) or consider carried out (uitgevoerd/afgedaan). It becomes an
  agenda item; the meeting votes on it as a whole or per entry, and the outcome is
  carried over to the commitments.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Motion, Proposal
from besluit.uploads import StoredFile
from besluit.voting.models import Decision, Poll


class Theme(models.Model):
    """A policy theme to group commitments by (wonen, financiën, sociaal domein, ...)."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="accountability_themes"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["association", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="theme_name_unique"),
        ]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """A board committee (bestuurscommissie) that can own commitments."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="accountability_committees"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Reminders for the committee's commitments go here."),
    )

    class Meta:
        ordering = ["association", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="committee_name_unique"),
        ]
        verbose_name = _("board committee")
        verbose_name_plural = _("board committees")

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    """How the meeting decided a motion part or a report entry."""

    PENDING = "pending", _("not decided yet")
    ADOPTED = "adopted", _("adopted")
    REJECTED = "rejected", _("rejected")


class DecidedByMeeting(models.Model):
    """What the meeting decided on this (a motion part, a report entry), and when.

    ``decision`` is the vote's or the acclamation's Decision; without one (no vote
    yet) the outcome stays pending.
    """

    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome, default=Outcome.PENDING
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def save_decision(self, *, adopted: bool, decision: Decision | None, at) -> None:
        """Record the meeting's outcome and save those three fields only."""
        self.outcome = Outcome.ADOPTED if adopted else Outcome.REJECTED
        self.decision = decision
        self.decided_at = at
        self.save(update_fields=["outcome", "decision", "decided_at"])


class MotionPart(DecidedByMeeting):
    """A part of a split motion, decided in its own poll (see services.do_split_motion)."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=40)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["motion", "position"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "position"], name="motion_part_position"),
            models.UniqueConstraint(fields=["motion", "label"], name="motion_part_label"),
        ]
        verbose_name = _("motion part")
        verbose_name_plural = _("motion parts")

    def __str__(self) -> str:
        return f"{self.motion.display_title}, {self.label}"


class PartPoll(models.Model):
    """A poll (subject: agenda item) on one part of a split motion."""

    part = models.ForeignKey(MotionPart, on_delete=models.CASCADE, related_name="part_polls")
    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="motion_part_link")

    class Meta:
        verbose_name = _("poll on a motion part")


class Demand(models.Model):
    """A demand (eis) of a resolution, marked by the secretariat in the proposal's text."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="accountability_demands"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(
        _("short title"),
        max_length=200,
        help_text=_("How the demand is referred to, e.g. 'Reverse the 2026 fund cut'."),
    )
    quote = models.TextField(
        _("passage"), help_text=_("The demand as it stands in the text; copy it exactly.")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "title"], name="demand_title_unique"),
        ]
        verbose_name = _("resolution demand")
        verbose_name_plural = _("resolution demands")

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """Something the board must carry out because the meeting decided it (toezegging)."""

    class Source(models.TextChoices):
        MOTION = "motion", _("motion")
        MOTION_PART = "motion_part", _("part of a motion")
        DEMAND = "demand", _("resolution demand")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        HELD_OVER = "held_over", _("held over")
        DONE = "done", _("done")
        NOT_FEASIBLE = "not_feasible", _("not feasible")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.HELD_OVER)
    CLOSED_STATUSES = (Status.DONE, Status.NOT_FEASIBLE, Status.CANCELLED)
    DEFAULT_UPDATE_INTERVAL = 90

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="commitments"
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("decided at"),
    )
    source = models.CharField(_("source"), max_length=12, choices=Source)
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    part = models.OneToOneField(
        MotionPart, on_delete=models.PROTECT, null=True, blank=True, related_name="commitment"
    )
    demand = models.OneToOneField(
        Demand, on_delete=models.PROTECT, null=True, blank=True, related_name="commitment"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("what was asked"))
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("theme"),
    )
    owner_committee = models.ForeignKey(
        Committee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("owner (committee)"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountability_commitments",
        verbose_name=_("owner (person)"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NEW)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    update_interval_days = models.PositiveSmallIntegerField(
        _("update every (days)"),
        default=DEFAULT_UPDATE_INTERVAL,
        help_text=_("The owner is reminded when no update has been posted for this long."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_update_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-meeting__starts_at", "motion__number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(source="motion", motion__isnull=False, part__isnull=True, demand__isnull=True)
                    | Q(
                        source="motion_part",
                        motion__isnull=False,
                        part__isnull=False,
                        demand__isnull=True,
                    )
                    | Q(
                        source="demand",
                        motion__isnull=True,
                        part__isnull=True,
                        demand__isnull=False,
                    )
                ),
                name="commitment_source_matches",
            ),
            # One commitment per whole motion; parts and demands are one-to-one already.
            models.UniqueConstraint(
                fields=["motion"], condition=Q(source="motion"), name="commitment_once_per_motion"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="commitment_progress_percentage"
            ),
            models.CheckConstraint(
                condition=Q(update_interval_days__gte=1), name="commitment_interval_positive"
            ),
        ]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @property
    def shown_status(self) -> str:
        """The status key to show: "overdue" wins over an open status."""
        return "overdue" if self.is_overdue else self.status

    @property
    def shown_status_label(self) -> str:
        return str(_("overdue")) if self.is_overdue else self.get_status_display()

    def update_due_on(self) -> date:
        """The day an update is due: the interval after the last update (or the creation)."""
        since = self.last_update_at or self.created_at
        return timezone.localdate(since) + timedelta(days=self.update_interval_days)

    @property
    def reference(self) -> str:
        """How people refer to it: 'Motie 3 (ALV 2026)', 'Motie 3, deel b', 'Eis 2'."""
        if self.source == self.Source.DEMAND:
            return f"{self.demand.proposal.title}, eis {self.demand.position}"
        base = f"{self.motion.display_title} ({self.motion.number})"
        if self.source == self.Source.MOTION_PART:
            return f"{base}, {self.part.label}"
        return base

    @property
    def owner_label(self) -> str:
        names = []
        if self.owner_committee_id:
            names.append(self.owner_committee.name)
        if self.owner_user_id:
            names.append(self.owner_user.get_full_name() or self.owner_user.username)
        return " / ".join(names)


class Milestone(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("milestone"), max_length=300)
    due_date = models.DateField(_("planned for"), null=True, blank=True)
    done_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        ordering = ["commitment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "position"], name="milestone_position_unique"
            ),
        ]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title


class CommitmentUpdate(models.Model):
    """A dated progress report by the owner: what was done, what is planned, links, files."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    as_of = models.DateField(_("date"))
    done = models.TextField(_("what was done"), blank=True)
    planned = models.TextField(_("what is planned"), blank=True)
    links = models.TextField(_("links"), blank=True)  # one URL per line, checked by the service
    posted_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "-as_of", "-posted_at"]
        verbose_name = _("progress update")

    def __str__(self) -> str:
        return f"{self.commitment} ({self.as_of:%Y-%m-%d})"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


def update_attachment_path(instance: "UpdateAttachment", filename: str) -> str:
    # Never trust the uploaded name on disk: a random name, the extension we checked.
    return f"accountability/{instance.uuid}.{instance.extension}"


class UpdateAttachment(StoredFile):
    update = models.ForeignKey(
        CommitmentUpdate, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=update_attachment_path)

    class Meta:
        ordering = ["update", "pk"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.original_name


class Report(models.Model):
    """The board's accountability report to a meeting (verantwoordingsrapportage)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("on the agenda")
        DECIDED = "decided", _("decided")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="accountability_reports"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="accountability_reports"
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountability_report",
    )
    title = models.CharField(_("title"), max_length=300)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0)  # the last published version
    changed_since_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-meeting__starts_at", "pk"]
        verbose_name = _("accountability report")
        verbose_name_plural = _("accountability reports")

    def __str__(self) -> str:
        return self.title


class ReportCluster(models.Model):
    """Related motions reported on together."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="clusters")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("cluster")

    def __str__(self) -> str:
        return self.title


class ReportEntry(DecidedByMeeting):
    """One commitment in a report: actions taken and planned, the board's proposal, outcome."""

    class Proposal(models.TextChoices):
        KEEP_OPEN = "keep_open", _("keep open (aanhouden)")
        CARRIED_OUT = "carried_out", _("consider carried out (uitgevoerd/afgedaan)")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="report_entries"
    )
    cluster = models.ForeignKey(
        ReportCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("cluster"),
    )
    position = models.PositiveSmallIntegerField()
    actions_taken = models.TextField(_("actions taken"), blank=True)
    actions_planned = models.TextField(_("actions planned"), blank=True)
    proposal = models.CharField(
        _("the board's proposal"), max_length=12, choices=Proposal, default=Proposal.KEEP_OPEN
    )

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "commitment"], name="report_entry_once"),
        ]
        verbose_name = _("report entry")
        verbose_name_plural = _("report entries")

    def __str__(self) -> str:
        return f"{self.report}: {self.commitment}"


class ReportVersion(models.Model):
    """The report's text as put on the agenda; a new version each time it is updated."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
        ]


class ReportVote(models.Model):
    """A poll on a report: on every entry not voted on separately (entry empty) or on one."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="votes")
    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="accountability_vote")
    entry = models.ForeignKey(
        ReportEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )

    class Meta:
        ordering = ["report", "pk"]


class CommitmentEvent(models.Model):
    """One line of a commitment's history. Written with every change, never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        UPDATE = "update", _("progress update")
        MILESTONE = "milestone", _("milestone")
        REPORTED = "reported", _("reported to the meeting")
        DECIDED = "decided", _("decided by the meeting")
        REOPENED = "reopened", _("reopened")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    # {"field": [before, after], ...} with display values, so the history reads
    # the same after a theme or owner is renamed or deleted.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    update = models.ForeignKey(
        CommitmentUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report_entry = models.ForeignKey(
        ReportEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["commitment", "at", "pk"]
        verbose_name = _("commitment event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ReminderSent(models.Model):
    """A reminder once sent: the unique constraint makes a second run the same day a no-op."""

    class Kind(models.TextChoices):
        UPDATE_DUE = "update_due", _("an update is due")
        OVERDUE = "overdue", _("the commitment is overdue")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind)
    day = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "kind", "day"], name="reminder_once_per_day"
            ),
        ]
