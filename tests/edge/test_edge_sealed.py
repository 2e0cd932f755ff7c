"""Sealed (encrypted) ballots at the edge (edge.ballots.cast_sealed) in a real server
process: a burst is written in batches, each ballot's proofs checked before the batch's
locks, every ballot counted once; a plaintext choice for a secret poll is refused."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from besluit.associations.models import Role
from besluit.core.sealedbundle import verify_sealed_bundle
from besluit.voting import log as vote_log
from besluit.voting.models import Ballot, SealedBallot
from tests import factories
from tests.edge.client import bearer, post
from tests.live.servers import server
from tests.voting import sealedkit

pytestmark = [
    pytest.mark.dbbackend,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("live-servers"),
]


def test_a_burst_of_sealed_ballots_is_batched_and_counted_once(transactional_db, tmp_path):
    association = factories.make_association(40, slug="edge-sealed")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    reps = [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(30)
    ]
    poll = factories.open_poll(chair, meeting, is_secret=True)
    # The browsers' work, done beforehand: one ballot per member, choices known here.
    choices = [i % 2 for i in range(30)]
    sealed = [sealedkit.seal(poll, factories.member(association, i), choices[i]) for i in range(30)]
    headers = [bearer(rep) for rep in reps]
    with server(data_dir=tmp_path) as base:

        def send(i):
            data, key = sealed[i]
            body = {"ballot": data.hex(), "requestKey": key}
            return post(base, poll.public_id, body, headers[i], path="sealed-ballots")

        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(send, range(30)))
        assert [a[0] for a in answers] == [201] * 30, answers[0]
        # A retry of the same request: the same receipt, nothing new.
        again = send(3)
        assert again[0] == 200 and again[2]["replayed"] is True
        assert again[2]["tracker"] == answers[3][2]["tracker"]
        # Bytes sealed for another member, sent by rep 0: the proof does not hold.
        data, key = sealed[5]
        wrong = post(
            base,
            poll.public_id,
            {"ballot": data.hex(), "requestKey": key},
            headers[0],
            path="sealed-ballots",
        )
        assert wrong[0] in (400, 409)
        # A plaintext choice for a secret poll: a problem naming the option.
        plain = post(base, poll.public_id, {"option": "option-1"}, headers[6])
        assert plain[0] == 400 and plain[2]["invalidParams"][0]["name"] == "option"
    assert Ballot.objects.filter(poll=poll).count() == 30 == SealedBallot.objects.count()
    sizes = {a[2]["logReceipt"]["checkpoint"]["checkpoint"]["size"] for a in answers}
    assert len(sizes) < 30  # batched: ballots of one batch share a signed checkpoint
    poll = factories.close_secret(chair, poll)
    assert poll.outcome.option("option-1").members == 15
    assert verify_sealed_bundle(vote_log.bundle_bytes(poll)) == []
