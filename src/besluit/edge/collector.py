"""When Python's garbage collector may pause the process: not in a burst of ballots.

Measured (bench/bench_live.py, 5,000 open streams): an automatic full collection
walks every object of the open streams and stops the worker for 230-320 ms, which
alone set the ballots' p99. So the worker freezes what it loaded at start-up, leaves
the young generations to run as usual (they are cheap), turns the automatic full
collection off, and runs it itself when no ballot arrived for a few seconds, or at
the latest every few minutes. Memory is freed by reference counting as always;
only reference cycles wait a little longer.

"No ballot for a few seconds" is also true in the moment between the chair opening a
poll and its first ballots reaching this worker, and a pass of 270 ms (2,500 streams a
worker) was measured in a ballot phase that can only have begun there. So the worker
watches the messages it delivers (live.bus.Hub.watch), and a
poll or an election opening holds the full pass off for ``OPENING_HOLD_SECONDS``, the
time people take to vote, unless the pass is overdue (``LATEST_SECONDS``).
"""

import asyncio
import gc
import logging
import os
import time
import weakref

from besluit.live.bus import event_name, hub

QUIET_SECONDS = 5.0  # no ballot for this long: a pause hurts no one
LATEST_SECONDS = 300.0  # a full collection at least this often, busy or not
CHECK_SECONDS = 2.0
SLOW_PASS_MS = 50.0  # a pass this long is logged (bench/bench_live.py reports them)
OPENING_HOLD_SECONDS = 60.0  # after a poll opens, ballots are coming: no full pass
# The live messages that say ballots are coming (live.listeners).
OPENINGS = frozenset({"poll-opened", "election-opened"})

log = logging.getLogger("besluit.edge")

_last_ballot = 0.0
_hold_until = 0.0  # monotonic time: no full pass before it (a poll has just opened)
_tasks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = (
    weakref.WeakKeyDictionary()
)


def configure() -> None:
    """At start-up, after the apps are loaded.

    ``BESLUIT_GC_AUTOMATIC=1`` keeps Python's own schedule: only for comparing the
    two (``bench/bench_live.py --gc-automatic``).
    """
    hub.watch(_watch_openings)
    gc.callbacks.append(_time_passes)
    gc.freeze()
    if os.environ.get("BESLUIT_GC_AUTOMATIC") == "1":
        return
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000_000)  # no automatic full collection


_pass_started = 0.0


def _time_passes(phase: str, info: dict) -> None:
    global _pass_started
    if phase == "start":
        _pass_started = time.perf_counter()
        return
    ms = (time.perf_counter() - _pass_started) * 1000
    if ms >= SLOW_PASS_MS:
        log.warning(
            "garbage collection (generation %d) paused the process for %.0f ms",
            info["generation"],
            ms,
        )


def _watch_openings(_meeting_id, item: tuple[int | None, bytes]) -> None:
    """In the thread that delivers live messages: a poll opening holds the pass off."""
    global _hold_until
    if event_name(item[1]) in OPENINGS:
        _hold_until = time.monotonic() + OPENING_HOLD_SECONDS


def ballot_arrived() -> None:
    global _last_ballot
    _last_ballot = time.monotonic()
    ensure_running()


def ensure_running() -> None:
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_collect_when_quiet())


async def _collect_when_quiet() -> None:
    last_full = time.monotonic()
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        now = time.monotonic()
        quiet = now - _last_ballot >= QUIET_SECONDS and now >= _hold_until
        if (quiet and now - last_full >= CHECK_SECONDS * 10) or now - last_full >= LATEST_SECONDS:
            gc.collect()
            last_full = time.monotonic()
