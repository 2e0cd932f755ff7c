"""The attendance API: the same services as the pages, errors as problem+json in Dutch."""

import pytest

from besluit.attendance.models import Attendance, Proxy
from besluit.voting.models import Ballot
from tests import factories
from tests.api.test_api import assert_problem, bearer

from .conftest import m

pytestmark = pytest.mark.django_db


def post(client, url, body, user):
    return client.post(url, data=body, content_type="application/json", **bearer(user))


def test_check_in_proxy_and_votes_through_the_api(
    client, association, meeting, secretariat, chair, reps
):
    base = f"/api/v1/meetings/{meeting.pk}"
    post(
        client,
        "/api/v1/proxy-rules",
        {"association": association.slug, "validFrom": "2020-01-01", "maxRepresented": 2},
        secretariat,
    )
    answer = post(client, f"{base}/check-ins", {"member": m(association, 1).code}, secretariat)
    assert answer.status_code == 201 and answer.json()["member"] == m(association, 1).code
    twice = post(client, f"{base}/check-ins", {"member": m(association, 1).code}, secretariat)
    assert_problem(twice, 409, detail_contains="al aangemeld")
    assert Attendance.objects.count() == 1
    assert_problem(
        post(
            client,
            f"{base}/proxies",
            {"grantor": m(association, 0).code, "holder": m(association, 0).code},
            reps[0],
        ),
        400,
        detail_contains="zichzelf",
    )
    pair = {"grantor": m(association, 0).code, "holder": m(association, 1).code}
    made = post(client, f"{base}/proxies", pair, reps[0])
    assert made.status_code == 201 and made.json()["status"] == "pending"
    proxy_id = made.json()["id"]
    assert_problem(
        post(client, f"/api/v1/proxies/{proxy_id}/decision", {"approve": True}, reps[0]), 403
    )
    decided = post(client, f"/api/v1/proxies/{proxy_id}/decision", {"approve": True}, secretariat)
    assert decided.json()["status"] == "approved"
    listed = client.get(f"{base}/attendance", **bearer(reps[2])).json()
    assert (listed["presentMembers"], listed["representedMembers"]) == (1, 1)

    poll = factories.open_poll(chair, meeting)
    url = f"/api/v1/polls/{poll.public_id}/ballots"
    by_proxy = post(client, url, {"option": "option-1", "member": m(association, 0).code}, reps[1])
    assert by_proxy.status_code == 201 and by_proxy.json()["member"] == m(association, 0).code
    assert post(client, url, {"option": "option-2"}, reps[1]).status_code == 201
    assert_problem(
        post(client, f"/api/v1/proxies/{proxy_id}/revocation", {}, reps[0]),
        409,
        detail_contains="intrekken",
    )
    paper = post(
        client,
        f"/api/v1/polls/{poll.public_id}/paper-ballots",
        {"member": m(association, 4).code, "option": "option-2", "handedInBy": "Griffier"},
        secretariat,
    )
    assert paper.status_code == 201
    assert_problem(
        post(
            client,
            f"/api/v1/polls/{poll.public_id}/paper-ballots",
            {"member": m(association, 1).code, "option": "option-2", "handedInBy": "x"},
            secretariat,
        ),
        409,
        detail_contains="digitaal",
    )
    assert Ballot.objects.filter(poll=poll).count() == 3
    assert Proxy.objects.get().status == Proxy.Status.APPROVED


def test_the_meeting_quorum_is_required_through_the_api(
    client, association, meeting, chair, secretariat
):
    from besluit.attendance import services
    from besluit.voting import services as voting

    services.do_configure_meeting(
        actor=secretariat, meeting=meeting, remote_check_in=False, quorum_weight="0.5"
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"]
    )
    answer = post(
        client, f"/api/v1/polls/{poll.public_id}/meeting-quorum", {"required": True}, chair
    )
    assert answer.status_code == 200 and answer.json()["required"] is True
    assert_problem(
        client.post(f"/api/v1/polls/{poll.public_id}/open", **bearer(chair)),
        409,
        detail_contains="vergaderquorum",
    )
