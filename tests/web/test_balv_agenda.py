"""A new BALV gets a BALV agenda, not the ALV's (annual accounts, contribution), and a
warning when a deadline falls before the convocation."""

import datetime

from django.utils import timezone

from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting

TZ = timezone.get_default_timezone()


def _create(client, association, **extra):
    data = {
        "kind": "balv",
        "title": "Extra ALV over de cao",
        "starts_at": "2027-03-10T19:30",
        "location": "Utrecht",
        "standard_agenda": "on",
        **extra,
    }
    return client.post(f"/{association.slug}/vergaderingen/nieuw/", data, follow=True)


def test_a_new_balv_gets_the_balv_agenda(client, association, secretariat):
    client.force_login(secretariat)
    response = _create(client, association)
    assert response.status_code == 200
    meeting = Meeting.objects.get(kind=Meeting.Kind.BALV)
    titles = list(meeting.agenda_items.order_by("position").values_list("title", flat=True))
    assert titles == [item.title for item in meetings.BALV_AGENDA]
    assert not any("jaarrekening" in t.lower() or "contributie" in t.lower() for t in titles)
    # An ALV still gets the full standard agenda.
    alv = meetings.do_create_meeting(
        actor=secretariat,
        association=association,
        kind=Meeting.Kind.ALV,
        title="Najaars-ALV",
        starts_at=datetime.datetime(2027, 11, 10, 10, tzinfo=TZ),
        location="Den Haag",
        standard_agenda=True,
    )
    assert alv.agenda_items.count() == len(meetings.STANDARD_AGENDA)


def test_a_deadline_before_the_convocation_is_warned_about(client, association, secretariat):
    client.force_login(secretariat)
    response = _create(
        client,
        association,
        convocation_date="2027-03-01",
        amendment_deadline="2027-02-25T12:00",
    )
    page = response.content.decode()
    assert (
        "De termijn voor amendementen (25 februari 2027 om 12:00) valt vóór de oproeping "
        "(1 maart 2027)." in page
    )
    assert "utrecht-alert--warning" in page
    # The motions' deadline (the standard one, nine working days before) too.
    assert "De termijn voor moties" in page
    meeting = Meeting.objects.get(kind=Meeting.Kind.BALV)
    meeting.motion_deadline = meeting.starts_at - datetime.timedelta(days=2)
    assert len(meetings.deadline_warnings(meeting)) == 1


def test_no_warning_without_a_convocation_date_or_with_later_deadlines(association, secretariat):
    meeting = meetings.do_create_meeting(
        actor=secretariat,
        association=association,
        kind=Meeting.Kind.BALV,
        title="BALV",
        starts_at=datetime.datetime(2027, 3, 10, 19, 30, tzinfo=TZ),
        location="Utrecht",
    )
    assert meetings.deadline_warnings(meeting) == []
    meeting.convocation_date = datetime.date(2027, 2, 1)
    assert meetings.deadline_warnings(meeting) == []
