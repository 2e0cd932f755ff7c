"""Read-only queries for motions and amendments."""

from django.shortcuts import get_object_or_404

from besluit.meetings.models import Meeting
from besluit.proposals.models import Amendment, Motion


def motion_in(meeting: Meeting, number: int) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related(
            "meeting__association", "agenda_item", "submitter", "submitted_by"
        ).prefetch_related("co_submitters"),
        meeting=meeting,
        number=number,
    )


def amendment_in(meeting: Meeting, amendment_id: int) -> Amendment:
    return get_object_or_404(
        Amendment.objects.select_related(
            "proposal__agenda_item__meeting__association", "submitter", "submitted_by"
        ).prefetch_related("co_submitters"),
        proposal__agenda_item__meeting=meeting,
        pk=amendment_id,
    )
