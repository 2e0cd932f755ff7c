"""Domain events inside a service's transaction, for apps that build on the core workflows.

The voting and proposals services announce what happened; other apps (the vote
log, live updates, accountability) listen, registered in their AppConfig.ready().
A listener runs inside the announcing transaction: if it raises, the whole change
is rolled back. Work that must wait for the commit (pushes, e-mails) uses
``transaction.on_commit`` inside the listener.

Events and their keyword arguments:
- ``submission.decided``: submission (Motion or Amendment), status, actor, poll (or None)
- ``poll.opened``: poll, actor
- ``ballots.accepted``: poll, count (once per batch of accepted ballots, see
  voting.casting; it names no member and no choice, so a listener cannot leak one)
- ``poll.countdown``: poll, seconds, actor (voting closes at ``poll.closes_at``)
- ``poll.closed``: poll, result (core.voting.Result), actor
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_listeners: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def listen(event: str, listener: Callable[..., Any]) -> None:
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def emit(event: str, **kwargs: Any) -> None:
    for listener in _listeners.get(event, ()):
        listener(**kwargs)
