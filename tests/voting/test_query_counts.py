"""Casting a ballot and closing a poll cost a fixed number of queries, whatever the size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.voting import services as voting
from tests import factories

pytestmark = pytest.mark.django_db


def _poll(n_members: int, slug: str, *, secret: bool = False):
    association = factories.make_association(n_members, slug=slug)
    chair = factories.make_user(f"chair-{slug}", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
        is_secret=secret,
    )
    poll = voting.do_open_poll(actor=chair, poll=poll)
    reps = [
        factories.make_user(
            f"rep-{slug}-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(3)
    ]
    return chair, poll, reps


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_ballot_and_close_queries_do_not_grow_with_members(secret):
    counts = {}
    for n, slug in ((12, "klein"), (342, "groot")):
        chair, poll, reps = _poll(n, slug, secret=secret)
        # Warm the per-user role cache the way a request does, then measure the ballot.
        for rep in reps[:2]:
            voting.cast_ballot(actor=rep, poll=poll, option_key="for")
        ballot = _queries(
            lambda p=poll, r=reps[2]: voting.cast_ballot(actor=r, poll=p, option_key="against")
        )
        close = _queries(lambda p=poll, c=chair: voting.do_close_poll(actor=c, poll=p))
        counts[n] = (ballot, close)
    assert counts[12] == counts[342], counts
    ballot, close = counts[12]
    # A ballot: role, poll, register entry, option, insert (in a savepoint), the
    # vote log's state, leaf and frontier, the ballot's leaf index. Fixed, whatever n.
    assert ballot <= 14 and close <= 22, counts


def test_exact_counts_for_the_record():
    """The figures quoted in docs/benchmarks.md."""
    chair, poll, reps = _poll(12, "record")
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="for")
    ballot = _queries(lambda: voting.cast_ballot(actor=reps[1], poll=poll, option_key="for"))
    close = _queries(lambda: voting.do_close_poll(actor=chair, poll=poll))
    print(f"queries: ballot={ballot} close={close}")
    assert ballot > 0 and close > 0
