"""The pure part of the voting power analysis (no Django imports).

Alternative rules
    :data:`ALTERNATIVES` are the rules a register is compared with: an (example) bracket
    table, weights proportional to inhabitants (one vote per inhabitant: the most exact
    "proportional" there is, since only ratios matter), the square root of inhabitants
    (Penrose, to 2 decimals) and one member one vote. ``current`` is the register's own
    weights, overrides included; a draft bracket table is analysed as one more rule.

Size classes
    :data:`SIZE_CLASSES`, by inhabitants on the analysis date (lower bound included, upper
    excluded): under 10,000; 10,000-25,000; 25,000-50,000; 50,000-100,000;
    100,000-250,000; 250,000 and more. They follow the usual Dutch split into small
    municipalities (the K80 are below ~25,000), mid-size ones and the G40/G4 cities above
    100,000 and 250,000. Members without a population figure are in ``unknown``.

Rounding (what is feasible interactively)
    :mod:`besluit.core.power` is exact, but its work grows with the total weight in
    scaled whole units (see its docstring): up to ~20,000 units all indices of 342
    members take a few seconds; one vote per inhabitant (18 million units) takes a minute
    for Banzhaf and cannot be done for Shapley-Shubik. :func:`interactive_game` therefore
    uses the exact game whenever its total is at most ``max_total`` units (bracket tables,
    one member one vote: nothing is rounded), and otherwise rounds every weight half up
    to a whole multiple of a *resolution* ``u`` from the series 1, 2, 5, 10, 20, 50, ...
    (in the rule's own units: inhabitants, votes), the smallest for which the rounded
    total is at most ``max_total``. A positive weight never rounds to 0 (it becomes one
    unit), so rounding alone never makes a member a dummy. The quota is then taken from
    the rounded total. The result is an approximation and says so: ``resolution`` and
    ``max_share_error`` (the largest change of any member's share of the total weight).
    Should the core still refuse a game (its Shapley-Shubik table grows with the number
    of members too), :func:`interactive_games` offers the next coarser resolution.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from besluit.core import power as core_power
from besluit.core.weights import EXAMPLE_BRACKETS, RuleKind, WeightRule

__all__ = [
    "ALTERNATIVES",
    "CURRENT",
    "MAX_INTERACTIVE_TOTAL",
    "RULE_KEYS",
    "SIZE_CLASSES",
    "UNKNOWN_SIZE",
    "GameResult",
    "InteractiveGame",
    "compute",
    "interactive_game",
    "interactive_games",
    "size_class",
]

#: Scaled total weight up to which a rule is analysed exactly; above it, weights are
#: rounded so that the total stays at or below it (see the module notes).
MAX_INTERACTIVE_TOTAL = 20_000
# make_game's own ceiling is for interactive callers; here it must only report the size.
_UNBOUNDED = 10**300

#: The register's own weights (the rule in force, with overrides).
CURRENT = "current"
#: Alternatives to compare with, by key (the keys of the page's form and the CLI).
ALTERNATIVES: dict[str, WeightRule] = {
    "brackets": WeightRule(RuleKind.BRACKETS, brackets=EXAMPLE_BRACKETS),
    "proportional": WeightRule(RuleKind.PROPORTIONAL, per_inhabitants=Decimal(1), decimals=0),
    "sqrt": WeightRule(RuleKind.SQUARE_ROOT, per_inhabitants=Decimal(1), decimals=2),
    "equal": WeightRule(RuleKind.EQUAL),
}
RULE_KEYS: tuple[str, ...] = (CURRENT, *ALTERNATIVES)


@dataclass(frozen=True)
class SizeClass:
    key: str
    lower: int
    upper: int | None  # excluded; None: no upper bound


SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("lt10k", 0, 10_000),
    SizeClass("10k-25k", 10_000, 25_000),
    SizeClass("25k-50k", 25_000, 50_000),
    SizeClass("50k-100k", 50_000, 100_000),
    SizeClass("100k-250k", 100_000, 250_000),
    SizeClass("250k+", 250_000, None),
)
UNKNOWN_SIZE = "unknown"


def size_class(inhabitants: int | None) -> str:
    """The key of the size class of a member with ``inhabitants`` (None: ``unknown``)."""
    if inhabitants is None:
        return UNKNOWN_SIZE
    for cls in SIZE_CLASSES:
        if inhabitants >= cls.lower and (cls.upper is None or inhabitants < cls.upper):
            return cls.key
    raise ValueError(f"inhabitants must not be negative, not {inhabitants}")


@dataclass(frozen=True)
class InteractiveGame:
    """The game that is computed, and how it relates to the exact one.

    ``resolution`` is None when ``game`` is the exact game; otherwise every weight was
    rounded to a whole multiple of it. ``exact_total`` is the exact game's total in its
    scaled units (what the computation would have cost), ``max_share_error`` the largest
    absolute difference between a member's share of the rounded and of the exact total.
    """

    game: core_power.Game
    resolution: Decimal | None
    exact_total: int
    max_share_error: Fraction = Fraction(0)

    @property
    def exact(self) -> bool:
        return self.resolution is None


def _steps(raw: Fraction) -> Iterator[Decimal]:
    """Resolutions 1, 2, 5 x 10^k in ascending order, from just below ``raw``."""
    k = math.floor(math.log10(raw.numerator) - math.log10(raw.denominator)) - 1
    while True:
        for m in (1, 2, 5):
            yield Decimal(m).scaleb(k)
        k += 1


def _round_to(weights: Sequence[Fraction], unit: Decimal) -> list[int]:
    u = Fraction(unit)
    out = []
    for w in weights:
        x = w / u
        r = (2 * x.numerator + x.denominator) // (2 * x.denominator)  # half up
        out.append(max(1, r) if w > 0 else 0)
    return out


def interactive_games(
    weights: Sequence[Decimal | int],
    quota: core_power.Quota | str,
    *,
    max_total: int = MAX_INTERACTIVE_TOTAL,
) -> Iterator[InteractiveGame]:
    """The game to compute, then ever coarser fallbacks.

    First the exact game if its scaled total is at most ``max_total``, else the finest
    rounding within it; then coarser resolutions of the series, for a caller whose
    computation was refused (:class:`~besluit.core.power.PowerError`: a table too large
    for the members at hand), until every weight is at most one unit. Raises
    :class:`~besluit.core.power.PowerError` for no members or invalid weights.
    """
    exact = core_power.make_game(weights, quota, max_total=_UNBOUNDED)
    positive = sum(1 for w in exact.weights if w)
    last = math.inf
    if exact.total <= max_total:
        yield InteractiveGame(exact, None, exact.total)
        last = exact.total
    fractions = [Fraction(w) for w in weights]
    total = sum(fractions, Fraction(0))
    if total == 0 or last <= positive:
        return
    for unit in _steps(total / max_total):
        rounded = _round_to(fractions, unit)
        game = core_power.make_game(rounded, quota, max_total=_UNBOUNDED)
        if game.total > max_total or game.total >= last:
            continue  # too large, or no coarser than the game before
        rounded_total = sum(rounded)
        error = max(
            abs(Fraction(r, rounded_total) - w / total)
            for r, w in zip(rounded, fractions, strict=True)
        )
        yield InteractiveGame(game, unit.normalize(), exact.total, error)
        last = game.total
        if last <= positive:
            return  # every weight is one unit (or none): nothing coarser is different


def interactive_game(
    weights: Sequence[Decimal | int],
    quota: core_power.Quota | str,
    *,
    max_total: int = MAX_INTERACTIVE_TOTAL,
) -> InteractiveGame:
    """The exact game if its scaled total is at most ``max_total``, else a rounded one
    (the first of :func:`interactive_games`)."""
    return next(interactive_games(weights, quota, max_total=max_total))


@dataclass(frozen=True)
class GameResult:
    """Everything computed from one game (what the cache keeps).

    Member indices are positions in ``game.weights``. ``minimum_winning_size`` and
    ``smallest_winning_coalition`` are None when no coalition can win.
    """

    banzhaf: tuple[Fraction, ...]
    shapley_shubik: tuple[Fraction, ...]
    dummies: tuple[int, ...]
    minimum_winning_size: int | None
    smallest_winning_coalition: tuple[int, ...] | None
    seconds: dict[str, float] = field(default_factory=dict, compare=False)


def compute(game: core_power.Game) -> GameResult:
    """Banzhaf, Shapley-Shubik, dummies, minimum winning size, smallest winning coalition."""
    seconds: dict[str, float] = {}
    # Shapley-Shubik first: it is the one that may refuse (before doing any work).
    start = time.perf_counter()
    shapley = core_power.shapley_shubik(game)
    seconds["shapley_shubik"] = time.perf_counter() - start
    start = time.perf_counter()
    banzhaf = core_power.banzhaf(game)
    seconds["banzhaf"] = time.perf_counter() - start
    start = time.perf_counter()
    dummies = core_power.dummies(game)
    if game.quota <= game.total:
        size: int | None = core_power.minimum_winning_size(game)
        coalition: tuple[int, ...] | None = core_power.smallest_winning_coalition(game)
    else:
        size, coalition = None, None
    seconds["structure"] = time.perf_counter() - start
    return GameResult(banzhaf, shapley, dummies, size, coalition, seconds)
