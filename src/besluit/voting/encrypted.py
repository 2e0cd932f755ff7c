"""Casting a sealed (encrypted) ballot in a secret poll with an election key.

The plaintext path is voting.casting; this module uses its locking (``_lock``), its
"is the poll open" rule (``_closed``) and its refusal audit (``_record_refusals``), so
both paths close alike: a close waits for ballots in flight and nothing is accepted
after it. What differs is what is written (models_sealed explains it):

1. before any lock: who votes, with what weight, and the ballot's proofs, checked
   against the poll, the voter binding and the election key (2n+1 fixed-base and
   6n+3 variable-base multiplications, about 2 ms for three options);
2. under the locks: the participation row (a ``Ballot`` without option, time or
   ordered id: the database's one-ballot rule), the ``SealedBallot`` (ciphertexts,
   proofs, tracker, binding, weight units) and its leaf in the poll's log. No totals.

A retry of the same request (same member and request key, hence the same binding)
gets the receipt of the ballot it cast, whatever ballot bytes it carries now.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto import sealed as core_sealed
from besluit.core.ballotcrypto.elgamal import weight_units
from besluit.core.ballotcrypto.group import Point
from besluit.errors import Conflict, DomainError, NotVisible, PermissionDenied, ValidationFailed
from besluit.voting import casting
from besluit.voting import log as vote_log
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
    poll = Poll.objects.select_related("meeting__association", "election").get(pk=poll_pk)
    try:
        return _cast(poll, request, now)
    except DomainError as refusal:
        with transaction.atomic():
            casting._record_refusals(poll, [_as_plain(request)], [refusal])
        raise


def _as_plain(request: SealedRequest) -> casting.BallotRequest:
    return casting.BallotRequest(user_id=request.user_id, option_key="", ip=request.ip)


def _cast(poll: Poll, request: SealedRequest, now) -> SealedReceipt:
    association = poll.meeting.association
    member = access.represented_members(
        {request.user_id} if request.user_id is not None else set(), association, poll.meeting
    ).get(request.user_id)
    if member is None:
        if request.user_id is not None and access.viewers({request.user_id}, association):
            raise PermissionDenied(_("Only a member's representative can vote."))
        raise NotVisible(_("No such poll."))
    if not is_sealed(poll):
        raise ValidationFailed(_("This poll takes no encrypted ballots."))
    weight = (
        RegisterEntry.objects.filter(poll=poll, member=member).values_list("weight", flat=True)
    ).first()
    if weight is None:
        raise PermissionDenied(_("%(member)s is not in this poll's register.") % {"member": member})
    options = poll.options.count()
    try:
        voter = core_sealed.voter_binding(str(poll.public_id), member.code, request.request_key)
        core_sealed.verify_sealed(
            str(poll.public_id), voter, poll_key(poll), options, request.ballot
        )
    except BallotCryptoError as exc:
        raise ValidationFailed(
            # The reason is the crypto core's technical English; the sentence around it is
            # the reader's language.
            _("The encrypted ballot is refused: %(reason)s (%(code)s).")
            % {"reason": exc.message, "code": exc.code},
            field="ballot",
        ) from exc
    units = weight_units(weight, poll.sealed["decimals"])
    tracker = core_sealed.tracker(request.ballot)
    try:
        with transaction.atomic():
            return _write(poll, member, voter, tracker, units, request.ballot, now)
    except IntegrityError as exc:  # the same member at the same moment, on PostgreSQL
        raise Conflict(
            _("%(member)s has voted in this poll already.") % {"member": member}
        ) from exc


def _write(poll, member, voter, tracker, units, data, now) -> SealedReceipt:
    locked = casting._lock(poll.pk)
    poll.status, poll.closes_at = locked.status, locked.closes_at
    now = now or timezone.now()
    refusal = casting._closed(poll, now)
    if refusal:
        raise Conflict(refusal)
    earlier = SealedBallot.objects.filter(poll=poll, voter=voter).values_list("tracker", flat=True)
    if earlier_tracker := earlier.first():
        return _again(poll, earlier_tracker, voter, now, committed_size=locked.log[1])
    if Ballot.objects.filter(poll=poll, member=member).exists():
        raise Conflict(_("%(member)s has voted in this poll already.") % {"member": member})
    # Participation: the opening time, not the casting time; a random id, not the next.
    Ballot.objects.create(
        id=_RANDOM_ID_FLOOR + secrets.randbelow(2**62 - _RANDOM_ID_FLOOR),
        poll=poll,
        member=member,
        cast_at=poll.opened_at,
    )
    SealedBallot.objects.create(
        poll=poll, tracker=tracker, voter=voter, weight_units=units, data=data
    )
    event = core_sealed.sealed_event(
        poll=str(poll.public_id), tracker_hex=tracker, voter=voter, weight_units=units, data=data
    )
    receipt = vote_log.append_batch(poll, [event], now, state=locked.log)[0]
    hooks.emit(hooks.BallotsAccepted(poll=poll, count=1))
    return SealedReceipt(poll.public_id, tracker, voter, receipt)


def _again(poll: Poll, tracker: str, voter: str, now, *, committed_size: int) -> SealedReceipt:
    """The receipt of the ballot this binding cast before, proven at the current size."""
    leaves = poll.log_leaves.order_by("index").values_list("data", flat=True)
    index = next(i for i, d in enumerate(leaves) if f'"tracker":"{tracker}"' in d)
    receipt = vote_log.receipt_again(poll, index, now, committed_size=committed_size)
    return SealedReceipt(poll.public_id, tracker, voter, receipt, replayed=True)
