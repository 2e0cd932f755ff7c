"""Read-only queries for meetings and their agenda."""

from django.shortcuts import get_object_or_404

from besluit.meetings.models import AgendaItem, Meeting


def agenda_item_in(meeting: Meeting, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting"), meeting=meeting, pk=item_id
    )
