"""``{% trustees_note meeting %}``: before a secret vote opens, who its trustees are and
what their absence means, or why it cannot open yet (voting.services.opening._election_for)."""

from django import template

from besluit.voting.models import Election

register = template.Library()


@register.inclusion_tag("voting/_trustees_note.html")
def trustees_note(meeting):
    election = Election.objects.filter(meeting=meeting).first()
    return {
        "meeting": meeting,
        "election": election,
        "ready": election is not None and election.status == Election.Status.READY,
        "people": [t for t in election.trustees.all() if not t.is_server] if election else [],
        "server": election is not None and election.trustees.filter(is_server=True).exists(),
    }


@register.simple_tag
def without_javascript(poll) -> dict:
    """What a voter without JavaScript can do instead of the sealed vote: a paper ballot in
    the hall (the tellers' paper round), when the meeting has a place. (Not a proxy: a
    proxy holder cannot cast a sealed ballot for another member yet.)"""
    meeting = poll.meeting
    return {"paper": bool(meeting.location), "location": meeting.location}
