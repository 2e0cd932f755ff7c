"""Database connections of the edge's worker threads.

The edge looks up senders and writes ballots in threads of its own, outside Django's
request cycle, so nothing closes their connections for them.
"""

from django.db import connection


def give_back_connection(*, keep_sqlite: bool = False) -> None:
    """Give this thread's connection back (to the pool, on PostgreSQL): a restarted
    database then costs one failed batch, not a dead thread. With ``keep_sqlite`` a
    SQLite file stays open, because reopening it (and its pragmas) per batch would cost
    more than the batch. Never inside a transaction someone else owns (a test's)."""
    if connection.in_atomic_block:
        return
    if keep_sqlite and connection.vendor == "sqlite":
        return
    connection.close()
