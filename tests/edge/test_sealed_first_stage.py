"""The sealed ballots' first stage at the edge (edge.ballots.sealed_first_stage): the
senders, their members and the proofs of a whole batch in one thread call, with a
number of statements that does not grow with the batch."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.edge import auth
from besluit.edge import ballots as edge_ballots
from besluit.voting import encrypted
from besluit.voting.models import SealedBallot
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


def _session(user) -> auth.Credential:
    client = Client()
    client.force_login(user)
    return auth.Credential("session", client.cookies["sessionid"].value)


@pytest.fixture
def voters(association, chair, meeting):
    poll = factories.open_poll(chair, meeting, is_secret=True)
    out = []
    for i in range(6):
        member = factories.member(association, i)
        user = factories.make_user(f"fs-{i}", association, Role.Kind.REPRESENTATIVE, member=member)
        out.append((user, member))
    return poll, out


def _items(poll, voters, *, spoil=()):
    items = []
    for i, (user, member) in enumerate(voters):
        data, key = sealedkit.seal(poll, member, i % 2)
        if i in spoil:  # a byte of the last proof changed: well formed, not proven
            data = data[:-1] + bytes([data[-1] ^ 1])
        items.append((_session(user), "", key, data))
    return items


def test_each_ballot_gets_its_sender_and_a_proven_check(voters):
    poll, reps = voters
    found = edge_ballots.sealed_first_stage(poll.public_id, _items(poll, reps, spoil={2}))
    assert [user for user, _ in found] == [u.pk for u, _ in reps]
    proven = [p for _, p in found]
    assert proven[2] is None  # the writer checks it again and refuses it
    for i, p in enumerate(proven):
        if i != 2:
            assert isinstance(p, encrypted.Proven)
            assert p.options == poll.options.count()


def test_no_sender_no_check(voters):
    """A credential behind which nobody is found gets None and no proof check."""
    poll, reps = voters
    items = _items(poll, reps[:2])
    items[1] = (auth.Credential("session", "no-such-session"), *items[1][1:])
    found = edge_ballots.sealed_first_stage(poll.public_id, items)
    assert found[0][0] == reps[0][0].pk and isinstance(found[0][1], encrypted.Proven)
    assert found[1] == (None, None)


def test_a_batch_costs_the_same_statements_as_one_ballot(voters):
    poll, reps = voters
    edge_ballots.sealed_first_stage(poll.public_id, _items(poll, reps[:1]))  # warm caches
    single, batch = _items(poll, reps[:1]), _items(poll, reps)
    with CaptureQueriesContext(connection) as one:
        edge_ballots.sealed_first_stage(poll.public_id, single)
    with CaptureQueriesContext(connection) as six:
        edge_ballots.sealed_first_stage(poll.public_id, batch)
    assert len(six.captured_queries) == len(one.captured_queries) <= 4


def test_one_ballots_failure_does_not_fail_the_batch(voters, monkeypatch):
    """An unexpected error in one ballot's check leaves it unproven (the writer checks it
    again and gives the reason); the other ballots of the batch are proven as before."""
    poll, reps = voters
    items = _items(poll, reps[:3])
    real = encrypted.prove

    def prove(poll_id, context, request_key, data):
        if request_key == items[1][2]:
            raise RuntimeError("surprise")
        return real(poll_id, context, request_key, data)

    monkeypatch.setattr(encrypted, "prove", prove)
    found = edge_ballots.sealed_first_stage(poll.public_id, items)
    assert [u for u, _ in found] == [u.pk for u, _ in reps[:3]]
    assert found[1][1] is None
    assert isinstance(found[0][1], encrypted.Proven) and isinstance(found[2][1], encrypted.Proven)


def test_another_associations_representative_gets_no_check(voters, client):
    """A representative of another association behind a valid session: found as a user,
    but its ballot is not checked for this poll's key (None), and the endpoint refuses it
    without storing anything."""
    poll, reps = voters
    other = factories.make_association(slug="andere")
    member = factories.member(other, 0)
    outsider = factories.make_user("fs-out", other, Role.Kind.REPRESENTATIVE, member=member)
    data, key = sealedkit.seal(poll, reps[0][1], 1)  # a well-made ballot, someone else's
    [(user, proven)] = edge_ballots.sealed_first_stage(
        poll.public_id, [(_session(outsider), "", key, data)]
    )
    assert user == outsider.pk and proven is None
    client.force_login(outsider)
    answer = client.post(
        f"/api/v1/polls/{poll.public_id}/sealed-ballots",
        {"ballot": data.hex(), "requestKey": key},
        content_type="application/json",
    )
    assert answer.status_code in (403, 404), answer.content
    assert answer["Content-Type"].startswith("application/problem+json")
    assert not SealedBallot.objects.filter(poll=poll).exists()
