"""The locks a batch takes, the rule for a poll that takes no more ballots, and the
trace a refused ballot leaves: shared by every path that writes ballots.

Apart from the batch because three paths apply them alike: the plaintext batch
(``Batch.run``), the sealed ballots of a secret poll (voting.encrypted) and the paper
round its tellers count (voting.paper_round). So all three close alike: a close waits
for the ballots in flight, and nothing is accepted after it (the package's docstring
says how).
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from besluit.audit import services as audit
from besluit.errors import DomainError
from besluit.voting.casting.requests import BallotRequest
from besluit.voting.models import Poll, PollLog


@dataclass(frozen=True)
class Locked:
    """What the batch read while taking its locks: the poll's state and its log's."""

    status: str
    closes_at: datetime | None
    log: tuple[int, int, list[str]] | None  # the log row's id, size and frontier
    public_id: uuid.UUID


def lock(poll_pk: int) -> Locked:
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
            return Locked(row[0], row[1], (row[2], row[3], frontier), row[5])
        # A draft poll has no log row and locks nothing; it refuses the ballots.
    # SQLite: the IMMEDIATE transaction holds the database's one write lock already.
    status, closes_at, public_id = (
        Poll.objects.filter(pk=poll_pk).values_list("status", "closes_at", "public_id").get()
    )
    log = PollLog.objects.filter(poll_id=poll_pk).values_list("pk", "size", "frontier").first()
    return Locked(status, closes_at, log, public_id)


def closed(poll: Poll, now: datetime) -> str:
    if poll.status != Poll.Status.OPEN:
        return _("This poll is not open.") if poll.status == "draft" else _("This poll is closed.")
    if poll.closes_at is not None and now > poll.closes_at:
        return _("The voting period has ended.")
    return ""


def record_refusals(poll: Poll, requests: Sequence[BallotRequest], outcomes) -> None:
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
