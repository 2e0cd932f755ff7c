"""Attendance as open data: the ``attendance`` of a meeting's Popolo event.

Per eligible member its status (present, represented by proxy, absent) over the whole
meeting and the member that voted for it; no person's name (the register of who was
at the door holds names; the open data speak of member organisations only).
"""

from typing import Any

from besluit.attendance import selectors
from besluit.meetings.models import Meeting


def attendance(meeting: Meeting) -> list[dict[str, Any]]:
    found = selectors.presence(meeting, ever=True)
    return [
        {
            "organization_id": r.member.code,
            "status": r.status,
            "represented_by": r.represented_by.code if r.represented_by else None,
            "weight": r.weight,
            "arrived_at": r.attendance.arrived_at if r.attendance else None,
        }
        for r in found.rows
        if r.status != "absent"
    ]
