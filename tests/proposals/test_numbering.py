"""Numbers in a series stay unique when two people submit at the same moment.

Two representatives submit a motion (or an amendment) at once, as at the deadline.
Each thread pauses right after reading the highest number so far, until the other has
read it too (or a second has passed): without a lock both read the same maximum and
the second insert fails on the unique constraint. With the parent row locked
(besluit.numbering), the second waits for the first to commit and takes the next
number. Real threads and a real database: SQLite here, PostgreSQL in the second pass
of scripts/test (marker dbbackend).
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from besluit.accountability import services as accountability
from besluit.associations.models import Role
from besluit.numbering import next_number
from besluit.proposals import services as proposals
from besluit.proposals.models import Amendment, Motion
from tests import factories
from tests.accountability.helpers import adopt_by_vote, submit_motion, voters

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]


def _submit_at_once(submit, table: str) -> list:
    """Run ``submit(i)`` in two threads that meet after reading ``Max(number)`` of ``table``."""
    met = threading.Barrier(2, timeout=1)

    def pause_after_max(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT MAX(") and table in sql:
            # Broken: the other thread waits for our lock, so go on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                met.wait()
        return result

    def run(i: int):
        try:
            with connection.execute_wrapper(pause_after_max):
                return submit(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


@pytest.fixture
def two_representatives(transactional_db):
    association = factories.make_association(4, slug="gelijk")
    reps = [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(2)
    ]
    return association, reps


def test_two_motions_submitted_at_once_get_numbers_1_and_2(two_representatives):
    association, reps = two_representatives
    meeting = factories.make_meeting(association)

    def submit(i: int) -> Motion:
        return proposals.do_submit_motion(
            actor=reps[i],
            meeting=meeting,
            title=f"Motie {i}",
            considerations="- de termijn sluit vandaag;",
            request="iets te doen.",
        )

    motions = _submit_at_once(submit, Motion._meta.db_table)
    assert sorted(m.number for m in motions) == [1, 2]
    assert sorted(Motion.objects.filter(meeting=meeting).values_list("number", flat=True)) == [
        1,
        2,
    ]


def test_two_amendments_submitted_at_once_get_numbers_1_and_2(two_representatives):
    association, reps = two_representatives
    proposal = factories.make_proposal(factories.make_meeting(association))

    def submit(i: int) -> Amendment:
        return proposals.do_submit_amendment(
            actor=reps[i],
            proposal=proposal,
            passage="eerste zin",
            old_text="het fonds",
            new_text=f"het fonds ({i})",
        )

    amendments = _submit_at_once(submit, Amendment._meta.db_table)
    assert sorted(a.number for a in amendments) == [1, 2]


def test_a_parent_whose_ordering_joins_a_nullable_relation_can_be_locked(two_representatives):
    # Commitment's default ordering joins the (nullable) motion; PostgreSQL refuses
    # FOR UPDATE on the nullable side of an outer join unless the lock leaves it out.
    association, reps = two_representatives
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    motion = submit_motion(reps[0], meeting)
    adopt_by_vote(chair, motion, voters(association, range(1, 4)))
    commitment = motion.commitments.get()
    secretariat = factories.make_user("sec", association, Role.Kind.SECRETARIAT)
    for title in ("Inventarisatie", "Overleg"):
        accountability.do_add_milestone(actor=secretariat, commitment=commitment, title=title)
    assert list(commitment.milestones.values_list("position", flat=True)) == [1, 2]
    with transaction.atomic():
        assert next_number(commitment.milestones, "position", lock=commitment) == 3
