"""``{% trustees_note meeting %}``: before a secret vote opens, who its trustees are and
what their absence means, or why it cannot open yet (voting.services._election_for)."""

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
    """What a voter without JavaScript can do instead of the sealed vote, as far as the
    association allows: a paper ballot in the hall (the tellers' paper round, when the
    meeting has a place) and a proxy (when the statutes' rule in force allows one)."""
    from django.utils import timezone

    from besluit.attendance.selectors import proxy_rule_in_force

    meeting = poll.meeting
    rule = proxy_rule_in_force(meeting.association, timezone.localdate(meeting.starts_at))
    return {
        "paper": bool(meeting.location),
        "location": meeting.location,
        "proxies": rule.max_represented if rule is not None else 0,
    }
