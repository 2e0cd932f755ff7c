"""Attendance register, proxies (volmachten), the meeting's quorum and paper ballots.

Integrity in the schema:
- a member is checked in once at a time (one open attendance per meeting and member);
- a member gives at most one active proxy per meeting, never to itself;
- a paper ballot is a ballot (voting.Ballot, one per member per poll) plus who handed
  it in and when; a secret poll's paper round is totals per option, signed off by two
  different people before it counts.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Member
from besluit.meetings.models import Meeting
from besluit.uploads import StoredFile
from besluit.voting.models import Ballot, Poll

SHARE = {"max_digits": 5, "decimal_places": 4, "default": Decimal(0)}


class ProxyRule(models.Model):
    """The statutes' limit on proxies, in force from a date (statutes change)."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="proxy_rules"
    )
    valid_from = models.DateField(_("valid from"))
    max_represented = models.PositiveSmallIntegerField(
        _("members one member may represent"),
        help_text=_("0: the statutes allow no proxies."),
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["association", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "valid_from"], name="proxy_rule_one_per_date"
            ),
        ]
        verbose_name = _("proxy rule")

    def __str__(self) -> str:
        return f"{self.max_represented} ({self.valid_from:%Y-%m-%d})"


class MeetingAttendanceSettings(models.Model):
    """Per meeting: remote self check-in, and the meeting's own quorum."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="attendance_settings"
    )
    remote_check_in = models.BooleanField(
        _("representatives may check themselves in with their code (remote attendance)"),
        default=False,
    )
    quorum_members = models.DecimalField(
        _("meeting quorum: share of the members present or represented"), **SHARE
    )
    quorum_weight = models.DecimalField(
        _("meeting quorum: share of the weight present or represented"), **SHARE
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_members__gte=0)
                & Q(quorum_members__lte=1)
                & Q(quorum_weight__gte=0)
                & Q(quorum_weight__lte=1),
                name="attendance_quorum_fractions",
            ),
        ]


class Attendance(models.Model):
    """A member present at a meeting, from arrival to departure."""

    class How(models.TextChoices):
        DOOR = "door", _("at the door")
        REMOTE = "remote", _("remote, with a code")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    representative = models.CharField(_("represented by (person)"), max_length=200, blank=True)
    how = models.CharField(_("how"), max_length=10, choices=How, default=How.DOOR)
    arrived_at = models.DateTimeField(_("arrived at"))
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "arrived_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(departed_at__isnull=True),
                name="attendance_once_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True) | Q(departed_at__gte=F("arrived_at")),
                name="attendance_departs_after_arrival",
            ),
        ]
        verbose_name = _("attendance")


def proxy_document_path(instance: "Proxy", filename: str) -> str:
    return f"proxies/{instance.uuid}.{instance.extension}"


class Proxy(StoredFile):
    """A member (grantor) authorises another member (holder) to vote for it in a meeting.

    The signed authorisation is an optional upload (StoredFile's fields stay empty
    without one).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("revoked")

    ACTIVE = (Status.PENDING, Status.APPROVED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    grantor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="proxies_given", verbose_name=_("grantor")
    )
    holder = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="proxies_held", verbose_name=_("holder")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    file = models.FileField(upload_to=proxy_document_path, blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["meeting", "grantor__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(grantor=F("holder")), name="proxy_not_to_oneself"),
            models.UniqueConstraint(
                fields=["meeting", "grantor"],
                condition=Q(status__in=["pending", "approved"]),
                name="proxy_one_active_per_grantor",
            ),
        ]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")

    def __str__(self) -> str:
        return f"{self.grantor} → {self.holder}"

    @property
    def has_document(self) -> bool:
        return bool(self.file)


class PollQuorum(models.Model):
    """A poll that requires the meeting's quorum, and what was found when it opened."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="meeting_quorum")
    required = models.BooleanField(default=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True)
    members = models.PositiveIntegerField(default=0)  # present or represented
    eligible_members = models.PositiveIntegerField(default=0)
    weight = models.DecimalField(max_digits=24, decimal_places=6, default=Decimal(0))
    eligible_weight = models.DecimalField(max_digits=24, decimal_places=6, default=Decimal(0))
    quorum_members = models.DecimalField(**SHARE)
    quorum_weight = models.DecimalField(**SHARE)


class PaperBallot(models.Model):
    """Who handed in a named paper ballot and when; the ballot itself is a voting.Ballot."""

    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, related_name="paper")
    handed_in_by = models.CharField(_("handed in by"), max_length=200)
    handed_in_at = models.DateTimeField(_("handed in at"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()


class PaperRound(models.Model):
    """The paper ballots of a secret poll: tellers' totals per option, signed off by two.

    ``totals``: {option key: {"members": n, "weight": "12.5"}}. It counts in the poll
    only once a second person has signed it off; the members who handed in a ballot are
    recorded then as having voted (never how).
    """

    class Status(models.TextChoices):
        ENTERED = "entered", _("entered, awaiting a second teller")
        SIGNED = "signed", _("signed off and counted")

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="paper_round")
    members = models.ManyToManyField(Member, related_name="+")
    totals = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status, default=Status.ENTERED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True) | ~Q(signed_by=F("entered_by")),
                name="paper_round_two_people",
            ),
        ]
