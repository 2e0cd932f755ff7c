"""A sealed ballot whose point carries the top bit (a second encoding of the same point,
which rbcl's libsodium 1.0.18 accepted) is refused through the API, and leaves no ballot,
no participation row and no log leaf, only the refusal's audit entry."""

import pytest

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.voting.models import Ballot, LogLeaf, SealedBallot
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


def test_a_second_encoding_of_a_point_is_refused(chair, meeting, association, client):
    trustees = [factories.make_user(f"trustee-{n}", association, Role.Kind.BOARD) for n in "abc"]
    member = factories.member(association, 0)
    user = factories.make_user("rep-0", association, Role.Kind.REPRESENTATIVE, member=member)
    sealedkit.ceremony(chair, meeting, trustees, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    data, key = sealedkit.seal(poll, member, 1)
    # The first ciphertext's alpha: bytes 4..35 of the ballot; its last byte's top bit.
    spoiled = bytearray(data)
    spoiled[35] |= 0x80
    token = ApiToken.issue(user, "test")[1]
    leaves = LogLeaf.objects.filter(poll=poll).count()
    answer = client.post(
        f"/api/v1/polls/{poll.public_id}/sealed-ballots",
        {"ballot": bytes(spoiled).hex(), "requestKey": key},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"].startswith("application/problem+json")
    assert "point_invalid" in answer.json()["detail"]
    assert not SealedBallot.objects.filter(poll=poll).exists()
    assert not Ballot.objects.filter(poll=poll).exists()
    assert LogLeaf.objects.filter(poll=poll).count() == leaves
    assert AuditEvent.objects.filter(action="ballot.refused").count() == 1
    # The same ballot with its own encoding is accepted.
    answer = client.post(
        f"/api/v1/polls/{poll.public_id}/sealed-ballots",
        {"ballot": data.hex(), "requestKey": key},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 201, answer.content
