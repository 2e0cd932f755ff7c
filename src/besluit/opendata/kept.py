"""Popolo exports a process has made, used again while nothing in the association changed.

An association's export reads every public meeting, closed poll and named vote: about
half a second of CPU on the demo (342 members, a dozen polls). The downloads under
/open/ and /api/v1/open-data/ need no login, so without this anyone could keep a
server's cores busy by asking for them again and again, at every other user's cost.

A kept export is used while it is current:
- no audit event of its association came after it (every service that changes what an
  export shows writes one: closing a poll, publishing, an import, a decision);
- it is younger than ``KEPT_SECONDS``, the max-age the downloads already announce, which
  also bounds a change made outside the services (the admin, a shell).

One export is made at a time per process: requests that need the same one wait for it
and use it, instead of each making it again at the same moment.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from besluit.associations.models import Association
from besluit.audit import selectors as audit_selectors
from besluit.bounded import make_room
from besluit.meetings.models import Meeting
from besluit.opendata import popolo

KEPT_SECONDS = 300
# The demo's whole export is about 11 MB of Python objects (1 MB of JSON): a process
# keeps eight at the most, the least recently made dropped first.
LIMIT = 8
# What is made of one export: JSON, ZIP, the API's JSON, 13 CSV tables, and an ORI
# document per server address. The address comes from the request's Host, which a wide
# BESLUIT_ALLOWED_HOSTS ("*", ".example.org") leaves to the client: past this many, a
# download is made for its request and not kept, so no one can fill the memory.
OUTPUTS_LIMIT = 24

# (association, meeting) -> (audit version, made at, the export, what was made of it)
_kept: dict[tuple[int, int | None], tuple[int, float, dict[str, Any], dict[str, bytes]]] = {}
_making = threading.Lock()


def version(association: Association) -> int:
    return audit_selectors.latest_id(association.pk)


def export(association: Association, meeting: Meeting | None = None) -> dict[str, Any]:
    """``popolo.export(association, meeting)``, kept while current. The caller must not
    change it: other requests get the same dict."""
    key = _key(association, meeting)
    # Read before the export: the export then holds at least what this version names.
    current = version(association)
    found = _current(key, current)
    if found is not None:
        return found
    with _making:
        found = _current(key, current)  # made by the request this one waited for
        if found is None:
            found = popolo.export(association, meeting)
            _kept.pop(key, None)  # to the end: the oldest made is dropped first
            make_room(_kept, LIMIT)
            _kept[key] = (current, time.monotonic(), found, {})
    return found


def made(
    association: Association,
    meeting: Meeting | None,
    what: str,
    make: Callable[[dict[str, Any]], bytes],
) -> bytes:
    """``make(export)``, kept with the export it is made of: a download's bytes (the
    JSON, the ZIP, a CSV table, the ORI document), ``what`` naming which."""
    found = export(association, meeting)
    kept = _kept.get(_key(association, meeting))
    if kept is None or kept[2] is not found:  # made again or dropped meanwhile
        return make(found)
    outputs = kept[3]
    if what in outputs:
        return outputs[what]
    content = make(found)
    if len(outputs) < OUTPUTS_LIMIT:
        outputs[what] = content
    return content


def _key(association: Association, meeting: Meeting | None) -> tuple[int, int | None]:
    return (association.pk, meeting.pk if meeting is not None else None)


def _current(key: tuple[int, int | None], current: int) -> dict[str, Any] | None:
    kept = _kept.get(key)
    if kept is None:
        return None
    made_at_version, made_at, found, _outputs = kept
    if made_at_version != current or time.monotonic() - made_at >= KEPT_SECONDS:
        return None
    return found


def forget() -> None:
    """Drop every kept export (tests: a rolled-back test gives its ids to the next)."""
    _kept.clear()
