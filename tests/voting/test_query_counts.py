"""Casting a ballot and closing a poll cost a fixed number of queries, whatever the size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from besluit.associations.models import Role
from besluit.voting import casting, encrypted
from besluit.voting import services as voting
from tests import factories
from tests.voting import sealedkit

pytestmark = pytest.mark.django_db


def _poll(n_members: int, slug: str, *, secret: bool = False):
    association = factories.make_association(n_members, slug=slug)
    chair = factories.make_user(f"chair-{slug}", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    if secret:
        factories.trustees_for(chair, meeting)
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
            _cast(poll, rep, "for")
        if secret:  # the browser's work is done before the measurement
            data, key = sealedkit.seal(poll, factories.member(poll.meeting.association, 2), 1)
            request = encrypted.SealedRequest(user_id=reps[2].pk, ballot=data, request_key=key)
            ballot = _queries(lambda p=poll, r=request: encrypted.cast_sealed(p.pk, r))
        else:
            ballot = _queries(lambda p=poll, r=reps[2]: _cast(p, r, "against"))
        close = _queries(lambda p=poll, c=chair: voting.do_close_poll(actor=c, poll=p))
        counts[n] = (ballot, close)
    assert counts[12] == counts[342], counts
    ballot, close = counts[12]
    # A ballot (voting.casting): before the locks the poll, the roles, the register
    # entries, the options; the locks with the poll's status and the log's state (on
    # SQLite two reads), existing ballots; then the log's leaves and its new state,
    # the ballot, the secret tally's row for a secret poll; and the transaction's
    # savepoint. Fixed, whatever n. The close also asks, once per announced event (poll
    # closed, decision recorded), which webhook subscriptions want it, and whether the
    # poll is encrypted (its trustees) and needs the meeting's quorum (attendance).
    assert ballot <= 14 and close <= 28, counts


def _cast(poll, rep, key):
    if poll.is_secret:
        return factories.sealed_vote(poll, rep, key)
    return voting.cast_ballot(actor=rep, poll=poll, option_key=key)


def test_a_batch_of_ballots_costs_what_one_ballot_costs(settings):
    """The live ballot endpoint writes what arrives together in one batch: 5 or 60
    ballots, with request keys and some refused, take the same statements."""
    association = factories.make_association(70, slug="batch")
    chair = factories.make_user("chair-batch", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)

    def open_poll():
        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject="proposal",
            proposal=factories.make_proposal(meeting),
        )
        return voting.do_open_poll(actor=chair, poll=poll)

    reps = [
        factories.make_user(
            f"rep-batch-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(65)
    ]

    def batch(poll, users):
        requests = [
            casting.BallotRequest(u.pk, "for" if i % 2 else "against", f"key-{poll.pk}-{u.pk}")
            for i, u in enumerate(users)
        ]
        requests.append(casting.BallotRequest(chair.pk, "for"))  # not a representative
        requests.append(casting.BallotRequest(users[0].pk, "for", "other"))  # voted already
        with CaptureQueriesContext(connection) as captured:
            outcomes = casting.cast_batch(poll.pk, requests)
        assert sum(isinstance(o, casting.Receipt) for o in outcomes) == len(users)
        return len(captured)

    small, large = batch(open_poll(), reps[:5]), batch(open_poll(), reps[5:65])
    assert small == large, (small, large)


def test_exact_counts_for_the_record():
    """The figures quoted in docs/benchmarks.md."""
    chair, poll, reps = _poll(12, "record")
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="for")
    ballot = _queries(lambda: voting.cast_ballot(actor=reps[1], poll=poll, option_key="for"))
    close = _queries(lambda: voting.do_close_poll(actor=chair, poll=poll))
    print(f"queries: ballot={ballot} close={close}")
    assert ballot > 0 and close > 0


def test_a_batch_of_sealed_ballots_costs_what_one_costs():
    """The edge writes sealed ballots in batches too: 5 or 60 ballots, with a retry and
    refusals among them, take the same statements (the proofs are checked before)."""
    association = factories.make_association(70, slug="sealed-batch")
    chair = factories.make_user("chair-sealed", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    factories.trustees_for(chair, meeting)
    reps = [
        factories.make_user(
            f"rep-sealed-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(65)
    ]

    def batch(users):
        poll = factories.open_poll(chair, meeting, is_secret=True, title=f"{len(users)}")
        requests = []
        for i, u in enumerate(users):
            data, key = sealedkit.seal(poll, factories.member(association, reps.index(u)), i % 2)
            requests.append(encrypted.SealedRequest(u.pk, data, key))
        requests.append(requests[0])  # the same request twice: one ballot
        requests.append(encrypted.SealedRequest(chair.pk, requests[1].ballot, "k" * 22))
        bad = bytearray(requests[2].ballot)
        bad[-1] ^= 1
        requests.append(encrypted.SealedRequest(users[2].pk, bytes(bad), "z" * 22))
        with CaptureQueriesContext(connection) as captured:
            outcomes = encrypted.cast_sealed_batch(poll.pk, requests)
        accepted = [o for o in outcomes if isinstance(o, encrypted.SealedReceipt)]
        assert len(accepted) == len(users) + 1 and accepted[-1].replayed
        assert len({o.log_receipt["checkpoint"]["checkpoint"]["size"] for o in accepted}) == 1
        return len(captured)

    small, large = batch(reps[:5]), batch(reps[5:65])
    assert small == large, (small, large)


def test_a_retried_sealed_ballot_costs_the_same_whatever_the_log_size(
    django_capture_on_commit_callbacks,
):
    """A retry (same member and request key) finds its leaf by tracker in the process's
    tree of the log, which this process's own commits keep up to date: the same
    statements after 3 or 40 ballots, the catch-up read finds no leaf to read, one leaf
    is read, and the receipt is the one a fresh process builds from the whole log."""
    from besluit.voting import log as vote_log
    from besluit.voting.models import PollLog

    association = factories.make_association(45, slug="sealed-retry")
    chair = factories.make_user("chair-retry", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    factories.trustees_for(chair, meeting)
    reps = [
        factories.make_user(
            f"rep-retry-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(43)
    ]

    def retry_after(users):
        with django_capture_on_commit_callbacks(execute=True):
            poll = factories.open_poll(chair, meeting, is_secret=True, title=f"{len(users)}")
            requests = []
            for i, u in enumerate(users):
                member = factories.member(association, reps.index(u))
                data, key = sealedkit.seal(poll, member, i % 2)
                requests.append(encrypted.SealedRequest(u.pk, data, key))
            first = encrypted.cast_sealed_batch(poll.pk, requests[:1])[0]
            for i in range(1, len(requests), 7):
                encrypted.cast_sealed_batch(poll.pk, requests[i : i + 7])
        size = PollLog.objects.get(poll=poll).size
        assert size == len(users) + 1  # the opening leaf and one per ballot
        assert vote_log._trees[poll.public_id].tree.size == size  # nothing left to read
        now = timezone.now()
        with CaptureQueriesContext(connection) as captured:
            again = encrypted.cast_sealed(poll.pk, requests[0], now=now)
        assert again.replayed and again.log_receipt["index"] == first.log_receipt["index"]
        leaf_reads = [q["sql"] for q in captured.captured_queries if "logleaf" in q["sql"]]
        # The catch-up from the log's size (nothing new) and the one leaf, by index.
        index = first.log_receipt["index"]
        assert len(leaf_reads) == 2, leaf_reads
        assert f'"index" >= {size}' in leaf_reads[0], leaf_reads
        assert f'"index" = {index}' in leaf_reads[1], leaf_reads
        # A process that never saw this log (after a restart) reads it all, to the same receipt.
        vote_log._trees.clear()
        assert encrypted.cast_sealed(poll.pk, requests[0], now=now) == again
        return len(captured)

    small, large = retry_after(reps[:3]), retry_after(reps[3:43])
    assert small == large, (small, large)
