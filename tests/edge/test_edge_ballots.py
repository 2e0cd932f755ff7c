"""The ballot endpoint at the edge (besluit.edge.ballots) in a real server process:
the same contract as the API's endpoint, batches under a burst, nothing doubled."""

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.core import bundle as core_bundle
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, LogLeaf
from tests import factories
from tests.edge.client import bearer, post
from tests.live.servers import server

pytestmark = [
    pytest.mark.dbbackend,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("live-servers"),
]


@pytest.fixture
def setup(transactional_db, settings):
    association = factories.make_association(70, slug="edge")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association)
    reps = [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(60)
    ]
    # Three more representatives of member 0: they race each other below.
    rivals = [
        factories.make_user(
            f"rival{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, 0),
        )
        for i in range(3)
    ]

    def poll(**kwargs):
        p = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject="proposal",
            proposal=factories.make_proposal(meeting),
            **kwargs,
        )
        return voting.do_open_poll(actor=chair, poll=p)

    return {"chair": chair, "reps": reps, "rivals": rivals, "poll": poll}


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_the_edge_answers_as_the_api_does(setup, tmp_path):
    p = setup["poll"]()
    rep, other = setup["reps"][0], setup["reps"][1]
    # The API endpoint through Django, for the shape of its answer.
    django = Client()
    django.force_login(other)
    via_django = django.post(
        f"/api/v1/polls/{p.public_id}/ballots", {"option": "for"}, content_type="application/json"
    )
    assert via_django.status_code == 201
    session = session_of(rep)
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
    with server(data_dir=tmp_path) as base:
        cookie = {"Cookie": f"sessionid={session}; csrftoken={csrf}"}
        status, headers, body = post(base, p.public_id, {"option": "for"}, cookie)
        assert status == 403 and "CSRF" in body["detail"]
        assert headers["Content-Type"] == "application/problem+json"
        with_csrf = {**cookie, "X-CSRFToken": csrf}
        status, headers, body = post(
            base, p.public_id, {"option": "against", "requestKey": "r1"}, with_csrf
        )
        assert status == 201, body
        assert set(body) == set(via_django.json())
        assert body["option"] == "against" and body["logReceipt"]["index"] == 2
        assert headers["X-Content-Type-Options"] == "nosniff"
        again = post(base, p.public_id, {"option": "for", "requestKey": "r1"}, with_csrf)
        assert again[0] == 200 and again[2]["replayed"]
        assert again[2]["ballotId"] == body["ballotId"]
        # Refusals, each with a specific problem+json.
        assert post(base, p.public_id, {"option": "for"})[0] == 401
        assert post(base, p.public_id, b"{nope", with_csrf)[0] == 400
        status, _, bad = post(base, p.public_id, b'{"option": "\xff"}', with_csrf)
        assert status == 400 and "not UTF-8" in bad["detail"]  # was a 500
        status, _, bad = post(base, p.public_id, {"option": ""}, with_csrf)
        assert status == 400 and bad["invalidParams"][0]["name"] == "option"
        status, _, bad = post(base, p.public_id, {"option": "maybe"}, bearer(setup["reps"][2]))
        assert status == 400 and "geen keuze" in bad["detail"]
        assert post(base, "not-a-poll", {"option": "for"}, with_csrf)[0] == 404
        assert post(base, "7" * 32, {"option": "for"}, with_csrf)[0] == 404
        status, _, bad = post(base, p.public_id, {"option": "for"}, bearer(setup["chair"]))
        assert status == 403 and "vertegenwoordiger" in bad["detail"]
        status, _, bad = post(base, p.public_id, {"option": "for"}, with_csrf)
        assert status == 409
    assert Ballot.objects.filter(poll=p).count() == 2
    assert AuditEvent.objects.filter(action="ballot.refused").count() == 3  # option, chair, twice


def test_a_burst_of_ballots_is_batched_and_every_one_counted_once(setup, tmp_path):
    p = setup["poll"]()
    reps, rivals = setup["reps"], setup["rivals"]
    choice = {rep.pk: ("for", "against", "abstain")[i % 3] for i, rep in enumerate(reps)}
    headers = {rep.pk: bearer(rep) for rep in reps[1:] + rivals}
    jobs = [(rep, choice[rep.pk]) for rep in reps[1:]]
    # Member 0 by three representatives at once, 20 times each: one ballot counts.
    jobs += [(rivals[i % 3], "for") for i in range(60)]
    with server(data_dir=tmp_path) as base, ThreadPoolExecutor(32) as pool:
        results = list(
            pool.map(
                lambda job: post(base, p.public_id, {"option": job[1]}, headers[job[0].pk]), jobs
            )
        )
    by_user = [(job[0], status) for job, (status, _, _) in zip(jobs, results, strict=True)]
    assert all(status == 201 for user, status in by_user if user in reps)
    rival_statuses = sorted(status for user, status in by_user if user in rivals)
    assert rival_statuses == [201] + [409] * 59
    stored = dict(Ballot.objects.filter(poll=p).values_list("member__code", "option__key"))
    assert len(stored) == 60  # 59 representatives and member 0 once
    for rep in reps[1:]:
        member = rep.roles.get().member
        assert stored[member.code] == choice[rep.pk]
    # The log holds the opening and exactly one leaf per accepted ballot.
    assert LogLeaf.objects.filter(poll=p).count() == 61
    closed = voting.do_close_poll(actor=setup["chair"], poll=p)
    assert closed.result["voted_members"] == 60
    # Ballots written in one batch share a checkpoint; every receipt still proves its
    # ballot is in the closing tree, and the published bundle verifies.
    bundle = vote_log.bundle_bytes(closed)
    assert core_bundle.verify_bundle(bundle, expected_key_id=vote_log.public_key_id()) == []
    receipts = [body["logReceipt"] for status, _, body in results if status == 201]
    assert len(receipts) == 60
    assert len({r["checkpoint"]["checkpoint"]["size"] for r in receipts}) < 60  # batched
    for receipt in receipts:
        assert core_bundle.verify_receipt_in_bundle(receipt, bundle) == []
    print("119 concurrent ballot requests → 60 ballots, 59 × 409, log of 61 leaves")
