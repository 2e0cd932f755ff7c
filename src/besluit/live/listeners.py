"""Turn voting events into live events (registered in LiveConfig.ready)."""

from django.db import transaction

from besluit import hooks


def _poll_opened(*, poll, actor, **_):
    from besluit.live.selectors import poll_opened_message
    from besluit.live.services import emit

    emit(poll.meeting_id, "poll-opened", poll_opened_message(poll))


def _ballots_accepted(*, poll, **_):
    from besluit.live.services import notifier

    poll_id, meeting_id = poll.pk, poll.meeting_id
    transaction.on_commit(lambda: notifier.mark(poll_id, meeting_id))


def _poll_closed(*, poll, result, actor, **_):
    from besluit.live.selectors import result_message
    from besluit.live.services import emit

    emit(poll.meeting_id, "poll-closed", result_message(poll))


def connect() -> None:
    hooks.listen("poll.opened", _poll_opened)
    hooks.listen("ballots.accepted", _ballots_accepted)
    hooks.listen("poll.closed", _poll_closed)
