"""Ballots of an election racing each other and the close (run on PostgreSQL too):
one ballot per member, and what was acknowledged is what was counted."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.core.elections.record import result_json
from besluit.elections import services as el
from besluit.elections.models import ElectionBallot, PooledChoice, Round
from tests import factories

from . import helpers as h

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db(transaction=True)]
VOTERS = 30


def _post(path: str, token: str, data=None):
    try:
        return Client().post(
            path,
            data=data or {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    finally:
        connection.close()


def test_twice_at_once_and_a_close_among_the_ballots():
    association = factories.make_association(VOTERS, slug="race")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    board = factories.make_user("bestuurslid", association, Role.Kind.BOARD)
    sec = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    e = h.election(chair, meeting, h.body(sec, association), seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=sec)
    el.do_open_round(actor=chair, election=e)
    tokens = [
        ApiToken.issue(
            factories.make_user(
                f"r{i}",
                association,
                Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            "t",
        )[1]
        for i in range(VOTERS)
    ]
    url = f"/api/v1/elections/{e.public_id}/ballots"
    # Every member twice, at once; the chair closes two thirds of the way through.
    jobs = [("ballot", i % VOTERS) for i in range(2 * VOTERS)]
    jobs.insert(4 * VOTERS // 3, ("close", 0))
    start = threading.Barrier(8)

    def job(n: int):
        if n < 8:
            start.wait()
        kind, i = jobs[n]
        if kind == "close":
            try:
                return kind, el.do_close_round(actor=chair, election=e)
            finally:
                connection.close()
        ranking = [["k1", "k2"], ["k2", "k3"], ["k3"]][i % 3]
        return kind, _post(url, tokens[i], {"ranking": ranking})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(job, range(len(jobs))))
    answers = [r for kind, r in results if kind == "ballot"]
    accepted = [r for r in answers if r.status_code == 201]
    assert all(r.status_code in (201, 409) for r in answers)
    members = [r.json()["memberCode"] for r in accepted]
    assert len(members) == len(set(members))  # never twice for one member
    rnd = Round.objects.get(election=e)
    assert rnd.status == Round.Status.CLOSED
    assert ElectionBallot.objects.filter(round=rnd).count() == len(accepted)
    assert sum(PooledChoice.objects.filter(round=rnd).values_list("members", flat=True)) == len(
        accepted
    )
    # The count holds exactly the weight of the acknowledged ballots.
    weights = dict(rnd.register.values_list("member__code", "weight"))
    assert Decimal(rnd.result["total_weight"]) == sum(weights[m] for m in members)
    rnd.election = e
    assert rnd.result == result_json(el.count(rnd))
