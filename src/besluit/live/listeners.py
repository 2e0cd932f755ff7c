"""Turn voting events into live events (registered in LiveConfig.ready)."""

from django.db import transaction

from besluit import hooks


def _poll_opened(event: hooks.PollOpened) -> None:
    poll = event.poll
    from besluit.live.selectors import poll_opened_message
    from besluit.live.services import emit

    emit(poll.meeting_id, "poll-opened", poll_opened_message(poll))


def _ballots_accepted(event: hooks.BallotsAccepted) -> None:
    poll = event.poll
    from besluit.live.services import notifier

    poll_id, meeting_id = poll.pk, poll.meeting_id
    transaction.on_commit(lambda: notifier.mark(poll_id, meeting_id))


def _poll_countdown(event: hooks.PollCountdown) -> None:
    poll, seconds = event.poll, event.seconds
    from besluit.live.services import emit, schedule_close

    emit(
        poll.meeting_id,
        "poll-countdown",
        {"poll": str(poll.public_id), "closes_at": poll.closes_at.isoformat(), "seconds": seconds},
    )
    poll_id, closes_at = poll.pk, poll.closes_at
    transaction.on_commit(lambda: schedule_close(poll_id, closes_at))


def _poll_closed(event: hooks.PollClosed) -> None:
    poll = event.poll
    from besluit.live.selectors import result_message
    from besluit.live.services import emit

    emit(poll.meeting_id, "poll-closed", result_message(poll))


def connect() -> None:
    hooks.listen(hooks.PollOpened, _poll_opened)
    hooks.listen(hooks.BallotsAccepted, _ballots_accepted)
    hooks.listen(hooks.PollCountdown, _poll_countdown)
    hooks.listen(hooks.PollClosed, _poll_closed)
