"""Minutes adopted by a poll (registered in MinutesConfig.ready): when the poll on the agenda
item linked to concept minutes closes with "adopted", the minutes are adopted."""

from besluit import hooks


def _poll_closed(event: hooks.PollClosed) -> None:
    poll = event.poll
    # Only a vote on the agenda item itself ("de notulen vaststellen") adopts minutes: other
    # polls cost no query here.
    if not poll.agenda_item_id or poll.subject != "agenda_item":
        return
    from besluit.errors import Conflict
    from besluit.minutes import services
    from besluit.minutes.models import Minutes
    from besluit.voting.models import Decision

    concept = (
        Minutes.objects.select_for_update()
        .filter(adoption_item_id=poll.agenda_item_id, status=Minutes.Status.CONCEPT)
        .first()
    )
    if concept is None:
        return
    decision = Decision.objects.filter(poll=poll).first()
    if decision is None or decision.outcome != Decision.Outcome.ADOPTED:
        return
    try:
        version = services.check_adoptable(concept)
    except Conflict:
        return  # a draft is being written: the chair adopts by hand; the poll's close stands
    services.adopt(concept, version, decision, actor=event.actor, now=poll.closed_at)


def connect() -> None:
    hooks.listen(hooks.PollClosed, _poll_closed)
