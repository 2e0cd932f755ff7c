"""Attendance for the pages of other apps, each through one include line: the console,
the projector, the poll pages and the live voting page ask these tags."""

from django import template

from besluit import access
from besluit.attendance import selectors
from besluit.attendance.models import PaperRound, PollQuorum
from besluit.voting.models import Ballot, RegisterEntry

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
def poll_attendance(poll):
    """What a poll's page says about attendance: the meeting quorum it requires (and
    what was found when it opened), and how many ballots came by proxy or on paper."""
    requirement = PollQuorum.objects.filter(poll=poll).first()
    counts = {"proxy": 0, "paper": 0}
    if poll.status != "draft":
        ballots = Ballot.objects.filter(poll=poll)
        counts = {
            "proxy": ballots.filter(proxy__isnull=False).count(),
            "paper": ballots.filter(on_paper=True).count(),
        }
    return {
        "requirement": requirement,
        "counts": counts,
        "paper_round": PaperRound.objects.filter(poll=poll).first() if poll.is_secret else None,
        "gate": selectors.meeting_quorum(poll.meeting)
        if poll.status == "draft" and requirement is not None and requirement.required
        else None,
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
