"""The attendance register: check in at the door or remotely, check out."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Member
from besluit.attendance import selectors
from besluit.attendance.announce import attendance_changed
from besluit.attendance.models import Attendance, MeetingAttendanceSettings
from besluit.audit.services import record
from besluit.core import safetext
from besluit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from besluit.meetings.models import Meeting


def find_member(meeting: Meeting, code: str, *, field: str = "member") -> Member:
    """A member of the meeting's association by its code (case and spaces ignored)."""
    wanted = (code or "").strip().upper()
    member = meeting.association.members.filter(code=wanted).first() if wanted else None
    if member is None:
        raise NotFound(_("No member with code %(code)s.") % {"code": wanted or "—"}, field=field)
    return member


def _open(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))


def _clean_name(text: str, field: str) -> str:
    text = (text or "").strip()
    if problem := safetext.problem(text):
        raise ValidationFailed(problem, field=field)
    if len(text) > 200:
        raise ValidationFailed(_("At most 200 characters."), field=field)
    return text


def _check_in(*, actor, meeting, member, representative, how, now, ip) -> Attendance:
    if not member.active:
        raise Conflict(_("%(member)s is not an active member.") % {"member": member})
    with transaction.atomic():
        # The database refuses a second open attendance (attendance_once_at_a_time), also
        # of two phones at one door at the same moment: no lock and no look-up first.
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    meeting=meeting,
                    member=member,
                    representative=representative,
                    how=how,
                    arrived_at=now or timezone.now(),
                    checked_in_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            earlier = selectors.open_attendance(meeting, member)
            since = time_format(timezone.localtime(earlier.arrived_at), "H:i") if earlier else ""
            raise Conflict(
                _("%(member)s is checked in already (since %(time)s).")
                % {"member": member, "time": since},
                field="member",
            ) from exc
        record(
            "attendance.checked_in",
            actor=actor,
            association=meeting.association,
            obj=attendance,
            ip=ip,
            meeting=meeting.pk,
            member=member.code,
            how=how,
            representative=representative,
        )
        attendance_changed(meeting.pk)
    return attendance


def do_check_in(
    *,
    actor,
    meeting: Meeting,
    member: Member,
    representative: str = "",
    now: datetime | None = None,
    ip: str | None = None,
) -> Attendance:
    """The secretariat checks a member in at the door."""
    access.require_administer(actor, meeting.association)
    _open(meeting)
    if member.association_id != meeting.association_id:
        raise NotFound(_("No such member."), field="member")
    representative = _clean_name(representative, "representative")
    return _check_in(
        actor=actor,
        meeting=meeting,
        member=member,
        representative=representative,
        how=Attendance.How.DOOR,
        now=now,
        ip=ip,
    )


def do_self_check_in(
    *, actor, meeting: Meeting, representative: str = "", now=None, ip=None
) -> Attendance:
    """A representative checks its own member in, for remote attendance, when the meeting
    allows it (a voting code's account counts only in its own meeting)."""
    member = access.represented_members({actor.pk}, meeting.association, meeting).get(actor.pk)
    if member is None:
        raise PermissionDenied(_("Only a member's representative may check in."))
    _open(meeting)
    if not selectors.settings_of(meeting).remote_check_in:
        raise Conflict(_("This meeting does not allow checking in remotely."))
    name = _clean_name(representative, "representative") or actor.get_full_name() or ""
    return _check_in(
        actor=actor,
        meeting=meeting,
        member=member,
        representative=name[:200],
        how=Attendance.How.REMOTE,
        now=now,
        ip=ip,
    )


def do_check_out(
    *, actor, meeting: Meeting, member: Member, now: datetime | None = None, ip=None
) -> Attendance:
    """The secretariat records a departure. Refused once the meeting is closed: the
    attendance is then the record the minutes are made from."""
    access.require_administer(actor, meeting.association)
    _open(meeting)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update()
            .filter(meeting=meeting, member=member, departed_at__isnull=True)
            .first()
        )
        if attendance is None:
            raise Conflict(_("%(member)s is not checked in.") % {"member": member}, field="member")
        attendance.departed_at = max(now or timezone.now(), attendance.arrived_at)
        attendance.save(update_fields=["departed_at"])
        record(
            "attendance.checked_out",
            actor=actor,
            association=meeting.association,
            obj=attendance,
            ip=ip,
            meeting=meeting.pk,
            member=member.code,
        )
        attendance_changed(meeting.pk)
    return attendance


def do_configure_meeting(
    *,
    actor,
    meeting: Meeting,
    remote_check_in: bool,
    quorum_members: Decimal = Decimal(0),
    quorum_weight: Decimal = Decimal(0),
) -> MeetingAttendanceSettings:
    access.require_administer(actor, meeting.association)
    for name, value in (("quorum_members", quorum_members), ("quorum_weight", quorum_weight)):
        if not Decimal(0) <= Decimal(value) <= Decimal(1):
            raise ValidationFailed(_("A quorum is a share between 0 and 1."), field=name)
    with transaction.atomic():
        found, _created = MeetingAttendanceSettings.objects.update_or_create(
            meeting=meeting,
            defaults={
                "remote_check_in": remote_check_in,
                "quorum_members": quorum_members,
                "quorum_weight": quorum_weight,
            },
        )
        record(
            "attendance.meeting_configured",
            actor=actor,
            association=meeting.association,
            obj=meeting,
            remote_check_in=remote_check_in,
            quorum_members=str(quorum_members),
            quorum_weight=str(quorum_weight),
        )
    return found
