"""How a poll is decided: weighted votes of an association of municipalities.

This module is the single place where a result is computed. It imports no Django,
so the same rules serve named polls, secret polls, the API and the tests.

Inputs
    * ``Voter``: a member (municipality) on the register of this poll, with its
      weight (``Decimal``, may be fractional or 0) and the groups it belongs to
      (``"province:Utrecht"``, ``"network:G40"``) for breakdowns.
    * ``Option``: what can be chosen. Options marked ``is_abstention`` (the
      standard "Onthouding") record taking part without choosing.
    * ``Ballot``: a member's choice, for named polls. Secret polls store only
      totals per option and go straight to ``decide()``.
    * ``Rule``: majority, abstention handling and quorum, set per association.

Rules, in the order they are applied (all exact ``Decimal`` arithmetic; a step
that would have to round raises instead of silently rounding):

1. Turnout. ``voted_weight`` / ``voted_members`` are summed over *all* options,
   abstentions included: abstaining is taking part.
2. Quorum. ``quorum_required_weight = rule.quorum * eligible_weight``, where
   ``rule.quorum`` is a fraction in [0, 1]. It is met when
   ``voted_weight >= quorum_required_weight``; quorum 0 is therefore always met,
   even if nobody voted. Not met: outcome ``NO_QUORUM``, no winner.
3. Votes cast. ``cast_weight``, the denominator of every percentage, is the
   weight of the non-abstention options; with ``AbstentionRule.AS_CAST`` the
   abstentions are added too, so they weigh like votes against. The default
   (``NOT_CAST``) follows the usual Dutch reading: blank votes are not cast.
4. Majority. An option with weight ``w`` meets the majority when
       SIMPLE      2w > cast_weight        (more than half of the votes cast)
       TWO_THIRDS  3w >= 2 * cast_weight   (at least two thirds; BW 2:43 for
                   and w > 0                statute changes)
       ABSOLUTE    2w > eligible_weight    (more than half of all weight that
                                            could vote, present or not)
   When ``cast_weight`` is 0 no option meets it.
5. Outcome.
   * Yes/no poll (options ``for``/``against``, optionally ``abstain``):
     ``ADOPTED`` with winner ``"for"`` when ``for`` meets the majority, else
     ``REJECTED`` with no winner. So a tie rejects.
   * Alternatives poll (any other set, e.g. "board proposal / amended proposal
     / against both"): the one non-abstention option that meets the majority
     wins, outcome ``ADOPTED`` and ``winner`` its key (which may be "against
     both": the caller knows what each key means). No such option, or (only in
     degenerate input) more than one: ``NO_MAJORITY``.

Shares (``OptionTotal.share``) are ``weight / cast_weight`` for reporting
("aangenomen met 97,63%"). They are exact when the fraction terminates (62/100
is 0.62) and otherwise rounded to 28 significant digits, which is why the
decision above never uses them: it compares weights by multiplication only.
Abstentions get no share under ``NOT_CAST``; nothing has a share when
``cast_weight`` is 0.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

__all__ = [
    "YES_NO",
    "AbstentionRule",
    "Ballot",
    "GroupResult",
    "MajorityRule",
    "Option",
    "OptionTotal",
    "Outcome",
    "Result",
    "Rule",
    "TallyError",
    "Voter",
    "decide",
    "share_text",
    "tally",
]

# Sums and products of weights must never round: a result that is off by one
# unit in the last place can flip a boundary case. Unbounded precision makes
# them exact, and trapping Inexact turns any hidden rounding into an error.
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
# Fractions for reporting (shares, turnout) may not terminate (1/3), so they
# get a fixed precision of their own, independent of the caller's context.
_FRACTION = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


class TallyError(ValueError):
    """The input cannot be counted (inconsistent register, ballots, options or rule)."""


class MajorityRule(StrEnum):
    SIMPLE = "simple"  # more than half of the weighted votes cast
    TWO_THIRDS = "two_thirds"  # at least two thirds of the weighted votes cast (BW 2:43)
    ABSOLUTE = "absolute"  # more than half of the total eligible weight


class AbstentionRule(StrEnum):
    NOT_CAST = "not_cast"  # default: count for turnout and quorum, not as votes cast
    AS_CAST = "as_cast"  # in the denominator, so they work like votes against


class Outcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    NO_MAJORITY = "no_majority"


@dataclass(frozen=True)
class Voter:
    member_id: int
    weight: Decimal
    groups: frozenset[str] = frozenset()  # e.g. "province:Utrecht", "network:G40"


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    is_abstention: bool = False


@dataclass(frozen=True)
class Ballot:
    member_id: int
    option_key: str


@dataclass(frozen=True)
class Rule:
    majority: MajorityRule = MajorityRule.SIMPLE
    abstentions: AbstentionRule = AbstentionRule.NOT_CAST
    # Fraction (0..1) of the eligible weight that must take part, abstentions included.
    quorum: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        # Coerce, so a Rule rebuilt from stored strings behaves like one built in code.
        try:
            majority = MajorityRule(self.majority)
            abstentions = AbstentionRule(self.abstentions)
        except ValueError as exc:
            raise TallyError(str(exc)) from exc
        quorum = _amount(self.quorum, "quorum")
        if quorum > 1:
            raise TallyError(f"quorum must be a fraction between 0 and 1, got {quorum}")
        object.__setattr__(self, "majority", majority)
        object.__setattr__(self, "abstentions", abstentions)
        object.__setattr__(self, "quorum", quorum)


@dataclass(frozen=True)
class OptionTotal:
    key: str
    label: str
    is_abstention: bool
    weight: Decimal
    members: int
    share: Decimal | None  # weight / cast_weight; None when not part of the votes cast

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OptionTotal:
        share = d["share"]
        return cls(
            key=d["key"],
            label=d["label"],
            is_abstention=d["is_abstention"],
            weight=Decimal(d["weight"]),
            members=d["members"],
            share=None if share is None else Decimal(share),
        )


@dataclass(frozen=True)
class GroupResult:
    """Totals of the members of one group (province, network); no outcome of its own."""

    group: str
    eligible_members: int
    eligible_weight: Decimal
    voted_members: int
    voted_weight: Decimal
    options: tuple[OptionTotal, ...]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GroupResult:
        return cls(
            group=d["group"],
            eligible_members=d["eligible_members"],
            eligible_weight=Decimal(d["eligible_weight"]),
            voted_members=d["voted_members"],
            voted_weight=Decimal(d["voted_weight"]),
            options=tuple(OptionTotal.from_dict(o) for o in d["options"]),
        )


@dataclass(frozen=True)
class Result:
    options: tuple[OptionTotal, ...]
    eligible_members: int
    eligible_weight: Decimal
    voted_members: int
    voted_weight: Decimal
    cast_weight: Decimal
    quorum_required_weight: Decimal
    quorum_met: bool
    outcome: Outcome
    winner: str | None
    groups: tuple[GroupResult, ...] = ()

    def option(self, key: str) -> OptionTotal:
        for total in self.options:
            if total.key == key:
                return total
        raise KeyError(key)

    @property
    def winner_label(self) -> str | None:
        return self.option(self.winner).label if self.winner is not None else None

    @property
    def turnout_members(self) -> Decimal:
        """Fraction of the eligible members that took part (0 for an empty register)."""
        return _fraction(Decimal(self.voted_members), Decimal(self.eligible_members))

    @property
    def turnout_weight(self) -> Decimal:
        """Fraction of the eligible weight that took part (0 when there is none)."""
        return _fraction(self.voted_weight, self.eligible_weight)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: Decimals as strings (exact), enums as their values."""
        return _to_json(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        return cls(
            options=tuple(OptionTotal.from_dict(o) for o in d["options"]),
            eligible_members=d["eligible_members"],
            eligible_weight=Decimal(d["eligible_weight"]),
            voted_members=d["voted_members"],
            voted_weight=Decimal(d["voted_weight"]),
            cast_weight=Decimal(d["cast_weight"]),
            quorum_required_weight=Decimal(d["quorum_required_weight"]),
            quorum_met=d["quorum_met"],
            outcome=Outcome(d["outcome"]),
            winner=d["winner"],
            groups=tuple(GroupResult.from_dict(g) for g in d.get("groups", ())),
        )


YES_NO: tuple[Option, ...] = (
    Option("for", "Voor"),
    Option("against", "Tegen"),
    Option("abstain", "Onthouding", is_abstention=True),
)
_YES_NO_KEYS = ({"for", "against"}, {"for", "against", "abstain"})


def decide(
    *,
    options: Sequence[Option],
    totals: Mapping[str, tuple[Decimal, int]],
    eligible_members: int,
    eligible_weight: Decimal,
    rule: Rule,
    yes_no: bool | None = None,
) -> Result:
    """Decide a poll from its totals per option key: ``(weight, members)``.

    Used directly for secret polls, where only totals are stored; ``tally()``
    ends here too, so both paths share one decision. Missing keys count as
    nobody. ``yes_no=None`` detects a yes/no poll from the option keys.
    """
    options = _check_options(options)
    keys = {o.key for o in options}
    for key in totals:
        if key not in keys:
            raise TallyError(f"totals for unknown option {key!r}")
    eligible_weight = _amount(eligible_weight, "eligible weight")
    eligible_members = _count(eligible_members, "eligible members")
    if yes_no is None:
        yes_no = _is_yes_no(options)
    elif yes_no and not any(o.key == "for" and not o.is_abstention for o in options):
        raise TallyError("a yes/no poll needs a non-abstention option 'for'")

    with decimal.localcontext(_EXACT):
        counted = {
            o.key: _checked_total(totals.get(o.key, (Decimal(0), 0)), o.key) for o in options
        }
        voted_weight = sum((w for w, _ in counted.values()), Decimal(0))
        voted_members = sum(n for _, n in counted.values())
        # Secret totals are entered or stored separately from the register: catch drift.
        if voted_members > eligible_members or voted_weight > eligible_weight:
            raise TallyError("more members or weight voted than are eligible")
        option_totals, cast_weight = _option_totals(options, counted, rule)
        required = rule.quorum * eligible_weight
        quorum_met = voted_weight >= required

        def meets(weight: Decimal) -> bool:
            if cast_weight == 0:
                return False
            match rule.majority:
                case MajorityRule.SIMPLE:
                    return 2 * weight > cast_weight
                case MajorityRule.TWO_THIRDS:
                    # w > 0 only matters for cast_weight 0, kept to state the rule fully.
                    return 3 * weight >= 2 * cast_weight and weight > 0
                case MajorityRule.ABSOLUTE:
                    return 2 * weight > eligible_weight

        winner: str | None = None
        if not quorum_met:
            outcome = Outcome.NO_QUORUM
        elif yes_no:
            adopted = meets(counted["for"][0])
            outcome = Outcome.ADOPTED if adopted else Outcome.REJECTED
            winner = "for" if adopted else None
        else:
            winners = [o.key for o in options if not o.is_abstention and meets(counted[o.key][0])]
            # Only one option can exceed half or reach two thirds of the same total;
            # anything else is a tie or bad data, and neither may pick a winner.
            if len(winners) == 1:
                outcome, winner = Outcome.ADOPTED, winners[0]
            else:
                outcome = Outcome.NO_MAJORITY

    return Result(
        options=option_totals,
        eligible_members=eligible_members,
        eligible_weight=eligible_weight,
        voted_members=voted_members,
        voted_weight=voted_weight,
        cast_weight=cast_weight,
        quorum_required_weight=required,
        quorum_met=quorum_met,
        outcome=outcome,
        winner=winner,
    )


def tally(
    *,
    register: Sequence[Voter],
    ballots: Iterable[Ballot],
    options: Sequence[Option],
    rule: Rule,
    by_group: bool = False,
    yes_no: bool | None = None,
) -> Result:
    """Count a named poll: each ballot weighs what the register says its member weighs.

    With ``by_group`` the result also holds one ``GroupResult`` per group name
    in the register, sorted by name.
    """
    options = _check_options(options)
    keys = {o.key for o in options}
    voters: dict[int, Voter] = {}
    for voter in register:
        if voter.member_id in voters:
            raise TallyError(f"member {voter.member_id} is on the register twice")
        _amount(voter.weight, f"weight of member {voter.member_id}")
        voters[voter.member_id] = voter
    choices: dict[int, str] = {}
    for ballot in ballots:
        if ballot.member_id not in voters:
            raise TallyError(f"ballot from member {ballot.member_id}, who is not on the register")
        if ballot.member_id in choices:
            raise TallyError(f"member {ballot.member_id} voted twice")
        if ballot.option_key not in keys:
            raise TallyError(f"ballot for unknown option {ballot.option_key!r}")
        choices[ballot.member_id] = ballot.option_key

    with decimal.localcontext(_EXACT):
        everyone = list(voters.values())
        result = decide(
            options=options,
            totals=_sum_choices(everyone, choices, options),
            eligible_members=len(everyone),
            eligible_weight=sum((v.weight for v in everyone), Decimal(0)),
            rule=rule,
            yes_no=yes_no,
        )
        if not by_group:
            return result
        groups = []
        # Each group's members in one pass over the register (not one pass per group).
        members_of: dict[str, list[Voter]] = {}
        for voter in everyone:
            for name in voter.groups:
                members_of.setdefault(name, []).append(voter)
        for name in sorted(members_of):
            members = members_of[name]
            counted = _sum_choices(members, choices, options)
            option_totals, _ = _option_totals(options, counted, rule)
            groups.append(
                GroupResult(
                    group=name,
                    eligible_members=len(members),
                    eligible_weight=sum((v.weight for v in members), Decimal(0)),
                    voted_members=sum(n for _, n in counted.values()),
                    voted_weight=sum((w for w, _ in counted.values()), Decimal(0)),
                    options=option_totals,
                )
            )
        return replace(result, groups=tuple(groups))


def _check_options(options: Sequence[Option]) -> tuple[Option, ...]:
    options = tuple(options)
    keys = [o.key for o in options]
    if len(set(keys)) != len(keys):
        raise TallyError(f"duplicate option keys in {keys}")
    if all(o.is_abstention for o in options):
        raise TallyError("a poll needs at least one option that is not an abstention")
    return options


def _is_yes_no(options: tuple[Option, ...]) -> bool:
    by_key = {o.key: o for o in options}
    return (
        set(by_key) in _YES_NO_KEYS
        and not by_key["for"].is_abstention
        and not by_key["against"].is_abstention
    )


def _amount(value: object, what: str) -> Decimal:
    """A finite, non-negative Decimal (ints accepted; floats are not exact, so refused)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TallyError(f"{what} must be a Decimal, got {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise TallyError(f"{what} must be finite and not negative, got {value}")
    return amount


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TallyError(f"{what} must be a non-negative int, got {value!r}")
    return value


def _checked_total(total: tuple[Decimal, int], key: str) -> tuple[Decimal, int]:
    weight, members = total
    weight = _amount(weight, f"weight of option {key!r}")
    members = _count(members, f"members of option {key!r}")
    if members == 0 and weight > 0:
        raise TallyError(f"option {key!r} has weight but no members")
    return weight, members


def _sum_choices(
    voters: Iterable[Voter], choices: Mapping[int, str], options: tuple[Option, ...]
) -> dict[str, tuple[Decimal, int]]:
    weights = {o.key: Decimal(0) for o in options}
    members = dict.fromkeys(weights, 0)
    for voter in voters:
        key = choices.get(voter.member_id)
        if key is not None:
            weights[key] += voter.weight
            members[key] += 1
    return {key: (weights[key], members[key]) for key in weights}


def _option_totals(
    options: tuple[Option, ...], counted: Mapping[str, tuple[Decimal, int]], rule: Rule
) -> tuple[tuple[OptionTotal, ...], Decimal]:
    """Totals with shares, and the cast weight those shares are fractions of."""
    abstentions_cast = rule.abstentions is AbstentionRule.AS_CAST

    def is_cast(option: Option) -> bool:
        return abstentions_cast or not option.is_abstention

    cast_weight = sum((counted[o.key][0] for o in options if is_cast(o)), Decimal(0))
    totals = tuple(
        OptionTotal(
            key=o.key,
            label=o.label,
            is_abstention=o.is_abstention,
            weight=counted[o.key][0],
            members=counted[o.key][1],
            share=_FRACTION.divide(counted[o.key][0], cast_weight)
            if is_cast(o) and cast_weight > 0
            else None,
        )
        for o in options
    )
    return totals, cast_weight


def share_text(share: Decimal | None) -> str | None:
    """A share as published (results API, open data, CSV): every digit, plain notation.

    ``str()`` would write an option without votes as ``0E+6`` and a tiny share as
    ``5.5E-7``; ``format(..., "f")`` gives ``0`` and ``0.00000055``, the same digits.
    """
    return None if share is None else format(share, "f")


def _fraction(part: Decimal, whole: Decimal) -> Decimal:
    return _FRACTION.divide(part, whole) if whole > 0 else Decimal(0)


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # str() keeps every digit and the exponent: exact round trip
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if is_dataclass(value):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    return value
