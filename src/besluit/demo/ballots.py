"""The demo's ballots, cast in batches through the services the live edge uses.

The demo's voters cast about a thousand ballots. One by one (``voting.cast_ballot``,
a batch of one) each costs a transaction, a log append and a signed checkpoint;
the edge's batcher writes what arrives together as one batch (``voting.casting``),
and so does the demo: the ballots that arrive in the same minute (in a written
consultation: on the same day) are one batch, cast at the first one's time. Every
rule still runs for every ballot (who may vote, for whom, once per member), and
every ballot keeps its minute (day); within a batch the log keeps their order
(``Ballot.log_index``). A refused ballot fails the demo, as it did one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from itertools import groupby, pairwise
from zoneinfo import ZoneInfo

from besluit.errors import DomainError
from besluit.voting import casting, encrypted
from besluit.voting.models import Poll

AMS = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
_ORIGIN = datetime(2000, 1, 1)  # local midnight: a day's batch is a local day


def _batches(timed: Sequence[tuple[datetime, object]], unit: timedelta):
    """Consecutive (time, item) pairs by the ``unit`` of local time they fall in: (the
    first one's time, their items). Times must not go backwards (as in a vote log)."""
    for earlier, later in pairwise(timed):
        if later[0] < earlier[0]:
            raise ValueError("The demo's ballot times go backwards.")

    def slot(pair) -> int:
        return (pair[0].astimezone(AMS).replace(tzinfo=None) - _ORIGIN) // unit

    for _slot, group in groupby(timed, key=slot):
        pairs = list(group)
        yield pairs[0][0], [item for _at, item in pairs]


def _cast(poll: Poll, timed, unit: timedelta, cast: Callable) -> None:
    for at, requests in _batches(timed, unit):
        for outcome in cast(poll.pk, requests, now=at):
            if isinstance(outcome, DomainError):
                raise outcome


def cast_named(
    poll: Poll, ballots: Iterable[tuple[datetime, int, str]], *, unit: timedelta = MINUTE
) -> None:
    """Cast (time, user id, option key) ballots in a named poll, a batch per ``unit``."""
    timed = [(at, casting.BallotRequest(user_id=user, option_key=key)) for at, user, key in ballots]
    _cast(poll, timed, unit, casting.cast_batch)


def cast_sealed(
    poll: Poll, ballots: Iterable[tuple[datetime, encrypted.SealedRequest]], *, unit=MINUTE
) -> None:
    """Cast (time, sealed request) ballots in an encrypted poll, a batch per ``unit``."""
    _cast(poll, list(ballots), unit, encrypted.cast_sealed_batch)
