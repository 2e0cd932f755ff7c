"""Turn voting and election events into live events (registered in LiveConfig.ready)."""

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


def _election_round_opened(event: hooks.ElectionRoundOpened) -> None:
    from besluit.live.services import emit

    election, rnd = event.election, event.round
    emit(
        election.meeting_id,
        "election-opened",
        {"election": str(election.public_id), "round": rnd.number},
    )


def _election_ballot(event: hooks.ElectionBallotAccepted) -> None:
    from besluit.live.services import election_notifier

    round_pk, meeting_pk = event.round.pk, event.election.meeting_id
    transaction.on_commit(lambda: election_notifier.mark(round_pk, meeting_pk))


def _election_round_closed(event: hooks.ElectionRoundClosed) -> None:
    from besluit.live.services import emit

    election, rnd = event.election, event.round
    names = {c.key: c.name for c in election.candidacies.all()}
    result = rnd.result or {}
    emit(
        election.meeting_id,
        "election-closed",
        {
            "election": str(election.public_id),
            "round": rnd.number,
            "outcome": result.get("outcome"),
            "elected": [names.get(k, k) for k in result.get("elected", [])],
        },
    )


def connect() -> None:
    hooks.listen(hooks.PollOpened, _poll_opened)
    hooks.listen(hooks.BallotsAccepted, _ballots_accepted)
    hooks.listen(hooks.PollCountdown, _poll_countdown)
    hooks.listen(hooks.PollClosed, _poll_closed)
    hooks.listen(hooks.ElectionRoundOpened, _election_round_opened)
    hooks.listen(hooks.ElectionBallotAccepted, _election_ballot)
    hooks.listen(hooks.ElectionRoundClosed, _election_round_closed)
