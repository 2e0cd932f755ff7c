"""The PostgreSQL batch statement (voting.batchsql) writes every column of a ballot."""

from besluit.voting import batchsql
from besluit.voting.models import Ballot, SealedBallot


def test_the_batch_statement_writes_every_ballot_column():
    columns = {f.column for f in Ballot._meta.concrete_fields if not f.primary_key}
    # A new column of Ballot must be written by voting.batchsql too (or have a database
    # default): this fails first, not a ballot on PostgreSQL.
    assert set(batchsql.BALLOT_COLUMNS) == columns


def test_the_sealed_batch_statement_writes_every_sealed_ballot_column():
    columns = {f.column for f in SealedBallot._meta.concrete_fields}
    assert set(batchsql.SEALED_COLUMNS) == columns
