"""Proposals (voorstel/resolutie), amendments (amendement) and motions (motie)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Member
from besluit.meetings.models import AgendaItem, Meeting


class Proposal(models.Model):
    """The board's proposal under an agenda item; amendments change its text."""

    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.CASCADE, related_name="proposal"
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ADMITTED = "admitted", _("admitted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ADOPTED = "adopted", _("adopted")
    REJECTED = "rejected", _("rejected")
    HELD_OVER = "held_over", _("held over")
    TAKEN_OVER = "taken_over", _("taken over by the board")
    NOT_ADMITTED = "not_admitted", _("not admitted")


class PreAdvice(models.TextChoices):
    """The board's advice to the meeting (preadvies)."""

    ADOPT = "adopt", _("take over (overnemen)")
    ADVISE_AGAINST = "advise_against", _("advise against (ontraden)")
    HOLD_OVER = "hold_over", _("hold over (aanhouden)")
    MEETING_DECIDES = "meeting_decides", _("leave to the meeting (oordeel vergadering)")


class Submission(models.Model):
    """What amendments and motions share: submitter, co-submitters, deadline, pre-advice."""

    number = models.PositiveIntegerField(_("number"))
    submitter = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitter")
    )
    co_submitters = models.ManyToManyField(
        Member, blank=True, related_name="+", verbose_name=_("co-submitters")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    is_late = models.BooleanField(_("late (nagekomen)"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus, default=SubmissionStatus.SUBMITTED
    )
    pre_advice = models.CharField(_("pre-advice"), max_length=20, choices=PreAdvice, blank=True)
    pre_advice_reason = models.TextField(_("reason for the pre-advice"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        abstract = True

    KIND_LABEL = ""

    @property
    def display_title(self) -> str:
        """'Motie Utrecht c.s.': how the meeting refers to a submission."""
        suffix = " c.s." if self.co_submitters.exists() else ""
        return f"{self.KIND_LABEL} {self.submitter.name}{suffix}"

    @property
    def is_open(self) -> bool:
        return self.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ADMITTED)


class Amendment(Submission):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    passage = models.CharField(
        _("passage"), max_length=200, help_text=_("Which part of the text, e.g. 'paragraph 3'.")
    )
    old_text = models.TextField(_("old text"), blank=True)
    new_text = models.TextField(_("new text"), blank=True)

    KIND_LABEL = "Amendement"

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="amendment_number_unique"),
        ]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return self.display_title

    @property
    def meeting(self) -> Meeting:
        return self.proposal.agenda_item.meeting


class Motion(Submission):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="motions"
    )
    title = models.CharField(_("title"), max_length=300)
    considerations = models.TextField(_("considerations (overwegende dat)"))
    request = models.TextField(_("request to the board (verzoekt het bestuur)"))

    KIND_LABEL = "Motie"

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="motion_number_unique"),
        ]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")

    def __str__(self) -> str:
        return self.display_title
