"""One client cannot cost another client its ballot at the edge (besluit.edge.ballots),
and the edge refuses what Django refuses, with the same answer as the API's."""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from besluit.associations.models import Role
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


@pytest.fixture
def setup(transactional_db, settings):
    association = factories.make_association(125, slug="isolatie")
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    observer = factories.make_user("observer", association, Role.Kind.OBSERVER)
    elsewhere = factories.make_association(3, slug="elders")
    outsider = factories.make_user(
        "outsider", elsewhere, Role.Kind.REPRESENTATIVE, member=factories.member(elsewhere, 0)
    )
    meeting = factories.make_meeting(association)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=factories.make_proposal(meeting)
    )
    poll = voting.do_open_poll(actor=chair, poll=poll)
    return {
        "association": association,
        "chair": chair,
        "observer": observer,
        "outsider": outsider,
        "poll": poll,
    }


def test_an_observer_sending_nul_keys_costs_no_representative_their_ballot(setup, tmp_path):
    """The attack of the review: an observer who may not vote posts ballots whose
    requestKey holds a NUL while 120 representatives vote. On PostgreSQL the NUL
    failed the whole batch it landed in (503 for the representatives in it)."""
    association, poll = setup["association"], setup["poll"]
    reps = [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(120)
    ]
    jobs = [
        ("rep", bearer(rep), {"option": "for", "requestKey": f"k{i}"}) for i, rep in enumerate(reps)
    ]
    attacker = bearer(setup["observer"])
    poisoned = [
        ("attack", attacker, {"option": "for", "requestKey": f"x\u0000{i}"}) for i in range(60)
    ]
    # Interleaved, so that the attacker's requests share batches with the ballots.
    mixed = [job for pair in zip(jobs[:60], poisoned, strict=True) for job in pair] + jobs[60:]
    with server(data_dir=tmp_path) as base, ThreadPoolExecutor(32) as pool:
        results = list(
            pool.map(
                lambda job: (job[0], post(base, poll.public_id, job[2], job[1], timeout=60)), mixed
            )
        )
    rep_statuses = [status for who, (status, _, _) in results if who == "rep"]
    attack_statuses = [status for who, (status, _, _) in results if who == "attack"]
    assert rep_statuses == [201] * 120, sorted(set(rep_statuses))
    assert attack_statuses == [400] * 60
    attack_body = next(body for who, (_, _, body) in results if who == "attack")
    assert attack_body["invalidParams"][0]["name"] == "requestKey"
    assert Ballot.objects.filter(poll=poll).count() == 120
    closed = voting.do_close_poll(actor=setup["chair"], poll=poll)
    assert closed.result["voted_members"] == 120


def test_a_ballot_for_a_poll_of_another_association_is_404_as_in_the_api(setup, tmp_path):
    """The edge said 403 "Only a member's representative can vote" to a user of
    another association, telling them the poll exists; the API says 404. Both now:
    404 for who cannot see the poll, 403 for who can see it but may not vote."""
    poll = setup["poll"]
    cases = [("outsider", setup["outsider"], 404), ("observer", setup["observer"], 403)]
    django = Client()
    for _, user, expected in cases:
        response = django.post(
            f"/api/v1/polls/{poll.public_id}/ballots",
            {"option": "for"},
            content_type="application/json",
            HTTP_AUTHORIZATION=bearer(user)["Authorization"],
        )
        assert response.status_code == expected, (user, response.content)
    with server(data_dir=tmp_path) as base:
        for name, user, expected in cases:
            status, headers, body = post(
                base, poll.public_id, {"option": "for"}, bearer(user), timeout=60
            )
            assert status == expected, (name, body)
            assert headers["Content-Type"] == "application/problem+json"
            if expected == 404:
                assert "representative" not in body["detail"]  # nothing about the poll
    assert not Ballot.objects.filter(poll=poll).exists()


def test_a_ballot_nested_2000_brackets_deep_is_a_400_without_a_traceback(setup, tmp_path, capfd):
    poll, observer = setup["poll"], setup["observer"]
    deep = b"[" * 2000 + b"]" * 2000
    with server(data_dir=tmp_path) as base:
        capfd.readouterr()
        for _ in range(3):
            status, headers, body = post(base, poll.public_id, deep, bearer(observer), timeout=60)
            assert status == 400 and body["status"] == 400, body
            assert headers["Content-Type"] == "application/problem+json"
        deep_object = b'{"option": ' + b"[" * 2000 + b"]" * 2000 + b"}"
        assert post(base, poll.public_id, deep_object, bearer(observer), timeout=60)[0] == 400
        logged = capfd.readouterr().err
    assert "Traceback" not in logged and "RecursionError" not in logged


def test_a_ballot_with_a_foreign_host_header_is_refused_as_django_refuses_it(setup, tmp_path):
    """The edge accepted any Host; Django applies ALLOWED_HOSTS (400) to every route."""
    poll, rep_member = setup["poll"], factories.member(setup["association"], 0)
    rep = factories.make_user(
        "rep", setup["association"], Role.Kind.REPRESENTATIVE, member=rep_member
    )
    token = bearer(rep)
    assert Client().get("/accounts/login/", HTTP_HOST="evil.example").status_code == 400
    with server(data_dir=tmp_path) as base:
        status, headers, body = post(
            base, poll.public_id, {"option": "for"}, {**token, "Host": "evil.example"}, timeout=60
        )
        assert status == 400 and body["type"].endswith("bad_host"), body
        assert headers["Content-Type"] == "application/problem+json"
        events = urllib.request.Request(
            f"{base}/live/meetings/{poll.meeting_id}/events", headers={"Host": "evil.example"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(events, timeout=10)
        assert refused.value.code == 400
        # The served names still vote.
        assert post(base, poll.public_id, {"option": "for"}, token, timeout=60)[0] == 201
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_an_events_url_with_an_overflowing_meeting_id_is_a_404(setup, tmp_path):
    with server(data_dir=tmp_path) as base:
        for meeting_id in ("9223372036854775808", "9" * 5000):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"{base}/live/meetings/{meeting_id}/events", timeout=10)
            assert refused.value.code == 404
