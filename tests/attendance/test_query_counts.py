"""Presence and proxies cost no extra SQL per ballot: a batch of ballots cast by proxy
costs the same statements whatever its size, and an ordinary ballot costs what it did."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.voting import casting
from besluit.voting import services as voting
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]  # and on PostgreSQL


def _world(n_holders: int, slug: str):
    """n_holders present members, each holding the proxies of two absent members."""
    association = factories.make_association(3 * n_holders + 5, slug=slug)
    sec = factories.make_user(f"sec-{slug}", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user(f"chair-{slug}", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    attendance.do_set_proxy_rule(
        actor=sec, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    members = list(association.members.order_by("code"))
    holders = []
    for i in range(n_holders):
        holder, grantors = members[3 * i], members[3 * i + 1 : 3 * i + 3]
        attendance.do_check_in(actor=sec, meeting=meeting, member=holder)
        for g in grantors:
            attendance.do_request_proxy(
                actor=sec, meeting=meeting, grantor=g, holder=holder, approve=True
            )
        user = factories.make_user(f"rep-{slug}-{i}", association, "representative", member=holder)
        holders.append((user, grantors))
    loner = factories.make_user(f"loner-{slug}", association, "representative", member=members[-1])
    poll = factories.open_poll(chair, meeting)
    return poll, holders, loner


def _count(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_a_batch_of_proxy_ballots_costs_the_same_whatever_its_size():
    counts = []
    for n, slug in ((3, "klein"), (30, "groot")):
        poll, holders, _ = _world(n, slug)
        requests = [
            casting.BallotRequest(user.pk, "option-1", f"k-{g.code}", for_member=g.code)
            for user, grantors in holders
            for g in grantors
        ]
        outcomes = []
        counts.append(
            _count(lambda p=poll, r=requests, o=outcomes: o.extend(casting.cast_batch(p.pk, r)))
        )
        assert all(isinstance(o, casting.Receipt) for o in outcomes), outcomes[:3]
        assert len(outcomes) == 2 * n
    assert counts[0] == counts[1], counts


def test_an_ordinary_ballot_costs_what_it_did_with_proxies_frozen():
    poll, holders, loner = _world(3, "gewoon")
    plain = factories.make_association(14, slug="zonder")
    chair = factories.make_user("chair-zonder", plain, Role.Kind.CHAIR)
    rep = factories.make_user(
        "rep-zonder", plain, "representative", member=plain.members.order_by("code")[0]
    )
    first = factories.make_user(
        "rep-zonder-1", plain, "representative", member=plain.members.order_by("code")[1]
    )
    other = factories.open_poll(chair, factories.make_meeting(plain))
    # One ballot in each poll first: the process then keeps each open poll's frozen
    # register and options (voting.casting), as it does for every ballot but the first.
    voting.cast_ballot(actor=first, poll=other, option_key="option-1")
    voting.cast_ballot(actor=holders[1][0], poll=poll, option_key="option-1")
    with_proxies = _count(lambda: voting.cast_ballot(actor=loner, poll=poll, option_key="option-1"))
    without = _count(lambda: voting.cast_ballot(actor=rep, poll=other, option_key="option-1"))
    assert with_proxies == without, (with_proxies, without)
    # A holder's own ballot, too.
    user, _ = holders[0]
    assert (
        _count(lambda: voting.cast_ballot(actor=user, poll=poll, option_key="option-2")) == without
    )
