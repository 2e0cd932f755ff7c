"""Numbering, writing and attaching: a letter before it is sent."""

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.letters import drafts
from besluit.letters.models import Letter, LetterAttachment
from besluit.meetings.models import Meeting
from besluit.uploads import check_upload


def next_number(association: Association, day=None) -> str:
    """The next free number of the year: 'Lbr. 26/001', 'Lbr. 26/002', ..."""
    year = (day or timezone.localdate()).year % 100
    prefix = f"Lbr. {year:02d}/"
    used = [
        n.removeprefix(prefix)
        for n in Letter.objects.filter(
            association=association, number__startswith=prefix
        ).values_list("number", flat=True)
    ]
    highest = max((int(n) for n in used if n.isdigit()), default=0)
    return f"{prefix}{highest + 1:03d}"


def _check_meeting(association: Association, meeting: Meeting | None) -> None:
    if meeting is not None and meeting.association_id != association.pk:
        raise ValidationFailed(_("That meeting belongs to another association."), field="meeting")


def do_create_letter(
    *,
    actor,
    association: Association,
    kind: str,
    meeting: Meeting | None = None,
    number: str = "",
    subject: str = "",
    body: str = "",
) -> Letter:
    """A draft letter; subject and text come from the template unless given."""
    access.require_administer(actor, association)
    if kind not in Letter.Kind.values:
        raise ValidationFailed(_("Unknown template '%(kind)s'.") % {"kind": kind}, field="kind")
    _check_meeting(association, meeting)
    if kind != Letter.Kind.OTHER and meeting is None:
        raise ValidationFailed(_("This template needs a meeting."), field="meeting")
    template_subject, template_body = drafts.render(kind, association, meeting)
    with transaction.atomic():
        letter = Letter(
            association=association,
            number=(number or next_number(association)).strip(),
            kind=kind,
            subject=(subject or template_subject)[:300],
            body=body or template_body,
            meeting=meeting,
            include_invitation=meeting is not None
            and kind in (Letter.Kind.CONVOCATION, Letter.Kind.CONSULTATION),
            created_by=actor,
        )
        _save_unique(letter)
        record("letter.created", actor=actor, association=association, obj=letter, kind=kind)
    return letter


def _save_unique(letter: Letter) -> None:
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            _("Number '%(number)s' is in use for another letter.") % {"number": letter.number},
            field="number",
        ) from exc


def do_update_letter(
    *,
    actor,
    letter: Letter,
    number: str,
    subject: str,
    body: str,
    meeting: Meeting | None,
    include_invitation: bool,
) -> Letter:
    access.require_administer(actor, letter.association)
    if letter.status != Letter.Status.DRAFT:
        raise Conflict(_("A letter that has been sent cannot be changed."))
    _check_meeting(letter.association, meeting)
    if not number.strip() or not subject.strip() or not body.strip():
        raise ValidationFailed(_("A letter needs a number, a subject and a text."), field="subject")
    if include_invitation and meeting is None:
        raise ValidationFailed(
            _("A calendar invitation needs a meeting."), field="include_invitation"
        )
    with transaction.atomic():
        letter.number = number.strip()
        letter.subject = subject.strip()
        letter.body = body
        letter.meeting = meeting
        letter.include_invitation = include_invitation
        _save_unique(letter)
        record("letter.updated", actor=actor, association=letter.association, obj=letter)
    return letter


def do_add_attachment(
    *, actor, letter: Letter, upload: UploadedFile, title: str = ""
) -> LetterAttachment:
    """A PDF or Word file (checked by content, like agenda attachments)."""
    access.require_administer(actor, letter.association)
    if letter.status != Letter.Status.DRAFT:
        raise Conflict(_("A letter that has been sent cannot be changed."))
    kind = check_upload(upload)
    with transaction.atomic():
        attachment = LetterAttachment(letter=letter, title=(title or upload.name)[:200])
        attachment.store(upload, kind)
        record(
            "letter.attachment_added",
            actor=actor,
            association=letter.association,
            obj=letter,
            name=attachment.original_name,
        )
    return attachment


def do_remove_attachment(*, actor, attachment: LetterAttachment) -> None:
    letter = attachment.letter
    access.require_administer(actor, letter.association)
    if letter.status != Letter.Status.DRAFT:
        raise Conflict(_("A letter that has been sent cannot be changed."))
    with transaction.atomic():
        record(
            "letter.attachment_removed",
            actor=actor,
            association=letter.association,
            obj=letter,
            name=attachment.original_name,
        )
        attachment.file.delete(save=False)
        attachment.delete()
