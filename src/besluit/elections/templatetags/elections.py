"""Tags for the parts of the election pages that other pages include (console, projector),
so that those pages need one include line and no change to their views."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def elections_console(meeting):
    """The meeting's elections with what the chair can do next."""
    out = []
    for e in selectors.elections_of(meeting):
        rnd = selectors.open_round(e)
        e.open_round_now = rnd is not None
        e.participation = selectors.participation(rnd) if rnd else None
        e.n_standing = sum(1 for c in e.candidacies.all() if c.stands)
        out.append(e)
    return out


@register.simple_tag
def elections_projector(meeting):
    return selectors.projector_context(meeting)


@register.simple_tag
def seats_held(association):
    """Every seat held today or from a coming date, with its holder's account where
    known (the people page)."""
    return [m for entry in selectors.bodies_with_seats(association) for m in entry["seats"]]


@register.simple_tag
def elections_open(meeting):
    """The meeting's elections with a round open now (the participant's live page)."""
    return [
        e
        for e in selectors.elections_of(meeting)
        if e.status == "voting" and selectors.open_round(e) is not None
    ]


@register.simple_tag
def seat_index(association):
    """The seats held today, to look up per row (``owner_seats``, ``user_seats``)."""
    return selectors.SeatIndex.of(association)


@register.simple_tag
def owner_seats(index, commitment):
    """The seats of a commitment's owner (person and committee), with their terms."""
    return index.of_owner(commitment)


@register.simple_tag
def user_seats(index, user_id):
    return index.of_user(user_id)
