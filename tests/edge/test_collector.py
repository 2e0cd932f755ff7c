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
