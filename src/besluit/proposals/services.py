"""Workflows for proposals, amendments and motions."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.numbering import next_number
from besluit.proposals.models import (
    Amendment,
    Motion,
    PreAdvice,
    Proposal,
    Submission,
    SubmissionStatus,
)


def do_set_proposal(*, actor, agenda_item: AgendaItem, title: str, text: str) -> Proposal:
    if not title.strip() or not text.strip():
        raise ValidationFailed(_("A proposal needs a title and a text."), field="text")
    with transaction.atomic():
        proposal, created = Proposal.objects.update_or_create(
            agenda_item=agenda_item, defaults={"title": title.strip(), "text": text}
        )
        record(
            "proposal.created" if created else "proposal.updated",
            actor=actor,
            association=agenda_item.meeting.association,
            obj=proposal,
        )
    return proposal


def _check_co_submitters(meeting: Meeting, submitter: Member, co: Iterable[Member]) -> list[Member]:
    co = list(dict.fromkeys(co))
    for m in co:
        if m.association_id != meeting.association_id:
            raise ValidationFailed(
                _("%(m)s is not a member of this association.") % {"m": m}, field="co_submitters"
            )
        if m == submitter:
            raise ValidationFailed(_("The submitter cannot also co-submit."), field="co_submitters")
    return co


def _initial_status(now: datetime, deadline: datetime) -> tuple[bool, str]:
    # In time: admitted at once. Late (nagekomen): waits for the chair.
    late = now > deadline
    return late, SubmissionStatus.SUBMITTED if late else SubmissionStatus.ADMITTED


def do_submit_motion(
    *,
    actor,
    meeting: Meeting,
    title: str,
    considerations: str,
    request: str,
    co_submitters: Iterable[Member] = (),
    agenda_item: AgendaItem | None = None,
    explanation: str = "",
    now: datetime | None = None,
) -> Motion:
    submitter = _submitter(actor, meeting)
    if not title.strip() or not considerations.strip() or not request.strip():
        raise ValidationFailed(
            _("A motion needs a title, considerations and a request to the board."), field="request"
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationFailed(
            _("That agenda item belongs to another meeting."), field="agenda_item"
        )
    return _file(
        Motion,
        event="motion.submitted",
        numbered_within=Motion.objects.filter(meeting=meeting),
        lock=meeting,
        actor=actor,
        meeting=meeting,
        submitter=submitter,
        co=_check_co_submitters(meeting, submitter, co_submitters),
        deadline=meeting.motion_deadline,
        now=now,
        fields={
            "meeting": meeting,
            "agenda_item": agenda_item,
            "title": title.strip(),
            "considerations": considerations,
            "request": request,
            "explanation": explanation,
        },
    )


def do_submit_amendment(
    *,
    actor,
    proposal: Proposal,
    passage: str,
    old_text: str,
    new_text: str,
    explanation: str = "",
    co_submitters: Iterable[Member] = (),
    now: datetime | None = None,
) -> Amendment:
    meeting = proposal.agenda_item.meeting
    submitter = _submitter(actor, meeting)
    if not passage.strip():
        raise ValidationFailed(_("Say which passage the amendment changes."), field="passage")
    if old_text.strip() == new_text.strip():
        raise ValidationFailed(_("The new text is the same as the old text."), field="new_text")
    if old_text.strip() and old_text.strip() not in proposal.text:
        raise ValidationFailed(
            _("The old text does not occur in the proposal; copy it exactly."), field="old_text"
        )
    return _file(
        Amendment,
        event="amendment.submitted",
        numbered_within=Amendment.objects.filter(proposal=proposal),
        lock=proposal,
        actor=actor,
        meeting=meeting,
        submitter=submitter,
        co=_check_co_submitters(meeting, submitter, co_submitters),
        deadline=meeting.amendment_deadline,
        now=now,
        fields={
            "proposal": proposal,
            "passage": passage.strip(),
            "old_text": old_text.strip(),
            "new_text": new_text.strip(),
            "explanation": explanation,
        },
    )


def _submitter(actor, meeting: Meeting) -> Member:
    """The member a representative submits for; nothing is submitted to a closed meeting."""
    submitter = access.require_representative(actor, meeting.association)
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))
    return submitter


def _file(
    model, *, event, numbered_within, lock, actor, meeting, submitter, co, deadline, now, fields
):
    """File a motion or amendment: the next number (under the lock), late or in time
    against its deadline, the co-submitters and the audit event, in one transaction."""
    now = now or timezone.now()
    late, status = _initial_status(now, deadline)
    with transaction.atomic():
        submission = model.objects.create(
            number=next_number(numbered_within, lock=lock),
            submitter=submitter,
            submitted_by=actor,
            submitted_at=now,
            is_late=late,
            status=status,
            **fields,
        )
        submission.co_submitters.set(co)
        record(
            event,
            actor=actor,
            association=meeting.association,
            obj=submission,
            late=late,
            co_submitters=[m.code for m in co],
        )
    return submission


def _meeting_of(submission: Submission) -> Meeting:
    return submission.meeting


def do_admit(*, actor, submission: Submission, admit: bool = True) -> Submission:
    """The chair admits (or refuses) a late submission."""
    meeting = _meeting_of(submission)
    access.require_chair(actor, meeting.association)
    with transaction.atomic():
        submission.refresh_from_db()
        if submission.status != SubmissionStatus.SUBMITTED:
            raise Conflict(_("Only a submission awaiting admission can be admitted or refused."))
        submission.status = SubmissionStatus.ADMITTED if admit else SubmissionStatus.NOT_ADMITTED
        submission.save(update_fields=["status"])
        record(
            "submission.admitted" if admit else "submission.not_admitted",
            actor=actor,
            association=meeting.association,
            obj=submission,
        )
    return submission


def do_withdraw(*, actor, submission: Submission) -> Submission:
    meeting = _meeting_of(submission)
    access.require(
        access.can_submit_for(actor, meeting.association, submission.submitter)
        or access.can_chair(actor, meeting.association),
        _("Only the submitting member or the chair may withdraw this."),
    )
    with transaction.atomic():
        submission.refresh_from_db()
        if not submission.is_open:
            raise Conflict(_("This submission has been decided or withdrawn already."))
        if submission.polls.filter(status="open").exists():
            raise Conflict(_("A vote on this submission is open."))
        submission.status = SubmissionStatus.WITHDRAWN
        submission.save(update_fields=["status"])
        record("submission.withdrawn", actor=actor, association=meeting.association, obj=submission)
    return submission


def do_set_pre_advice(*, actor, submission: Submission, advice: str, reason: str) -> Submission:
    meeting = _meeting_of(submission)
    access.require(
        access.can_give_pre_advice(actor, meeting.association),
        _("Only the board or the secretariat gives pre-advice."),
    )
    if advice not in PreAdvice.values:
        raise ValidationFailed(
            _("Unknown pre-advice '%(advice)s'.") % {"advice": advice}, field="pre_advice"
        )
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the pre-advice."), field="pre_advice_reason")
    with transaction.atomic():
        submission.pre_advice = advice
        submission.pre_advice_reason = reason.strip()
        submission.save(update_fields=["pre_advice", "pre_advice_reason"])
        record(
            "submission.pre_advice",
            actor=actor,
            association=meeting.association,
            obj=submission,
            advice=advice,
        )
    return submission


def do_set_status(*, actor, submission: Submission, status: str) -> Submission:
    """Record an outcome without a poll (taken over by the board, held over, acclamation)."""
    meeting = _meeting_of(submission)
    access.require_chair(actor, meeting.association)
    allowed = {
        SubmissionStatus.TAKEN_OVER,
        SubmissionStatus.HELD_OVER,
        SubmissionStatus.ADOPTED,
        SubmissionStatus.REJECTED,
    }
    if status not in allowed:
        raise ValidationFailed(
            _("'%(status)s' cannot be recorded without a vote.") % {"status": status},
            field="status",
        )
    with transaction.atomic():
        submission.refresh_from_db()
        # An admitted or held-over submission gets its outcome; a decided one may be
        # corrected (the audit log keeps both). Withdrawn or unadmitted ones may not.
        if submission.status not in allowed | {SubmissionStatus.ADMITTED}:
            raise Conflict(
                _("This submission cannot get an outcome (it is %(status)s).")
                % {"status": submission.get_status_display()}
            )
        before = submission.status
        submission.status = status
        submission.save(update_fields=["status"])
        hooks.emit(
            hooks.SubmissionDecided(submission=submission, status=status, actor=actor, poll=None)
        )
        record(
            "submission.status_changed",
            actor=actor,
            association=meeting.association,
            obj=submission,
            before=before,
            after=status,
        )
    return submission
