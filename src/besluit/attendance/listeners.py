"""What the attendance app does when a poll opens (registered in AppConfig.ready)."""

from besluit import hooks


def on_poll_opened(event: hooks.PollOpened) -> None:
    from besluit.attendance.services import freeze_at_opening

    freeze_at_opening(event.poll, event.actor)


def register() -> None:
    hooks.listen(hooks.PollOpened, on_poll_opened)
