"""One counted sealed ballot per member, whatever the clients do: real threads against a
real database (SQLite file; PostgreSQL in the second pass of scripts/test)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from besluit.associations.models import Role
from besluit.errors import Conflict
from besluit.voting import encrypted
from besluit.voting.models import Ballot, SealedBallot
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]


def test_concurrent_sealed_ballots_of_one_member_leave_exactly_one(transactional_db):
    association = factories.make_association(12, slug="gelijktijdig")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    users = [factories.make_user(f"t{i}", association, Role.Kind.BOARD) for i in range(3)]
    sealedkit.ceremony(chair, meeting, users, 2)
    member = factories.member(association, 3)
    reps = [
        factories.make_user(
            f"rep{i}", association, Role.Kind.REPRESENTATIVE, member=member, function=f
        )
        for i, f in enumerate(["mayor", "alderman", "council_member", "secretary"])
    ]
    poll = sealedkit.secret_poll(chair, meeting)
    # Each device encrypts its own ballot with its own request key.
    sealed = [sealedkit.seal(poll, member, i % 3) for i in range(16)]
    start = threading.Barrier(8)

    def vote(i: int):
        if i < 8:
            start.wait()
        data, key = sealed[i]
        request = encrypted.SealedRequest(user_id=reps[i % 4].pk, ballot=data, request_key=key)
        try:
            return encrypted.cast_sealed(poll.pk, request)
        except Conflict as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(vote, range(16)))
    accepted = [o for o in outcomes if isinstance(o, encrypted.SealedReceipt)]
    assert len(accepted) == 1, outcomes
    assert all("al gestemd" in o.message for o in outcomes if o not in accepted)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert list(SealedBallot.objects.filter(poll=poll).values_list("tracker", flat=True)) == [
        accepted[0].tracker
    ]
