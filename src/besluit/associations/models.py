"""Associations (vereniging), their members (leden), networks and weight rules."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from besluit.core import weights as core_weights


class Association(models.Model):
    """An association of municipalities, e.g. the national one or a provincial department."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    # Rules a meeting inherits unless it says otherwise (see meetings.services).
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline: working days before the meeting"), default=9
    )
    deadline_time = models.TimeField(_("deadline: time of day"), default=datetime.time(12, 0))
    special_members_vote = models.BooleanField(
        _("special members (Caribbean Netherlands) vote"), default=False
    )
    # The statutes' voting rules, which a vote opened from the chair's console starts
    # from (the chair may adjust each vote). Values are core.voting's rule values.
    default_quorum = models.DecimalField(
        _("default quorum (share of the eligible weight)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
    )
    default_majority = models.CharField(
        _("default majority"),
        max_length=20,
        choices=[
            ("simple", _("simple majority of votes cast")),
            ("two_thirds", _("two thirds of votes cast")),
            ("absolute", _("majority of all eligible weight")),
        ],
        default="simple",
    )
    # Closing a vote below this turnout (of members or of weight) asks the chair to confirm.
    turnout_warning = models.DecimalField(
        _("warn before closing below this turnout (share)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5"),
    )
    # The language of the association's pages (empty: the site's, Dutch); a reader may
    # still choose another (besluit.languages).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Whether the decision lists and results of its closed meetings are public pages.
    publish_decisions = models.BooleanField(_("publish decision lists and results"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_quorum__gte=0) & Q(default_quorum__lte=1),
                name="association_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=Q(turnout_warning__gte=0) & Q(turnout_warning__lte=1),
                name="association_turnout_warning_fraction",
            ),
        ]
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self) -> str:
        return self.name


class Network(models.Model):
    """A network of members (G4, G40, P10, M50, K80, ...): a tag and a breakdown of results."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="networks")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["association", "code"], name="network_code_unique"),
        ]
        verbose_name = _("network")

    def __str__(self) -> str:
        return self.code


class Member(models.Model):
    """A member organisation (lid): a municipality with its CBS code."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        SPECIAL = "special", _("special membership")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="members")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MUNICIPALITY)
    networks = models.ManyToManyField(Network, blank=True, related_name="members")
    active = models.BooleanField(_("active"), default=True)
    weight_override = models.DecimalField(
        _("weight override"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    override_reason = models.CharField(_("reason for override"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "code"], name="member_code_unique"),
            models.CheckConstraint(
                condition=Q(weight_override__isnull=True) | ~Q(override_reason=""),
                name="member_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(weight_override__isnull=True) | Q(weight_override__gte=0),
                name="member_override_not_negative",
            ),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


class PopulationFigure(models.Model):
    """A member's number of inhabitants on a reference date (peildatum)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="populations")
    reference_date = models.DateField(_("reference date"))
    inhabitants = models.PositiveIntegerField(_("inhabitants"))

    class Meta:
        ordering = ["member", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "reference_date"], name="population_one_per_date"
            ),
        ]
        verbose_name = _("population figure")


class WeightRule(models.Model):
    """How inhabitants become votes, in force from a date (statutes change)."""

    class Kind(models.TextChoices):
        # Values are core_weights.RuleKind's.
        BRACKETS = "brackets", _("bracket table")
        PROPORTIONAL = "proportional", _("proportional to inhabitants")
        SQUARE_ROOT = "square_root", _("square root of inhabitants")
        EQUAL = "equal", _("one member, one vote")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="weight_rules"
    )
    valid_from = models.DateField(_("valid from"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    brackets = models.JSONField(_("brackets"), default=list, blank=True)
    per_inhabitants = models.DecimalField(
        _("per number of inhabitants"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    label = models.CharField(_("label"), max_length=200, blank=True)
    is_example = models.BooleanField(
        _("example"), default=False, help_text=_("Marks a rule that is not from real statutes.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["association", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "valid_from"], name="weight_rule_one_per_date"
            ),
        ]
        verbose_name = _("weight rule")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_from:%Y-%m-%d})"

    def as_core(self) -> core_weights.WeightRule:
        return core_weights.WeightRule(
            kind=core_weights.RuleKind(self.kind),
            brackets=tuple(
                core_weights.Bracket(int(b[0]), Decimal(str(b[1]))) for b in self.brackets
            ),
            per_inhabitants=Decimal(self.per_inhabitants),
            decimals=self.decimals,
        )


class Role(models.Model):
    """What a person may do in one association."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("secretariat")
        CHAIR = "chair", _("chair")
        BOARD = "board", _("board member")
        REPRESENTATIVE = "representative", _("representative")
        OBSERVER = "observer", _("observer")

    class Function(models.TextChoices):
        MAYOR = "mayor", _("mayor")
        ALDERMAN = "alderman", _("alderman")
        COUNCIL_MEMBER = "council_member", _("council member")
        SECRETARY = "secretary", _("municipal secretary")
        CLERK = "clerk", _("clerk")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=Kind)
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="representatives"
    )
    function = models.CharField(_("function"), max_length=20, choices=Function, blank=True)

    class Meta:
        ordering = ["association", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "association", "kind"], name="role_once_per_association"
            ),
            # A representative acts for exactly one member; other roles for none.
            models.CheckConstraint(
                condition=(Q(kind="representative") & Q(member__isnull=False))
                | (~Q(kind="representative") & Q(member__isnull=True)),
                name="role_member_iff_representative",
            ),
        ]
        verbose_name = _("role")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} ({self.association})"
