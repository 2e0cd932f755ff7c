"""The edge reads an opened poll ahead of its ballots when the live message that says
so passes through its hub (edge.ballots.warm_on_opening)."""

import logging
import uuid

from besluit.edge import ballots
from besluit.live.bus import format_event


class _Inline:
    """threading.Thread that runs its target at start(), in the test's thread."""

    def __init__(self, target, args, **_kwargs):
        self.target, self.args = target, args

    def start(self):
        self.target(*self.args)


def _deliver(message: dict) -> None:
    ballots.warm_on_opening(1, (message.get("id"), format_event(message)))


def test_a_poll_opening_warms_that_poll(monkeypatch):
    warmed = []
    monkeypatch.setattr(ballots.threading, "Thread", _Inline)
    monkeypatch.setattr(ballots.casting, "warm", warmed.append)
    poll = uuid.uuid4()
    _deliver({"id": 10**20, "event": "poll-opened", "data": {"poll": str(poll), "title": "x"}})
    _deliver({"id": 8, "event": "speakers", "data": {"poll": str(uuid.uuid4())}})
    _deliver({"event": "participation", "data": {"poll": str(uuid.uuid4())}})
    assert warmed == [poll]


def test_a_malformed_opening_is_logged_and_warms_nothing(monkeypatch, caplog):
    warmed = []
    monkeypatch.setattr(ballots.threading, "Thread", _Inline)
    monkeypatch.setattr(ballots.casting, "warm", warmed.append)
    with caplog.at_level(logging.WARNING, logger="besluit.edge"):
        _deliver({"id": 9, "event": "poll-opened", "data": {"poll": "not a uuid"}})
        _deliver({"id": 9, "event": "poll-opened", "data": {}})
    assert warmed == []
    assert caplog.text.count("without a poll id") == 2


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def fail(_poll):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(ballots.threading, "Thread", _Inline)
    monkeypatch.setattr(ballots.casting, "warm", fail)
    with caplog.at_level(logging.ERROR, logger="besluit.edge"):
        _deliver({"id": 3, "event": "poll-opened", "data": {"poll": str(uuid.uuid4())}})
    assert "ahead of its ballots failed" in caplog.text
