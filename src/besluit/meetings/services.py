"""Workflows for meetings and agendas."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import formats, hooks
from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.core import deadlines
from besluit.errors import ValidationFailed
from besluit.meetings.models import AgendaItem, Attachment, Meeting
from besluit.meetings.services_items import check_number_free, clean_heading
from besluit.numbering import next_number
from besluit.uploads import check_upload


@dataclass(frozen=True)
class StandardItem:
    number: str
    title: str
    requested_decision: str = ""


# The standard agenda of a general meeting (DOMAIN.md). Titles are Dutch: they
# are the association's own words, shown as written, not interface text.
STANDARD_AGENDA: tuple[StandardItem, ...] = (
    StandardItem("01", "Opening"),
    StandardItem("02", "Mededelingen"),
    StandardItem("03", "Benoeming notulencommissie", "De notulencommissie benoemen."),
    StandardItem("04", "Vaststelling notulen vorige vergadering", "De notulen vaststellen."),
    StandardItem(
        "05",
        "Jaarverslag en jaarrekening; décharge van het bestuur",
        "Het jaarverslag en de jaarrekening vaststellen en het bestuur décharge verlenen.",
    ),
    StandardItem("06", "Contributievoorstel", "Het contributievoorstel vaststellen."),
    StandardItem("07", "Beleidsvoorstellen en resoluties"),
    StandardItem(
        "08",
        "Verantwoording uitvoering eerder aangenomen moties",
        "Instemmen met de voorgestelde afdoening van de moties.",
    ),
    StandardItem("09", "Benoemingen bestuur en commissies"),
    StandardItem("10", "Rondvraag en sluiting"),
)


# An extraordinary meeting (BALV) is convened for what its convocation names, so its
# agenda is short: no annual accounts, no contribution, no appointments.
BALV_AGENDA: tuple[StandardItem, ...] = (
    StandardItem("01", "Opening en vaststelling van de agenda"),
    StandardItem("02", "Mededelingen"),
    StandardItem(
        "03",
        "Voorstel waarvoor de vergadering is bijeengeroepen",
        "Een besluit nemen over het voorstel uit de oproeping.",
    ),
    StandardItem("04", "Sluiting"),
)


def standard_agenda_for(kind: str) -> tuple[StandardItem, ...]:
    """The agenda a new meeting of this kind starts with."""
    return BALV_AGENDA if kind == Meeting.Kind.BALV else STANDARD_AGENDA


def deadline_warnings(meeting: Meeting) -> list[str]:
    """Deadlines that fall before the convocation: members would have to amend (or move)
    what they have not yet received. Allowed (the secretariat may have its reasons),
    but said."""
    if meeting.convocation_date is None:
        return []
    warnings = []
    deadlines_by_kind = (
        (
            meeting.amendment_deadline,
            _(
                "The deadline for amendments (%(deadline)s) falls "
                "before the convocation (%(convocation)s)."
            ),
        ),
        (
            meeting.motion_deadline,
            _(
                "The deadline for motions (%(deadline)s) falls before "
                "the convocation (%(convocation)s)."
            ),
        ),
    )
    for deadline, message in deadlines_by_kind:
        if deadline is not None and timezone.localtime(deadline).date() < meeting.convocation_date:
            warnings.append(
                message
                % {
                    "deadline": formats.moment(deadline),
                    "convocation": formats.day(meeting.convocation_date),
                }
            )
    return warnings


def default_deadline(association: Association, starts_at: datetime) -> datetime:
    return deadlines.submission_deadline(
        timezone.localtime(starts_at),
        working_days=association.deadline_working_days,
        at=association.deadline_time,
    )


def do_create_meeting(
    *,
    actor,
    association: Association,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    location: str = "",
    is_digital: bool = False,
    convocation_date: date | None = None,
    amendment_deadline: datetime | None = None,
    motion_deadline: datetime | None = None,
    standard_agenda: bool = False,
) -> Meeting:
    if ends_at is not None and ends_at < starts_at:
        raise ValidationFailed(_("A meeting cannot end before it starts."), field="ends_at")
    if not location and not is_digital:
        raise ValidationFailed(_("Give a location or mark the meeting digital."), field="location")
    if kind == Meeting.Kind.WRITTEN and ends_at is None:
        raise ValidationFailed(
            _("A written consultation needs the end of its voting window."), field="ends_at"
        )
    if convocation_date and convocation_date > starts_at.date():
        raise ValidationFailed(
            _("The convocation date lies after the meeting."), field="convocation_date"
        )
    default = default_deadline(association, starts_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            association=association,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            is_digital=is_digital,
            convocation_date=convocation_date,
            amendment_deadline=amendment_deadline or default,
            motion_deadline=motion_deadline or default,
        )
        if standard_agenda:
            AgendaItem.objects.bulk_create(
                AgendaItem(
                    meeting=meeting,
                    position=i,
                    number=item.number,
                    title=item.title,
                    requested_decision=item.requested_decision,
                )
                for i, item in enumerate(standard_agenda_for(kind), start=1)
            )
        record("meeting.created", actor=actor, association=association, obj=meeting, kind=kind)
    return meeting


def do_set_meeting_status(*, actor, meeting: Meeting, status: str) -> Meeting:
    with transaction.atomic():
        before = meeting.status
        meeting.status = status
        meeting.save(update_fields=["status"])
        record(
            "meeting.status_changed",
            actor=actor,
            association=meeting.association,
            obj=meeting,
            before=before,
            after=status,
        )
        if before == Meeting.Status.DRAFT and status != Meeting.Status.DRAFT:
            hooks.emit(hooks.MeetingPublished(meeting=meeting, actor=actor))
    return meeting


def do_add_agenda_item(
    *,
    actor,
    meeting: Meeting,
    number: str,
    title: str,
    requested_decision: str = "",
    explanation: str = "",
) -> AgendaItem:
    number, title = clean_heading(number, title)
    with transaction.atomic():
        position = next_number(meeting.agenda_items, "position", lock=meeting)
        check_number_free(meeting, number)
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            number=number,
            title=title,
            requested_decision=requested_decision,
            explanation=explanation,
        )
        record("agenda_item.created", actor=actor, association=meeting.association, obj=item)
    return item


def do_add_attachment(
    *, actor, agenda_item: AgendaItem, upload: UploadedFile, title: str = ""
) -> Attachment:
    kind = check_upload(upload)
    with transaction.atomic():
        attachment = Attachment(agenda_item=agenda_item, title=(title or upload.name)[:200])
        attachment.store(upload, kind)
        record(
            "attachment.added",
            actor=actor,
            association=agenda_item.meeting.association,
            obj=attachment,
            name=attachment.original_name,
            size=attachment.size,
        )
    return attachment
