"""Polls: create, open (freeze the register), cast ballots, close (decide).

A package: ``opening`` (create, open), ``closing`` (countdown, close, decide,
acclamation); casting a ballot and finding a poll are here.

How a ballot is accepted, and the locking that keeps every acknowledged ballot
in the result and nothing after the close: voting.casting. How a poll is decided:
core.voting.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from besluit.errors import DomainError, NotFound
from besluit.voting import casting
from besluit.voting.casting import Receipt
from besluit.voting.models import Poll
from besluit.voting.services.closing import (
    COUNTDOWN_SECONDS,
    close_if_due,
    compute_result,
    do_close_poll,
    do_record_acclamation,
    do_start_countdown,
    finish_decided,
)
from besluit.voting.services.opening import do_create_poll, do_open_poll

__all__ = [
    "COUNTDOWN_SECONDS",
    "cast_ballot",
    "close_if_due",
    "compute_result",
    "do_close_poll",
    "do_create_poll",
    "do_open_poll",
    "do_record_acclamation",
    "do_start_countdown",
    "finish_decided",
    "get_poll",
]


def cast_ballot(
    *,
    actor,
    poll: Poll,
    option_key: str,
    request_key: str = "",
    now: datetime | None = None,
    ip: str | None = None,
    for_member: str = "",
    paper: bool = False,
) -> Receipt:
    """Accept one member's ballot, or refuse it leaving only an audit entry.

    A batch of one: the rules and the locking are in voting.casting. ``for_member``:
    the code of a member whose proxy the actor's member holds (or, with ``paper``,
    whose paper ballot the secretariat enters: attendance.services).
    """
    request = casting.BallotRequest(
        user_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        option_key=option_key,
        request_key=request_key,
        ip=ip,
        for_member=for_member,
        paper=paper,
    )
    outcome = casting.cast_batch(poll.pk, [request], now=now)[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def get_poll(public_id) -> Poll:
    try:
        return Poll.objects.select_related("meeting__association").get(public_id=public_id)
    except (Poll.DoesNotExist, ValueError, DomainError) as exc:
        raise NotFound(_("No such poll.")) from exc
