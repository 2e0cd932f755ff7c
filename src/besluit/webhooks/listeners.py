"""From the project's typed events (besluit.hooks) to webhook deliveries.

Each payload names objects by their API ids, so a receiver can fetch more through the API
with its own token. No payload carries a member's choice: a poll's close says its outcome.
"""

from besluit import hooks
from besluit.webhooks.services import announce


def _announce(owner, name: str, data: dict) -> None:
    """Deliver ``name`` to the webhooks of ``owner``'s association (owner: anything with an
    ``association``); the payload starts with the association's slug."""
    announce(owner.association_id, name, {"association": owner.association.slug} | data)


def _poll_data(poll) -> dict:
    return {
        "meetingId": poll.meeting_id,
        "pollId": str(poll.public_id),
        "title": poll.title,
        "subject": poll.subject,
    }


def poll_opened(event: hooks.PollOpened) -> None:
    poll = event.poll
    _announce(poll.meeting, "poll.opened", _poll_data(poll) | {"openedAt": poll.opened_at})


def poll_closed(event: hooks.PollClosed) -> None:
    poll = event.poll
    data = _poll_data(poll) | {"closedAt": poll.closed_at, "outcome": event.result.outcome.value}
    _announce(poll.meeting, "poll.closed", data)


def decision_recorded(event: hooks.DecisionRecorded) -> None:
    d = event.decision
    data = {
        "meetingId": d.meeting_id,
        "decisionId": d.pk,
        "agendaItemId": d.agenda_item_id,
        "pollId": str(d.poll.public_id) if d.poll_id else None,
        "method": d.method,
        "outcome": d.outcome,
        "subject": d.subject,
        "text": d.text,
    }
    _announce(d.meeting, "decision.recorded", data)


def meeting_published(event: hooks.MeetingPublished) -> None:
    m = event.meeting
    data = {
        "meetingId": m.pk,
        "title": m.title,
        "kind": m.kind,
        "startsAt": m.starts_at,
        "status": m.status,
    }
    _announce(m, "meeting.published", data)


def letter_sent(event: hooks.LetterSent) -> None:
    x = event.letter
    data = {"letterId": x.pk, "number": x.number, "subject": x.subject, "meetingId": x.meeting_id}
    _announce(x, "letter.sent", data)


def commitment_changed(event: hooks.CommitmentChanged) -> None:
    c = event.commitment
    data = {
        "commitmentId": c.pk,
        "change": event.kind,
        "title": c.title,
        "status": c.status,
        "progress": c.progress,
        "dueDate": c.due_date,
    }
    _announce(c, "commitment.changed", data)


def minutes_adopted(event: hooks.MinutesAdopted) -> None:
    m = event.meeting
    _announce(
        m, "minutes.adopted", {"meetingId": m.pk, "minutesId": getattr(event.minutes, "pk", None)}
    )


def register() -> None:
    hooks.listen(hooks.PollOpened, poll_opened)
    hooks.listen(hooks.PollClosed, poll_closed)
    hooks.listen(hooks.DecisionRecorded, decision_recorded)
    hooks.listen(hooks.MeetingPublished, meeting_published)
    hooks.listen(hooks.LetterSent, letter_sent)
    hooks.listen(hooks.CommitmentChanged, commitment_changed)
    hooks.listen(hooks.MinutesAdopted, minutes_adopted)
