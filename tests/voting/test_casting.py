"""A batch holding two requests of one member (a changeable poll): each answer tells
what that request did, and the stored ballot is the last one."""

import pytest

from besluit.voting import casting
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf
from tests import factories

pytestmark = pytest.mark.django_db


def test_two_changes_in_one_batch_each_get_their_own_receipt(chair, meeting, representative):
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal",
        proposal=factories.make_proposal(meeting), allow_change=True,
    )  # fmt: skip
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
