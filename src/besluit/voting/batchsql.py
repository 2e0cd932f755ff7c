"""A batch of ballots in two statements on PostgreSQL (voting.casting's hot path).

Under its locks a batch reads what its members did before (request keys, ballots)
and then stores its ballots, request keys, log leaves and the log's new state. With
the ORM that is six statements, each a round trip while the poll's log row is
locked: in a burst, batches of one poll queue for that lock, so every round trip
under it is paid by every waiting ballot. Here it is one read and one write (a
data-modifying WITH that inserts from JSON record sets). The same rows as the ORM writes;
the database's constraints (one ballot per member, a key once) hold as before, and
a row it refuses fails the statement as it failed the ORM's (voting.casting then
casts the batch again in halves). SQLite keeps the ORM: its statements are calls
within the process, not round trips.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection

from besluit.voting.models import Ballot

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

# The rows of a batch go as JSON documents, one per table, read by json_to_recordset:
# the json module quotes them in C, where psycopg quotes an array parameter element by
# element in Python (a log leaf is JSON itself, full of quotes to escape). PostgreSQL
# reads each value back as it was sent; a value it cannot store (a NUL, a number out of
# range) fails the statement as an array's did.
_WRITE = (
    "WITH leaves AS ("
    ' INSERT INTO voting_logleaf (poll_id, "index", data)'
    " SELECT %s, i, d FROM json_to_recordset(%s::json) AS t(i integer, d text)"
    "), log AS ("
    " UPDATE voting_polllog SET size = %s, frontier = %s::jsonb WHERE id = %s"
    "), ballots AS ("
    f" INSERT INTO voting_ballot ({', '.join(BALLOT_COLUMNS)})"
    " SELECT u, %s, m, o, c, %s, k, x, p, q"
    " FROM json_to_recordset(%s::json)"
    " AS t(u uuid, m bigint, o bigint, c bigint, k varchar, x integer, p bigint, q boolean)"
    "), keys AS ("
    " INSERT INTO voting_requestkey (member_id, key, poll_id)"
    " SELECT m, k, %s FROM json_to_recordset(%s::json) AS t(m bigint, k varchar)"
    ") SELECT 1"
)


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _log_params(poll_pk: int, appended) -> list:
    """The parameters of the log's part of a write: its leaves and its new state."""
    return [
        poll_pk,
        _json([{"i": i, "d": d} for i, d in appended.leaves]),
        appended.size,
        json.dumps(appended.frontier),
        appended.log_pk,
    ]


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
    keys: Sequence[tuple[int, str]],
    cast_at,
) -> None:
    """Store new ballots, request keys ((member id, key) pairs), log leaves and the log's
    state; one statement."""
    params = [
        *_log_params(poll_pk, appended),
        poll_pk,
        cast_at,
        _json(
            [
                {
                    "u": str(b.public_id),
                    "m": b.member_id,
                    "o": b.option_id,
                    "c": b.cast_by_id,
                    "k": b.request_key,
                    "x": b.log_index,
                    "p": b.proxy_id,  # the member whose proxy cast it (attendance)
                    "q": b.on_paper,
                }
                for b in ballots
            ]
        ),
        poll_pk,
        _json([{"m": m, "k": k} for m, k in keys]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_WRITE, params)


# --- sealed ballots (voting.encrypted): the same two statements ------------------------

_READ_SEALED = (
    "SELECT voter, tracker, NULL FROM voting_sealedballot "
    "WHERE poll_id = %s AND voter = ANY(%s::varchar[]) "
    "UNION ALL "
    "SELECT NULL, NULL, member_id FROM voting_ballot "
    "WHERE poll_id = %s AND member_id = ANY(%s::bigint[])"
)

SEALED_COLUMNS = ("id", "poll_id", "tracker", "voter", "weight_units", "data")

# A sealed ballot's participation row has no option, caster's user, request key or log
# index (models_sealed); the database's defaults are not used, so every column is here.
_WRITE_SEALED = (
    "WITH leaves AS ("
    ' INSERT INTO voting_logleaf (poll_id, "index", data)'
    " SELECT %s, i, d FROM json_to_recordset(%s::json) AS t(i integer, d text)"
    "), log AS ("
    " UPDATE voting_polllog SET size = %s, frontier = %s::jsonb WHERE id = %s"
    "), ballots AS ("
    f" INSERT INTO voting_ballot (id, {', '.join(BALLOT_COLUMNS)})"
    " SELECT b, u, %s, m, NULL, NULL, %s, '', NULL, p, false"
    " FROM json_to_recordset(%s::json) AS t(b bigint, u uuid, m bigint, p bigint)"
    "), sealed AS ("
    f" INSERT INTO voting_sealedballot ({', '.join(SEALED_COLUMNS)})"
    " SELECT u, %s, t, v, w, decode(d, 'hex')"
    " FROM json_to_recordset(%s::json) AS t(u uuid, t varchar, v varchar, w bigint, d text)"
    ") SELECT 1"
)


def read_sealed_existing(
    poll_pk: int, voters: Iterable[str], member_ids: Iterable[int]
) -> tuple[dict[str, str], set[int]]:
    """The sealed ballots cast before under these voter bindings (binding -> tracker)
    and which of these members have a participation row in the poll; one statement."""
    members = list(member_ids)
    earlier: dict[str, str] = {}
    voted: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(_READ_SEALED, [poll_pk, list(voters), poll_pk, members])
        for voter, tracker, member_id in cursor.fetchall():
            if member_id is None:
                earlier[voter] = tracker
            else:
                voted.add(member_id)
    return earlier, voted


def write_sealed(poll_pk: int, appended, ballots: Sequence[Ballot], sealed: Sequence) -> None:
    """Store sealed ballots (participation rows and ``SealedBallot`` rows), their log
    leaves and the log's state; one statement."""
    params = [
        *_log_params(poll_pk, appended),
        poll_pk,
        ballots[0].cast_at if ballots else None,
        _json(
            [{"b": b.id, "u": str(b.public_id), "m": b.member_id, "p": b.proxy_id} for b in ballots]
        ),
        poll_pk,
        _json(
            [
                {
                    "u": str(s.id),
                    "t": s.tracker,
                    "v": s.voter,
                    "w": s.weight_units,
                    "d": bytes(s.data).hex(),
                }
                for s in sealed
            ]
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_SEALED, params)
