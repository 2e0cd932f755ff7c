"""A retried request's receipt: proven at the log's current size, without rebuilding the
whole tree each time (voting.log keeps the committed part per process)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.core import merkle
from besluit.core import votelog as vl
from besluit.voting import casting
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import LogLeaf
from tests import factories

pytestmark = pytest.mark.django_db


def _open_poll(chair, meeting):
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=factories.make_proposal(meeting)
    )
    return voting.do_open_poll(actor=chair, poll=poll)


def _reps(association, n):
    return [
        factories.make_user(
            f"rep-again-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(n)
    ]


def _check(receipt, poll):
    """The receipt's proof leads from its leaf to its checkpoint's root, which is the root
    of the whole log as stored, and the checkpoint is signed by this installation."""
    stored = LogLeaf.objects.filter(poll=poll).order_by("index").values_list("data", flat=True)
    leaves = [d.encode() for d in stored]
    cp = receipt["checkpoint"]["checkpoint"]
    assert cp["size"] == len(leaves)
    assert cp["root"] == vl.to_hex(merkle.root(leaves))
    assert vl.decode_event(leaves[receipt["index"]]) == receipt["event"]
    assert merkle.verify_inclusion(
        merkle.leaf_hash(leaves[receipt["index"]]),
        receipt["index"],
        len(leaves),
        [vl.from_hex(h) for h in receipt["proof"]],
        merkle.root(leaves),
    )
    public = vl.public_key_for(vote_log.private_key())
    assert vl.verify_checkpoint(receipt["checkpoint"], public) == []


def test_a_retry_reads_only_the_leaves_since_the_previous_one(association, chair, meeting):
    poll = _open_poll(chair, meeting)
    reps = _reps(association, 12)
    requests = [casting.BallotRequest(r.pk, "for", f"key-{r.pk}") for r in reps[:8]]
    casting.cast_batch(poll.pk, requests)
    retry = casting.cast_batch(poll.pk, requests[:1])[0]
    assert retry.replayed
    _check(retry.log_receipt, poll)
    # Four more ballots, then a retry of another one: only those four leaves are read.
    casting.cast_batch(poll.pk, [casting.BallotRequest(r.pk, "for", f"k{r.pk}") for r in reps[8:]])
    with CaptureQueriesContext(connection) as captured:
        again = casting.cast_batch(poll.pk, requests[3:4])[0]
    assert again.replayed
    _check(again.log_receipt, poll)
    leaf_reads = [
        q["sql"] for q in captured if '"voting_logleaf"' in q["sql"] and "SELECT" in q["sql"]
    ]
    assert len(leaf_reads) == 2  # the leaves since the kept tree; the retried one (kept)
    assert vote_log._trees[poll.public_id].tree.size == LogLeaf.objects.filter(poll=poll).count()


def test_a_retry_in_the_batch_that_cast_it_is_proven_with_the_batch(association, chair, meeting):
    poll = _open_poll(chair, meeting)
    rep = _reps(association, 1)[0]
    request = casting.BallotRequest(rep.pk, "for", "k")
    first, retry = casting.cast_batch(poll.pk, [request, request])
    assert retry.replayed and retry.ballot_id == first.ballot_id
    _check(retry.log_receipt, poll)
    # The batch's own leaves were not committed when the retry was answered: not kept.
    assert vote_log._trees[poll.public_id].tree.size == 1  # the opened event only
