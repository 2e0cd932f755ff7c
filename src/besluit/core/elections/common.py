"""What every kind of election shares: ballots, their validation, ties broken by lot.

Ballots come in three shapes, one per kind of ballot paper:

* ``ChoiceBallot``: one candidate or blank (one seat, two rounds);
* ``ApprovalBallot``: a set of up to N approved candidates (several seats);
* ``RankedBallot``: candidates in order of preference (IRV, Meek STV).

Each carries the member's exact ``Decimal`` weight. The ``check_*`` functions turn
what a member submitted into one of these, or raise ``BallotError`` with a
machine-readable ``code`` and an English message template, so the web layer can
translate and the API can put the code in a problem document.

Ties are never broken by candidate order or by chance at count time: a
``LotTieBreaker`` orders tied candidates by HMAC-SHA256 under a seed fixed and
published before the count (e.g. the poll's last checkpoint hash), so anyone
with the seed can repeat the draw. ``OrderTieBreaker`` takes a fixed order
instead (as the BLT ``[tie ...]`` line does); it exists to reproduce reference
counts.
"""

from __future__ import annotations

import decimal
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Protocol

__all__ = [
    "ApprovalBallot",
    "BallotError",
    "ChoiceBallot",
    "ElectionError",
    "LotTieBreaker",
    "OrderTieBreaker",
    "Outcome",
    "RankedBallot",
    "TieBreaker",
    "check_approvals",
    "check_ranking",
    "resolve_tie",
]

# Sums of weights must never round (see core.voting): unbounded precision, and
# any hidden rounding raises.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)


class ElectionError(ValueError):
    """The election cannot be counted (candidates, seats, weights or options inconsistent)."""


class Outcome(StrEnum):
    ELECTED = "elected"
    SECOND_ROUND = "second_round"  # two-round ballot: nobody had a majority yet
    UNOPPOSED = "unopposed"  # no more candidates than seats, declared without a count
    NO_VOTES = "no_votes"  # nothing was cast


def to_json(value: Any) -> Any:
    """JSON-safe form of a result: Decimals as strings (exact), enums as their values."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    return value


class BallotCode(StrEnum):
    DUPLICATE_CANDIDATE = "duplicate_candidate"
    RANK_GAP = "rank_gap"
    BAD_RANK = "bad_rank"
    EQUAL_RANKS = "equal_ranks"
    UNKNOWN_CANDIDATE = "unknown_candidate"
    TOO_MANY_APPROVALS = "too_many_approvals"
    EMPTY_BALLOT = "empty_ballot"


# English templates; the caller translates the template and formats it with params.
_MESSAGES = {
    BallotCode.DUPLICATE_CANDIDATE: "Candidate {candidate} appears more than once.",
    BallotCode.RANK_GAP: "The ranks must be 1, 2, 3 … without a gap; rank {missing} is missing.",
    BallotCode.BAD_RANK: "Rank {rank} of candidate {candidate} is not a whole number of 1 or more.",
    BallotCode.EQUAL_RANKS: (
        "Candidates {candidates} share rank {rank}; equal ranks are not allowed."
    ),
    BallotCode.UNKNOWN_CANDIDATE: "Candidate {candidate} does not stand in this election.",
    BallotCode.TOO_MANY_APPROVALS: (
        "At most {allowed} candidates may be chosen; {given} were chosen."
    ),
    BallotCode.EMPTY_BALLOT: "The ballot chooses no candidate.",
}


class BallotError(ElectionError):
    """One ballot is invalid; ``code`` is stable, ``template`` English, ``params`` its values."""

    def __init__(self, code: BallotCode, **params: object) -> None:
        self.code = BallotCode(code)
        self.template = _MESSAGES[self.code]
        self.params = params
        super().__init__(self.template.format(**params))


@dataclass(frozen=True)
class ChoiceBallot:
    """One member's vote for one seat; ``candidate`` None is a blank vote (not cast)."""

    weight: Decimal
    candidate: str | None


@dataclass(frozen=True)
class ApprovalBallot:
    weight: Decimal
    approvals: frozenset[str]


@dataclass(frozen=True)
class RankedBallot:
    """Preferences, best first. Each entry is a group of equally ranked candidates.

    Ordinary ballots have groups of one (``(("a",), ("b",))``); groups of several
    exist only where the rule allows equal ranks (reference BLT files do).
    """

    weight: Decimal
    ranking: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, weight: Decimal | int, *order: str) -> RankedBallot:
        return cls(check_weight(weight), tuple((c,) for c in order))


def check_weight(value: object, what: str = "weight") -> Decimal:
    """A finite, non-negative Decimal (ints accepted; floats are not exact, so refused)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ElectionError(f"{what} must be a Decimal, got {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ElectionError(f"{what} must be finite and not negative, got {value}")
    return amount


def check_candidates(candidates: Sequence[str], seats: int) -> tuple[str, ...]:
    result = tuple(candidates)
    if len(set(result)) != len(result):
        raise ElectionError("candidate ids must be unique")
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ElectionError(f"seats must be a positive int, got {seats!r}")
    return result


def check_ranking(
    entries: Sequence[tuple[str, int]] | Sequence[str],
    candidates: Iterable[str],
    *,
    allow_equal_ranks: bool = False,
    allow_empty: bool = False,
) -> tuple[tuple[str, ...], ...]:
    """A submitted ranking as groups, best first, or a ``BallotError``.

    ``entries`` is either candidate ids in order of preference, or (candidate, rank)
    pairs with ranks 1, 2, 3 … (the form a ballot paper with numbered boxes gives).
    Checked, in this order: unknown candidate, a candidate twice, a rank that is not
    a positive integer, equal ranks (unless allowed), a gap, an empty ballot.
    """
    known = frozenset(candidates)
    pairs = [(e, i + 1) if isinstance(e, str) else (e[0], e[1]) for i, e in enumerate(entries)]
    seen: set[str] = set()
    for candidate, rank in pairs:
        if candidate not in known:
            raise BallotError(BallotCode.UNKNOWN_CANDIDATE, candidate=candidate)
        if candidate in seen:
            raise BallotError(BallotCode.DUPLICATE_CANDIDATE, candidate=candidate)
        seen.add(candidate)
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise BallotError(BallotCode.BAD_RANK, candidate=candidate, rank=rank)
    by_rank: dict[int, list[str]] = {}
    for candidate, rank in pairs:
        by_rank.setdefault(rank, []).append(candidate)
    for rank in sorted(by_rank):
        if len(by_rank[rank]) > 1 and not allow_equal_ranks:
            raise BallotError(
                BallotCode.EQUAL_RANKS, rank=rank, candidates=", ".join(by_rank[rank])
            )
    # Ranks are numbered densely (1, 2, 3 …; equal ranks share a number, "1, 1, 2"),
    # so a number that nobody holds below the highest is a gap.
    for expected in range(1, max(by_rank, default=0) + 1):
        if expected not in by_rank:
            raise BallotError(BallotCode.RANK_GAP, missing=expected)
    if not pairs and not allow_empty:
        raise BallotError(BallotCode.EMPTY_BALLOT)
    return tuple(tuple(by_rank[rank]) for rank in sorted(by_rank))


def check_approvals(
    choices: Iterable[str],
    candidates: Iterable[str],
    *,
    max_approvals: int,
    allow_empty: bool = False,
) -> frozenset[str]:
    """The approved candidates of an approval ballot, or a ``BallotError``."""
    known = frozenset(candidates)
    chosen: list[str] = []
    for candidate in choices:
        if candidate not in known:
            raise BallotError(BallotCode.UNKNOWN_CANDIDATE, candidate=candidate)
        if candidate in chosen:
            raise BallotError(BallotCode.DUPLICATE_CANDIDATE, candidate=candidate)
        chosen.append(candidate)
    if len(chosen) > max_approvals:
        raise BallotError(BallotCode.TOO_MANY_APPROVALS, allowed=max_approvals, given=len(chosen))
    if not chosen and not allow_empty:
        raise BallotError(BallotCode.EMPTY_BALLOT)
    return frozenset(chosen)


class TieBreaker(Protocol):
    def order(self, tied: Iterable[str], *, context: str) -> tuple[str, ...]:
        """The tied candidates in the order the draw takes them; the first is drawn."""
        ...


@dataclass(frozen=True)
class LotTieBreaker:
    """A repeatable lot: sort by HMAC-SHA256(seed, context || NUL || candidate id).

    ``context`` names the draw (kind, round, what is decided, the tied ids), so two
    draws in one count are independent, and the same seed always gives the same
    outcome. The seed must be fixed and published before the count (the poll's last
    checkpoint hash is a good one): then nobody can choose it after seeing the tie.
    """

    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) < 16:
            raise ElectionError("the lot needs a seed of at least 16 bytes")

    def ticket(self, candidate: str, *, context: str) -> bytes:
        message = context.encode() + b"\x00" + candidate.encode()
        return hmac.new(self.seed, message, hashlib.sha256).digest()

    def order(self, tied: Iterable[str], *, context: str) -> tuple[str, ...]:
        return tuple(sorted(tied, key=lambda c: (self.ticket(c, context=context), c)))


@dataclass(frozen=True)
class OrderTieBreaker:
    """A fixed order (first listed is drawn first), as a BLT ``[tie …]`` line gives."""

    ranking: tuple[str, ...]

    def order(self, tied: Iterable[str], *, context: str) -> tuple[str, ...]:
        position = {c: i for i, c in enumerate(self.ranking)}
        return tuple(sorted(tied, key=lambda c: (position.get(c, len(position)), c)))


@dataclass(frozen=True)
class TieResolution:
    """How a tie was decided, for the record: who was tied, and by what."""

    tied: tuple[str, ...]
    chosen: str
    method: str  # "earlier_round" or "lot"


def resolve_tie(
    tied: Sequence[str],
    *,
    breaker: TieBreaker,
    context: str,
    history: Sequence[Mapping[str, object]] = (),
    lowest: bool = True,
) -> TieResolution:
    """Choose one of ``tied``: the lowest (to exclude) or highest (to elect).

    With ``history`` (earlier rounds' votes, oldest first) the most recent earlier
    round in which the tied candidates differ decides first ("backwards"
    tie-breaking); only candidates still tied after every earlier round go to lot.
    """
    pool = sorted(tied)
    for votes in reversed(history):
        values = {c: votes.get(c, 0) for c in pool}
        pick = min(values.values()) if lowest else max(values.values())  # type: ignore[type-var]
        narrowed = [c for c in pool if values[c] == pick]
        if len(narrowed) < len(pool):
            pool = narrowed
            if len(pool) == 1:
                return TieResolution(tuple(sorted(tied)), pool[0], "earlier_round")
    chosen = breaker.order(pool, context=f"{context}|{','.join(pool)}")[0]
    return TieResolution(tuple(sorted(tied)), chosen, "lot")
