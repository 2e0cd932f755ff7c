"""Workflows for agenda items beyond adding them (see meetings.services)."""

from django.db import transaction
from django.utils.translation import gettext as _

from besluit.audit.services import record
from besluit.errors import ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting


def clean_heading(number: str, title: str) -> tuple[str, str]:
    """An agenda item's number and title, stripped; both are required."""
    number, title = number.strip(), title.strip()
    if not number or not title:
        raise ValidationFailed(_("An agenda item needs a number and a title."), field="number")
    return number, title


def check_number_free(meeting: Meeting, number: str, *, item: AgendaItem | None = None) -> None:
    """No other item of the meeting has this number (checked under the meeting's lock)."""
    others = meeting.agenda_items.filter(number=number)
    if item is not None:
        others = others.exclude(pk=item.pk)
    if others.exists():
        raise ValidationFailed(
            _("Agenda item %(number)s exists already.") % {"number": number}, field="number"
        )


def do_update_agenda_item(
    *,
    actor,
    item: AgendaItem,
    number: str,
    title: str,
    requested_decision: str = "",
    explanation: str = "",
) -> AgendaItem:
    """Change an agenda item's number, title, requested decision and explanation."""
    number, title = clean_heading(number, title)
    with transaction.atomic():
        check_number_free(item.meeting, number, item=item)
        before = {"number": item.number, "title": item.title}
        item.number = number
        item.title = title
        item.requested_decision = requested_decision
        item.explanation = explanation
        item.save(update_fields=["number", "title", "requested_decision", "explanation"])
        record(
            "agenda_item.updated",
            actor=actor,
            association=item.meeting.association,
            obj=item,
            before=before,
        )
    return item
