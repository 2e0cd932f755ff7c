"""Read queries: who is present, who is represented by whom, the meeting's quorum.

Every function here runs a fixed number of queries whatever the number of members.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from besluit.associations.models import Association, Member
from besluit.associations.selectors import weighted_register
from besluit.attendance.models import (
    Attendance,
    MeetingAttendanceSettings,
    Proxy,
    ProxyRule,
)
from besluit.meetings.models import Meeting


def proxy_rule_in_force(association: Association, day: date) -> ProxyRule | None:
    return (
        ProxyRule.objects.filter(association=association, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def meeting_day(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


def settings_of(meeting: Meeting) -> MeetingAttendanceSettings:
    """The meeting's settings (unsaved defaults when none were set)."""
    found = MeetingAttendanceSettings.objects.filter(meeting=meeting).first()
    return found or MeetingAttendanceSettings(meeting=meeting)


def open_attendance(meeting: Meeting, member: Member) -> Attendance | None:
    return Attendance.objects.filter(
        meeting=meeting, member=member, departed_at__isnull=True
    ).first()


def present_member_ids(meeting: Meeting) -> set[int]:
    return set(
        Attendance.objects.filter(meeting=meeting, departed_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )


def active_proxies(meeting: Meeting):
    return Proxy.objects.filter(meeting=meeting, status__in=Proxy.ACTIVE)


@dataclass(frozen=True)
class Row:
    """One eligible member of the meeting and how it attends."""

    member: Member
    weight: Decimal
    attendance: Attendance | None
    represented_by: Member | None  # the present holder of its approved proxy

    @property
    def status(self) -> str:
        if self.attendance is not None:
            return "present"
        return "represented" if self.represented_by is not None else "absent"


@dataclass(frozen=True)
class Presence:
    rows: list[Row] = field(default_factory=list)
    eligible_members: int = 0
    eligible_weight: Decimal = Decimal(0)

    def _of(self, status: str) -> list[Row]:
        return [r for r in self.rows if r.status == status]

    @property
    def present(self) -> list[Row]:
        return self._of("present")

    @property
    def represented(self) -> list[Row]:
        return self._of("represented")

    @property
    def present_members(self) -> int:
        return len(self.present)

    @property
    def represented_members(self) -> int:
        return len(self.represented)

    @property
    def present_weight(self) -> Decimal:
        return sum((r.weight for r in self.present), Decimal(0))

    @property
    def represented_weight(self) -> Decimal:
        return sum((r.weight for r in self.represented), Decimal(0))

    @property
    def counted_members(self) -> int:
        return self.present_members + self.represented_members

    @property
    def counted_weight(self) -> Decimal:
        return self.present_weight + self.represented_weight

    @property
    def members_share(self) -> Decimal:
        return (
            Decimal(self.counted_members) / self.eligible_members
            if self.eligible_members
            else Decimal(0)
        )

    @property
    def weight_share(self) -> Decimal:
        return self.counted_weight / self.eligible_weight if self.eligible_weight else Decimal(0)

    def proxies_in_force(self) -> dict[int, Member]:
        """Grantor member id -> the present holder that votes for it."""
        return {r.member.pk: r.represented_by for r in self.represented}


def presence(meeting: Meeting, *, ever: bool = False, register=None) -> Presence:
    """Every eligible member with its attendance and proxy: present (checked in and not
    departed), represented (not present, with an approved proxy whose holder is
    present), or absent. Weights as the register of a poll would freeze them.

    ``ever``: the record of the whole meeting (the published list): present if it was
    checked in at any time (with its first arrival), represented likewise.
    ``register``: (member, weight) of the eligible members when the caller has them (a
    poll's register just frozen); else computed for the meeting's day."""
    if register is None:
        register = [
            (r.member, r.weight)
            for r in weighted_register(meeting.association, meeting_day(meeting))
            if r.eligible
        ]
    rows_of = Attendance.objects.filter(meeting=meeting)
    if not ever:
        rows_of = rows_of.filter(departed_at__isnull=True)
    attending: dict[int, Attendance] = {}
    for a in rows_of.order_by("-arrived_at", "-pk"):
        attending[a.member_id] = a  # the first arrival is written last
    holders = {
        p.grantor_id: p.holder
        for p in Proxy.objects.filter(meeting=meeting, status=Proxy.Status.APPROVED).select_related(
            "holder"
        )
    }
    rows = []
    for member, weight in register:
        attendance = attending.get(member.pk)
        holder = holders.get(member.pk)
        by = (
            holder if attendance is None and holder is not None and holder.pk in attending else None
        )
        rows.append(Row(member, weight, attendance, by))
    return Presence(
        rows=rows,
        eligible_members=len(register),
        eligible_weight=sum((weight for _member, weight in register), Decimal(0)),
    )


@dataclass(frozen=True)
class QuorumCheck:
    required_members: Decimal
    required_weight: Decimal
    presence: Presence

    @property
    def has_rule(self) -> bool:
        return bool(self.required_members or self.required_weight)

    @property
    def members_met(self) -> bool:
        return self.presence.members_share >= self.required_members

    @property
    def weight_met(self) -> bool:
        return self.presence.weight_share >= self.required_weight

    @property
    def met(self) -> bool:
        return self.members_met and self.weight_met


def meeting_quorum(meeting: Meeting, found: Presence | None = None) -> QuorumCheck:
    rules = settings_of(meeting)
    return QuorumCheck(
        Decimal(rules.quorum_members), Decimal(rules.quorum_weight), found or presence(meeting)
    )


def proxies_of(meeting: Meeting):
    return (
        Proxy.objects.filter(meeting=meeting)
        .select_related("grantor", "holder", "requested_by", "decided_by")
        .order_by("grantor__name", "-requested_at")
    )


def search_members(meeting: Meeting, text: str, limit: int = 20) -> list[Member]:
    """Members of the meeting's association whose name or code contains ``text``."""
    from django.db.models import Q

    text = text.strip()
    if not text:
        return []
    return list(
        meeting.association.members.filter(active=True)
        .filter(Q(name__icontains=text) | Q(code__icontains=text))
        .order_by("name")[:limit]
    )
