"""Casting a sealed (encrypted) ballot in a secret poll with an election key.

The plaintext path is voting.casting; this module uses its locking (``rules.lock``),
its "is the poll open" rule (``rules.closed``) and its refusal audit
(``rules.record_refusals``), so both paths close alike: a close waits for ballots in
flight and nothing is accepted after it. What differs is what is written
(models_sealed explains it):

Ballots are cast in batches, as in voting.casting: a web page or an API call is a batch
of one, the live ballot edge (edge.ballots) gathers what arrives together.

1. before any lock: who votes, with what weight, and each ballot's proofs, checked
   against the poll, the voter binding and the election key (2n+1 fixed-base and
   6n+3 variable-base multiplications, about 2 ms for three options). The live edge
   checks the proofs before a ballot reaches its writer thread, in a pool of threads
   (``prove``; libsodium runs without the GIL), and hands the writer a ``Proven``:
   the writer then skips only the multiplications, and only when the ``Proven`` names
   the binding, key and number of options it computes itself; every other rule is
   checked here, and a ballot without a matching ``Proven`` is checked here in full;
2. under the locks, a constant number of statements whatever the batch's size: the
   participation rows (``Ballot`` without option, time or ordered id: the database's
   one-ballot rule), the ``SealedBallot`` rows (ciphertexts, proofs, tracker, binding,
   weight units) and their leaves in the poll's log under one signed checkpoint. No
   totals.

A retry of the same request (same member and request key, hence the same binding)
gets the receipt of the ballot it cast, whatever ballot bytes it carries now.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.associations.models import Member
from besluit.bounded import make_room
from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto import sealed as core_sealed
from besluit.core.ballotcrypto.elgamal import weight_units
from besluit.core.ballotcrypto.group import Point
from besluit.dbthreads import give_back_connection
from besluit.errors import (
    Conflict,
    DomainError,
    NotFound,
    NotVisible,
    PermissionDenied,
    ValidationFailed,
)
from besluit.voting import batchsql, casting
from besluit.voting import log as vote_log
from besluit.voting.casting.kept import MAX_POLLS_KEPT, KeptIsStale, forget, pk_of, poll_of
from besluit.voting.casting.kept import open_polls as polls_by_pk
from besluit.voting.casting.rules import closed, lock, record_refusals
from besluit.voting.models import Ballot, Poll, RegisterEntry, SealedBallot

log = logging.getLogger("besluit.voting")

# Random participation ids start above every id the sequence will hand out, so they
# never collide with a named ballot's and carry no order (2**62 values to draw from).
_RANDOM_ID_FLOOR = 2**48


@dataclass(frozen=True)
class SealedRequest:
    user_id: int | None
    ballot: bytes
    request_key: str
    ip: str | None = None
    # attend: the code of the member voted for when the sender's member holds its proxy
    # (volmacht) frozen at opening; empty: the sender's own member. The voter binding is
    # the represented member's, so a ballot made for one member fails for another.
    for_member: str = ""
    # Set by the server only (edge.ballots), never from a request's body: these bytes'
    # proofs were checked for this binding, key and number of options (``prove``).
    proven: Proven | None = None


@dataclass(frozen=True)
class Proven:
    """A sealed ballot's proofs as checked outside the writer: for the voter binding
    ``voter``, the election key ``public_key`` (hex) and ``options`` options."""

    voter: str
    public_key: str
    options: int


def proof_contexts(poll_id: uuid.UUID, items: Sequence[tuple[int, str]]) -> list:
    """For the edge, before its writer, a batch at once: per (user id, member code asked
    for) the (member code the ballot's binding must name, election key hex, number of
    options) to check its proofs against; None when the writer will refuse the request
    anyway (no member, not a sealed poll: the writer says why). One query a batch for an
    open poll seen before (the senders' roles).

    Only a hint for ``prove``: the writer computes the binding again from what it
    finds under its locks and checks the proofs itself when they differ."""
    try:
        poll = _poll_for_hint(poll_id)
        if poll is None or not is_sealed(poll):
            return [None] * len(items)
        public_key, _key, options = _election(poll)
        meeting = poll.meeting
        members = access.represented_members({u for u, _ in items}, meeting.association, meeting)
        out: list = []
        for user_id, for_member in items:
            member = members.get(user_id)
            code = (for_member or member.code) if member is not None else None
            out.append(None if code is None else (code, public_key, options))
        return out
    finally:
        give_back_connection(keep_sqlite=True)


def _poll_for_hint(poll_id: uuid.UUID) -> Poll | None:
    """The poll for ``proof_contexts``: the open poll this process keeps for its writer
    (voting.casting.kept; no statement), read afresh when its key names another poll
    now. A stale copy (closed since) costs at most a check in the writer."""
    poll_pk = pk_of(poll_id)
    if poll_pk is None:
        return None
    try:
        poll, kept = poll_of(poll_pk, kept=True)
        if kept and poll.public_id != poll_id:
            poll, _kept = poll_of(poll_pk, kept=False)
    except Poll.DoesNotExist:  # a draft poll deleted since
        return None
    return poll if poll.public_id == poll_id else None


def prove(
    poll_id: uuid.UUID, context: tuple[str, str, int], request_key: str, data: bytes
) -> Proven | None:
    """Check a sealed ballot's proofs for ``context`` (``proof_contexts``), with no
    database and no lock: the edge's first stage runs it (edge.ballots). None if they
    fail (the writer checks again and gives the reason)."""
    code, public_key, options = context
    try:
        voter = core_sealed.voter_binding(str(poll_id), code, request_key)
        # The key as ``_election`` keeps it decoded for the open poll, else decoded here.
        kept = _elections.get(poll_id)
        key = kept[1] if kept and kept[0] == public_key else Point.decode(bytes.fromhex(public_key))
        core_sealed.verify_sealed(str(poll_id), voter, key, options, data)
    except (BallotCryptoError, ValueError):
        return None
    return Proven(voter, public_key, options)


@dataclass(frozen=True)
class SealedReceipt:
    """What the voter keeps: the tracker and its place in the signed log; no choice."""

    poll_id: uuid.UUID
    tracker: str
    voter: str
    log_receipt: dict
    replayed: bool = False

    def as_json(self) -> dict:
        """The downloadable receipt (format besluit-sealed-receipt/1)."""
        return {
            "format": "besluit-sealed-receipt/1",
            "poll": str(self.poll_id),
            "tracker": self.tracker,
            "voter": self.voter,
            "log": self.log_receipt,
        }


def is_sealed(poll: Poll) -> bool:
    return poll.is_secret and poll.election_id is not None


def poll_key(poll: Poll) -> Point:
    return Point.decode(bytes.fromhex(poll.election.public_key))


def cast_sealed(poll_pk: int, request: SealedRequest, *, now: datetime | None = None):
    """Accept or refuse one sealed ballot; returns a SealedReceipt or raises DomainError."""
    outcome = cast_sealed_batch(poll_pk, [request], now=now)[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def cast_sealed_by_public_id(poll_id: uuid.UUID, requests: Sequence[SealedRequest]) -> list:
    """``cast_sealed_batch`` for the poll with this public id (the edge's writer thread)."""
    try:
        poll_pk = pk_of(poll_id)
        if poll_pk is None:
            return [NotFound(_("No such poll."))] * len(requests)
        return cast_sealed_batch(poll_pk, requests)
    finally:
        give_back_connection(keep_sqlite=True)


def cast_sealed_batch(
    poll_pk: int, requests: Sequence[SealedRequest], *, now: datetime | None = None
) -> list[SealedReceipt | DomainError]:
    """Accept or refuse each sealed ballot, in order; one transaction for the batch.

    Who votes, with what weight, and every ballot's proofs are checked before any lock
    (the proofs are most of the work); under the locks a constant number of statements
    whatever the batch's size (on PostgreSQL one read and one write, voting.batchsql).
    An open poll, its register, options and election key are kept per process, as in
    voting.casting. Refusals leave an audit entry, as in voting.casting.
    """
    try:
        return _cast_once(poll_pk, requests, now, kept=True)
    except KeptIsStale:  # this process's copy of the poll is not the row it locked
        _forget(poll_pk)
        return _cast_once(poll_pk, requests, now, kept=False)


def _cast_once(poll_pk: int, requests, now, *, kept: bool) -> list[SealedReceipt | DomainError]:
    poll, kept = poll_of(poll_pk, kept=kept)
    checked = _check(poll, requests)
    try:
        with transaction.atomic():
            outcomes = _write(poll, requests, checked, now, kept=kept)
            record_refusals(poll, [_as_plain(r) for r in requests], outcomes)
        return outcomes
    except IntegrityError:  # the same member at the same moment in another process
        if len(requests) > 1:
            return [o for r in requests for o in cast_sealed_batch(poll_pk, [r], now=now)]
        refusal = Conflict(_("This ballot met another at the same moment; try again."))
        with transaction.atomic():
            record_refusals(poll, [_as_plain(requests[0])], [refusal])
        return [refusal]


def _forget(poll_pk: int) -> None:
    kept = polls_by_pk.get(poll_pk)
    if kept is not None:
        _registers.pop(kept.public_id, None)
        _elections.pop(kept.public_id, None)
    forget(poll_pk)


# Per process, by public id: an open sealed poll's election key (hex and decoded)
# and number of options; fixed while the poll is open (a poll, once closed, does not open
# again).
_elections: dict[uuid.UUID, tuple[str, Point, int]] = {}


def _election(poll: Poll) -> tuple[str, Point, int]:
    found = _elections.get(poll.public_id)
    if found is not None:
        if poll.status == Poll.Status.OPEN:
            return found
        _elections.pop(poll.public_id, None)
    public_key = poll.election.public_key
    found = (public_key, Point.decode(bytes.fromhex(public_key)), poll.options.count())
    if poll.status == Poll.Status.OPEN:
        make_room(_elections, MAX_POLLS_KEPT)
        _elections[poll.public_id] = found
    return found


def _as_plain(request: SealedRequest) -> casting.BallotRequest:
    return casting.BallotRequest(user_id=request.user_id, option_key="", ip=request.ip)


@dataclass(frozen=True)
class _Checked:
    member: Member  # whose ballot it is: the sender's member or the one it holds a proxy of
    voter: str
    tracker: str
    units: int
    data: bytes
    proxy: Member | None = None  # the holder casting for ``member`` (as Ballot.proxy)


def _check(poll: Poll, requests: Sequence[SealedRequest]) -> list[_Checked | DomainError]:
    """Before any lock: the member each request votes for, its frozen weight, and the
    ballot's proofs against the poll, the voter binding and the election key."""
    association = poll.meeting.association
    user_ids = {r.user_id for r in requests if r.user_id is not None}
    members = access.represented_members(user_ids, association, poll.meeting)
    outsiders = user_ids - set(members)
    viewers = access.viewers(outsiders, association) if outsiders else set()
    sealed = is_sealed(poll)
    if sealed and members:
        entries = _register(poll, members, requests)
        key_hex, key, options = _election(poll)
    out: list[_Checked | DomainError] = []
    for request in requests:
        member = members.get(request.user_id)
        if member is None:
            out.append(
                PermissionDenied(_("Only a member's representative can vote."))
                if request.user_id in viewers
                else NotVisible(_("No such poll."))
            )
        elif not sealed:
            out.append(ValidationFailed(_("This poll takes no encrypted ballots.")))
        else:
            voter = _voter(member, request, entries)
            if isinstance(voter, DomainError):
                out.append(voter)
            else:
                entry, proxy = voter
                checked = _proven(poll, entry.member, request, key_hex, key, options, entry.weight)
                if proxy is not None and isinstance(checked, _Checked):
                    checked = replace(checked, proxy=proxy)
                out.append(checked)
    return out


# Per process, by public id: an open sealed poll's frozen register (entries with their
# members) by member code, read once; it does not change while the poll is open.
_registers: dict[uuid.UUID, dict[str, RegisterEntry]] = {}


def _register(poll: Poll, members: dict, requests) -> dict[str, RegisterEntry]:
    """The frozen register entries a batch needs, by member code: for an open poll the
    whole register, kept per process (no statement after the first batch); else the
    senders' members and the members named as represented, one query."""
    found = _registers.get(poll.public_id)
    if found is not None:
        if poll.status == Poll.Status.OPEN:
            return found
        _registers.pop(poll.public_id, None)
    entries = RegisterEntry.objects.filter(poll=poll).select_related("member")
    if poll.status != Poll.Status.OPEN:
        codes = {m.code for m in members.values()}
        codes |= {r.for_member for r in requests if r.for_member}
        return {e.member.code: e for e in entries.filter(member__code__in=codes)}
    found = {e.member.code: e for e in entries}
    make_room(_registers, MAX_POLLS_KEPT)
    _registers[poll.public_id] = found
    return found


def _voter(member: Member, request: SealedRequest, entries: dict):
    """(register entry of the member voted for, the proxy holder or None), or a refusal;
    the rules of voting.casting.attend for named polls."""
    if request.for_member and request.for_member != member.code:
        entry = entries.get(request.for_member)
        if entry is None or entry.represented_by_id != member.pk:
            return PermissionDenied(
                _("%(holder)s holds no proxy of %(member)s in this poll.")
                % {"holder": member, "member": request.for_member},
                field="member",
            )
        return entry, member
    entry = entries.get(member.code)
    if entry is None:
        return PermissionDenied(
            _("%(member)s is not in this poll's register.") % {"member": member}
        )
    if entry.represented_by_id is not None:
        return PermissionDenied(
            _("%(member)s is represented by proxy in this poll: its proxy votes for it.")
            % {"member": member}
        )
    return entry, None


def _proven(poll, member, request, key_hex, key, options, weight) -> _Checked | DomainError:
    try:
        voter = core_sealed.voter_binding(str(poll.public_id), member.code, request.request_key)
        # Checked already for exactly this binding, key and options (``prove``), or here.
        if request.proven != Proven(voter, key_hex, options):
            core_sealed.verify_sealed(str(poll.public_id), voter, key, options, request.ballot)
    except BallotCryptoError as exc:
        return ValidationFailed(
            # The reason is the crypto core's technical English; the sentence around it is
            # the reader's language.
            _("The encrypted ballot is refused: %(reason)s (%(code)s).")
            % {"reason": exc.message, "code": exc.code},
            field="ballot",
        )
    units = weight_units(weight, poll.sealed["decimals"])
    return _Checked(member, voter, core_sealed.tracker(request.ballot), units, request.ballot)


def _existing(poll: Poll, ok: list[_Checked]) -> tuple[dict[str, str], set[int]]:
    """The sealed ballots cast before under these bindings (binding -> tracker) and the
    members among these with a participation row already."""
    if not ok:
        return {}, set()
    voters, member_ids = [c.voter for c in ok], [c.member.pk for c in ok]
    if connection.vendor == "postgresql":
        return batchsql.read_sealed_existing(poll.pk, voters, member_ids)
    earlier = dict(
        SealedBallot.objects.filter(poll=poll, voter__in=voters).values_list("voter", "tracker")
    )
    voted = set(
        Ballot.objects.filter(poll=poll, member_id__in=member_ids).values_list(
            "member_id", flat=True
        )
    )
    return earlier, voted


def _write(poll: Poll, requests, checked, now, *, kept: bool) -> list[SealedReceipt | DomainError]:
    locked = lock(poll.pk)
    if kept and locked.public_id != poll.public_id:
        raise KeptIsStale
    poll.status, poll.closes_at = locked.status, locked.closes_at
    if poll.status != Poll.Status.OPEN:
        _forget(poll.pk)
    now = now or timezone.now()
    refusal = closed(poll, now)
    ok = [c for c in checked if isinstance(c, _Checked)]
    if refusal:
        return [Conflict(refusal) if isinstance(c, _Checked) else c for c in checked]
    earlier, voted = _existing(poll, ok)
    plan: list = []  # per request: a refusal, ("new", position), ("again", tracker) or ("same", i)
    first_of: dict[str, int] = {}  # voter binding -> the request that casts it in this batch
    ballots, sealed, events = [], [], []
    for i, c in enumerate(checked):
        if not isinstance(c, _Checked):
            plan.append(c)
        elif c.voter in earlier:  # a retry of a ballot cast before: the same receipt
            plan.append(("again", earlier[c.voter]))
        elif c.voter in first_of:  # the same request twice in this batch
            plan.append(("same", first_of[c.voter]))
        elif c.member.pk in voted:
            plan.append(
                Conflict(_("%(member)s has voted in this poll already.") % {"member": c.member})
            )
        else:
            voted.add(c.member.pk)
            first_of[c.voter] = i
            # Participation: the opening time, not the casting time; a random id.
            ballots.append(
                Ballot(
                    id=_RANDOM_ID_FLOOR + secrets.randbelow(2**62 - _RANDOM_ID_FLOOR),
                    poll=poll,
                    member=c.member,
                    proxy=c.proxy,  # who cast it, as in a named poll; no choice here
                    cast_at=poll.opened_at,
                )
            )
            sealed.append(
                SealedBallot(
                    poll=poll, tracker=c.tracker, voter=c.voter, weight_units=c.units, data=c.data
                )
            )
            plan.append(("new", len(events)))
            events.append(
                core_sealed.sealed_event(
                    poll=str(poll.public_id),
                    tracker_hex=c.tracker,
                    voter=c.voter,
                    weight_units=c.units,
                    data=c.data,
                )
            )
    receipts: list[dict] = []
    if events:
        planned = vote_log.plan_batch(poll, events, now, locked.log)
        if connection.vendor == "postgresql":
            batchsql.write_sealed(poll.pk, planned, ballots, sealed)
        else:
            Ballot.objects.bulk_create(ballots)
            SealedBallot.objects.bulk_create(sealed)
            vote_log.store_batch(poll, planned)
        receipts = planned.receipts
        hooks.emit(hooks.BallotsAccepted(poll=poll, count=len(events)))
    out: list[SealedReceipt | DomainError] = []
    for c, step in zip(checked, plan, strict=True):
        if isinstance(step, DomainError):
            out.append(step)
        elif step[0] == "new":
            out.append(SealedReceipt(poll.public_id, c.tracker, c.voter, receipts[step[1]]))
        elif step[0] == "same":
            first = out[step[1]]
            out.append(first if isinstance(first, DomainError) else replace(first, replayed=True))
        else:
            out.append(_again(poll, c.voter, step[1], now, committed_size=locked.log[1]))
    return out


def _again(poll: Poll, voter: str, tracker: str, now, *, committed_size: int) -> SealedReceipt:
    """The receipt of the ballot this binding cast before, proven at the current size
    (voting.log.receipt_again: its leaf found by tracker in the process's tree, read
    alone; the log's other leaves are not read again)."""
    receipt = vote_log.receipt_again(
        poll, None, now, committed_size=committed_size, tracker=tracker
    )
    return SealedReceipt(poll.public_id, tracker, voter, receipt, replayed=True)
