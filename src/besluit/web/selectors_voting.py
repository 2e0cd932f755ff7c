"""Read-only queries the poll, submission and decision pages need (fixed query counts)."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from besluit.associations.models import Association, Member
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion
from besluit.voting.models import Decision, Poll, PollOption, RegisterEntry

POLL_RELATED = (
    "meeting__association",
    "agenda_item",
    "proposal",
    "motion__submitter",
    "amendment__submitter",
    "amendment__proposal",
)


def poll_in(association: Association, poll_id) -> Poll:
    """The poll with what its page shows, or 404 when it belongs to another association."""
    return get_object_or_404(
        Poll.objects.select_related(*POLL_RELATED).prefetch_related(
            Prefetch("options", queryset=PollOption.objects.order_by("position"))
        ),
        public_id=poll_id,
        meeting__association=association,
    )


def register_entry(poll: Poll, member: Member | None) -> RegisterEntry | None:
    if member is None:
        return None
    return RegisterEntry.objects.filter(poll=poll, member=member).first()


def polls_of_meeting(meeting: Meeting) -> QuerySet[Poll]:
    """The meeting's polls in order, each with ``voted`` (number of ballots)."""
    return (
        Poll.objects.filter(meeting=meeting)
        .select_related("agenda_item", "motion", "amendment", "proposal")
        .annotate(voted=Count("ballots"))
        .order_by("created_at", "pk")
    )


def polls_on(*, motion: Motion | None = None, amendment: Amendment | None = None):
    qs = Poll.objects.annotate(voted=Count("ballots")).order_by("created_at", "pk")
    if motion is not None:
        return list(qs.filter(motion=motion))
    return list(qs.filter(amendment=amendment))


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


def agenda_item_in(meeting: Meeting, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting"), meeting=meeting, pk=item_id
    )


@dataclass
class DecisionGroup:
    item: AgendaItem | None
    decisions: list[Decision] = field(default_factory=list)


def decisions_by_item(meeting: Meeting) -> list[DecisionGroup]:
    """The decision list: per agenda item in agenda order, then decisions without an item."""
    groups = {item.pk: DecisionGroup(item) for item in meeting.agenda_items.order_by("position")}
    loose = DecisionGroup(None)
    for decision in Decision.objects.filter(meeting=meeting).select_related("poll", "recorded_by"):
        groups.get(decision.agenda_item_id, loose).decisions.append(decision)
    return [g for g in [*groups.values(), loose] if g.decisions]
