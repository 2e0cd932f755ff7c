"""A proxy's ballot through the edge (a real server process): the same contract as the
API, with "member" naming the member voted for."""

from datetime import date

import pytest

from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.voting import services as voting
from besluit.voting.models import Ballot
from tests import factories
from tests.edge.client import bearer, post
from tests.live.servers import server

pytestmark = [
    pytest.mark.dbbackend,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("live-servers"),
]


def test_a_holder_votes_for_the_member_it_represents_at_the_edge(transactional_db, tmp_path):
    association = factories.make_association(12, slug="rand")
    sec = factories.make_user("sec", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    grantor, holder, other = (factories.member(association, i) for i in range(3))
    rep = factories.make_user("rep", association, Role.Kind.REPRESENTATIVE, member=holder)
    own = factories.make_user("own", association, Role.Kind.REPRESENTATIVE, member=grantor)
    meeting = factories.make_meeting(association)
    attendance.do_set_proxy_rule(
        actor=sec, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    attendance.do_check_in(actor=sec, meeting=meeting, member=holder)
    attendance.do_request_proxy(
        actor=sec, meeting=meeting, grantor=grantor, holder=holder, approve=True
    )
    poll = voting.do_open_poll(
        actor=chair,
        poll=voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject="proposal",
            proposal=factories.make_proposal(meeting),
        ),
    )
    token = bearer(rep)
    with server(data_dir=tmp_path) as base:
        status, _, body = post(
            base, poll.public_id, {"option": "for", "member": grantor.code}, token
        )
        assert status == 201 and body["member"] == grantor.code, body
        status, _, body = post(base, poll.public_id, {"option": "against"}, token)
        assert status == 201 and body["member"] == holder.code, body
        status, _, body = post(base, poll.public_id, {"option": "for", "member": other.code}, token)
        assert status == 403 and "geen volmacht van" in body["detail"], body
        status, _, body = post(base, poll.public_id, {"option": "for"}, bearer(own))
        assert status == 403 and "bij volmacht vertegenwoordigd" in body["detail"], body
    assert Ballot.objects.get(poll=poll, member=grantor).proxy == holder
    assert Ballot.objects.filter(poll=poll).count() == 2
