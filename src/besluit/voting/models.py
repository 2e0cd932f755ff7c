"""Polls (stemmingen), their frozen registers, ballots and decisions.

Integrity rules live in the schema, not only in code:
- one ballot per member per poll (UniqueConstraint on ballot (poll, member));
- a secret poll's ballot row records only that the member voted: no option, no
  acting person; its choices exist only encrypted (SealedBallot, voting.encrypted)
  and, for a paper round, as the tellers' totals (SecretTally).
"""

import functools
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Member
from besluit.core import voting as core
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, Proposal


class Poll(models.Model):
    class Subject(models.TextChoices):
        PROPOSAL = "proposal", _("proposal")
        AMENDMENT = "amendment", _("amendment")
        MOTION = "motion", _("motion")
        PRE_ADVICE = "pre_advice", _("the board's pre-advice on a motion")
        AGENDA_ITEM = "agenda_item", _("the requested decision of an agenda item")
        FREE = "free", _("free question or alternatives")

    class Status(models.TextChoices):
        DRAFT = "draft", _("not opened")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Majority(models.TextChoices):
        # Values are core.MajorityRule's and core.AbstentionRule's.
        SIMPLE = "simple", _("simple majority of votes cast")
        TWO_THIRDS = "two_thirds", _("two thirds of votes cast")
        ABSOLUTE = "absolute", _("majority of all eligible weight")

    class Abstentions(models.TextChoices):
        NOT_CAST = "not_cast", _("abstentions do not count as votes cast")
        AS_CAST = "as_cast", _("abstentions count as votes cast")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="polls"
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("question"), blank=True)
    is_secret = models.BooleanField(_("secret"), default=False)
    majority = models.CharField(
        _("majority"), max_length=20, choices=Majority, default=core.MajorityRule.SIMPLE.value
    )
    abstentions = models.CharField(
        _("abstentions"),
        max_length=20,
        choices=Abstentions,
        default=core.AbstentionRule.NOT_CAST.value,
    )
    quorum = models.DecimalField(
        _("quorum (share of eligible weight)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
    )
    allow_change = models.BooleanField(_("a cast vote may be changed while open"), default=False)
    show_interim = models.BooleanField(
        _("show interim choices while open (named polls only)"), default=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    closes_at = models.DateTimeField(_("voting closes at"), null=True, blank=True)
    # Who started the closing countdown: the poll closes in that chair's name at zero.
    countdown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Frozen with the register when the poll opens. Participation is counted
    # from the ballots, never kept in a counter on this row: a counter would
    # make every ballot wait for the previous one's lock.
    eligible_members = models.PositiveIntegerField(default=0)
    eligible_weight = models.DecimalField(max_digits=24, decimal_places=6, default=Decimal(0))
    result = models.JSONField(null=True, blank=True)
    # Encrypted secret polls: the meeting's election key, frozen when the poll opens,
    # and after the close the homomorphic tally the trustees decrypt
    # ({"decimals", "weighted": [hex], "counts": [hex], "total_units", "ballots"}).
    election = models.ForeignKey(
        "voting.Election", on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    sealed = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum__gte=0) & Q(quorum__lte=1), name="poll_quorum_fraction"
            ),
            # A secret ballot cannot be changed: we do not know what to take back.
            models.CheckConstraint(
                condition=~(Q(is_secret=True) & Q(allow_change=True)),
                name="poll_secret_not_changeable",
            ),
            models.CheckConstraint(
                condition=~(Q(is_secret=True) & Q(show_interim=True)),
                name="poll_secret_no_interim",
            ),
        ]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.title

    @property
    def rule(self) -> core.Rule:
        return core.Rule(
            majority=core.MajorityRule(self.majority),
            abstentions=core.AbstentionRule(self.abstentions),
            quorum=Decimal(self.quorum),
        )

    @property
    def outcome(self) -> core.Result | None:
        return core.Result.from_dict(self.result) if self.result else None

    def core_options(self) -> list[core.Option]:
        return [o.as_core() for o in self.options.all()]


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    label = models.CharField(_("label"), max_length=200)
    is_abstention = models.BooleanField(default=False)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "key"], name="option_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def as_core(self) -> core.Option:
        return core.Option(self.key, self.label, self.is_abstention)


class RegisterEntry(models.Model):
    """A member eligible in a poll, with its weight frozen when the poll opened."""

    # No index of its own: the unique (poll, member) index serves "of this poll" too,
    # and a second index on poll alone misleads PostgreSQL's planner before it has
    # statistics of a fresh register (a scan of the whole register per ballot batch).
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="register", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=18, decimal_places=6)
    province = models.CharField(max_length=60)
    networks = models.CharField(max_length=300, blank=True)  # space-separated codes, frozen
    # The member whose representatives cast this member's ballot (a proxy, volmacht),
    # frozen with the register when the poll opens (see the attendance app).
    represented_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="register_member_once"),
        ]

    def groups(self) -> frozenset[str]:
        return self.groups_of(self.province, self.networks)

    @staticmethod
    @functools.lru_cache(maxsize=4096)  # members share provinces and networks: the close
    def groups_of(province: str, networks: str) -> frozenset[str]:  # builds each set once
        return frozenset([f"province:{province}"] + [f"network:{n}" for n in networks.split()])


class Ballot(models.Model):
    """One member's vote in one poll. The database allows exactly one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by the unique (poll, member) constraint; see RegisterEntry.poll.
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # Null for secret polls: who chose what is never stored.
    option = models.ForeignKey(
        PollOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField()
    # Lets a client retry a request safely: the same key gets the same ballot back.
    request_key = models.CharField(max_length=64, blank=True)
    # The ballot's leaf in the poll's vote log (its latest, after a change).
    log_index = models.PositiveIntegerField(null=True, blank=True)
    # Cast by the representatives of this member (a proxy, volmacht); null: its own.
    proxy = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Handed in on paper and entered by the secretariat (cast_by: who entered it).
    on_paper = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="one_ballot_per_member"),
        ]
        indexes = [
            models.Index(
                fields=["member", "request_key"],
                name="ballot_request_key",
                condition=~Q(request_key=""),
            ),
        ]


class RequestKey(models.Model):
    """Every request key a member's client used, so an old request is never replayed.

    A retry with the key of the ballot's latest request gets that ballot back; the
    key of an earlier, changed request, or of another poll, is refused. Holds no
    choice, so it is kept for secret polls too.
    """

    # Indexed by the unique (member, key) constraint.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=64)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "key"], name="request_key_once"),
        ]


class SecretTally(models.Model):
    """Totals per option of a secret poll kept in the clear: a paper round's tellers'
    totals (added once per signed-off round), and the running totals of the plaintext
    secret polls closed before every secret ballot was encrypted (kept to show and
    verify them; nothing adds to them per ballot any more).

    The weight is kept as an integer number of millionths (weights have 6 decimals), so
    that adding a batch in SQL (``F() + n``) is exact on every database: SQLite stores
    and adds a decimal column as a floating-point number (98.88999999999999).
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="secret_tallies")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="+")
    weight_micro = models.BigIntegerField(_("weight in millionths of a vote"), default=0)
    members = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "option"], name="secret_tally_once"),
        ]

    @property
    def weight(self) -> Decimal:
        return micro_to_weight(self.weight_micro)


WEIGHT_UNIT = Decimal("0.000001")  # the register's precision (decimal_places=6)


def weight_to_micro(weight: Decimal) -> int:
    """A weight as an integer number of millionths; refuses a weight with more decimals."""
    micro = Decimal(weight).scaleb(6)
    if micro != micro.to_integral_value():
        raise ValueError(f"weight {weight} has more than 6 decimals")
    return int(micro)


def micro_to_weight(micro: int) -> Decimal:
    return Decimal(micro).scaleb(-6)


class Decision(models.Model):
    """An entry of the decision list (besluitenlijst): by poll or by acclamation."""

    class Method(models.TextChoices):
        POLL = "poll", _("by vote")
        ACCLAMATION = "acclamation", _("by acclamation")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        NO_QUORUM = "no_quorum", _("no quorum")
        NO_MAJORITY = "no_majority", _("no majority")
        NOTED = "noted", _("noted")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    poll = models.OneToOneField(
        Poll, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    method = models.CharField(_("method"), max_length=12, choices=Method)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("decision"), blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "recorded_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.subject


class PollLog(models.Model):
    """The state of a poll's append-only Merkle log (RFC 9162): size and frontier.

    Its row is locked while a leaf is appended, so leaves get consecutive numbers.
    """

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="log")
    size = models.PositiveIntegerField(default=0)
    frontier = models.JSONField(default=list)  # hex hashes of the complete subtrees
    opening_checkpoint = models.JSONField(null=True, blank=True)
    closing_checkpoint = models.JSONField(null=True, blank=True)
    bundle = models.TextField(blank=True)  # the published bundle, exactly as served


class LogLeaf(models.Model):
    """One event of a poll's log, stored as the exact bytes that were hashed."""

    # Indexed by the unique (poll, index) constraint.
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="log_leaves", db_index=False
    )
    index = models.PositiveIntegerField()
    data = models.TextField()  # canonical JSON (ASCII-safe UTF-8)

    class Meta:
        ordering = ["poll", "index"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "index"], name="log_leaf_index_unique"),
        ]


# The encrypted secret polls' models live in their own module (imported here so Django
# finds them); Poll.election and Poll.sealed below point at them.
from besluit.voting.models_sealed import (  # noqa: E402, F401
    Election,
    SealedBallot,
    TallyShare,
    Trustee,
    TrusteeShare,
)
