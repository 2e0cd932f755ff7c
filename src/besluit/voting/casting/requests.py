"""What a request to vote is and what it gets back: ``BallotRequest``, ``Receipt``,
``Outcome``.

Apart from the rest of the package because every caller (the service, the API, the
edge, the paper ballots of the attendance app, the sealed path) uses them, and none of
them needs to read how a batch is cast to know what it sends and receives.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from besluit.errors import DomainError


@dataclass(frozen=True)
class BallotRequest:
    """One representative's request to vote: who, which option, and the client's key."""

    user_id: int | None
    option_key: str
    request_key: str = ""  # any unique string per attempt; retrying it is safe
    ip: str | None = None
    # attend: the code of the member voted for, when not the sender's own: a member
    # whose proxy (volmacht) the sender's member holds, or, with ``paper``, a member whose
    # paper ballot the secretariat enters. See attend.attend_voters.
    for_member: str = ""
    paper: bool = False


@dataclass(frozen=True)
class Receipt:
    """What the voter gets back for an accepted ballot."""

    ballot_id: uuid.UUID
    poll_id: uuid.UUID
    member_code: str
    cast_at: datetime
    option_key: str | None  # None for a secret poll: the receipt shows no choice
    replayed: bool = False  # the same request again: the same ballot, not a new one
    changed: bool = False
    # The ballot's place in the poll's vote log: leaf index, inclusion proof and the
    # signed checkpoint, so the voter can check it is in the closing tree.
    log_receipt: dict | None = None


Outcome = Receipt | DomainError
