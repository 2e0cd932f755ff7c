"""Tell the live pages (console, projector) that attendance changed.

An ephemeral live event "attendance" (not numbered, not replayed), coalesced to at most
one per meeting per second in each process: a door checking in members one after
another refreshes the screens once a second, not once per member. Sent after the
commit of the change.
"""

import threading

from django.db import transaction

_lock = threading.Lock()
_pending: set[int] = set()
DELAY = 1.0  # seconds


def attendance_changed(meeting_id: int) -> None:
    transaction.on_commit(lambda: _schedule(meeting_id))


def _schedule(meeting_id: int) -> None:
    with _lock:
        if meeting_id in _pending:
            return
        _pending.add(meeting_id)
    timer = threading.Timer(DELAY, _fire, args=[meeting_id])
    timer.daemon = True
    timer.start()


def _fire(meeting_id: int) -> None:
    from besluit.live.services import publish_ephemeral

    with _lock:
        _pending.discard(meeting_id)
    try:
        publish_ephemeral(meeting_id, "attendance", {})
    except Exception:  # a screen that misses one refresh catches up on the next event
        import logging

        logging.getLogger("besluit.attendance").warning("attendance event not published")
