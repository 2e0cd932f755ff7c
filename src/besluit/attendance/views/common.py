"""What the attendance pages share: the meeting's crumbs and a poll of an association."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from besluit.frame.shortcuts import association_for, crumbs
from besluit.meetings.models import Meeting
from besluit.voting.models import Poll


def meeting_crumbs(meeting: Meeting, *more: tuple[str, str]) -> list:
    association = meeting.association
    return crumbs(
        association,
        (_("Meetings"), reverse("web:meetings", args=[association.slug])),
        (meeting.title, reverse("web:meeting", args=[association.slug, meeting.pk])),
        *more,
    )


def poll_for(request, slug: str, poll_id) -> Poll:
    association = association_for(request, slug)
    return get_object_or_404(
        Poll.objects.select_related("meeting__association"),
        public_id=poll_id,
        meeting__association=association,
    )


def register_url(meeting: Meeting) -> str:
    return reverse("attendance:register", args=[meeting.association.slug, meeting.pk])
