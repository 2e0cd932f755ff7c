"""Reads of the minutes pages."""

from __future__ import annotations

from besluit.meetings.models import Meeting
from besluit.minutes.models import Minutes, MinutesVersion


def minutes_of(meeting: Meeting) -> Minutes | None:
    return (
        Minutes.objects.filter(meeting=meeting)
        .select_related("adoption_item__meeting", "adopted_version", "decision")
        .first()
    )


def versions(minutes: Minutes) -> list[MinutesVersion]:
    return list(
        MinutesVersion.objects.filter(minutes=minutes)
        .select_related("member", "based_on")
        .order_by("number")
    )


def public_version(minutes: Minutes | None) -> MinutesVersion | None:
    """What the public reads: the adopted version, nothing before adoption."""
    if minutes is None or not minutes.is_adopted:
        return None
    return minutes.adopted_version


def minutes_to_adopt(item) -> Minutes | None:
    return (
        Minutes.objects.filter(adoption_item=item)
        .select_related("meeting__association")
        .order_by("-meeting__starts_at")
        .first()
    )
