"""Elections of persons: bodies and their seats, candidacies, rounds and ballots.

Integrity in the schema:
- one ballot per member per round (UniqueConstraint on ElectionBallot (round, member));
- a secret round's ballot row records only *that* the member voted (``choice`` null,
  no acting person); its choices exist only pooled per identical choice
  (``PooledChoice``: the choice, the summed weight and the number of members), in rows
  with random ids and no time, so nothing at rest links a member to a choice.
- one candidacy number per election, one round number per election.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Member
from besluit.meetings.models import AgendaItem, Meeting
from besluit.uploads import StoredFile
from besluit.voting.models import Decision


class Body(models.Model):
    """The board or a committee of an association: what an election fills seats of."""

    class Kind(models.TextChoices):
        BOARD = "board", _("board")
        COMMITTEE = "committee", _("committee")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["association", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="body_name_unique"),
        ]
        verbose_name = _("body")

    def __str__(self) -> str:
        return self.name


class Election(models.Model):
    class Method(models.TextChoices):
        TWO_ROUND = "two_round", _("one seat: majority, second round between the top two")
        APPROVAL = "approval", _("several seats: up to N approvals")
        RANKED = "ranked", _("ranked: instant run-off (one seat) or STV (several)")

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("open for nominations")
        VOTING = "voting", _("voting")
        DECIDED = "decided", _("decided")

    class LateNominations(models.TextChoices):
        REFUSED = "refused", _("refused")
        CHAIR_ADMITS = "chair_admits", _("the chair decides whether they are admitted")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="elections")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="elections"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="elections")
    title = models.CharField(_("title"), max_length=300)
    seats = models.PositiveSmallIntegerField(_("seats"))
    term_starts = models.DateField(_("term starts"))
    term_ends = models.DateField(_("term ends"))
    who_may_stand = models.TextField(_("who may stand"), blank=True)
    method = models.CharField(_("ballot"), max_length=12, choices=Method)
    max_approvals = models.PositiveSmallIntegerField(_("approvals per ballot"), default=1)
    is_secret = models.BooleanField(_("secret"), default=True)
    nomination_deadline = models.DateTimeField(_("nominations until"))
    late_nominations = models.CharField(
        _("late nominations"),
        max_length=12,
        choices=LateNominations,
        default=LateNominations.REFUSED,
    )
    allow_unopposed = models.BooleanField(
        _("an unopposed candidate is elected without a vote (statutes)"), default=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NOMINATING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The entry of the meeting's decision list made when it was decided (the public
    # decision list links the election's results from it).
    decision = models.OneToOneField(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="election"
    )
    bundle = models.TextField(blank=True)  # the published record, exactly as served

    class Meta:
        ordering = ["meeting", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(
                condition=Q(term_ends__gt=models.F("term_starts")), name="election_term_order"
            ),
            models.CheckConstraint(
                condition=Q(max_approvals__gte=1), name="election_approvals_positive"
            ),
        ]
        verbose_name = _("election")

    def __str__(self) -> str:
        return self.title


class Candidacy(models.Model):
    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated, awaiting consent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidacies")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The candidate's own account, if any: that person gives consent (or the
    # secretariat records a consent received in writing).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_board = models.BooleanField(_("nominated by the board"), default=False)
    nominated_by_member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)
    admitted = models.BooleanField(default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NOMINATED)
    consented_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    recommended = models.BooleanField(_("recommended by the board (voordracht)"), default=False)

    class Meta:
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="candidacy_number_unique"),
        ]
        verbose_name = _("candidacy")

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """The candidate's id on ballots and in the published record."""
        return f"k{self.number}"

    @property
    def stands(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.admitted


def photo_path(instance: "CandidatePhoto", filename: str) -> str:
    return f"candidates/{instance.uuid}.{instance.extension}"


class CandidatePhoto(StoredFile):
    candidacy = models.OneToOneField(Candidacy, on_delete=models.CASCADE, related_name="photo")
    file = models.FileField(upload_to=photo_path)


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    candidates = models.JSONField(default=list)  # candidacy keys on this round's ballot
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    unopposed = models.BooleanField(default=False)
    # 32 random bytes, published when the round opens: half of the lot's seed.
    nonce = models.CharField(max_length=64, blank=True)
    seed = models.CharField(max_length=64, blank=True)  # fixed at the close, before the count
    eligible_members = models.PositiveIntegerField(default=0)
    eligible_weight = models.DecimalField(max_digits=24, decimal_places=6, default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    result = models.JSONField(null=True, blank=True)
    # The round's vote log (elections.log): its Merkle frontier and size, written only
    # under this row's lock, and the signed checkpoints of the opened and closed log.
    log_size = models.PositiveIntegerField(default=0)
    log_frontier = models.JSONField(default=list)
    log_opening = models.JSONField(null=True, blank=True)
    log_closing = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="round_number_unique"),
        ]


class RoundLogLeaf(models.Model):
    """One leaf of a round's vote log, as canonical JSON bytes (core.elections.log)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="log_leaves")
    index = models.PositiveIntegerField()
    data = models.TextField()

    class Meta:
        ordering = ["round", "index"]
        constraints = [
            models.UniqueConstraint(fields=["round", "index"], name="round_log_leaf_once"),
        ]


class RoundRegister(models.Model):
    """A member eligible in a round, with its weight frozen when the round opened."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="register")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="round_register_once"),
        ]


class ElectionBallot(models.Model):
    """One member's ballot in one round. The database allows exactly one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ballots")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # Null in a secret round: the choice is only in PooledChoice.
    choice = models.JSONField(null=True, blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="election_ballot_once"),
        ]


class PooledChoice(models.Model):
    """A secret round's identical choices, summed: the only record of what was chosen.

    A random primary key and no time, so the rows' order says nothing about who voted
    when. Weight in millionths (as voting.SecretTally) so SQL addition is exact.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pooled")
    choice = models.TextField()  # canonical JSON of the choice
    weight_micro = models.BigIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "choice"], name="pooled_choice_once"),
        ]


class Membership(models.Model):
    """A seat held in a body, for a term: made by an election, or recorded by hand."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    candidacy = models.OneToOneField(
        Candidacy, on_delete=models.PROTECT, null=True, blank=True, related_name="membership"
    )

    class Meta:
        ordering = ["body", "starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="membership_term_order"
            ),
        ]
        verbose_name = _("seat")

    def __str__(self) -> str:
        return f"{self.name} ({self.body})"
