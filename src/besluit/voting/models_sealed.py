"""Encrypted secret polls: the trustees' election key, sealed ballots, decryption shares.

What is stored, and what is deliberately not (docs/ballot-encryption.md, "Storage"):

- ``SealedBallot``: the ballot as the browser sent it (ciphertexts and proofs), its
  tracker (SHA-256 of those bytes, also the ballot's leaf in the poll's log), the
  member's frozen weight in units, and the *voter binding*, a hash of (poll, member,
  request key) with a request key of at least 128 random bits that is never stored.
  No member, no time, no ordered id: the primary key is a random UUID.
- Participation is the existing ``Ballot`` row (unique per poll and member: the
  database's one-ballot rule) with no option, no acting person, no request key, no
  log index, the poll's opening time instead of the casting time and a random id
  instead of the next number, so nothing orders it against the sealed ballots.
- No running totals: the tally is computed once, homomorphically, at the close.

The two rows are written in one transaction (the one-ballot rule must hold), so a copy
of the raw database files (SQLite's WAL, PostgreSQL's tuple headers) can pair a member
with a *ciphertext*; reading the choice from it still takes k of the n trustees.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.meetings.models import Meeting


class Election(models.Model):
    """The joint ElGamal key of a meeting's secret polls, made by n trustees, k of whom decrypt."""

    class Status(models.TextChoices):
        KEYS = "keys", _("trustees are making their keys")
        DEALING = "dealing", _("trustees are exchanging their shares")
        READY = "ready", _("ready")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="election")
    trustee_count = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status, default=Status.KEYS)
    public_key = models.CharField(max_length=64, blank=True)  # hex, once ready
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1)
                & models.Q(threshold__lte=models.F("trustee_count")),
                name="election_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold}/{self.trustee_count} {self.meeting}"


class Trustee(models.Model):
    """One of the election's n trustees: a person, or the server (a share that never suffices)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="trustees")
    index = models.PositiveSmallIntegerField()  # 1..n, the x-coordinate of the share
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    is_server = models.BooleanField(default=False)
    comm_key = models.CharField(max_length=200, blank=True)  # hex CommKey (100 bytes)
    commitment = models.TextField(blank=True)  # hex DealerCommitment
    dealt = models.BooleanField(default=False)

    class Meta:
        ordering = ["election", "index"]
        constraints = [
            models.UniqueConstraint(fields=["election", "index"], name="trustee_index_once"),
            models.UniqueConstraint(
                fields=["election", "user"],
                name="trustee_user_once",
                condition=models.Q(user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrusteeShare(models.Model):
    """A polynomial share s_ij boxed for trustee j: the server relays it and cannot open it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    dealer = models.PositiveSmallIntegerField()
    recipient = models.PositiveSmallIntegerField()
    data = models.CharField(max_length=176)  # hex EncryptedShare (88 bytes)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "dealer", "recipient"], name="trustee_share_once"
            ),
        ]


class SealedBallot(models.Model):
    """An encrypted ballot of a secret poll; see the module docstring for what it lacks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(
        "voting.Poll", on_delete=models.PROTECT, related_name="sealed_ballots", db_index=False
    )
    tracker = models.CharField(max_length=64)  # hex SHA-256 of data
    voter = models.CharField(max_length=64)  # hex voter binding
    weight_units = models.BigIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "tracker"], name="sealed_tracker_once"),
            models.UniqueConstraint(fields=["poll", "voter"], name="sealed_voter_once"),
        ]


class TallyShare(models.Model):
    """A trustee's decryption shares for a closed poll's tally, with their proofs."""

    poll = models.ForeignKey("voting.Poll", on_delete=models.CASCADE, related_name="tally_shares")
    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="+")
    weights = models.TextField()  # hex DecryptionShare over the weighted totals
    counts = models.TextField()  # hex DecryptionShare over the member counts
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "trustee"], name="tally_share_once"),
        ]
