"""Domain events inside a service's transaction, for apps that build on the core workflows.

The voting and proposals services announce what happened; other apps (live updates,
accountability) listen, registered in their AppConfig.ready(). A listener runs inside
the announcing transaction: if it raises, the whole change is rolled back. Work that
must wait for the commit (pushes, e-mails) uses ``transaction.on_commit`` inside the
listener.

Each event is a dataclass, so a misspelt event or field fails at import or at the
call, instead of announcing to nobody.
"""

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True)
class SubmissionDecided:
    """A motion or amendment got its outcome (by a poll, or by the chair: poll is None)."""

    submission: Any  # proposals.models.Motion or Amendment
    status: str
    actor: Any
    poll: Any = None


@dataclass(frozen=True)
class PollOpened:
    poll: Any
    actor: Any


@dataclass(frozen=True)
class BallotsAccepted:
    """Once per batch of accepted ballots (see voting.casting). It names no member and no
    choice, so a listener cannot leak one."""

    poll: Any
    count: int


@dataclass(frozen=True)
class PollCountdown:
    """Voting closes at ``poll.closes_at``, in ``seconds``."""

    poll: Any
    seconds: int
    actor: Any


@dataclass(frozen=True)
class PollClosed:
    poll: Any
    result: Any  # core.voting.Result
    actor: Any


@dataclass(frozen=True)
class DecisionRecorded:
    """An entry of the decision list: by a poll's close or by acclamation."""

    decision: Any  # voting.models.Decision
    actor: Any


@dataclass(frozen=True)
class MeetingPublished:
    """A meeting was convened: from now on members see it (status draft -> convened)."""

    meeting: Any
    actor: Any


@dataclass(frozen=True)
class LetterSent:
    """A member letter was queued for its recipients (letters.services.do_send_letter)."""

    letter: Any
    actor: Any


@dataclass(frozen=True)
class CommitmentChanged:
    """A commitment's history got a line: created, changed, an update, a milestone."""

    commitment: Any
    kind: str
    actor: Any


@dataclass(frozen=True)
class MinutesAdopted:
    """A meeting's minutes (notulen) were adopted. Announced by the minutes app."""

    meeting: Any
    minutes: Any
    actor: Any


@dataclass(frozen=True)
class _ElectionRoundEvent:
    election: Any
    round: Any


@dataclass(frozen=True)
class ElectionRoundOpened(_ElectionRoundEvent):
    """A round of an election of persons opened (elections.services.rounds)."""

    actor: Any


@dataclass(frozen=True)
class ElectionBallotAccepted(_ElectionRoundEvent):
    """A ballot of an election round was accepted. It names no member and no choice."""


@dataclass(frozen=True)
class ElectionRoundClosed(_ElectionRoundEvent):
    """A round was closed and counted (``round.result``), or declared unopposed."""

    actor: Any


Event = (
    SubmissionDecided
    | PollOpened
    | BallotsAccepted
    | PollCountdown
    | PollClosed
    | DecisionRecorded
    | MeetingPublished
    | LetterSent
    | CommitmentChanged
    | MinutesAdopted
    | ElectionRoundOpened
    | ElectionBallotAccepted
    | ElectionRoundClosed
)
E = TypeVar("E", bound=Event)

# A listener is a callable or "module:function", imported at the first event: an app whose
# listener module is heavy (accountability pulls in the voting services) need not load it
# in every process, so a one-shot command (``besluit createuser``) starts quickly.
_listeners: dict[type, list[Callable[[Any], Any] | str]] = defaultdict(list)


def listen(event_type: type[E], listener: Callable[[E], Any] | str) -> None:
    if listener not in _listeners[event_type]:
        _listeners[event_type].append(listener)


def _resolve(path: str) -> Callable[[Any], Any]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def emit(event: Event) -> None:
    listeners = _listeners.get(type(event), [])
    for i, listener in enumerate(listeners):
        if isinstance(listener, str):
            listener = listeners[i] = _resolve(listener)
        listener(event)
