"""What the live pages and the stream show: participation, open polls, results."""

from decimal import Decimal

from besluit.core import voting as core
from besluit.live.models import MeetingState
from besluit.meetings.models import Meeting
from besluit.voting.models import Ballot, Poll
from besluit.voting.selectors import participation


def _num(value: Decimal) -> str:
    return str(Decimal(value).normalize()) if value else "0"


def participation_message(poll: Poll) -> dict:
    """Who has voted so far, never how. Interim choices only for a named poll whose
    chair enabled them."""
    p = participation(poll)
    message = {
        "poll": str(poll.public_id),
        "status": poll.status,
        "voted_members": p.voted_members,
        "eligible_members": p.eligible_members,
        "voted_weight": _num(p.voted_weight),
        "eligible_weight": _num(p.eligible_weight),
        "members_pct": round(float(p.members_share) * 100, 1),
        "weight_pct": round(float(p.weight_share) * 100, 1),
    }
    if poll.show_interim and not poll.is_secret and poll.status == Poll.Status.OPEN:
        counts: dict[str, int] = {}
        for key in Ballot.objects.filter(poll=poll).values_list("option__key", flat=True):
            counts[key] = counts.get(key, 0) + 1
        message["interim_members"] = counts
    return message


def result_message(poll: Poll) -> dict:
    """A closed poll's totals for the stream; per-member choices are never in it."""
    result = poll.outcome
    return {
        "poll": str(poll.public_id),
        "title": poll.title,
        "outcome": result.outcome.value,
        "winner": result.winner,
        "options": [
            {
                "key": o.key,
                "label": o.label,
                "weight": _num(o.weight),
                "members": o.members,
                "share": core.share_text(o.share),
            }
            for o in result.options
        ],
        "voted_members": result.voted_members,
        "eligible_members": result.eligible_members,
        "voted_weight": _num(result.voted_weight),
        "eligible_weight": _num(result.eligible_weight),
    }


def poll_opened_message(poll: Poll) -> dict:
    return {
        "poll": str(poll.public_id),
        "title": poll.title,
        "question": poll.question,
        "is_secret": poll.is_secret,
        "options": [{"key": o.key, "label": o.label} for o in poll.options.all()],
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
    }


def snapshot(meeting: Meeting) -> dict:
    """The state a freshly connected page starts from."""
    from besluit.live.services import speakers_snapshot

    state = MeetingState.objects.filter(meeting=meeting).select_related("current_item").first()
    item = state.current_item if state else None
    open_polls = list(meeting.polls.filter(status=Poll.Status.OPEN).prefetch_related("options"))
    return {
        "last_event": state.last_seq if state else 0,
        "item": {"item": item.pk, "number": item.number, "title": item.title} if item else None,
        "open_polls": [
            {**poll_opened_message(p), "participation": participation_message(p)}
            for p in open_polls
        ],
        "speakers": speakers_snapshot(meeting),
    }
