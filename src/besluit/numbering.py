"""The next number in a series: motions of a meeting, amendments of a proposal, positions.

Reading ``Max(field) + 1`` and then inserting is a race: two transactions read the same
maximum and the second insert fails on the unique constraint (or, without one, two rows
share a number). ``next_number`` first locks the parent row whose children are numbered
(``SELECT ... FOR UPDATE`` on PostgreSQL), so a second caller waits until the first has
committed and then reads the new maximum. Under READ COMMITTED (Django's default on
PostgreSQL) each statement sees what was committed before it started, so the waiting
caller's ``Max`` includes the first caller's row. On SQLite the project begins every
transaction with BEGIN IMMEDIATE, which serialises writers already; the lock is a no-op.
"""

from __future__ import annotations

from django.db.models import Max, Model, QuerySet


def next_number(queryset: QuerySet, field: str = "number", *, lock: Model) -> int:
    """1 + the highest ``field`` in ``queryset`` (1 for an empty series).

    ``lock`` is the parent row (the meeting for motions, the proposal for amendments);
    it stays locked until the caller's transaction ends. Call inside that transaction
    (outside one, Django refuses the lock with TransactionManagementError).
    """
    # No ordering (a model's default ordering may join a nullable relation, which
    # PostgreSQL refuses to lock) and only the parent's own row.
    rows = type(lock)._default_manager.filter(pk=lock.pk).order_by()
    list(rows.select_for_update(of=("self",)).values_list("pk", flat=True))
    return (queryset.aggregate(n=Max(field))["n"] or 0) + 1
