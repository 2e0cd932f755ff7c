"""What each process keeps of a poll between batches, so that a batch reads no poll row
before its locks and no register or options once the poll has been seen.

Apart from the rules because it is a cache and nothing more: each entry is a fact that
does not change while the poll is open, a poll no longer open is forgotten under the
locks (``Batch.run``, and voting.encrypted, which keeps its poll here too), and a copy
that is not the row its primary key names now raises ``KeptIsStale``, after which the
batch starts again without it. Every dict is bounded (``MAX_POLLS_KEPT``, 10,000 ids).
"""

import copy
import uuid
from decimal import Decimal

from besluit.bounded import make_room
from besluit.dbthreads import give_back_connection
from besluit.voting.models import Poll, PollOption, RegisterEntry

MAX_POLLS_KEPT = 16

# Public poll id -> primary key: never changes, so each process looks it up once.
poll_pks: dict[uuid.UUID, int] = {}


def pk_of(poll_id: uuid.UUID) -> int | None:
    """The primary key of the poll with this public id (kept per process), or None."""
    poll_pk = poll_pks.get(poll_id)
    if poll_pk is None:
        poll_pk = Poll.objects.filter(public_id=poll_id).values_list("pk", flat=True).first()
        if poll_pk is None:
            return None
        if len(poll_pks) > 10_000:
            poll_pks.clear()
        poll_pks[poll_id] = poll_pk
    return poll_pk


class KeptIsStale(Exception):
    """The poll kept in this process (``open_polls``) is not the one its primary key
    names now (a row deleted and its key used again: SQLite, tests rolled back)."""


# Per process: each open poll as read with its meeting and association, by primary key,
# so that a batch reads no poll row before its locks. What a batch uses of it does not
# change while the poll is open (its public id, meeting, association, secrecy, whether a
# vote may be changed); what does (the status, the closing time) and the poll's public
# id are read under the locks (``rules.lock``), and a poll no longer open is forgotten
# there.
open_polls: dict[int, Poll] = {}


def poll_of(poll_pk: int, *, kept: bool) -> tuple[Poll, bool]:
    """The poll (a copy of its own) and whether it came from ``open_polls``."""
    found = open_polls.get(poll_pk) if kept else None
    if found is not None:
        return copy.copy(found), True
    poll = Poll.objects.select_related("meeting__association").get(pk=poll_pk)
    if poll.status == Poll.Status.OPEN:
        make_room(open_polls, MAX_POLLS_KEPT)
        open_polls[poll_pk] = copy.copy(poll)
    return poll, False


def forget(poll_pk: int) -> None:
    found = open_polls.pop(poll_pk, None)
    if found is not None:
        _facts.pop(found.public_id, None)


# Per process: what a ballot needs of a poll and cannot change while it is open (its
# frozen register and its options), by the poll's public id (random, never reused).
# Kept only for an open poll; a poll, once closed, does not open again.
_facts: dict[uuid.UUID, tuple[dict[int, Decimal], dict[int, int], dict[str, PollOption]]] = {}


def register_and_options(poll: Poll, member_ids: set[int]):
    """The register's weights and proxies (of all members, or of ``member_ids`` when the
    poll is not open) and the options by key; no statement for an open poll seen before.

    Callers may set a weight in the returned dict only to the register's own value (the
    proxy and paper paths do): it is shared by every batch of the poll in this process."""
    found = _facts.get(poll.public_id)
    if found is not None:
        if poll.status == Poll.Status.OPEN:
            return found
        _facts.pop(poll.public_id, None)
    options = {o.key: o for o in poll.options.all()}
    entries = RegisterEntry.objects.filter(poll=poll)
    if poll.status != Poll.Status.OPEN:
        entries = entries.filter(member_id__in=member_ids)
    rows = entries.values_list("member_id", "weight", "represented_by_id")
    weights = {member_id: weight for member_id, weight, _by in rows}
    represented = {member_id: by for member_id, _weight, by in rows if by is not None}
    if poll.status != Poll.Status.OPEN:
        return weights, represented, options
    make_room(_facts, MAX_POLLS_KEPT)
    _facts[poll.public_id] = (weights, represented, options)
    return weights, represented, options


def warm(poll_id: uuid.UUID) -> None:
    """Read what the ballots of a poll that has just opened need (its primary key, the
    poll, its register and options) into this process's caches, so that its first batch
    reads none of it. The edge calls it, in a thread of its own, when it sees the poll
    open; a poll not open (closed again already) is left alone."""
    try:
        poll_pk = pk_of(poll_id)
        if poll_pk is None:
            return
        poll, _ = poll_of(poll_pk, kept=True)
        if poll.status == Poll.Status.OPEN:
            register_and_options(poll, set())
    finally:
        give_back_connection()
