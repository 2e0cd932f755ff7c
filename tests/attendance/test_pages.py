"""The attendance pages: the phone check-in, the list and its CSV, proxies, paper."""

import pytest
from django.urls import reverse

from besluit.attendance import services as attendance
from besluit.attendance.models import Attendance, Proxy
from besluit.voting import services as voting
from besluit.voting.models import Ballot
from tests import factories

from .conftest import m

pytestmark = pytest.mark.django_db


def url(name, meeting, *more):
    return reverse(f"attendance:{name}", args=[meeting.association.slug, meeting.pk, *more])


def test_the_door_page_finds_by_name_or_code_and_checks_in_once(
    client, association, meeting, secretariat
):
    client.force_login(secretariat)
    page = client.get(url("check_in", meeting), {"q": m(association, 3).code})
    assert page.status_code == 200 and m(association, 3).name in page.content.decode()
    page = client.get(url("check_in", meeting), {"q": "testgemeente 00"}, HTTP_HX_REQUEST="true")
    assert page.content.decode().count('name="member"') == 10
    done = client.post(url("check_in", meeting), {"member": m(association, 3).code})
    assert done.status_code == 302
    again = client.post(url("check_in", meeting), {"member": m(association, 3).code})
    assert again.status_code == 400 and "al aangemeld" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_the_list_and_csv_show_present_and_represented(
    client, association, meeting, secretariat, rules, representative
):
    attendance.do_check_in(
        actor=secretariat, meeting=meeting, member=m(association, 1), representative="=cmd|x"
    )
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 2),
        holder=m(association, 1),
        approve=True,
    )
    client.force_login(representative)
    page = client.get(url("register", meeting)).content.decode()
    assert 'data-status="present"' in page and 'data-status="represented"' in page
    csv = client.get(url("register_csv", meeting)).content.decode()
    assert "'=cmd|x" in csv  # the project's csvsafe writer
    assert f"{m(association, 2).code},{m(association, 2).name}" in csv and "volmacht" in csv


def test_a_representative_requests_a_proxy_and_the_secretariat_approves(
    client, association, meeting, secretariat, rules, representative
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    client.force_login(representative)
    answer = client.post(
        url("proxies", meeting),
        {"grantor": m(association, 0).code, "holder": m(association, 0).code},
    )
    assert answer.status_code == 400 and "zichzelf" in answer.content.decode()
    client.post(
        url("proxies", meeting),
        {"grantor": m(association, 0).code, "holder": m(association, 1).code},
    )
    proxy = Proxy.objects.get()
    assert (
        client.post(
            url("proxy_decide", meeting, proxy.public_id), {"decision": "approve"}
        ).status_code
        == 403
    )
    client.force_login(secretariat)
    client.post(url("proxy_decide", meeting, proxy.public_id), {"decision": "approve"})
    proxy.refresh_from_db()
    assert proxy.status == Proxy.Status.APPROVED


def test_the_holder_votes_for_both_members_from_the_live_page(
    client, association, meeting, secretariat, chair, rules, reps
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        approve=True,
    )
    poll = factories.open_poll(chair, meeting)
    client.force_login(reps[1])
    live = client.get(reverse("live:participant", args=[association.slug, meeting.pk]))
    assert f"namens {m(association, 0).name}" in live.content.decode()
    client.post(
        reverse("attendance:proxy_vote", args=[association.slug, poll.public_id]),
        {"member": m(association, 0).code, "option": "option-2", "request_key": "k1"},
    )
    voting.cast_ballot(actor=reps[1], poll=poll, option_key="option-1")
    assert Ballot.objects.filter(poll=poll).count() == 2
    assert Ballot.objects.get(poll=poll, member=m(association, 0)).proxy == m(association, 1)


def test_the_console_projector_and_poll_pages_show_attendance(
    client, association, meeting, secretariat, chair
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    attendance.do_configure_meeting(
        actor=secretariat, meeting=meeting, remote_check_in=False, quorum_members="0.5"
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["Ja", "Nee"]
    )
    client.force_login(chair)
    client.post(
        reverse("attendance:require_quorum", args=[association.slug, poll.public_id]),
        {"required": "1"},
    )
    confirm = client.get(
        reverse("web:poll_open", args=[association.slug, poll.public_id])
    ).content.decode()
    assert 'data-field="gate"' in confirm and "niet gehaald" in confirm
    console = client.get(
        reverse("live:console", args=[association.slug, meeting.pk])
    ).content.decode()
    assert 'data-field="present">1<' in console
    projector = client.get(
        reverse("live:projector", args=[association.slug, meeting.pk])
    ).content.decode()
    assert "1 aanwezig" in projector and "Vergaderquorum" in projector


def test_a_named_paper_ballot_is_entered_from_its_page(
    client, association, meeting, secretariat, chair
):
    poll = factories.open_poll(chair, meeting)
    client.force_login(secretariat)
    page = reverse("attendance:paper_ballot", args=[association.slug, poll.public_id])
    assert client.get(page).status_code == 200
    answer = client.post(
        page,
        {"member": m(association, 4).code, "option": "option-1", "handed_in_by": "Wethouder Z"},
    )
    assert answer.status_code == 302
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.on_paper and ballot.paper.handed_in_by == "Wethouder Z"


def test_qr_cards_hold_each_members_code(client, association, meeting, secretariat):
    import base64

    client.force_login(secretariat)
    page = client.get(url("qr_cards", meeting)).content.decode()
    assert page.count('class="attendance-card"') == 12
    first = page.split('src="data:image/svg+xml;base64,')[1].split('"')[0]
    assert b"<svg" in base64.b64decode(first)


def test_a_representative_checks_in_remotely_from_the_live_page(
    client, association, meeting, secretariat, representative
):
    live = reverse("live:participant", args=[association.slug, meeting.pk])
    client.force_login(representative)
    assert "sci-name" not in client.get(live).content.decode()  # not allowed yet
    attendance.do_configure_meeting(actor=secretariat, meeting=meeting, remote_check_in=True)
    assert "sci-name" in client.get(live).content.decode()
    answer = client.post(
        url("self_check_in", meeting), {"representative": "A. de Boer", "back": "live"}
    )
    assert answer["Location"] == live
    found = Attendance.objects.get()
    assert (found.member, found.how, found.representative) == (
        m(association, 0),
        "remote",
        "A. de Boer",
    )
    assert 'data-field="self-present"' in client.get(live).content.decode()
