"""A batch of plaintext ballots for one poll: who each request votes for, whether it may,
and what the batch writes (its ballots, request keys and log leaves) under the locks.

Apart from the package's entry points (``cast_batch``) because this is the work of one
attempt: ``cast_batch`` makes a ``Batch`` per transaction, and makes another when the
copy of the poll this process keeps proved stale or the database refused the batch for
what one request holds. Everything is read before the locks that may be (the poll as
kept, who represents whom, the frozen register and options); under the locks a constant
number of statements whatever the batch's size. Whom a request votes for when that is
not its sender's own member (a proxy, a paper ballot) is decided in ``attend``; the
lines marked *attend* here carry it into the ballot.
"""

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.core import safetext
from besluit.errors import (
    Conflict,
    DomainError,
    NotVisible,
    PermissionDenied,
    ValidationFailed,
)
from besluit.voting import batchsql
from besluit.voting import log as vote_log
from besluit.voting.casting.attend import attend_voters
from besluit.voting.casting.kept import KeptIsStale, forget, poll_of, register_and_options
from besluit.voting.casting.requests import BallotRequest, Outcome, Receipt
from besluit.voting.casting.rules import closed, lock
from besluit.voting.models import Ballot, Poll, RequestKey


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


class Batch:
    def __init__(self, poll_pk: int, requests: Sequence[BallotRequest], *, kept: bool) -> None:
        # Read before the locks what cannot change while the poll is open (the poll
        # itself but its status, its frozen register and options: kept per process) or
        # may be read a moment early (who represents whom): the locks are held for as
        # few statements as possible, and batches of one poll queue for them.
        self.poll, self.kept = poll_of(poll_pk, kept=kept)
        self.requests = requests
        self.members = access.represented_members(
            {r.user_id for r in requests if r.user_id is not None},
            self.poll.meeting.association,
            self.poll.meeting,
        )
        self.member_ids = {m.pk for m in self.members.values()}
        # attend: ``represented`` are the members a proxy votes for in this poll (frozen at
        # opening), by the member that holds the proxy.
        self.weights, self.represented, self.options = register_and_options(
            self.poll, self.member_ids
        )
        # Who may vote and whether the request's text can be stored, decided before
        # any statement uses the request's values (its key below): one request
        # that the database would refuse must not fail the batch's other ballots.
        outsiders = {r.user_id for r in requests if r.user_id not in self.members}
        outsiders.discard(None)
        association = self.poll.meeting.association
        self.viewers = access.viewers(outsiders, association) if outsiders else set()
        self.proxy_for: dict[int, object] = {}  # attend: filled by attend_voters
        self.voters = attend_voters(self, requests)  # the member each request votes for
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
        locked = lock(poll.pk)
        if self.kept and locked.public_id != poll.public_id:
            raise KeptIsStale
        poll.status, poll.closes_at = locked.status, locked.closes_at
        if poll.status != Poll.Status.OPEN:
            forget(poll.pk)
        self.log_state = locked.log
        # Taken after the locks: batches append to the log in the order they take the time.
        self.now = now or timezone.now()
        refusal = closed(poll, self.now)
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
