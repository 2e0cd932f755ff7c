"""Proxies (volmachten) in sealed (encrypted) secret polls: the holder casts a sealed ballot
for the member it represents, bound to that member and weighed with its frozen weight; the
grantor's own representative is refused, as in named polls (voting.casting)."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from besluit import verify
from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.audit.models import AuditEvent
from besluit.core import sealedbundle
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.voting import encrypted
from besluit.voting import log as vote_log
from besluit.voting.models import Ballot, RegisterEntry, SealedBallot
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


def m(association, i):
    return factories.member(association, i)


@pytest.fixture
def reps(association, secretariat):
    """A representative for each of the first six members; member 0 gives its proxy to
    member 1 and member 2 to member 3, approved before the poll opens."""
    attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    users = [
        factories.make_user(
            f"rep-{i}", association, Role.Kind.REPRESENTATIVE, member=m(association, i)
        )
        for i in range(6)
    ]
    meeting = factories.make_meeting(association)
    for grantor, holder in ((0, 1), (2, 3)):
        attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, holder))
        attendance.do_request_proxy(
            actor=secretariat,
            meeting=meeting,
            grantor=m(association, grantor),
            holder=m(association, holder),
            approve=True,
        )
    return users, meeting


@pytest.fixture
def poll(chair, reps):
    _, meeting = reps
    return factories.open_poll(chair, meeting, is_secret=True)


def _request(poll, user, member, choice, *, for_member="", key=None):
    data, key = sealedkit.seal(poll, member, choice, key)
    return encrypted.SealedRequest(user.pk, data, key, for_member=for_member)


def _weight(poll, member) -> Decimal:
    return Decimal(RegisterEntry.objects.get(poll=poll, member=member).weight)


def test_the_holder_votes_for_the_member_it_represents_with_its_weight(
    association, chair, reps, poll
):
    users, _ = reps
    a, b, d = m(association, 0), m(association, 1), m(association, 4)
    assert RegisterEntry.objects.get(poll=poll, member=a).represented_by == b
    own = factories.sealed_vote(poll, users[1], "option-1")
    request = _request(poll, users[1], a, 1, for_member=a.code)
    on_behalf = encrypted.cast_sealed(poll.pk, request)
    factories.sealed_vote(poll, users[4], "option-1")
    assert not on_behalf.replayed and on_behalf.voter != own.voter
    ballot = Ballot.objects.get(poll=poll, member=a)
    assert ballot.proxy == b and ballot.option_id is None and ballot.cast_at == poll.opened_at
    assert Ballot.objects.get(poll=poll, member=b).proxy is None
    # The sealed row and its leaf carry the represented member's weight, and no member.
    row = SealedBallot.objects.get(poll=poll, tracker=on_behalf.tracker)
    event = on_behalf.log_receipt["event"]
    assert a.code not in json.dumps(event) and b.code not in json.dumps(event)
    assert row.weight_units == event["weight_units"]
    # The same request again (a flaky connection): the same receipt, no second ballot.
    assert encrypted.cast_sealed(poll.pk, request).replayed
    # A new ballot for the same member: one ballot per member, as in named polls.
    with pytest.raises(Conflict, match="gestemd"):
        encrypted.cast_sealed(poll.pk, _request(poll, users[1], a, 0, for_member=a.code))
    assert Ballot.objects.filter(poll=poll).count() == SealedBallot.objects.count() == 3

    decided = factories.close_secret(chair, poll)
    result = decided.outcome
    assert result.option("option-2").weight == _weight(poll, a)
    assert result.option("option-1").weight == _weight(poll, b) + _weight(poll, d)
    assert result.option("option-2").members == 1 and result.option("option-1").members == 2


def test_the_grantor_is_refused_with_an_audit_entry(association, reps, poll):
    users, _ = reps
    with pytest.raises(PermissionDenied, match="bij volmacht vertegenwoordigd"):
        factories.sealed_vote(poll, users[0], "option-1")
    # Naming itself changes nothing; naming another member it holds no proxy of neither.
    with pytest.raises(PermissionDenied, match="bij volmacht vertegenwoordigd"):
        encrypted.cast_sealed(
            poll.pk,
            _request(poll, users[0], m(association, 0), 0, for_member=m(association, 0).code),
        )
    with pytest.raises(PermissionDenied, match="geen volmacht van"):
        encrypted.cast_sealed(
            poll.pk,
            _request(poll, users[4], m(association, 2), 0, for_member=m(association, 2).code),
        )
    assert not Ballot.objects.filter(poll=poll).exists() and not SealedBallot.objects.exists()
    refusals = AuditEvent.objects.filter(action="ballot.refused", object_id=str(poll.pk))
    assert refusals.count() == 3
    assert {e.actor_id for e in refusals} == {users[0].pk, users[4].pk}


def test_a_ballot_made_for_one_member_is_refused_for_another(association, reps, poll):
    users, _ = reps
    # Member 1 holds the proxy of member 0; a ballot sealed for member 1 itself (its own
    # binding) sent as member 0's fails the proofs, and the other way round.
    data, key = sealedkit.seal(poll, m(association, 1), 0)
    with pytest.raises(ValidationFailed, match="versleutelde stem is geweigerd"):
        encrypted.cast_sealed(
            poll.pk,
            encrypted.SealedRequest(users[1].pk, data, key, for_member=m(association, 0).code),
        )
    data, key = sealedkit.seal(poll, m(association, 0), 0)
    with pytest.raises(ValidationFailed, match="versleutelde stem is geweigerd"):
        encrypted.cast_sealed(poll.pk, encrypted.SealedRequest(users[1].pk, data, key))
    # Member 3's holder replaying member 0's ballot for member 2 (whose proxy it holds).
    with pytest.raises(ValidationFailed, match="versleutelde stem is geweigerd"):
        encrypted.cast_sealed(
            poll.pk,
            encrypted.SealedRequest(users[3].pk, data, key, for_member=m(association, 2).code),
        )
    assert not Ballot.objects.filter(poll=poll).exists()
    # Sent for the member it was made for, by its holder, it counts.
    receipt = encrypted.cast_sealed(
        poll.pk, encrypted.SealedRequest(users[1].pk, data, key, for_member=m(association, 0).code)
    )
    assert Ballot.objects.get(poll=poll, member=m(association, 0)).proxy == m(association, 1)
    assert not receipt.replayed


def test_the_batch_path_applies_the_same_rules(association, reps, poll):
    users, _ = reps
    a, b, c, dd = (m(association, i) for i in range(4))
    requests = [
        _request(poll, users[1], b, 0),
        _request(poll, users[1], a, 1, for_member=a.code),
        _request(poll, users[0], a, 0),  # the grantor
        _request(poll, users[3], c, 1, for_member=c.code),
        _request(poll, users[3], dd, 0),
        _request(poll, users[1], c, 0, for_member=c.code),  # not its proxy
    ]
    outcomes = encrypted.cast_sealed_batch(poll.pk, requests)
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == [
        "SealedReceipt",
        "SealedReceipt",
        "PermissionDenied",
        "SealedReceipt",
        "SealedReceipt",
        "PermissionDenied",
    ]
    proxies = dict(Ballot.objects.filter(poll=poll).values_list("member_id", "proxy_id"))
    assert proxies == {b.pk: None, a.pk: b.pk, c.pk: dd.pk, dd.pk: None}
    assert AuditEvent.objects.filter(action="ballot.refused", object_id=str(poll.pk)).count() == 2


def test_the_bundle_of_a_poll_with_proxy_ballots_verifies(association, chair, reps, poll, tmp_path):
    users, _ = reps
    a = m(association, 0)
    factories.sealed_vote(poll, users[1], "option-1")
    encrypted.cast_sealed(poll.pk, _request(poll, users[1], a, 1, for_member=a.code))
    factories.sealed_vote(poll, users[5], "option-2")
    decided = factories.close_secret(chair, poll)
    data = vote_log.bundle_bytes(decided)
    assert sealedbundle.verify_sealed_bundle(data) == []
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    out = io.StringIO()
    assert verify.main([str(path)], out=out, err=out) == 0, out.getvalue()
    # The bundle names who took part, never with a choice nor with the holder's ballot.
    assert a.code not in json.dumps(
        [e for e in json.loads(data)["log"]["leaves"] if e["type"] == "sealed_ballot"]
    )


def test_proxy_ballots_in_a_batch_cost_no_extra_statement(association, reps, poll):
    users, _ = reps

    def count(requests):
        with CaptureQueriesContext(connection) as captured:
            outcomes = encrypted.cast_sealed_batch(poll.pk, requests)
        assert all(isinstance(o, encrypted.SealedReceipt) for o in outcomes), outcomes
        return len(captured)

    # The first batch of an open poll in a process reads its register, options and key
    # once (voting.encrypted keeps them); a refused ballot (member 0 gave its proxy) does.
    warm = encrypted.cast_sealed_batch(poll.pk, [_request(poll, users[0], m(association, 0), 0)])
    assert isinstance(warm[0], PermissionDenied), warm
    own = count([_request(poll, users[i], m(association, i), 0) for i in (4, 5)])
    with_proxies = count(
        [
            _request(poll, users[1], m(association, 1), 0),
            _request(poll, users[1], m(association, 0), 1, for_member=m(association, 0).code),
            _request(poll, users[3], m(association, 2), 1, for_member=m(association, 2).code),
        ]
    )
    assert own == with_proxies, (own, with_proxies)


def test_the_live_page_offers_the_holder_a_sealed_form_per_represented_member(
    association, reps, poll
):
    users, meeting = reps
    a = m(association, 0)
    client = Client()
    client.force_login(users[1])
    page = client.get(reverse("live:participant", args=[association.slug, meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-for="{a.code}"' in html and f'data-member="{a.code}"' in html
    data, key = sealedkit.seal(poll, a, 1)
    answer = client.post(
        reverse("web:poll_vote_sealed", args=[association.slug, poll.public_id]),
        {"ballot": data.hex(), "request_key": key, "member": a.code},
    )
    assert answer.status_code == 201, answer.content
    assert Ballot.objects.get(poll=poll, member=a).proxy == m(association, 1)
    grantor = Client()
    grantor.force_login(users[0])
    data, key = sealedkit.seal(poll, a, 0)
    refused = grantor.post(
        reverse("web:poll_vote_sealed", args=[association.slug, poll.public_id]),
        {"ballot": data.hex(), "request_key": key},
    )
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "volmacht" in refused.json()["detail"]


def test_the_api_takes_the_represented_member_in_the_body(association, reps, poll):
    users, _ = reps
    a = m(association, 0)

    def send(user, data: bytes, key: str, **extra):
        return Client().post(
            f"/api/v1/polls/{poll.public_id}/sealed-ballots",
            data={"ballot": data.hex(), "requestKey": key, **extra},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 's')[1]}",
        )

    data, key = sealedkit.seal(poll, a, 0)
    refused = send(users[0], data, key)  # the grantor's own representative
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    accepted = send(users[1], data, key, member=a.code)
    assert accepted.status_code == 201, accepted.content
    assert send(users[1], data, key, member=a.code).json()["replayed"] is True
    assert Ballot.objects.get(poll=poll, member=a).proxy == m(association, 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("live-servers")
def test_the_edge_takes_the_represented_member_in_the_body(transactional_db, tmp_path):
    from tests.edge.client import bearer, post
    from tests.live.servers import server

    association = factories.make_association(8, slug="edge-sealed-proxy")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    secretariat = factories.make_user("sec", association, Role.Kind.SECRETARIAT)
    attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    meeting = factories.make_meeting(association)
    users = [
        factories.make_user(
            f"r{i}", association, Role.Kind.REPRESENTATIVE, member=m(association, i)
        )
        for i in range(2)
    ]
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        approve=True,
    )
    poll = factories.open_poll(chair, meeting, is_secret=True)
    a = m(association, 0)
    data, key = sealedkit.seal(poll, a, 1)
    body = {"ballot": data.hex(), "requestKey": key}
    with server(data_dir=tmp_path) as base:
        grantor = post(base, poll.public_id, body, bearer(users[0]), path="sealed-ballots")
        holder = post(
            base,
            poll.public_id,
            {**body, "member": a.code},
            bearer(users[1]),
            path="sealed-ballots",
        )
    assert grantor[0] == 403, grantor
    assert holder[0] == 201, holder
    assert Ballot.objects.get(poll=poll, member=a).proxy == m(association, 1)
    decided = factories.close_secret(chair, poll)
    assert decided.outcome.option("option-2").weight == _weight(poll, a)


def test_the_grantor_sees_who_votes_for_it_instead_of_a_form(association, reps, poll):
    """The grantor's representative is told who votes for its member, and is offered no
    vote form (the server would refuse it, see above), on the poll page and in the list
    of open polls on the association's home page."""
    users, _meeting = reps
    grantor = Client()
    grantor.force_login(users[0])
    page = grantor.get(reverse("web:poll", args=[association.slug, poll.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "heeft voor deze stemming een volmacht gegeven" in html, html
    assert m(association, 1).name in html
    assert "data-sealed-vote" not in html and 'name="ballot"' not in html
    home = grantor.get(reverse("web:home"))
    assert "u kunt stemmen" not in home.content.decode()
    holder = Client()
    holder.force_login(users[1])
    own = holder.get(reverse("web:poll", args=[association.slug, poll.public_id]))
    assert "volmacht gegeven" not in own.content.decode()
    assert "u kunt stemmen" in holder.get(reverse("web:home")).content.decode()


def test_the_live_page_tells_the_grantor_who_votes_for_it(association, reps, poll):
    """The live page (the representatives' phone during the meeting) as the poll page: the
    grantor's representative sees who votes for its member and no vote form; the holder
    sees its own form and the one for the member it represents."""
    users, meeting = reps
    url = reverse("live:participant", args=[association.slug, meeting.pk])
    grantor = Client()
    grantor.force_login(users[0])
    page = grantor.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "heeft voor deze stemming een volmacht gegeven" in html, html
    assert m(association, 1).name in html
    assert "data-sealed-vote" not in html
    holder = Client()
    holder.force_login(users[1])
    own = holder.get(url).content.decode()
    assert "volmacht gegeven" not in own
    # Its own sealed form and the one on behalf of member 0.
    assert own.count("data-sealed-vote") == 2, own
    # The fragment htmx re-fetches when a poll opens or closes says the same.
    fragment = grantor.get(reverse("live:fragment", args=[association.slug, meeting.pk, "polls"]))
    assert "heeft voor deze stemming een volmacht gegeven" in fragment.content.decode()
