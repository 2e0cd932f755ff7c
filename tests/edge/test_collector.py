"""The garbage collector's full pass waits for a quiet moment (edge.collector)."""

import asyncio
import gc
import threading

from besluit.edge import collector


def test_full_collections_run_when_no_ballot_arrives(monkeypatch):
    before = gc.get_threshold()
    runs = []
    monkeypatch.setattr(collector, "CHECK_SECONDS", 0.01)
    monkeypatch.setattr(collector, "QUIET_SECONDS", 0.05)
    monkeypatch.setattr(collector, "_hold_until", 0.0)  # no poll opened just now
    monkeypatch.setattr(collector.gc, "collect", lambda *a: runs.append(1) or 0)
    monkeypatch.setattr(collector.gc, "freeze", lambda: None)
    try:
        collector.configure()
        assert gc.get_threshold()[2] >= 10**9  # no automatic full pass

        async def scenario():
            collector.ballot_arrived()
            for _ in range(20):  # a burst: a ballot every 10 ms for 0.2 s
                await asyncio.sleep(0.01)
                collector.ballot_arrived()
            busy = len(runs)
            await asyncio.sleep(0.5)  # then quiet
            return busy

        # In a thread of its own: another test's event loop (the browser's) may be
        # running in this one.
        result = {}
        thread = threading.Thread(target=lambda: result.update(busy=asyncio.run(scenario())))
        thread.start()
        thread.join(10)
        busy = result["busy"]
        assert busy == 0 and len(runs) >= 1
    finally:
        gc.set_threshold(*before)
        gc.callbacks[:] = [c for c in gc.callbacks if c is not collector._time_passes]


def test_a_long_pass_is_logged(caplog):
    collector._time_passes("start", {"generation": 2})
    collector._pass_started -= 0.3  # as if it had begun 300 ms ago
    collector._time_passes("stop", {"generation": 2})
    assert "paused the process for 3" in caplog.text


def test_a_poll_opening_holds_the_full_pass_off(monkeypatch):
    """Between the chair opening a poll and its first ballots no ballot arrives, yet a
    pass there would stall the first ballots: the opening itself holds the pass off."""
    from besluit.live.bus import format_event, hub

    monkeypatch.setattr(collector, "_hold_until", 0.0)
    hub.watch(collector._watch_openings)
    hub.watch(collector._watch_openings)  # once is enough: a second watch adds nothing
    assert hub._watchers.count(collector._watch_openings) == 1

    other = {"id": 7, "event": "speakers", "data": {"x": 1}}
    hub.deliver_formatted(None, (7, format_event(other)))
    assert collector._hold_until == 0.0

    before = collector.time.monotonic()
    opened = {"id": 10**24, "event": "poll-opened", "data": {"poll": "p"}}
    hub.deliver_formatted(None, (10**24, format_event(opened)))
    assert collector._hold_until >= before + collector.OPENING_HOLD_SECONDS

    monkeypatch.setattr(collector, "_hold_until", 0.0)
    election = {"event": "election-opened", "data": {}}
    hub.deliver_formatted(3, (None, format_event(election)))
    assert collector._hold_until >= before + collector.OPENING_HOLD_SECONDS


def test_no_full_pass_while_an_opening_holds_it(monkeypatch):
    runs = []
    monkeypatch.setattr(collector, "CHECK_SECONDS", 0.01)
    monkeypatch.setattr(collector, "QUIET_SECONDS", 0.0)
    monkeypatch.setattr(collector, "LATEST_SECONDS", 3600.0)
    monkeypatch.setattr(collector.gc, "collect", lambda *a: runs.append(1) or 0)

    async def scenario():
        collector._hold_until = collector.time.monotonic() + 0.4
        collector.ensure_running()
        await asyncio.sleep(0.3)  # held: a poll has just opened, no ballot yet
        held = len(runs)
        await asyncio.sleep(0.5)  # the hold is over and nothing arrives
        return held

    monkeypatch.setattr(collector, "_hold_until", 0.0)
    result = {}
    thread = threading.Thread(target=lambda: result.update(held=asyncio.run(scenario())))
    thread.start()
    thread.join(10)
    assert result["held"] == 0 and len(runs) >= 1
