"""Casting ballots: the one place where a ballot is accepted or refused.

Ballots are cast in batches. A web form or an API call through Django is a batch
of one; the live ballot endpoint (edge.batcher) gathers what arrives while the
previous batch is being written, so under load one transaction carries hundreds
of ballots. A batch costs a constant number of statements and one signature,
whatever its size and whatever the number of members.

Concurrency, in one place:
- A batch holds a *shared* lock on its poll row while it writes; closing takes an
  *exclusive* lock. So a close waits for ballots in flight, and a ballot that
  arrives after the close sees the poll closed: every acknowledged ballot is in
  the result, and nothing after it.
- A batch holds the *exclusive* lock on its poll's log row from its start: the
  batches of one poll are written one after another, so the duplicate check (batch)
  reads everything committed before it, the log's leaves get consecutive numbers,
  and its times never go backwards (the verifier refuses a log whose times do).
- SQLite has one writer at a time: its IMMEDIATE transactions give the same.
- Whatever the application did, the unique constraint on (poll, member) makes a
  second ballot of the same member fail in the database.

A refused ballot changes nothing but leaves an audit entry ("ballot.refused").

The package, by what a reader looks for:
- here: ``cast_batch`` and ``cast_by_public_id``, the only ways in, and what happens
  when the database refuses a batch for what one request holds (cast again in halves);
- ``requests``: ``BallotRequest``, ``Receipt``, ``Outcome`` (re-exported here);
- ``batch``: ``Batch``, one attempt at a batch: the checks before the locks, the
  statements under them, the receipts;
- ``attend``: a ballot cast for another member (a proxy, a paper ballot);
- ``rules``: the locks, the rule for a poll that takes no ballots, the refusals' audit
  (voting.encrypted and voting.paper_round apply them too);
- ``kept``: what each process keeps of an open poll between batches.
"""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from besluit.dbthreads import give_back_connection
from besluit.errors import Conflict, DomainError, NotFound, ValidationFailed
from besluit.voting.casting.batch import Batch
from besluit.voting.casting.kept import KeptIsStale, forget, pk_of, poll_pks, warm
from besluit.voting.casting.requests import BallotRequest, Outcome, Receipt
from besluit.voting.casting.rules import record_refusals
from besluit.voting.models import Poll

__all__ = [
    "BallotRequest",
    "Outcome",
    "Receipt",
    "cast_batch",
    "cast_by_public_id",
    "pk_of",
    "warm",
]

log = logging.getLogger("besluit.voting")


def cast_batch(
    poll_pk: int, requests: Sequence[BallotRequest], *, now: datetime | None = None
) -> list[Outcome]:
    """Accept or refuse each request, in order; one transaction for the whole batch.

    A request is checked (who sends it, its text) before any statement uses its
    values. Should the database still refuse the batch for what one request holds,
    the batch is cast again in halves, down to that request alone: one bad request
    never costs another its ballot. A database that is away fails the batch whole.
    """
    try:
        return _cast_once(poll_pk, requests, now)
    except _DATA_ERRORS as exc:
        if len(requests) == 1:
            return [_unstorable(poll_pk, requests[0], exc)]
        log.warning(
            "a batch of %d ballots failed (%s); casting it again in halves",
            len(requests),
            type(exc).__name__,
        )
        half = len(requests) // 2
        return [
            *cast_batch(poll_pk, requests[:half], now=now),
            *cast_batch(poll_pk, requests[half:], now=now),
        ]


def cast_by_public_id(poll_id: uuid.UUID, requests: Sequence[BallotRequest]) -> list[Outcome]:
    """``cast_batch`` for the poll with this public id (the edge's writer thread): a poll
    that does not exist refuses every request with NotFound. Gives the thread's
    connection back afterwards (kept open on SQLite)."""
    try:
        poll_pk = pk_of(poll_id)
        if poll_pk is None:
            return [NotFound(_("No such poll."))] * len(requests)
        try:
            return cast_batch(poll_pk, requests)
        except Poll.DoesNotExist:  # a draft poll deleted since
            poll_pks.pop(poll_id, None)
            return [NotFound(_("No such poll."))] * len(requests)
    finally:
        give_back_connection(keep_sqlite=True)


# What a request's values can make the database refuse (PostgreSQL: a NUL, a number
# out of range, a unique row written at the same moment; psycopg: a string it cannot
# encode). Not OperationalError: a database that is away refuses every half as well.
_DATA_ERRORS = (DataError, IntegrityError, UnicodeError)


def _cast_once(poll_pk: int, requests: Sequence[BallotRequest], now) -> list[Outcome]:
    try:
        return _cast_in_transaction(poll_pk, requests, now, kept=True)
    except KeptIsStale:  # this process's copy of the poll is not the row it locked
        forget(poll_pk)
        return _cast_in_transaction(poll_pk, requests, now, kept=False)
    except Poll.DoesNotExist:
        forget(poll_pk)
        raise


def _cast_in_transaction(poll_pk: int, requests, now, *, kept: bool) -> list[Outcome]:
    batch = Batch(poll_pk, requests, kept=kept)
    with transaction.atomic():
        outcomes = batch.run(now)
        record_refusals(batch.poll, requests, outcomes)
    return outcomes


def _unstorable(poll_pk: int, request: BallotRequest, exc: Exception) -> DomainError:
    """A request the database refused on its own: refused, and the refusal recorded."""
    log.warning("a ballot request was refused by the database: %s", type(exc).__name__)
    if isinstance(exc, IntegrityError):
        refusal: DomainError = Conflict(_("This ballot met another at the same moment; try again."))
    else:
        refusal = ValidationFailed(_("This ballot holds values that cannot be stored."))
    try:
        with transaction.atomic():
            poll = Poll.objects.select_related("meeting").get(pk=poll_pk)
            record_refusals(poll, [request], [refusal])
    except _DATA_ERRORS:
        log.warning("the refusal of a ballot request could not be recorded either")
    return refusal
