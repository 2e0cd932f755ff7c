"""A batch holding two requests of one member (a changeable poll): each answer tells
what that request did, and the stored ballot is the last one."""

import copy

import pytest

from besluit.voting import casting
from besluit.voting import services as voting
from besluit.voting.casting.kept import open_polls
from besluit.voting.models import Ballot, LogLeaf
from tests import factories

pytestmark = pytest.mark.django_db


def test_two_changes_in_one_batch_each_get_their_own_receipt(chair, meeting, representative):
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
        allow_change=True,
    )
    voting.do_open_poll(actor=chair, poll=poll)
    first, second, retry = casting.cast_batch(
        poll.pk,
        [
            casting.BallotRequest(representative.pk, "for", "k1"),
            casting.BallotRequest(representative.pk, "against", "k2"),
            casting.BallotRequest(representative.pk, "against", "k2"),
        ],
    )
    assert (first.option_key, first.changed) == ("for", False)
    assert (second.option_key, second.changed) == ("against", True)
    assert retry.replayed and retry.ballot_id == first.ballot_id == second.ballot_id
    assert first.log_receipt["index"] + 1 == second.log_receipt["index"]
    assert Ballot.objects.get(poll=poll).option.key == "against"
    assert LogLeaf.objects.filter(poll=poll).count() == 3  # opened + two ballots


def test_a_kept_poll_whose_key_names_another_row_now_is_read_again(chair, meeting, representative):
    """The writer keeps each open poll by primary key (casting.kept.open_polls) and checks
    under the locks that the key still names that poll: a key used again (SQLite takes
    the largest free one after a delete; tests roll back) is read afresh, and the ballot
    goes to the poll the key names."""
    one = factories.open_poll(chair, meeting, title="een")
    two = factories.open_poll(chair, meeting, title="twee")
    [kept] = casting.cast_batch(one.pk, [casting.BallotRequest(representative.pk, "option-1")])
    assert kept.poll_id == one.public_id
    stale = copy.copy(open_polls[one.pk])  # as if two's key had been one's
    stale.pk = two.pk
    open_polls[two.pk] = stale
    [receipt] = casting.cast_batch(two.pk, [casting.BallotRequest(representative.pk, "option-2")])
    assert isinstance(receipt, casting.Receipt) and receipt.poll_id == two.public_id
    assert Ballot.objects.get(poll=two).option.key == "option-2"
    assert Ballot.objects.get(poll=one).option.key == "option-1"
    assert open_polls[two.pk].public_id == two.public_id


def test_a_kept_poll_is_forgotten_once_closed(chair, meeting, representative):
    poll = factories.open_poll(chair, meeting)
    casting.cast_batch(poll.pk, [casting.BallotRequest(representative.pk, "option-1")])
    assert poll.pk in open_polls
    voting.do_close_poll(actor=chair, poll=poll)
    [refused] = casting.cast_batch(poll.pk, [casting.BallotRequest(representative.pk, "option-2")])
    assert refused.status == 409
    assert poll.pk not in open_polls
