"""Attendance and proxies in the minutes: the figures are the attendance app's own, in the
draft, the page, the PDF/UA and the open data of adopted minutes; per vote the meeting
quorum found when it opened."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from besluit.attendance import selectors
from besluit.attendance import services as attendance
from besluit.attendance.models import PollQuorum
from besluit.core import texts as ct
from besluit.minutes import attendance as minutes_attendance
from besluit.minutes import draft, services
from besluit.voting import services as voting
from tests import factories, pdfua

pytestmark = pytest.mark.dbbackend


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def m(association, i):
    return factories.member(association, i)


@pytest.fixture
def attended(meeting, association, secretariat, chair):
    """Six members checked in before the start, one arrives late, one leaves during the
    meeting; two approved proxies (one refused); a poll that required the meeting quorum."""
    attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=2
    )
    attendance.do_configure_meeting(
        actor=secretariat,
        meeting=meeting,
        remote_check_in=False,
        quorum_members=Decimal("0.5"),
        quorum_weight=Decimal("0.25"),
    )
    start = meeting.starts_at
    for i in range(6):
        attendance.do_check_in(
            actor=secretariat,
            meeting=meeting,
            member=m(association, i),
            now=start - timedelta(minutes=15),
        )
    for grantor, holder in [(8, 1), (9, 1)]:
        proxy = attendance.do_request_proxy(
            actor=secretariat,
            meeting=meeting,
            grantor=m(association, grantor),
            holder=m(association, holder),
        )
        attendance.do_decide_proxy(actor=secretariat, proxy=proxy, approve=True)
    refused = attendance.do_request_proxy(
        actor=secretariat, meeting=meeting, grantor=m(association, 10), holder=m(association, 2)
    )
    attendance.do_decide_proxy(actor=secretariat, proxy=refused, approve=False, reason="Geen stuk")
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="agenda_item",
        agenda_item=meeting.agenda_items.get(number="07"),
        title="Statutenwijziging",
    )
    attendance.do_require_meeting_quorum(actor=chair, poll=poll)
    voting.do_open_poll(actor=chair, poll=poll)
    voting.do_close_poll(actor=chair, poll=poll)
    attendance.do_check_in(
        actor=secretariat,
        meeting=meeting,
        member=m(association, 6),
        now=start + timedelta(minutes=40),
    )
    attendance.do_check_out(
        actor=secretariat, meeting=meeting, member=m(association, 5), now=start + timedelta(hours=2)
    )
    return poll


@pytest.mark.django_db
def test_the_draft_states_the_attendance_apps_figures(meeting, association, attended):
    found = selectors.presence(meeting, ever=True)
    assert (found.present_members, found.represented_members) == (7, 2)
    text = ct.to_plain_text(draft.make(meeting))
    weight = minutes_attendance.weight
    assert (
        f"Aanwezig: {found.present_members} leden, gewicht {weight(found.present_weight)}" in text
    )
    assert (
        f"Vertegenwoordigd bij volmacht: {found.represented_members} leden, "
        f"gewicht {weight(found.represented_weight)}"
    ) in text
    assert (
        f"Samen: {found.counted_members} van {found.eligible_members} leden "
        f"({minutes_attendance.share(found.members_share)}), gewicht "
        f"{weight(found.counted_weight)} van {weight(found.eligible_weight)}"
    ) in text
    for row in found.present:
        assert row.member.name in text
    # the proxies, grantor → holder; the refused one is not there
    assert f"{m(association, 8).name} → {m(association, 1).name}" in text
    assert f"{m(association, 9).name} → {m(association, 1).name}" in text
    assert f"{m(association, 10).name} →" not in text
    # arrivals and departures during the meeting, with their time
    assert f"{m(association, 6).name} komt binnen" in text
    assert f"{m(association, 5).name} vertrekt" in text
    assert f"{m(association, 0).name} komt binnen" not in text  # before the start
    # the vote that required the meeting quorum says what was found at its opening
    q = PollQuorum.objects.get(poll=attended)
    assert minutes_attendance.quorum_line(q) in text
    assert (
        f"Quorum van de vergadering bij het openen van de stemming: gehaald, {q.members} van"
        in text
    )
    # attendance comes before the agenda items
    assert text.index("Aanwezigheid") < text.index("07.")


@pytest.mark.django_db
def test_no_attendance_section_without_a_register(meeting):
    assert "Aanwezigheid" not in ct.to_plain_text(draft.make(meeting))


@pytest.mark.django_db
def test_attendance_costs_a_fixed_number_of_queries(
    meeting, association, attended, secretariat, django_assert_max_num_queries
):
    with django_assert_max_num_queries(19):
        draft.gather(meeting)
    for i in (7, 11):
        attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, i))
    with django_assert_max_num_queries(19):
        draft.gather(meeting)


@pytest.mark.django_db
def test_adopted_minutes_carry_the_attendance_in_page_pdf_and_open_data(
    client, meeting, association, attended, secretariat, chair
):
    version = services.do_make_draft(actor=secretariat, meeting=meeting)
    minutes = version.minutes
    services.do_edit(actor=secretariat, minutes=minutes, markdown=ct.to_markdown(version.document))
    factories.make_meeting(association, starts_at=meeting.starts_at + timedelta(days=180))
    services.do_publish(actor=secretariat, minutes=minutes)
    minutes.refresh_from_db()
    services.do_adopt(actor=chair, minutes=minutes)
    found = selectors.presence(meeting, ever=True)
    slug = association.slug
    client.logout()

    page = client.get(reverse("minutes:page", args=[slug, meeting.pk])).content.decode()
    assert "Aanwezigheid" in page and f"{m(association, 8).name} → {m(association, 1).name}" in page

    data = client.get(reverse("minutes:open_data", args=[slug, meeting.pk])).json()
    att = data["attendance"]
    assert att["presentMembers"] == found.present_members
    assert Decimal(att["presentWeight"]) == found.present_weight
    assert att["representedMembers"] == found.represented_members
    assert Decimal(att["representedWeight"]) == found.represented_weight
    assert att["eligibleMembers"] == found.eligible_members
    assert sorted(att["present"]) == sorted(r.member.code for r in found.present)
    assert {(p["grantor"], p["holder"]) for p in att["proxies"]} == {
        (m(association, 8).code, m(association, 1).code),
        (m(association, 9).code, m(association, 1).code),
    }
    assert [(x["member"], x["event"]) for x in att["movements"]] == [
        (m(association, 6).code, "arrived"),
        (m(association, 5).code, "departed"),
    ]
    q = PollQuorum.objects.get(poll=attended)
    assert att["quorumAtVotes"] == [
        {
            "poll": str(attended.public_id),
            "met": True,
            "members": q.members,
            "eligibleMembers": q.eligible_members,
            "weight": str(q.weight),
            "eligibleWeight": str(q.eligible_weight),
            "requiredMembersShare": str(q.quorum_members),
            "requiredWeightShare": str(q.quorum_weight),
        }
    ]
    assert "J. Jansen" not in str(att)  # member codes, no person's name

    # frozen at adoption: a check-out after the meeting changes the register, not the minutes
    attendance.do_check_out(
        actor=secretariat,
        meeting=meeting,
        member=m(association, 0),
        now=meeting.starts_at + timedelta(hours=1),
    )
    assert selectors.presence(meeting, ever=True).present_members == found.present_members
    later = client.get(reverse("minutes:open_data", args=[slug, meeting.pk])).json()
    assert later["attendance"] == att
    assert [x["member"] for x in att["movements"]].count(m(association, 0).code) == 0

    pdf = client.get(reverse("minutes:pdf", args=[slug, meeting.pk]))
    report = pdfua.check(pdf.content)
    assert report.ok, report.errors
    extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    extracted = " ".join(extracted.split())
    assert "Aanwezigheid" in extracted
    assert f"Aanwezig: {found.present_members} leden" in extracted
    assert f"Vertegenwoordigd bij volmacht: {found.represented_members} leden" in extracted
