"""Elections: one module per topic; import the functions from here."""

from .candidacies import (
    do_admit_late,
    do_consent,
    do_create_body,
    do_create_election,
    do_nominate,
    do_recommend,
    do_set_statement,
    do_withdraw,
)
from .rounds import (
    count,
    current_round,
    do_cast,
    do_close_round,
    do_declare_unopposed,
    do_open_round,
    get_election,
    round_ballots,
    standing_candidates,
)

__all__ = [
    "count",
    "current_round",
    "do_admit_late",
    "do_cast",
    "do_close_round",
    "do_consent",
    "do_create_body",
    "do_create_election",
    "do_declare_unopposed",
    "do_nominate",
    "do_open_round",
    "do_recommend",
    "do_set_statement",
    "do_withdraw",
    "get_election",
    "round_ballots",
    "standing_candidates",
]
