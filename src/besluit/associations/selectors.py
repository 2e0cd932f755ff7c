"""Read queries for associations and members."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from besluit import formats
from besluit.associations.models import Association, Member, PopulationFigure, WeightRule
from besluit.core import weights as core_weights
from besluit.errors import ValidationFailed


@dataclass(frozen=True)
class WeightedMember:
    member: Member
    inhabitants: int | None
    reference_date: date | None
    computed_weight: Decimal
    weight: Decimal  # the override when there is one
    share: Decimal
    eligible: bool

    @property
    def is_overridden(self) -> bool:
        return self.member.weight_override is not None


def rule_in_force(association: Association, day: date) -> WeightRule | None:
    return (
        WeightRule.objects.filter(association=association, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def is_eligible(association: Association, member: Member) -> bool:
    if not member.active:
        return False
    return member.kind == Member.Kind.MUNICIPALITY or association.special_members_vote


def weighted_register(association: Association, day: date) -> list[WeightedMember]:
    """Every member with its weight on ``day``: the rule then in force, the figure then known.

    Runs a fixed number of queries whatever the number of members.
    """
    rule = rule_in_force(association, day)
    if rule is None:
        raise ValidationFailed(
            _("No weight rule is in force for %(association)s on %(day)s.")
            % {"association": association, "day": formats.day(day)},
            field="weight_rule",
        )
    core_rule = rule.as_core()
    members = list(
        association.members.order_by("name").prefetch_related(
            "networks",
            Prefetch(
                "populations",
                queryset=PopulationFigure.objects.order_by("-reference_date"),
                to_attr="figures",
            ),
        )
    )
    figures: list[PopulationFigure | None] = []
    for member in members:
        figure = next((f for f in member.figures if f.reference_date <= day), None)
        if figure is None and member.figures:
            # Only later figures known (e.g. a register imported after the date):
            # use the oldest, the closest to the date.
            figure = member.figures[-1]
        figures.append(figure)
    # The rule is checked once for the whole register, not once per member.
    computed_weights = iter(
        core_weights.weights_for(core_rule, [f.inhabitants for f in figures if f is not None])
    )
    rows: list[tuple[Member, PopulationFigure | None, Decimal, Decimal, bool]] = []
    for member, figure in zip(members, figures, strict=True):
        computed = next(computed_weights) if figure is not None else Decimal(0)
        weight = member.weight_override if member.weight_override is not None else computed
        eligible = is_eligible(association, member)
        rows.append((member, figure, computed, weight if eligible else Decimal(0), eligible))
    total = sum((r[3] for r in rows), Decimal(0))
    return [
        WeightedMember(
            member=m,
            inhabitants=f.inhabitants if f else None,
            reference_date=f.reference_date if f else None,
            computed_weight=computed,
            weight=weight,
            share=(weight / total) if total else Decimal(0),
            eligible=eligible,
        )
        for m, f, computed, weight, eligible in rows
    ]


def members_register(association: Association, day: date) -> tuple[list[WeightedMember], bool]:
    """The weighted register on ``day``, and whether a weight rule was in force.

    Without a rule (a new association, or rules only from later dates) the
    members are still listed, every weight 0: the page says why.
    """
    if rule_in_force(association, day) is not None:
        return weighted_register(association, day), True
    members = association.members.order_by("name").prefetch_related(
        "networks",
        Prefetch(
            "populations",
            queryset=PopulationFigure.objects.order_by("-reference_date"),
            to_attr="figures",
        ),
    )
    rows = []
    for member in members:
        figure = next((f for f in member.figures if f.reference_date <= day), None)
        figure = figure or (member.figures[-1] if member.figures else None)
        rows.append(
            WeightedMember(
                member=member,
                inhabitants=figure.inhabitants if figure else None,
                reference_date=figure.reference_date if figure else None,
                computed_weight=Decimal(0),
                weight=Decimal(0),
                share=Decimal(0),
                eligible=is_eligible(association, member),
            )
        )
    return rows, False
