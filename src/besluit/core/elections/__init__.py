"""Elections of persons (board and committee seats), counted with weighted members.

Pure Python, no Django: frozen dataclasses in, a result with every round out.

* ``count_two_round``: one seat, plurality with a second round between the top two
  when nobody has an absolute majority of the weighted votes cast;
* ``count_approval``: several seats, up to N approvals per ballot;
* ``count_irv``: one seat, ranked ballots, instant run-off;
* ``count_meek``: several seats, ranked ballots, single transferable vote by
  Meek's method (the Droop.py / stv-rs variant, see ``meek``).
"""

from .common import (
    ApprovalBallot,
    BallotCode,
    BallotError,
    ChoiceBallot,
    ElectionError,
    LotTieBreaker,
    OrderTieBreaker,
    Outcome,
    RankedBallot,
    TieBreaker,
    TieResolution,
    check_approvals,
    check_ranking,
)
from .meek import Arithmetic, MeekResult, MeekRound, count_meek
from .simple import ElectionResult, Round, count_approval, count_irv, count_two_round

__all__ = [
    "ApprovalBallot",
    "Arithmetic",
    "BallotCode",
    "BallotError",
    "ChoiceBallot",
    "ElectionError",
    "ElectionResult",
    "LotTieBreaker",
    "MeekResult",
    "MeekRound",
    "OrderTieBreaker",
    "Outcome",
    "RankedBallot",
    "Round",
    "TieBreaker",
    "TieResolution",
    "check_approvals",
    "check_ranking",
    "count_approval",
    "count_irv",
    "count_meek",
    "count_two_round",
]
