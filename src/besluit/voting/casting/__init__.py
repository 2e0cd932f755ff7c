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
  batches of one poll are written one after another, so the duplicate check below
  reads everything committed before it, the log's leaves get consecutive numbers,
  and its times never go backwards (the verifier refuses a log whose times do).
- SQLite has one writer at a time: its IMMEDIATE transactions give the same.
- Whatever the application did, the unique constraint on (poll, member) makes a
  second ballot of the same member fail in the database.

A refused ballot changes nothing but leaves an audit entry ("ballot.refused").
"""

import copy
import json
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.audit import services as audit
from besluit.core import safetext
from besluit.dbthreads import give_back_connection
from besluit.errors import (
    Conflict,
    DomainError,
    NotFound,
    NotVisible,
    PermissionDenied,
    ValidationFailed,
)
from besluit.voting import batchsql
from besluit.voting import log as vote_log
from besluit.voting.models import (
    Ballot,
    Poll,
    PollLog,
    PollOption,
    RegisterEntry,
    RequestKey,
)

log = logging.getLogger("besluit.voting")


@dataclass(frozen=True)
class BallotRequest:
    """One representative's request to vote: who, which option, and the client's key."""

    user_id: int | None
    option_key: str
    request_key: str = ""  # any unique string per attempt; retrying it is safe
    ip: str | None = None
    # attend: the code of the member voted for, when not the sender's own: a member
    # whose proxy (volmacht) the sender's member holds, or, with ``paper``, a member whose
    # paper ballot the secretariat enters. See _Batch._attend_voters.
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


# Public poll id -> primary key: never changes, so each process looks it up once.
_poll_pks: dict[uuid.UUID, int] = {}


def pk_of(poll_id: uuid.UUID) -> int | None:
    """The primary key of the poll with this public id (kept per process), or None."""
    poll_pk = _poll_pks.get(poll_id)
    if poll_pk is None:
        poll_pk = Poll.objects.filter(public_id=poll_id).values_list("pk", flat=True).first()
        if poll_pk is None:
            return None
        if len(_poll_pks) > 10_000:
            _poll_pks.clear()
        _poll_pks[poll_id] = poll_pk
    return poll_pk


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
            _poll_pks.pop(poll_id, None)
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
    except _KeptIsStale:  # this process's copy of the poll is not the row it locked
        _forget(poll_pk)
        return _cast_in_transaction(poll_pk, requests, now, kept=False)
    except Poll.DoesNotExist:
        _forget(poll_pk)
        raise


def _cast_in_transaction(poll_pk: int, requests, now, *, kept: bool) -> list[Outcome]:
    batch = _Batch(poll_pk, requests, kept=kept)
    with transaction.atomic():
        outcomes = batch.run(now)
        _record_refusals(batch.poll, requests, outcomes)
    return outcomes


class _KeptIsStale(Exception):
    """The poll kept in this process (``_open_polls``) is not the one its primary key
    names now (a row deleted and its key used again: SQLite, tests rolled back)."""


# Per process: each open poll as read with its meeting and association, by primary key,
# so that a batch reads no poll row before its locks. What a batch uses of it does not
# change while the poll is open (its public id, meeting, association, secrecy, whether a
# vote may be changed); what does (the status, the closing time) and the poll's public
# id are read under the locks (``_lock``), and a poll no longer open is forgotten there.
_open_polls: dict[int, Poll] = {}


def _poll(poll_pk: int, *, kept: bool) -> tuple[Poll, bool]:
    """The poll (a copy of its own) and whether it came from ``_open_polls``."""
    found = _open_polls.get(poll_pk) if kept else None
    if found is not None:
        return copy.copy(found), True
    poll = Poll.objects.select_related("meeting__association").get(pk=poll_pk)
    if poll.status == Poll.Status.OPEN:
        while len(_open_polls) >= MAX_POLLS_KEPT:
            _open_polls.pop(next(iter(_open_polls)), None)
        _open_polls[poll_pk] = copy.copy(poll)
    return poll, False


def _forget(poll_pk: int) -> None:
    found = _open_polls.pop(poll_pk, None)
    if found is not None:
        _facts.pop(found.public_id, None)


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
            _record_refusals(poll, [request], [refusal])
    except _DATA_ERRORS:
        log.warning("the refusal of a ballot request could not be recorded either")
    return refusal


@dataclass(frozen=True)
class _Locked:
    """What the batch read while taking its locks: the poll's state and its log's."""

    status: str
    closes_at: datetime | None
    log: tuple[int, int, list[str]] | None  # the log row's id, size and frontier
    public_id: uuid.UUID


def _lock(poll_pk: int) -> _Locked:
    if connection.vendor == "postgresql":
        # One statement takes both locks and reads what they protect. Django's ORM
        # offers FOR UPDATE of one table only, hence the raw statement.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.status, p.closes_at, l.id, l.size, l.frontier, p.public_id "
                "FROM voting_poll p JOIN voting_polllog l ON l.poll_id = p.id "
                "WHERE p.id = %s FOR SHARE OF p FOR UPDATE OF l",
                [poll_pk],
            )
            row = cursor.fetchone()
        if row is not None:
            frontier = row[4] if isinstance(row[4], list) else json.loads(row[4])
            return _Locked(row[0], row[1], (row[2], row[3], frontier), row[5])
        # A draft poll has no log row and locks nothing; it refuses the ballots.
    # SQLite: the IMMEDIATE transaction holds the database's one write lock already.
    status, closes_at, public_id = (
        Poll.objects.filter(pk=poll_pk).values_list("status", "closes_at", "public_id").get()
    )
    log = PollLog.objects.filter(poll_id=poll_pk).values_list("pk", "size", "frontier").first()
    return _Locked(status, closes_at, log, public_id)


@dataclass
class _Decided:
    """An accepted request: its ballot and its leaf among the batch's events (None: a
    retry, answered with the ballot's earlier leaf)."""

    ballot: Ballot
    position: int | None = None
    changed: bool = False
    option_key: str | None = None


def _random_uuids(n: int):
    """``n`` random (version 4) UUIDs from one read of the system's randomness, as
    uuid.uuid4 makes each from its own (one system call per ballot)."""
    raw = os.urandom(16 * n)
    return (uuid.UUID(bytes=raw[i : i + 16], version=4) for i in range(0, 16 * n, 16))


class _Batch:
    def __init__(self, poll_pk: int, requests: Sequence[BallotRequest], *, kept: bool) -> None:
        # Read before the locks what cannot change while the poll is open (the poll
        # itself but its status, its frozen register and options: kept per process) or
        # may be read a moment early (who represents whom): the locks are held for as
        # few statements as possible, and batches of one poll queue for them.
        self.poll, self.kept = _poll(poll_pk, kept=kept)
        self.requests = requests
        self.members = access.represented_members(
            {r.user_id for r in requests if r.user_id is not None},
            self.poll.meeting.association,
            self.poll.meeting,
        )
        self.member_ids = {m.pk for m in self.members.values()}
        # attend: ``represented`` are the members a proxy votes for in this poll (frozen at
        # opening), by the member that holds the proxy.
        self.weights, self.represented, self.options = _register_and_options(
            self.poll, self.member_ids
        )
        # Who may vote and whether the request's text can be stored, decided before
        # any statement uses the request's values (its key below): one request
        # that the database would refuse must not fail the batch's other ballots.
        outsiders = {r.user_id for r in requests if r.user_id not in self.members}
        outsiders.discard(None)
        association = self.poll.meeting.association
        self.viewers = access.viewers(outsiders, association) if outsiders else set()
        self.voters = self._attend_voters(requests)  # attend: the member each request votes for
        self.early = [
            v if isinstance(v, DomainError) else self._check(r, v)
            for r, v in zip(requests, self.voters, strict=True)
        ]
        self.events: list[dict] = []
        self.new: list[Ballot] = []
        self.changed: list[Ballot] = []  # existing ballots whose vote changes
        self.changed_pks: set[int] = set()
        self.new_keys: list[tuple[int, str]] = []  # (member id, request key)
        self._ids = _random_uuids(len(requests))  # the new ballots' public ids

    def run(self, now: datetime | None) -> list[Outcome]:
        poll, members, member_ids = self.poll, self.members, self.member_ids
        locked = _lock(poll.pk)
        if self.kept and locked.public_id != poll.public_id:
            raise _KeptIsStale
        poll.status, poll.closes_at = locked.status, locked.closes_at
        if poll.status != Poll.Status.OPEN:
            _forget(poll.pk)
        self.log_state = locked.log
        # Taken after the locks: batches append to the log in the order they take the time.
        self.now = now or timezone.now()
        refusal = _closed(poll, self.now)
        if refusal:  # to those who may vote; the others learn only that they may not
            return [
                Conflict(refusal) if r.user_id in members or r.paper else self._not_a_voter(r)
                for r in self.requests
            ]
        keys = {
            r.request_key[:64]
            for r, early in zip(self.requests, self.early, strict=True)
            if r.request_key and early is None
        }
        if connection.vendor == "postgresql":  # one round trip under the locks, not two
            self.used, ballot_ids = batchsql.read_existing(poll.pk, member_ids, keys)
            earlier = Ballot.objects.filter(pk__in=ballot_ids) if ballot_ids else None
        else:
            self.used = (
                {
                    (m, k): p
                    for m, k, p in RequestKey.objects.filter(
                        member_id__in=member_ids, key__in=keys
                    ).values_list("member_id", "key", "poll_id")
                }
                if keys
                else {}
            )
            earlier = Ballot.objects.filter(poll=poll, member_id__in=member_ids)
        self.ballots = (
            {b.member_id: b for b in earlier.select_related("option", "member")}
            if earlier is not None
            else {}
        )
        pending: list[_Decided | DomainError] = []
        for i, (request, early) in enumerate(zip(self.requests, self.early, strict=True)):
            if early is not None:
                pending.append(early)
                continue
            try:
                pending.append(self._one(request, self.voters[i], self.proxy_for.get(i)))
            except DomainError as exc:
                pending.append(exc)
        return self._write(pending)

    def _not_a_voter(self, request: BallotRequest) -> DomainError:
        # As the API's poll look-up: who may not see the poll learns nothing of it.
        if request.user_id in self.viewers:
            return PermissionDenied(_("Only a member's representative can vote."))
        return NotVisible(_("No such poll."))

    def _check(self, request: BallotRequest, member) -> DomainError | None:
        """What refuses a request whatever else the batch holds; no query."""
        if member is None:
            return self._not_a_voter(request)
        if member.pk not in self.weights:
            return PermissionDenied(
                _("%(member)s is not in this poll's register.") % {"member": member}
            )
        if self.poll.is_secret:  # always encrypted: voting.encrypted only
            return ValidationFailed(
                _(
                    "A secret poll takes encrypted ballots only: the choice is encrypted on "
                    "the voter's device (the vote page, or the API's sealed-ballots call)."
                ),
                field="option",
            )
        for field, text in (("option", request.option_key), ("requestKey", request.request_key)):
            if problem := safetext.problem(text):
                return ValidationFailed(problem, field=field)
        if request.option_key not in self.options:
            return ValidationFailed(
                _("'%(option_key)s' is not an option of this poll.")
                % {"option_key": request.option_key},
                field="option",
            )
        return None

    def _one(self, request: BallotRequest, member, proxy=None):
        poll = self.poll
        option = self.options[request.option_key]
        key = request.request_key[:64]
        used_in = self.used.get((member.pk, key)) if key else None
        if used_in is not None and used_in != poll.pk:
            raise Conflict(_("This request was made for another poll; it is not repeated here."))
        ballot = self.ballots.get(member.pk)
        if ballot is not None and used_in == poll.pk:
            if ballot.request_key != key:
                raise Conflict(
                    _(
                        "This request was replaced by a later change of this vote; it is not "
                        "repeated."
                    )
                )
            return _Decided(ballot)  # a retry of a request that succeeded (flaky phone)
        if ballot is not None and (request.paper or ballot.on_paper):  # attend
            raise Conflict(
                _(
                    "%(member)s has voted in this poll already; a paper ballot does not "
                    "replace a digital one, nor the other way round."
                )
                % {"member": member}
            )
        if ballot is not None and not poll.allow_change:
            raise Conflict(_("%(member)s has voted in this poll already.") % {"member": member})
        is_new = ballot is None
        if is_new:
            ballot = Ballot(
                poll=poll,
                member=member,
                cast_at=self.now,
                request_key=key,
                public_id=next(self._ids),
            )
            self.ballots[member.pk] = ballot
            self.new.append(ballot)
        elif ballot.pk is not None and ballot.pk not in self.changed_pks:  # not new here
            self.changed_pks.add(ballot.pk)
            self.changed.append(ballot)
        ballot.cast_at = self.now
        ballot.request_key = key
        ballot.proxy, ballot.on_paper = proxy, request.paper  # attend
        # Named only: a secret poll is refused in _check (never a plaintext secret choice).
        ballot.option = option
        ballot.cast_by_id = request.user_id
        if key:
            self.used[(member.pk, key)] = poll.pk
            self.new_keys.append((member.pk, key))
        ballot.log_index = len(self.events)  # within the batch, until the log is appended
        self.events.append(
            vote_log.ballot_event(
                poll,
                ballot_id=ballot.public_id,
                member_code=member.code,
                option_key=option.key,
                at=self.now,
                proxy=proxy.code if proxy is not None else "",
                paper=request.paper,
            )
        )
        return _Decided(ballot, len(self.events) - 1, changed=not is_new, option_key=option.key)

    def _write(self, pending) -> list[Outcome]:
        poll = self.poll
        planned = (
            vote_log.plan_batch(poll, self.events, self.now, self.log_state)
            if self.events
            else None
        )
        receipts = planned.receipts if planned else []
        first = receipts[0]["index"] if receipts else 0
        for ballot in [*self.new, *self.changed]:
            ballot.log_index += first
        if planned and connection.vendor == "postgresql":
            batchsql.write(poll.pk, planned, self.new, self.new_keys, self.now)
        else:
            if planned:
                vote_log.store_batch(poll, planned)
            Ballot.objects.bulk_create(self.new)
            RequestKey.objects.bulk_create(
                RequestKey(member_id=m, key=k, poll=poll) for m, k in self.new_keys
            )
        if self.changed:
            Ballot.objects.bulk_update(
                self.changed,
                ["option", "cast_by", "cast_at", "request_key", "log_index", "proxy", "on_paper"],
            )
        if self.events:
            hooks.emit(hooks.BallotsAccepted(poll=poll, count=len(self.events)))
        outcomes: list[Outcome] = []
        for item in pending:
            if isinstance(item, DomainError):
                outcomes.append(item)
            elif item.position is None:
                outcomes.append(self._replayed(item.ballot))
            else:
                outcomes.append(
                    Receipt(
                        item.ballot.public_id,
                        poll.public_id,
                        item.ballot.member.code,
                        self.now,
                        item.option_key,  # as of this request: a later one may change it
                        changed=item.changed,
                        log_receipt=receipts[item.position],
                    )
                )
        return outcomes

    def _replayed(self, ballot: Ballot) -> Receipt:
        poll = self.poll
        return Receipt(
            ballot.public_id,
            poll.public_id,
            ballot.member.code,
            ballot.cast_at,
            None if poll.is_secret else ballot.option.key,
            replayed=True,
            log_receipt=vote_log.receipt_again(
                poll, ballot.log_index, self.now, committed_size=self.log_state[1]
            ),
        )

    # --- attend: ballots for another member (proxies, paper) ----------------------------

    def _attend_voters(self, requests: Sequence[BallotRequest]) -> list:
        """The member each request votes for (a Member), None (not a voter) or the refusal.

        The sender's own member, unless the register frozen at opening says a proxy votes
        for it. A request naming another member (``for_member``) votes for it when the
        frozen register says the sender's member represents it (volmacht), or, with
        ``paper``, when the sender is the secretariat. One query more, and only for a
        batch holding such requests: a batch of ordinary ballots costs nothing extra.
        """
        self.proxy_for: dict[int, object] = {}
        voters: list = [self.members.get(r.user_id) for r in requests]
        for i, member in enumerate(voters):
            if member is not None and member.pk in self.represented and not requests[i].paper:
                voters[i] = PermissionDenied(
                    _("%(member)s is represented by proxy in this poll: its proxy votes for it.")
                    % {"member": member}
                )
        named = {r.for_member for r in requests if r.for_member}
        if not named:
            return voters
        association = self.poll.meeting.association
        entries = {
            e.member.code: e
            for e in RegisterEntry.objects.filter(
                poll=self.poll, member__code__in=named
            ).select_related("member")
        }
        clerks = access.administrators(
            {r.user_id for r in requests if r.paper and r.user_id is not None}, association
        )
        for i, r in enumerate(requests):
            if not r.for_member:
                if r.paper:
                    voters[i] = ValidationFailed(
                        _("Say whose paper ballot this is."), field="member"
                    )
                continue
            own, entry = self.members.get(r.user_id), entries.get(r.for_member)
            if r.paper:
                if r.user_id not in clerks:
                    voters[i] = PermissionDenied(
                        _("Only the secretariat may enter a paper ballot.")
                    )
                elif self.poll.is_secret:
                    voters[i] = ValidationFailed(
                        _("The paper ballots of a secret poll are counted by the tellers."),
                        field="member",
                    )
                elif entry is None:
                    voters[i] = PermissionDenied(
                        _("%(member)s is not in this poll's register.") % {"member": r.for_member},
                        field="member",
                    )
                else:
                    voters[i] = entry.member
                    self.weights[entry.member_id] = entry.weight
                    self.member_ids.add(entry.member_id)
            elif own is None or own.code == r.for_member:
                continue  # not a voter, or its own member (refused above if represented)
            elif entry is None or entry.represented_by_id != own.pk:
                voters[i] = PermissionDenied(
                    _("%(holder)s holds no proxy of %(member)s in this poll.")
                    % {"holder": own, "member": r.for_member},
                    field="member",
                )
            else:
                voters[i] = entry.member
                self.proxy_for[i] = own
                self.weights[entry.member_id] = entry.weight
                self.member_ids.add(entry.member_id)
        return voters


# Per process: what a ballot needs of a poll and cannot change while it is open (its
# frozen register and its options), by the poll's public id (random, never reused).
# Kept only for an open poll; a poll, once closed, does not open again.
_facts: dict[uuid.UUID, tuple[dict[int, Decimal], dict[int, int], dict[str, PollOption]]] = {}
MAX_POLLS_KEPT = 16


def _register_and_options(poll: Poll, member_ids: set[int]):
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
    while len(_facts) >= MAX_POLLS_KEPT:
        _facts.pop(next(iter(_facts)), None)
    _facts[poll.public_id] = (weights, represented, options)
    return weights, represented, options


def _closed(poll: Poll, now: datetime) -> str:
    if poll.status != Poll.Status.OPEN:
        return _("This poll is not open.") if poll.status == "draft" else _("This poll is closed.")
    if poll.closes_at is not None and now > poll.closes_at:
        return _("The voting period has ended.")
    return ""


def _record_refusals(poll: Poll, requests: Sequence[BallotRequest], outcomes) -> None:
    """The only trace a refused ballot leaves; one statement for the batch."""
    audit.record_many(
        audit.Event(
            action="ballot.refused",
            actor_id=request.user_id,
            association_id=poll.meeting.association_id,
            object_type="Poll",
            object_id=str(poll.pk),
            data={"reason": outcome.message, "status": outcome.status},
            ip=request.ip,
        )
        for request, outcome in zip(requests, outcomes, strict=True)
        if isinstance(outcome, DomainError)
    )
