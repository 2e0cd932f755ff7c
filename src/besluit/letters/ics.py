"""iCalendar (RFC 5545) invitations for meetings, attached to member letters.

The UID is stable per meeting, so a later letter with a changed time or place
updates the same calendar entry; SEQUENCE counts the invitations sent before.
METHOD:PUBLISH: an entry to add to one's calendar, not a request to reply to.
"""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from besluit.letters import drafts
from besluit.meetings.models import Meeting

PRODID = "-//Besluit//Ledenbrieven//NL"
DEFAULT_LENGTH = timedelta(hours=3)


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{meeting.association.slug}.besluit"


def meeting_calendar(meeting: Meeting, *, sequence: int = 0, url: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("sequence", sequence)
    start = timezone.localtime(meeting.starts_at)
    event.add("dtstart", start)
    event.add(
        "dtend", timezone.localtime(meeting.ends_at) if meeting.ends_at else start + DEFAULT_LENGTH
    )
    event.add(
        "summary", f"{meeting.title} ({meeting.association.short_name or meeting.association.name})"
    )
    event.add("location", drafts.where(meeting))
    lines = [meeting.association.name, meeting.get_kind_display().capitalize()]
    if meeting.is_digital:
        lines.append("Digitaal: deelnemen en stemmen via Besluit.")
    if url:
        lines.append(url)
        event.add("url", url)
    event.add("description", "\n".join(str(line) for line in lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("categories", [meeting.kind.upper()])
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
