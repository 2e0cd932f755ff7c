"""Attendance and proxies in the minutes: read from the attendance app, written as the draft.

``gather`` reads, in a fixed number of queries, who attended the whole meeting (the
attendance app's ``presence(ever=True)``, the record the decision list publishes), the
approved proxies, the arrivals and departures during the meeting, and per poll the meeting
quorum found when it opened (``PollQuorum``). The figures are the attendance app's own:
nothing is counted twice here, so the minutes cannot disagree with the register.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from besluit.associations.models import Member
from besluit.attendance import selectors as attendance
from besluit.attendance.models import Attendance, PollQuorum, Proxy
from besluit.meetings.models import Meeting


def weight(value) -> str:
    """As the pages' ``weight`` filter: 12.000000 -> '12', 3.250000 -> '3,25'."""
    d = Decimal(str(value)).normalize()
    return floatformat(d, max(0, -d.as_tuple().exponent))


def share(fraction) -> str:
    return f"{floatformat(Decimal(str(fraction)) * 100, 2)}%"


@dataclass(frozen=True)
class Movement:
    """A member arriving after the start, or leaving before the end."""

    at: datetime
    member: Member
    arrived: bool


@dataclass
class AttendanceRecord:
    presence: attendance.Presence
    proxies: list[tuple[Member, Member]] = field(default_factory=list)  # (grantor, holder)
    movements: list[Movement] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return bool(self.presence.counted_members or self.proxies)


def gather(meeting: Meeting, *, end: datetime | None = None) -> AttendanceRecord:
    """The meeting's attendance. ``end``: when the meeting's business ended (the last vote
    or agenda item, or the planned end): a departure after it is leaving at the close, not
    during the meeting."""
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("member"))
    proxies = [
        (p.grantor, p.holder)
        for p in Proxy.objects.filter(meeting=meeting, status=Proxy.Status.APPROVED)
        .select_related("grantor", "holder")
        .order_by("grantor__name", "pk")
    ]
    if not rows and not proxies:
        return AttendanceRecord(attendance.Presence())  # no register kept: no weights to read
    found = attendance.presence(meeting, ever=True)
    movements: list[Movement] = []
    for a in rows:
        if a.arrived_at > meeting.starts_at:
            movements.append(Movement(a.arrived_at, a.member, True))
        departed = a.departed_at
        if (
            departed is not None
            and departed > meeting.starts_at
            and (end is None or departed < end)
        ):
            movements.append(Movement(departed, a.member, False))
    movements.sort(key=lambda m: (m.at, m.member.name))
    return AttendanceRecord(found, proxies, movements)


def quorums(meeting: Meeting) -> dict[int, PollQuorum]:
    """Poll id -> the meeting quorum recorded when that poll opened."""
    return {
        q.poll_id: q
        for q in PollQuorum.objects.filter(
            poll__meeting=meeting, required=True, checked_at__isnull=False
        ).select_related("poll")
    }


def quorum_line(q: PollQuorum) -> str:
    found = _(
        "%(members)s of %(eligible)s members present or represented (%(members_share)s), "
        "weight %(weight)s of %(eligible_weight)s (%(weight_share)s)"
    ) % {
        "members": q.members,
        "eligible": q.eligible_members,
        "members_share": share(
            Decimal(q.members) / q.eligible_members if q.eligible_members else 0
        ),
        "weight": weight(q.weight),
        "eligible_weight": weight(q.eligible_weight),
        "weight_share": share(q.weight / q.eligible_weight if q.eligible_weight else 0),
    }
    required = []
    if q.quorum_members:
        required.append(_("%(share)s of the members") % {"share": share(q.quorum_members)})
    if q.quorum_weight:
        required.append(_("%(share)s of the weight") % {"share": share(q.quorum_weight)})
    state = _("met") if q.met else _("not met")
    line = _("Meeting quorum at the opening of the vote: %(state)s, %(found)s") % {
        "state": state,
        "found": found,
    }
    if required:
        line += "; " + _("required: %(required)s") % {"required": ", ".join(required)}
    return line + "."


def figures(record: AttendanceRecord) -> list[str]:
    """The three lines of numbers: present, represented, together."""
    p = record.presence
    return [
        _("Present: %(n)s members, weight %(weight)s")
        % {"n": p.present_members, "weight": weight(p.present_weight)},
        _("Represented by proxy: %(n)s members, weight %(weight)s")
        % {"n": p.represented_members, "weight": weight(p.represented_weight)},
        _(
            "Together: %(n)s of %(total)s members (%(members_share)s), weight %(weight)s of "
            "%(total_weight)s (%(weight_share)s)"
        )
        % {
            "n": p.counted_members,
            "total": p.eligible_members,
            "members_share": share(p.members_share),
            "weight": weight(p.counted_weight),
            "total_weight": weight(p.eligible_weight),
            "weight_share": share(p.weight_share),
        },
    ]


def write(w, record: AttendanceRecord, item_at, clock) -> None:
    """The attendance section of the draft (``w``: draft's writer). ``item_at(time)`` names
    the agenda item being dealt with at a time ('' when none)."""
    w.heading(_("Attendance"), 2)
    for line in figures(record):
        w.bullet((line, False))
    if record.presence.present:
        w.para(
            (_("Present") + ": ", True),
            (", ".join(r.member.name for r in record.presence.present) + ".", False),
        )
    if record.presence.represented:
        w.para(
            (_("Represented by proxy") + ": ", True),
            (
                ", ".join(
                    _("%(member)s (by %(holder)s)")
                    % {"member": r.member.name, "holder": r.represented_by.name}
                    for r in record.presence.represented
                )
                + ".",
                False,
            ),
        )
    if record.proxies:
        w.para((_("Proxies (grantor → holder)"), True))
        for grantor, holder in record.proxies:
            w.bullet((f"{grantor.name} → {holder.name}", False))
    if record.movements:
        w.para((_("Arrivals and departures during the meeting"), True))
        for m in record.movements:
            text = (_("%(member)s arrives") if m.arrived else _("%(member)s leaves")) % {
                "member": m.member.name
            }
            item = item_at(m.at)
            where = " (" + _("item %(number)s") % {"number": item} + ")" if item else ""
            w.bullet((f"{clock(m.at)}: {text}{where}", False))


def open_data(record: AttendanceRecord | None, found: dict[int, PollQuorum]) -> dict | None:
    """The attendance of adopted minutes as open data: the same figures, member codes (no
    person's name), and per poll that required it the meeting quorum found at its opening."""
    if record is None:
        return None
    p = record.presence
    return {
        "eligibleMembers": p.eligible_members,
        "eligibleWeight": str(p.eligible_weight),
        "presentMembers": p.present_members,
        "presentWeight": str(p.present_weight),
        "representedMembers": p.represented_members,
        "representedWeight": str(p.represented_weight),
        "present": [r.member.code for r in p.present],
        "represented": [
            {"member": r.member.code, "by": r.represented_by.code} for r in p.represented
        ],
        "proxies": [{"grantor": g.code, "holder": h.code} for g, h in record.proxies],
        "movements": [
            {"at": m.at, "member": m.member.code, "event": "arrived" if m.arrived else "departed"}
            for m in record.movements
        ],
        "quorumAtVotes": [
            {
                "poll": str(q.poll.public_id),
                "met": q.met,
                "members": q.members,
                "eligibleMembers": q.eligible_members,
                "weight": str(q.weight),
                "eligibleWeight": str(q.eligible_weight),
                "requiredMembersShare": str(q.quorum_members),
                "requiredWeightShare": str(q.quorum_weight),
            }
            for q in sorted(found.values(), key=lambda q: q.checked_at)
        ],
    }
