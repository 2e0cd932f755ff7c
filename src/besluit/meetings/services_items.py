"""Workflows for agenda items beyond adding them (see meetings.services)."""

from django.db import transaction
from django.utils.translation import gettext as _

from besluit.audit.services import record
from besluit.errors import ValidationFailed
from besluit.meetings.models import AgendaItem


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
    number = number.strip()
    title = title.strip()
    if not number or not title:
        raise ValidationFailed(_("An agenda item needs a number and a title."), field="number")
    with transaction.atomic():
        if item.meeting.agenda_items.filter(number=number).exclude(pk=item.pk).exists():
            raise ValidationFailed(
                _("Agenda item %(number)s exists already.") % {"number": number}, field="number"
            )
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
