"""Run a coroutine from a test, whatever else the test worker runs."""

import asyncio
import threading


def run(coro):
    """``asyncio.run`` in a thread of its own. The browser tests' Playwright keeps an
    event loop running in the main thread of the worker that runs them, and a later test
    on that worker cannot call ``asyncio.run`` there."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
