"""A poll that opens is read into each worker's caches before its first ballots
(voting.casting.warm, called by the edge when it sees the poll open)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.voting import casting
from besluit.voting import services as voting
from besluit.voting.casting import kept
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened():
    association = factories.make_association(20, slug="warm")
    chair = factories.make_user("chair-warm", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    poll = factories.open_poll(
        chair, meeting, subject="proposal", proposal=factories.make_proposal(meeting)
    )
    reps = factories.make_reps(association, 2, "rep-warm")
    return chair, poll, reps


def _forget_everything():
    kept.poll_pks.clear()
    kept.open_polls.clear()
    kept._facts.clear()


def _first_batch(poll, rep) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        (outcome,) = casting.cast_by_public_id(
            poll.public_id, [casting.BallotRequest(rep.pk, "for")]
        )
    assert isinstance(outcome, casting.Receipt)
    return [q["sql"] for q in captured]


def test_a_warmed_poll_s_first_batch_reads_no_poll_register_or_options(opened):
    _chair, poll, reps = opened
    _forget_everything()
    cold = _first_batch(poll, reps[0])

    _forget_everything()
    casting.warm(poll.public_id)
    assert kept.poll_pks[poll.public_id] == poll.pk
    assert poll.pk in kept.open_polls and poll.public_id in kept._facts
    warm = _first_batch(poll, reps[1])

    # Cold, the batch looked up the poll's key, read the poll, its options and its
    # register; warmed, none of those four.
    assert len(cold) - len(warm) == 4, (cold, warm)
    assert not any('"voting_registerentry"' in sql and "SELECT" in sql for sql in warm)
    assert not any('FROM "voting_polloption"' in sql for sql in warm)
    assert any('FROM "voting_polloption"' in sql for sql in cold)


def test_a_poll_no_longer_open_is_not_kept(opened):
    chair, poll, _reps = opened
    voting.do_close_poll(actor=chair, poll=poll)
    _forget_everything()
    casting.warm(poll.public_id)
    assert poll.pk not in kept.open_polls and poll.public_id not in kept._facts


def test_an_unknown_poll_warms_nothing(opened):
    import uuid

    _forget_everything()
    casting.warm(uuid.uuid4())
    assert not kept.poll_pks and not kept.open_polls and not kept._facts
