"""People who use Besluit, and the credentials they log in with."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# Code accounts are named "stemcode:<random>": the colon is a character Django's
# username validator refuses, so no person's account (form, service, createuser) can
# take or predict such a name.
CODE_USERNAME_PREFIX = "stemcode:"


class User(AbstractUser):
    """A person, or the account of one voting code. What a person may do comes from
    their roles per association.

    A code account (``code_meeting`` set) is made only by the issuing service
    (accounts.codes), for one member and one meeting: a random name, never a password,
    found again only through its VotingCode rows, never by name. It cannot log in with
    a password (accounts.backends) and is not listed among the association's people.
    """

    code_meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_member = models.ForeignKey(
        "associations.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code_meeting__isnull=True, code_member__isnull=True)
                | models.Q(code_meeting__isnull=False, code_member__isnull=False),
                name="code_account_has_meeting_and_member",
            ),
        ]

    @property
    def is_code_account(self) -> bool:
        return self.code_meeting_id is not None


def hash_secret(raw: str) -> str:
    # Tokens and voting codes carry 128+ bits of randomness, so a fast hash is
    # safe (no dictionary to attack) and keeps each request one indexed lookup.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored.

    ``scopes`` is a space-separated subset of SCOPES: ``read`` for GET, ``write`` for
    other changes, ``vote`` for casting ballots. A token past ``expires_at`` or
    revoked answers 401 (accounts.tokens).
    """

    SCOPES = ("read", "write", "vote")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=40, default="read write vote")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.SCOPES if s in self.scopes.split()]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes.split()

    @classmethod
    def issue(
        cls,
        user: User,
        name: str,
        *,
        scopes: tuple[str, ...] | list[str] = SCOPES,
        expires_at=None,
        created_by: User | None = None,
    ) -> tuple["ApiToken", str]:
        """The token row and its secret (shown once; only the hash is kept).
        accounts.tokens.do_issue_token checks and audits; this is the plain maker."""
        if user.is_code_account:
            raise ValueError("A voting code's account gets no API token.")
        raw = "bsl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_secret(raw),
            scopes=" ".join(s for s in cls.SCOPES if s in scopes),
            expires_at=expires_at,
            created_by=created_by,
        )
        return token, raw


class VotingCode(models.Model):
    """A member's personal code for one meeting (stemcode), handed out by its secretary.

    128 random bits, so a plain SHA-256 is enough to store it: logging in with a
    code costs one indexed lookup, not a slow password hash.
    """

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="voting_codes"
    )
    member = models.ForeignKey(
        "associations.Member", on_delete=models.CASCADE, related_name="voting_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The account a code logs in as: one per member and meeting, made by the issuing
    # service for this code (User.code_meeting/code_member), never a password.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="voting_codes")

    class Meta:
        ordering = ["meeting", "member"]
        constraints = [
            # At most one valid code per member and meeting; re-issuing revokes the old.
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_valid_code_per_member",
            ),
        ]
        verbose_name = _("voting code")

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting}"
