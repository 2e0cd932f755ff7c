"""Voting power of an association's members under its weight rule and alternatives.

:func:`analyse` reads the weighted register on a date, builds the weights of the
members with a vote under each rule, computes the exact normalised Banzhaf and
Shapley-Shubik indices (see :mod:`besluit.core.power`) and aggregates them per size
class, network and province. Only eligible members count (active municipalities, and
special members when the association lets them vote); members without a population
figure have weight 0 under every alternative and an unknown size class.

Rules whose scaled total exceeds :data:`~besluit.core.power_analysis.MAX_INTERACTIVE_TOTAL`
units are computed on rounded weights (see :mod:`besluit.core.power_analysis`); the
:class:`RuleAnalysis` says so (``resolution``) and weight shares are always those of
the exact weights. Results are cached per (game weights, quota) in Django's default
cache: they depend on nothing else, so they never go stale.

Ratios are normalised: ``power share / population share`` (1: power in proportion to
inhabitants; below 1: less say than inhabitants). A member may be in several networks,
so network groups can overlap; size classes and provinces partition the members.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import IO

from django.core.cache import cache
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from besluit import csvsafe, formats
from besluit.associations.models import Association
from besluit.associations.selectors import rule_in_force, weighted_register
from besluit.core import power as core_power
from besluit.core import power_analysis as analysis_compute
from besluit.core import weights as core_weights
from besluit.core.power_analysis import (
    ALTERNATIVES,
    CURRENT,
    MAX_INTERACTIVE_TOTAL,
    SIZE_CLASSES,
    UNKNOWN_SIZE,
    GameResult,
    InteractiveGame,
    interactive_games,
    size_class,
)
from besluit.errors import ValidationFailed

__all__ = [
    "BY_CHOICES",
    "DRAFT",
    "GROUPINGS",
    "Analysis",
    "GroupPower",
    "MemberPower",
    "RuleAnalysis",
    "analyse",
    "rules_for",
    "write_csv",
]

DRAFT = "draft"
CACHE_PREFIX = "besluit:analysis:power:v1:"
CACHE_SECONDS = 7 * 24 * 3600

RULE_LABELS = {
    CURRENT: _("Current rule"),
    "brackets": _("Example bracket table"),
    DRAFT: _("Draft bracket table"),
    "proportional": _("Proportional"),
    "sqrt": _("Square root"),
    "equal": _("One member, one vote"),
}
SIZE_LABELS = {
    "lt10k": _("under 10,000"),
    "10k-25k": _("10,000 to 25,000"),
    "25k-50k": _("25,000 to 50,000"),
    "50k-100k": _("50,000 to 100,000"),
    "100k-250k": _("100,000 to 250,000"),
    "250k+": _("250,000 and more"),
    UNKNOWN_SIZE: _("inhabitants unknown"),
}
NO_NETWORK = "(none)"  # not a valid network code
GROUPINGS = {
    "size": _("Size class (inhabitants)"),
    "network": _("Network"),
    "province": _("Province"),
}
BY_CHOICES = ("member", *GROUPINGS)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class MemberInfo:
    code: str
    name: str
    province: str
    networks: tuple[str, ...]
    inhabitants: int | None
    size_class: str
    population_share: Fraction

    @property
    def size_label(self) -> str:
        return str(SIZE_LABELS[self.size_class])


def _ratio(power: Fraction, population: Fraction) -> Fraction | None:
    return power / population if population else None


@dataclass(frozen=True)
class MemberPower:
    member: MemberInfo
    weight: Decimal  # exact, under the rule
    weight_share: Fraction  # of the exact total
    banzhaf: Fraction
    shapley_shubik: Fraction
    dummy: bool

    @property
    def banzhaf_ratio(self) -> Fraction | None:
        return _ratio(self.banzhaf, self.member.population_share)

    @property
    def shapley_shubik_ratio(self) -> Fraction | None:
        return _ratio(self.shapley_shubik, self.member.population_share)


@dataclass(frozen=True)
class GroupPower:
    key: str
    label: str
    members: int
    inhabitants: int
    population_share: Fraction
    weight_share: Fraction
    banzhaf: Fraction
    shapley_shubik: Fraction
    dummies: int

    @property
    def banzhaf_ratio(self) -> Fraction | None:
        return _ratio(self.banzhaf, self.population_share)

    @property
    def shapley_shubik_ratio(self) -> Fraction | None:
        return _ratio(self.shapley_shubik, self.population_share)


@dataclass(frozen=True)
class Coalition:
    members: tuple[MemberInfo, ...]
    weight: Decimal  # exact weights of its members
    weight_share: Fraction
    inhabitants: int
    population_share: Fraction


@dataclass(frozen=True)
class RuleAnalysis:
    key: str
    label: str
    description: str
    total_weight: Decimal  # exact
    game: InteractiveGame
    members: tuple[MemberPower, ...]
    dummies: tuple[MemberInfo, ...]
    minimum_winning_size: int | None
    smallest_winning_coalition: Coalition | None
    groups: dict[str, tuple[GroupPower, ...]]
    seconds: dict[str, float]
    from_cache: bool

    @property
    def exact(self) -> bool:
        return self.game.exact

    @property
    def resolution(self) -> Decimal | None:
        return self.game.resolution

    @property
    def scaled_total(self) -> int:
        return self.game.game.total

    @property
    def quota_units(self) -> int:
        return self.game.game.quota

    @property
    def compute_seconds(self) -> float:
        """Time the indices took when they were computed (also when now from the cache)."""
        return sum(self.seconds.values())


@dataclass(frozen=True)
class Analysis:
    association: Association
    on: date
    quota: core_power.Quota
    members: tuple[MemberInfo, ...]
    inhabitants: int
    rules: tuple[RuleAnalysis, ...]
    max_total: int

    def rule(self, key: str) -> RuleAnalysis:
        return next(r for r in self.rules if r.key == key)


# --------------------------------------------------------------------------- rules


def rules_for(
    keys: Iterable[str], *, draft: tuple[core_weights.Bracket, ...] | None = None
) -> dict[str, core_weights.WeightRule | None]:
    """The rules to analyse, by key: ``current`` (None: the register's own weights), the
    named :data:`~besluit.core.power_analysis.ALTERNATIVES` and, if given, a draft table."""
    rules: dict[str, core_weights.WeightRule | None] = {}
    for key in keys:
        if key == CURRENT:
            rules[key] = None
        elif key in ALTERNATIVES:
            rules[key] = ALTERNATIVES[key]
        else:
            raise ValidationFailed(
                gettext("Unknown rule '%(key)s' (choose from %(join)s).")
                % {"key": key, "join": ", ".join(analysis_compute.RULE_KEYS)},
                field="rules",
            )
    if draft is not None:
        rules[DRAFT] = core_weights.WeightRule(core_weights.RuleKind.BRACKETS, brackets=draft)
    return rules


def describe(rule: core_weights.WeightRule) -> str:
    """One line on how the rule turns inhabitants into votes."""
    kind = core_weights.RuleKind
    if rule.kind is kind.BRACKETS:
        votes = [b.votes for b in rule.brackets]
        return str(
            _("bracket table: %(count)d brackets, %(low)s to %(high)s votes")
            % {"count": len(votes), "low": _num(min(votes)), "high": _num(max(votes))}
        )
    per = {"per": _num(rule.per_inhabitants)}
    if rule.kind is kind.PROPORTIONAL:
        if rule.per_inhabitants == 1:
            text = str(_("1 vote per inhabitant"))
        else:
            text = str(_("1 vote per %(per)s inhabitants") % per)
    elif rule.kind is kind.SQUARE_ROOT:
        if rule.per_inhabitants == 1:
            text = str(_("square root of the inhabitants"))
        else:
            text = str(_("square root of (inhabitants ÷ %(per)s)") % per)
    else:
        return str(_("every member has 1 vote"))
    if rule.decimals:
        text += str(_(", to %(places)d decimals") % {"places": rule.decimals})
    return text


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# --------------------------------------------------------------------------- analysis


def _cache_key(game: core_power.Game) -> str:
    digest = hashlib.sha256(f"{game.quota}|{','.join(map(str, game.weights))}".encode()).hexdigest()
    return CACHE_PREFIX + digest


def cached_compute(game: core_power.Game) -> tuple[GameResult, bool]:
    """The indices of ``game``, from the cache when they were computed before."""
    key = _cache_key(game)
    result = cache.get(key)
    if result is not None:
        return result, True
    result = analysis_compute.compute(game)
    cache.set(key, result, CACHE_SECONDS)
    return result, False


def _share(part, whole) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _group_rows(
    members: tuple[MemberInfo, ...],
    powers: tuple[MemberPower, ...],
    key_of: Callable[[MemberInfo], Iterable[str]],
    order: list[tuple[str, str]],
    total_inhabitants: int,
) -> tuple[GroupPower, ...]:
    """Sum members into groups; ``order`` lists (key, label) in display order."""
    buckets: dict[str, list[MemberPower]] = {}
    for info, p in zip(members, powers, strict=True):
        for key in key_of(info):
            buckets.setdefault(key, []).append(p)
    rows = []
    for key, label in order:
        group = buckets.get(key)
        if not group:
            continue
        inhabitants = sum(p.member.inhabitants or 0 for p in group)
        rows.append(
            GroupPower(
                key=key,
                label=label,
                members=len(group),
                inhabitants=inhabitants,
                population_share=_share(inhabitants, total_inhabitants),
                weight_share=sum((p.weight_share for p in group), Fraction(0)),
                banzhaf=sum((p.banzhaf for p in group), Fraction(0)),
                shapley_shubik=sum((p.shapley_shubik for p in group), Fraction(0)),
                dummies=sum(p.dummy for p in group),
            )
        )
    return tuple(rows)


def _groups(
    members: tuple[MemberInfo, ...], powers: tuple[MemberPower, ...], total_inhabitants: int
) -> dict[str, tuple[GroupPower, ...]]:
    sizes = [(c.key, str(SIZE_LABELS[c.key])) for c in SIZE_CLASSES]
    sizes.append((UNKNOWN_SIZE, str(SIZE_LABELS[UNKNOWN_SIZE])))
    networks = sorted({code for m in members for code in m.networks})
    provinces = sorted({m.province for m in members}, key=str.casefold)
    return {
        "size": _group_rows(members, powers, lambda m: [m.size_class], sizes, total_inhabitants),
        "network": _group_rows(
            members,
            powers,
            lambda m: m.networks or (NO_NETWORK,),
            [(n, n) for n in networks] + [(NO_NETWORK, str(_("no network")))],
            total_inhabitants,
        ),
        "province": _group_rows(
            members,
            powers,
            lambda m: [m.province],
            [(p, p) for p in provinces],
            total_inhabitants,
        ),
    }


def _analyse_rule(
    key: str,
    label: str,
    description: str,
    members: tuple[MemberInfo, ...],
    weights: list[Decimal],
    quota: core_power.Quota,
    total_inhabitants: int,
    max_total: int,
) -> RuleAnalysis:
    refused: core_power.PowerError | None = None
    try:
        for ig in interactive_games(weights, quota, max_total=max_total):
            try:
                result, from_cache = cached_compute(ig.game)
                break
            except core_power.PowerError as exc:  # too large after all: round coarser
                refused = exc
        else:
            raise refused or core_power.PowerError("no game to compute")
    except core_power.PowerError as exc:
        raise ValidationFailed(
            gettext("%(label)s: %(exc)s") % {"label": label, "exc": exc}, field="rules"
        ) from exc
    total = sum(weights, Decimal(0))
    dummy_set = set(result.dummies)
    powers = tuple(
        MemberPower(
            member=info,
            weight=w,
            weight_share=_share(w, total),
            banzhaf=b,
            shapley_shubik=s,
            dummy=i in dummy_set,
        )
        for i, (info, w, b, s) in enumerate(
            zip(members, weights, result.banzhaf, result.shapley_shubik, strict=True)
        )
    )
    coalition = None
    if result.smallest_winning_coalition is not None:
        chosen = [members[i] for i in result.smallest_winning_coalition]
        c_weight = sum((weights[i] for i in result.smallest_winning_coalition), Decimal(0))
        c_inhabitants = sum(m.inhabitants or 0 for m in chosen)
        coalition = Coalition(
            members=tuple(chosen),
            weight=c_weight,
            weight_share=_share(c_weight, total),
            inhabitants=c_inhabitants,
            population_share=_share(c_inhabitants, total_inhabitants),
        )
    return RuleAnalysis(
        key=key,
        label=label,
        description=description,
        total_weight=total,
        game=ig,
        members=powers,
        dummies=tuple(members[i] for i in result.dummies),
        minimum_winning_size=result.minimum_winning_size,
        smallest_winning_coalition=coalition,
        groups=_groups(members, powers, total_inhabitants),
        seconds=result.seconds,
        from_cache=from_cache,
    )


def analyse(
    association: Association,
    *,
    rules: Mapping[str, core_weights.WeightRule | None],
    on: date,
    quota: core_power.Quota | str = core_power.Quota.SIMPLE,
    labels: Mapping[str, str] | None = None,
    max_total: int = MAX_INTERACTIVE_TOTAL,
) -> Analysis:
    """Power of the members with a vote on ``on`` under each rule (see the module notes).

    ``rules`` maps a key to a core weight rule; the key ``current`` (or a None rule)
    means the register's actual weights, overrides included. ``labels`` overrides the
    default label of a key. Raises :class:`~besluit.errors.ValidationFailed` when no
    weight rule is in force, when no member has a vote, or for an unknown quota.
    """
    try:
        quota = core_power.Quota(quota)
    except ValueError:
        raise ValidationFailed(
            gettext("Unknown quota '%(quota)s' (choose simple or two_thirds).") % {"quota": quota},
            field="quota",
        ) from None
    rows = [r for r in weighted_register(association, on) if r.eligible]
    if not rows:
        raise ValidationFailed(
            gettext("%(association)s has no members with a vote on %(on)s.")
            % {"association": association, "on": formats.day(on)}
        )
    total_inhabitants = sum(r.inhabitants or 0 for r in rows)
    members = tuple(
        MemberInfo(
            code=r.member.code,
            name=r.member.name,
            province=r.member.province,
            networks=tuple(sorted(n.code for n in r.member.networks.all())),
            inhabitants=r.inhabitants,
            size_class=size_class(r.inhabitants),
            population_share=_share(r.inhabitants or 0, total_inhabitants),
        )
        for r in rows
    )
    labels = {**{k: str(v) for k, v in RULE_LABELS.items()}, **(labels or {})}
    in_force = None
    analysed = []
    for key, rule in rules.items():
        if key == CURRENT or rule is None:
            if in_force is None:
                in_force = rule_in_force(association, on)
            overrides = sum(r.is_overridden for r in rows)
            description = str(
                _("the rule in force from %(day)s: %(rule)s")
                % {"day": formats.day(in_force.valid_from), "rule": describe(in_force.as_core())}
            )
            if overrides:
                fixed = _("; %(count)d fixed weights (overrides)") % {"count": overrides}
                description += str(fixed)
            weights = [r.weight for r in rows]
        else:
            core_weights.validate_rule(rule)
            description = describe(rule)
            computed = iter(
                core_weights.weights_for(
                    rule, [r.inhabitants for r in rows if r.inhabitants is not None]
                )
            )
            weights = [next(computed) if r.inhabitants is not None else Decimal(0) for r in rows]
        analysed.append(
            _analyse_rule(
                key,
                labels.get(key, key),
                description,
                members,
                weights,
                quota,
                total_inhabitants,
                max_total,
            )
        )
    return Analysis(
        association=association,
        on=on,
        quota=quota,
        members=members,
        inhabitants=total_inhabitants,
        rules=tuple(analysed),
        max_total=max_total,
    )


# --------------------------------------------------------------------------- CSV


def decimal(value: Fraction | None, places: int = 10) -> Decimal | None:
    """A fraction as a Decimal rounded half-even to ``places`` decimals (exact otherwise)."""
    if value is None:
        return None
    with localcontext(prec=60):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal(1).scaleb(-places)
        )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Fraction):
        return str(decimal(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)  # csvsafe.writer neutralises text that would start a formula


def _resolution(rule: RuleAnalysis) -> str:
    return "exact" if rule.exact else format(rule.resolution, "f")


def write_csv(analysis: Analysis, by: str, out: IO[str]) -> int:
    """Write the analysis per member or per group (``by``) as CSV; returns the data rows.

    Shares and indices are decimal fractions (0.25 is 25%), rounded to 10 decimals;
    ``resolution`` is ``exact`` or the unit the weights were rounded to for the indices.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    writer = csvsafe.writer(out, lineterminator="\n")
    common = ["rule", "rule_label", "quota", "date", "resolution"]
    measures = [
        "population_share",
        "weight_share",
        "banzhaf",
        "shapley_shubik",
        "banzhaf_per_population",
        "shapley_shubik_per_population",
    ]
    count = 0
    if by == "member":
        writer.writerow(
            [
                *common,
                "code",
                "name",
                "province",
                "networks",
                "size_class",
                "inhabitants",
                "weight",
                *measures,
                "dummy",
            ]
        )
        for rule in analysis.rules:
            head = [rule.key, rule.label, analysis.quota.value, analysis.on, _resolution(rule)]
            for p in rule.members:
                m = p.member
                writer.writerow(
                    [
                        _cell(v)
                        for v in (
                            *head,
                            m.code,
                            m.name,
                            m.province,
                            " ".join(m.networks),
                            m.size_class,
                            m.inhabitants,
                            p.weight,
                            m.population_share,
                            p.weight_share,
                            p.banzhaf,
                            p.shapley_shubik,
                            p.banzhaf_ratio,
                            p.shapley_shubik_ratio,
                            "yes" if p.dummy else "no",
                        )
                    ]
                )
                count += 1
        return count
    writer.writerow(
        [*common, "group", "group_label", "members", "inhabitants", *measures, "dummies"]
    )
    for rule in analysis.rules:
        head = [rule.key, rule.label, analysis.quota.value, analysis.on, _resolution(rule)]
        for g in rule.groups[by]:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        *head,
                        g.key,
                        g.label,
                        g.members,
                        g.inhabitants,
                        g.population_share,
                        g.weight_share,
                        g.banzhaf,
                        g.shapley_shubik,
                        g.banzhaf_ratio,
                        g.shapley_shubik_ratio,
                        g.dummies,
                    )
                ]
            )
            count += 1
    return count
