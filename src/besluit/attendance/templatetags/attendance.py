"""Attendance for the pages of other apps, each through one include line: the console,
the projector, the poll pages and the live voting page ask these tags."""

from django import template
from django.db.models import Count, Q

from besluit import access
from besluit.attendance import selectors
from besluit.attendance.models import PollQuorum
from besluit.voting.models import Ballot, Poll, RegisterEntry

register = template.Library()


@register.simple_tag
def attendance_summary(meeting):
    """Present and represented members, in number and weight, and the meeting quorum."""
    found = selectors.presence(meeting)
    return {"presence": found, "quorum": selectors.meeting_quorum(meeting, found)}


@register.simple_tag
def attendance_record(meeting):
    """The whole meeting's record (for the decision list): who attended at any time."""
    return {"presence": selectors.presence(meeting, ever=True)}


@register.simple_tag
def poll_gate(poll):
    """Before opening: whether the poll requires the meeting's quorum, and whether it is
    met now."""
    requirement = PollQuorum.objects.filter(poll=poll, required=True).first()
    return selectors.meeting_quorum(poll.meeting) if requirement is not None else None


@register.simple_tag
def poll_attendance(poll):
    """What a closed poll's page says about attendance: how many ballots came by proxy
    or on paper, and the meeting quorum found when it opened. One query (a poll page
    costs a fixed number, tests/web/test_pages_polls.py); none for an open poll."""
    if poll.status != "closed":
        return None
    row = (
        Poll.objects.filter(pk=poll.pk)
        .annotate(
            proxy=Count("ballots", filter=Q(ballots__proxy__isnull=False)),
            paper=Count("ballots", filter=Q(ballots__on_paper=True)),
        )
        .values(
            "proxy",
            "paper",
            "meeting_quorum__checked_at",
            "meeting_quorum__members",
            "meeting_quorum__eligible_members",
            "meeting_quorum__weight",
            "meeting_quorum__eligible_weight",
        )
        .get()
    )
    return {
        "counts": {"proxy": row["proxy"], "paper": row["paper"]},
        "quorum": {
            "checked_at": row["meeting_quorum__checked_at"],
            "members": row["meeting_quorum__members"],
            "eligible_members": row["meeting_quorum__eligible_members"],
            "weight": row["meeting_quorum__weight"],
            "eligible_weight": row["meeting_quorum__eligible_weight"],
        },
    }


@register.simple_tag(takes_context=True)
def proxy_votes(context, poll):
    """The members the user's member votes for by proxy in this open poll, with whether
    each has voted (frozen in the register at opening)."""
    user = context.get("user")
    member = access.represented_member(user, poll.meeting.association) if user else None
    if member is None or poll.status != "open":
        return []
    entries = list(
        RegisterEntry.objects.filter(poll=poll, represented_by=member).select_related("member")
    )
    voted = set(
        Ballot.objects.filter(poll=poll, member__in=[e.member for e in entries]).values_list(
            "member_id", flat=True
        )
    )
    return [(e.member, e.member_id in voted) for e in entries]


@register.simple_tag
def named_vote_marks(poll):
    """Member id -> how its ballot came ("proxy:<holder name>" or "paper"), for the
    named votes of a closed poll."""
    marks = {}
    for member_id, holder, paper in Ballot.objects.filter(poll=poll).values_list(
        "member_id", "proxy__name", "on_paper"
    ):
        if holder:
            marks[member_id] = holder
        elif paper:
            marks[member_id] = "paper"
    return marks


@register.filter
def mark_of(marks: dict, member_id) -> str:
    return marks.get(member_id, "")


@register.filter
def get_total(totals: dict, key: str) -> dict:
    return totals.get(key, {"members": 0, "weight": "0"})


@register.simple_tag(takes_context=True)
def self_check_in(context, meeting):
    """For the live page: whether the user's member may check itself in remotely now
    (the meeting allows it and the member is not present)."""
    user = context.get("user")
    member = access.represented_member(user, meeting.association) if user else None
    if member is None or not selectors.settings_of(meeting).remote_check_in:
        return None
    if selectors.open_attendance(meeting, member) is not None:
        return {"member": member, "present": True}
    return {"member": member, "present": False}
