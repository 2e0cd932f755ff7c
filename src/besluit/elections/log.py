"""The vote log of each election round in the database: append, sign, publish.

The rules (events, what a record's log must satisfy) are in core.elections.log, the
Merkle tree and signatures in core.merkle and core.votelog, as for polls
(voting.log); this module only stores. Every function is called by
elections.services.rounds inside its transaction, holding the round's row lock, so
appends are serialised and the frontier stored on the round is always the log's.
"""

from datetime import datetime

from besluit.core import merkle
from besluit.core import votelog as vl
from besluit.core.elections import log as core_log
from besluit.voting import log as vote_log

from .models import Election, Round, RoundLogLeaf


def log_name(rnd: Round) -> str:
    return core_log.log_id(str(rnd.election.public_id), rnd.number)


def _signed(rnd: Round, size: int, root: bytes, at: datetime) -> dict:
    cp = vl.checkpoint(poll=log_name(rnd), size=size, root=root, at=at)
    return vl.sign_checkpoint(cp, vote_log.private_key())


def _append(rnd: Round, event: dict) -> tuple[int, list[bytes], bytes]:
    """Store one leaf and the round's new frontier (the caller holds the round's lock)."""
    frontier = merkle.MerkleFrontier(rnd.log_size, [bytes.fromhex(h) for h in rnd.log_frontier])
    data = vl.encode_event(event)
    index = rnd.log_size
    proof = frontier.append_data(data)
    RoundLogLeaf.objects.create(round=rnd, index=index, data=data.decode())
    rnd.log_size = frontier.size
    rnd.log_frontier = [h.hex() for h in frontier.hashes]
    Round.objects.filter(pk=rnd.pk).update(log_size=rnd.log_size, log_frontier=rnd.log_frontier)
    return index, proof, frontier.root()


def start(rnd: Round, election: Election, at: datetime) -> None:
    """The first leaf: the round as opened (candidates, method, the register's size)."""
    event = core_log.opened_event(
        log=log_name(rnd),
        election=str(election.public_id),
        round_number=rnd.number,
        method=election.method,
        seats=election.seats,
        secret=election.is_secret,
        candidates=rnd.candidates,
        eligible_members=rnd.eligible_members,
        eligible_weight=rnd.eligible_weight,
        at=at,
    )
    _, _, root = _append(rnd, event)
    rnd.log_opening = _signed(rnd, rnd.log_size, root, at)
    Round.objects.filter(pk=rnd.pk).update(log_opening=rnd.log_opening)


def append_ballot(
    rnd: Round, election: Election, *, ballot_id, member_code: str, choice, at: datetime
) -> dict:
    """Log one ballot; return the voter's receipt (its leaf, proof and a signed checkpoint).

    A secret election's leaf is a random receipt code only: nothing in it, or in its
    position, says what the member chose (the choices are pooled apart from the log).
    """
    event = core_log.ballot_event(
        log=log_name(rnd),
        secret=election.is_secret,
        ballot=str(ballot_id),
        member=member_code,
        choice=choice,
        at=at,
    )
    index, proof, root = _append(rnd, event)
    return vl.make_receipt(
        event=event, index=index, proof=proof, signed_checkpoint=_signed(rnd, index + 1, root, at)
    )


def finish(rnd: Round, *, ballots: int, ballots_digest: str, at: datetime) -> None:
    """The last leaf: how many ballots and the digest of the ballots as published."""
    event = core_log.closed_event(
        log=log_name(rnd), ballots=ballots, ballots_digest=ballots_digest, at=at
    )
    _, _, root = _append(rnd, event)
    rnd.log_closing = _signed(rnd, rnd.log_size, root, at)
    Round.objects.filter(pk=rnd.pk).update(log_closing=rnd.log_closing)


def log_json(rnd: Round) -> dict | None:
    """The round's log as the record publishes it (None for a round without one)."""
    if rnd.log_opening is None or rnd.log_closing is None:
        return None
    return {
        "leaves": list(rnd.log_leaves.order_by("index").values_list("data", flat=True)),
        "opening": rnd.log_opening,
        "closing": rnd.log_closing,
    }
