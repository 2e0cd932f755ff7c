"""Weight rules: how many votes a member (municipality) casts.

An association's statutes say how a member's number of inhabitants turns into
votes. Four kinds of rule are supported:

* ``BRACKETS``: a table "from N inhabitants: V votes" (the VNG model);
* ``PROPORTIONAL``: inhabitants / per_inhabitants;
* ``SQUARE_ROOT``: sqrt(inhabitants / per_inhabitants) (Penrose-style);
* ``EQUAL``: one member, one vote.

Everything is computed with exact arithmetic (``Fraction`` and integer square
roots) and rounded once, ROUND_HALF_UP, so a published result never depends on
floating point or on a Decimal context somebody changed elsewhere.

Pure Python on purpose: no Django imports, so the rules can be tested alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from math import isqrt
from typing import TypeVar

from besluit.core.messages import Message, gettext_noop

K = TypeVar("K")

MAX_DECIMALS = 6
MAX_SHARE_PLACES = 20
MAX_INHABITANT_DIGITS = 12  # in bracket text; the world has 8 billion people


class RuleKind(StrEnum):
    BRACKETS = "brackets"
    PROPORTIONAL = "proportional"
    SQUARE_ROOT = "square_root"
    EQUAL = "equal"  # one member, one vote


@dataclass(frozen=True)
class Bracket:
    """Applies from ``min_inhabitants`` up to (not including) the next bracket."""

    min_inhabitants: int
    votes: Decimal


@dataclass(frozen=True)
class WeightRule:
    kind: RuleKind
    brackets: tuple[Bracket, ...] = ()
    # PROPORTIONAL: inhabitants / per_inhabitants; SQUARE_ROOT: sqrt of that.
    per_inhabitants: Decimal = Decimal(1)
    # Computed weights are rounded ROUND_HALF_UP to this many decimals;
    # BRACKETS uses the votes exactly as the statutes give them.
    decimals: int = 2


class WeightRuleError(ValueError):
    """Every problem found in a rule or bracket text, so a form can show them all."""

    def __init__(self, problems: Iterable[str | Message]) -> None:
        # ``messages`` for a reader (core.messages: translated by the Django layer),
        # ``problems`` in English.
        self.messages: list[str | Message] = list(problems)
        self.problems: list[str] = [str(m) for m in self.messages]
        super().__init__("; ".join(self.problems))


# An EXAMPLE table, NOT the VNG statutes (their real table is not public in
# machine-readable form): monotone, one vote up to 10,000 inhabitants, 17 votes
# from 900,000 (Amsterdam has about 930,000). Associations configure their own.
EXAMPLE_BRACKETS: tuple[Bracket, ...] = tuple(
    Bracket(lower, Decimal(votes))
    for votes, lower in enumerate(
        (0, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000, 150_000, 200_000,
         250_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000, 900_000),
        start=1,
    )
)  # fmt: skip


def _bracket_problems(brackets: tuple[Bracket, ...], labels: list[Message]) -> list[Message]:
    """Table checks shared by validate_rule and parse_brackets (which labels by line)."""
    problems: list[Message] = []
    if not brackets:
        return [Message(gettext_noop("a bracket table needs at least one bracket"))]
    if brackets[0].min_inhabitants != 0:
        # Without a bracket at 0 the smallest members would have no weight at all.
        problems.append(
            Message(
                gettext_noop("%(label)s: the first bracket must start at 0 inhabitants, not %(n)s"),
                {"label": labels[0], "n": brackets[0].min_inhabitants},
            )
        )
    for i, bracket in enumerate(brackets):
        if not bracket.votes.is_finite():
            message = gettext_noop("%(label)s: votes must be a number, not %(votes)s")
            problems.append(Message(message, {"label": labels[i], "votes": bracket.votes}))
            continue
        if bracket.votes < 0:
            message = gettext_noop("%(label)s: votes must not be negative (%(votes)s)")
            problems.append(Message(message, {"label": labels[i], "votes": bracket.votes}))
        if i == 0:
            continue
        prev = brackets[i - 1]
        if bracket.min_inhabitants <= prev.min_inhabitants:
            message = gettext_noop(
                "%(label)s: %(n)s inhabitants must be above the previous bracket's %(previous)s"
            )
            values = {"label": labels[i], "n": bracket.min_inhabitants}
            problems.append(Message(message, values | {"previous": prev.min_inhabitants}))
        if prev.votes.is_finite() and bracket.votes < prev.votes:
            # A larger member must never get fewer votes than a smaller one.
            message = gettext_noop(
                "%(label)s: votes must not decrease with size (%(votes)s after %(previous)s)"
            )
            values = {"label": labels[i], "votes": bracket.votes, "previous": prev.votes}
            problems.append(Message(message, values))
    return problems


def validate_rule(rule: WeightRule) -> None:
    """Raise WeightRuleError listing every problem of ``rule``; return None if valid."""
    problems: list[Message] = []
    if rule.kind is RuleKind.BRACKETS:
        labels = [
            Message(gettext_noop("bracket %(n)s"), {"n": i})
            for i in range(1, len(rule.brackets) + 1)
        ]
        problems += _bracket_problems(tuple(rule.brackets), labels)
    if not rule.per_inhabitants.is_finite() or rule.per_inhabitants <= 0:
        message = gettext_noop("per_inhabitants must be above 0, not %(value)s")
        problems.append(Message(message, {"value": rule.per_inhabitants}))
    if isinstance(rule.decimals, bool) or not 0 <= rule.decimals <= MAX_DECIMALS:
        message = gettext_noop("decimals must be between 0 and %(max)s, not %(value)s")
        problems.append(Message(message, {"max": MAX_DECIMALS, "value": rule.decimals}))
    if problems:
        raise WeightRuleError(problems)


def _to_decimal(units: int, decimals: int) -> Decimal:
    # Building from a string is exact: no Decimal context rounding can interfere.
    return Decimal(f"{units}E-{decimals}")


def weight_for(rule: WeightRule, inhabitants: int) -> Decimal:
    """The weight of a member with ``inhabitants`` under ``rule`` (exact Decimal)."""
    validate_rule(rule)
    return _weight(rule, inhabitants)


def weights_for(rule: WeightRule, inhabitants: Iterable[int]) -> list[Decimal]:
    """``weight_for`` of each count, the rule checked once (a register of thousands)."""
    validate_rule(rule)
    return [_weight(rule, n) for n in inhabitants]


def _weight(rule: WeightRule, inhabitants: int) -> Decimal:
    """The weight under a rule ``validate_rule`` has accepted."""
    if inhabitants < 0:
        raise ValueError(f"inhabitants must not be negative, not {inhabitants}")
    if rule.kind is RuleKind.EQUAL:
        return Decimal(1)
    if rule.kind is RuleKind.BRACKETS:
        lowers = [b.min_inhabitants for b in rule.brackets]
        return rule.brackets[bisect_right(lowers, inhabitants) - 1].votes
    ratio = Fraction(inhabitants) / Fraction(rule.per_inhabitants)
    p, q, d = ratio.numerator, ratio.denominator, rule.decimals
    if rule.kind is RuleKind.PROPORTIONAL:
        # round half up of p/q * 10^d == floor(p/q * 10^d + 1/2)
        return _to_decimal((2 * p * 10**d + q) // (2 * q), d)
    # SQUARE_ROOT: m = floor(sqrt(x) * 10^d + 1/2) is the largest m with
    # (2m - 1)^2 <= 4 * x * 10^(2d); with k = isqrt(floor(4 p 10^(2d) / q)),
    # that is m = (k + 1) // 2. Integer maths, so exact for any size.
    k = isqrt(4 * p * 10 ** (2 * d) // q)
    return _to_decimal((k + 1) // 2, d)


def shares(weights: Mapping[K, Decimal], *, places: int = 20) -> dict[K, Decimal]:
    """Each weight as a share of the total, summing to exactly 1.

    A quotient such as 1/3 has no exact Decimal, so shares are given to ``places``
    decimals by the largest-remainder method: every share is the exact quotient
    rounded down or up by less than one unit in the last place, and the units left
    over go to the largest remainders (earlier keys first on ties). Quotients that
    fit in ``places`` decimals come out exactly. All zero if the total is zero.
    ``places`` is at most 20 so that summing shares stays exact in Decimal's
    default 28-digit context.
    """
    if not 0 <= places <= MAX_SHARE_PLACES:
        raise ValueError(f"places must be between 0 and {MAX_SHARE_PLACES}, not {places}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    total = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total == 0:
        return dict.fromkeys(weights, Decimal(0))
    scale = 10**places
    floors: dict[K, int] = {}
    remainders: dict[K, Fraction] = {}
    for key, weight in weights.items():
        exact = Fraction(weight) / total * scale
        floors[key] = exact.numerator // exact.denominator
        remainders[key] = exact - floors[key]
    left_over = scale - sum(floors.values())
    # sorted() is stable, so ties keep the mapping's order: deterministic.
    for key in sorted(remainders, key=lambda k: remainders[k], reverse=True)[:left_over]:
        floors[key] += 1
    return {key: _to_decimal(units, places) for key, units in floors.items()}


# "from_inhabitants votes": separators ':' ';' ',' or whitespace. Inhabitants
# may use '.' or '_' between groups of three digits (10.000 is how Dutch users
# write ten thousand); votes take a decimal point or a decimal comma.
_LINE = re.compile(r"(?P<min>\d{1,3}(?:[._]\d{3})+|\d+)\s*(?:[:;,]|\s)\s*(?P<votes>\S+)")


def parse_brackets(text: str) -> tuple[Bracket, ...]:
    """Parse one bracket per line: ``"10000: 2"``, ``"10.000 ; 2,5"``.

    Blank lines and lines starting with '#' are ignored. Raises WeightRuleError
    whose messages name the line ("line 3: ...").
    """
    brackets: list[Bracket] = []
    labels: list[Message] = []
    problems: list[Message] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            message = gettext_noop(
                "line %(line)s: expected 'from_inhabitants votes' (e.g. '10000: 2'), got %(got)s"
            )
            problems.append(Message(message, {"line": number, "got": repr(line)}))
            continue
        lower = re.sub(r"[._]", "", match["min"])
        if len(lower.lstrip("0")) > MAX_INHABITANT_DIGITS:
            # Also keeps int() away from its 4,300-digit limit on hostile input.
            message = gettext_noop("line %(line)s: %(value)s... inhabitants is implausibly large")
            problems.append(Message(message, {"line": number, "value": lower[:20]}))
            continue
        votes_text = match["votes"]
        if not re.fullmatch(r"\d+(?:[.,]\d+)?", votes_text):
            message = gettext_noop(
                "line %(line)s: votes must be a non-negative number, got %(got)s"
            )
            problems.append(Message(message, {"line": number, "got": repr(votes_text)}))
            continue
        try:
            votes = Decimal(votes_text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex already checked
            message = gettext_noop("line %(line)s: votes %(got)s is not a number")
            problems.append(Message(message, {"line": number, "got": repr(votes_text)}))
            continue
        brackets.append(Bracket(int(lower), votes))
        labels.append(Message(gettext_noop("line %(n)s"), {"n": number}))
    if problems:
        raise WeightRuleError(problems)
    if not brackets:
        message = gettext_noop("no brackets given: write one 'from_inhabitants votes' per line")
        raise WeightRuleError([Message(message)])
    table = tuple(brackets)
    problems = _bracket_problems(table, labels)
    if problems:
        raise WeightRuleError(problems)
    return table


def format_brackets(brackets: Iterable[Bracket]) -> str:
    """Inverse of parse_brackets: ``"10000: 2,5"`` lines (Dutch decimal comma)."""
    return "\n".join(
        f"{b.min_inhabitants}: {format(b.votes, 'f').replace('.', ',')}" for b in brackets
    )
