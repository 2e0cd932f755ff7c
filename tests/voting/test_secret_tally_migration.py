"""Migrating secret totals from a decimal column (REAL on SQLite) to integer millionths.

A total that SQLite had added to 98.88999999999999 becomes exactly 98.890000.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from besluit.voting import services
from besluit.voting.models import Poll, SecretTally
from tests import factories

BEFORE = [("voting", "0006_leaner_indexes")]
AFTER = [("voting", "0008_remove_secrettally_weight")]


@pytest.mark.dbbackend
@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_existing_secret_totals_are_converted_exactly(chair, meeting):
    poll = services.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject=Poll.Subject.PROPOSAL,
        proposal=factories.make_proposal(meeting),
        is_secret=True,
    )
    # The rows a plaintext secret poll had (opened before every secret poll was
    # encrypted); no poll opens that way any more.
    SecretTally.objects.bulk_create(SecretTally(poll=poll, option=o) for o in poll.options.all())
    table = SecretTally._meta.db_table
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        totals = dict(
            zip(
                SecretTally.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True),
                ["98.88999999999999", "13442.54", "0"],
                strict=True,
            )
        )
        with connection.cursor() as cursor:
            for pk, total in totals.items():
                # As SQLite's floating-point addition left it (PostgreSQL keeps it as given).
                value = float(total) if connection.vendor == "sqlite" else total
                cursor.execute(f"UPDATE {table} SET weight = %s WHERE id = %s", [value, pk])
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, weight_micro FROM {table} WHERE poll_id = %s", [poll.pk])
            micro = dict(cursor.fetchall())
        assert micro == {
            pk: int(Decimal(total).quantize(Decimal("0.000001")).scaleb(6))
            for pk, total in totals.items()
        }
        assert sorted(micro.values()) == [0, 98890000, 13442540000]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
