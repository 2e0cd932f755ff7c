"""A batch of ballots in two statements on PostgreSQL (voting.casting's hot path).

Under its locks a batch reads what its members did before (request keys, ballots)
and then stores its ballots, request keys, log leaves and the log's new state. With
the ORM that is six statements, each a round trip while the poll's log row is
locked: in a burst, batches of one poll queue for that lock, so every round trip
under it is paid by every waiting ballot. Here it is one read and one write (a
data-modifying WITH that inserts from arrays). The same rows as the ORM writes;
the database's constraints (one ballot per member, a key once) hold as before, and
a row it refuses fails the statement as it failed the ORM's (voting.casting then
casts the batch again in halves). SQLite keeps the ORM: its statements are calls
within the process, not round trips.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection

from besluit.voting.models import Ballot, RequestKey

# The columns written; tests/voting/test_batch_sql.py checks they are all of Ballot's
# (a new column must be written here too, or have a database default).
BALLOT_COLUMNS = (
    "public_id",
    "poll_id",
    "member_id",
    "option_id",
    "cast_by_id",
    "cast_at",
    "request_key",
    "log_index",
    "proxy_id",
    "on_paper",
)

_READ = (
    "SELECT member_id, key, poll_id, NULL FROM voting_requestkey "
    "WHERE member_id = ANY(%s::bigint[]) AND key = ANY(%s::varchar[]) "
    "UNION ALL "
    "SELECT member_id, NULL, NULL, id FROM voting_ballot "
    "WHERE poll_id = %s AND member_id = ANY(%s::bigint[])"
)

_WRITE = (
    "WITH leaves AS ("
    ' INSERT INTO voting_logleaf (poll_id, "index", data)'
    " SELECT %s, i, d FROM unnest(%s::integer[], %s::text[]) AS t(i, d)"
    "), log AS ("
    " UPDATE voting_polllog SET size = %s, frontier = %s::jsonb WHERE id = %s"
    "), ballots AS ("
    f" INSERT INTO voting_ballot ({', '.join(BALLOT_COLUMNS)})"
    " SELECT u, %s, m, o, c, %s, k, x, p, q"
    " FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[], %s::bigint[], %s::varchar[],"
    " %s::integer[], %s::bigint[], %s::boolean[]) AS t(u, m, o, c, k, x, p, q)"
    "), keys AS ("
    " INSERT INTO voting_requestkey (member_id, key, poll_id)"
    " SELECT m, k, %s FROM unnest(%s::bigint[], %s::varchar[]) AS t(m, k)"
    ") SELECT 1"
)


def read_existing(
    poll_pk: int, member_ids: Iterable[int], keys: Iterable[str]
) -> tuple[dict[tuple[int, str], int], list[int]]:
    """The members' request keys among ``keys`` ((member, key) -> poll) and the ids of
    their ballots in this poll; one statement."""
    members = list(member_ids)
    used: dict[tuple[int, str], int] = {}
    ballot_ids: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(_READ, [members, list(keys), poll_pk, members])
        for member_id, key, poll_id, ballot_id in cursor.fetchall():
            if ballot_id is None:
                used[(member_id, key)] = poll_id
            else:
                ballot_ids.append(ballot_id)
    return used, ballot_ids


def write(
    poll_pk: int,
    appended,  # voting.log.Appended
    ballots: Sequence[Ballot],
    keys: Sequence[RequestKey],
    cast_at,
) -> None:
    """Store new ballots, request keys, log leaves and the log's state; one statement."""
    params = [
        poll_pk,
        [i for i, _ in appended.leaves],
        [d for _, d in appended.leaves],
        appended.size,
        json.dumps(appended.frontier),
        appended.log_pk,
        poll_pk,
        cast_at,
        [b.public_id for b in ballots],
        [b.member_id for b in ballots],
        [b.option_id for b in ballots],
        [b.cast_by_id for b in ballots],
        [b.request_key for b in ballots],
        [b.log_index for b in ballots],
        [b.proxy_id for b in ballots],  # the member whose proxy cast it (attendance)
        [b.on_paper for b in ballots],
        poll_pk,
        [k.member_id for k in keys],
        [k.key for k in keys],
    ]
    with connection.cursor() as cursor:
        cursor.execute(_WRITE, params)
