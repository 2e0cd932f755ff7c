"""Proofs checked before the writer (voting.encrypted.prove, as the live edge runs it in
a pool of threads): the writer skips its own check only for a ``Proven`` that names the
binding, key and options it computes itself; every other rule still applies."""

import uuid
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.core.ballotcrypto import sealed as core_sealed
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.voting import encrypted
from besluit.voting.models import Ballot, SealedBallot
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


@pytest.fixture
def setup(association, chair, meeting):
    reps = [
        factories.make_user(
            f"prv-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(3)
    ]
    poll = factories.open_poll(chair, meeting, is_secret=True)
    return poll, reps


def _checked(poll, user, member, choice, *, for_member=""):
    """What the edge does before the writer: the context, then the proofs in a thread."""
    data, key = sealedkit.seal(poll, member, choice)
    [context] = encrypted.proof_contexts(poll.public_id, [(user.pk, for_member)])
    proven = encrypted.prove(poll.public_id, context, key, data)
    return encrypted.SealedRequest(user.pk, data, key, for_member=for_member, proven=proven)


def test_a_ballot_checked_before_the_writer_is_not_checked_again(association, setup):
    poll, reps = setup
    request = _checked(poll, reps[0], factories.member(association, 0), 1)
    assert request.proven is not None
    assert request.proven.voter == core_sealed.voter_binding(
        str(poll.public_id), factories.member(association, 0).code, request.request_key
    )
    with mock.patch.object(
        core_sealed, "verify_sealed", side_effect=AssertionError("checked twice")
    ):
        receipt = encrypted.cast_sealed(poll.pk, request)
    assert receipt.voter == request.proven.voter
    assert SealedBallot.objects.filter(poll=poll).count() == 1


def test_the_writer_checks_what_was_not_proven_for_its_binding(association, setup):
    poll, reps = setup
    # Proofs made and checked for member 0, sent by member 1's representative: the check
    # before the writer was for member 1's binding (it fails there: None), and a Proven
    # of member 0's binding, were one forged, names a binding the writer does not compute.
    data, key = sealedkit.seal(poll, factories.member(association, 0), 1)
    [context] = encrypted.proof_contexts(poll.public_id, [(reps[1].pk, "")])
    assert context[0] == factories.member(association, 1).code
    assert encrypted.prove(poll.public_id, context, key, data) is None
    [own] = encrypted.proof_contexts(poll.public_id, [(reps[0].pk, "")])
    foreign = encrypted.prove(poll.public_id, own, key, data)
    assert foreign is not None
    with pytest.raises(ValidationFailed, match="versleutelde stem is geweigerd"):
        encrypted.cast_sealed(
            poll.pk, encrypted.SealedRequest(reps[1].pk, data, key, proven=foreign)
        )
    # Bytes changed after the check: the tracker differs, and a Proven for other options
    # or another key does not skip the check either.
    stale = encrypted.Proven(foreign.voter, foreign.public_key, foreign.options + 1)
    with mock.patch.object(core_sealed, "verify_sealed", wraps=core_sealed.verify_sealed) as spy:
        encrypted.cast_sealed(poll.pk, encrypted.SealedRequest(reps[0].pk, data, key, proven=stale))
    assert spy.call_count == 1
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_every_other_rule_holds_for_a_proven_ballot(association, chair, setup):
    poll, reps = setup
    first = _checked(poll, reps[0], factories.member(association, 0), 0)
    encrypted.cast_sealed(poll.pk, first)
    # One ballot per member: a second, proven ballot of the same member is refused.
    with pytest.raises(Conflict, match="gestemd"):
        encrypted.cast_sealed(poll.pk, _checked(poll, reps[0], factories.member(association, 0), 1))
    # A member the sender holds no proxy of, though the proofs hold for that member.
    with pytest.raises(PermissionDenied, match="geen volmacht van"):
        encrypted.cast_sealed(
            poll.pk,
            _checked(
                poll,
                reps[1],
                factories.member(association, 2),
                0,
                for_member=factories.member(association, 2).code,
            ),
        )
    # A closed poll refuses a proven ballot.
    late = _checked(poll, reps[2], factories.member(association, 2), 1)
    from besluit.voting import services as voting

    voting.do_close_poll(actor=chair, poll=poll)
    with pytest.raises(Conflict):
        encrypted.cast_sealed(poll.pk, late)
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_the_proof_context_of_an_open_poll_costs_the_roles_query_only(association, setup):
    """The edge asks for every batch; the poll, its key and options are kept per process
    (voting.casting.kept and the election key), the senders' roles are read each time."""
    poll, reps = setup
    first = encrypted.proof_contexts(poll.public_id, [(reps[0].pk, "")])
    with CaptureQueriesContext(connection) as captured:
        again = encrypted.proof_contexts(poll.public_id, [(r.pk, "") for r in reps])
    assert len(captured) == 1, [q["sql"][:80] for q in captured]
    assert again[0] == first[0]
    assert [c[0] for c in again] == [factories.member(association, i).code for i in range(3)]
    assert encrypted.proof_contexts(poll.public_id, [(reps[0].pk, "")]) == first
    assert encrypted.proof_contexts(uuid.uuid4(), [(reps[0].pk, "")]) == [None]
