"""Minutes workflows: draft from the record, edit, publish the concept, corrections, adoption.

Every ``do_*`` runs in one transaction with its audit event. Adopted minutes are immutable:
the models refuse a change (``ImmutableMinutes``) and every service below checks first, so a
request gets a 409 rather than an exception.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.audit.services import record
from besluit.core import redline as cr
from besluit.core import text_import as ci
from besluit.core import texts as ct
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.minutes import attendance as minutes_attendance
from besluit.minutes import draft
from besluit.minutes.models import Minutes, MinutesVersion
from besluit.numbering import next_number
from besluit.voting.models import Decision

V = MinutesVersion
ADOPTION_NUMBER = "04"  # the standard agenda's "Vaststelling notulen vorige vergadering"


def _parse(markdown: str) -> ct.Document:
    try:
        return ci.from_markdown(markdown).document
    except ci.ImportRefused as exc:
        from django.utils.translation import gettext

        message = gettext(exc.template) % exc.params if exc.params else gettext(exc.template)
        raise ValidationFailed(message, field="text") from exc


def _not_adopted(minutes: Minutes) -> None:
    if minutes.is_adopted:
        raise Conflict(_("These minutes are adopted and can no longer change."))


def _lock_unadopted(minutes: Minutes) -> Minutes:
    """The minutes' row, locked until the transaction ends; a Conflict once adopted."""
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    _not_adopted(minutes)
    return minutes


def latest_published(minutes: Minutes) -> MinutesVersion | None:
    return (
        MinutesVersion.objects.filter(minutes=minutes, status=V.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def editing_version(minutes: Minutes) -> MinutesVersion | None:
    return MinutesVersion.objects.filter(minutes=minutes, status=V.Status.EDITING).first()


def _new_version(minutes: Minutes, **fields) -> MinutesVersion:
    version = MinutesVersion(
        minutes=minutes,
        number=next_number(MinutesVersion.objects.filter(minutes=minutes), lock=minutes),
        **fields,
    )
    return version


def do_make_draft(*, actor, meeting: Meeting) -> MinutesVersion:
    """The first draft, made from the meeting's record; or a fresh draft from the record
    replacing the one being written (nothing published is touched)."""
    access.require_administer(actor, meeting.association)
    document = draft.make(meeting)
    with transaction.atomic():
        minutes, _created = Minutes.objects.get_or_create(
            meeting=meeting, defaults={"created_by": actor}
        )
        minutes = _lock_unadopted(minutes)
        current = editing_version(minutes)
        if current is not None:
            current.delete()
        version = _new_version(
            minutes,
            kind=V.Kind.DRAFT,
            based_on=latest_published(minutes),
            created_by=actor,
            summary="",
        )
        version.set_document(document)
        version.save()
        record(
            "minutes.draft_made",
            actor=actor,
            association=meeting.association,
            obj=version,
            meeting=meeting.pk,
            number=version.number,
            blocks=len(document.blocks),
        )
    return version


def do_edit(*, actor, minutes: Minutes, markdown: str, summary: str = "") -> MinutesVersion:
    """Save the secretariat's text: the version being written, or a new one after the
    latest published version."""
    access.require_administer(actor, minutes.meeting.association)
    document = _parse(markdown)
    with transaction.atomic():
        minutes = _lock_unadopted(minutes)
        version = editing_version(minutes)
        base = latest_published(minutes)
        if version is None:
            version = _new_version(minutes, kind=V.Kind.EDITED, based_on=base, created_by=actor)
        elif version.kind == V.Kind.DRAFT:
            version.kind = V.Kind.EDITED
        if base is not None:
            document = cr.carry_ids(base.document, document)
        elif version.pk is not None:
            document = cr.carry_ids(version.document, document)
        version.set_document(document)
        version.summary = summary.strip()
        version.save()
        record(
            "minutes.edited",
            actor=actor,
            association=minutes.meeting.association,
            obj=version,
            number=version.number,
        )
    return version


def _adoption_item(meeting: Meeting) -> AgendaItem | None:
    """The next meeting's item that adopts the previous minutes (standard agenda: 04)."""
    later = (
        Meeting.objects.filter(association=meeting.association, starts_at__gt=meeting.starts_at)
        .exclude(kind=Meeting.Kind.WRITTEN)
        .order_by("starts_at")
        .first()
    )
    if later is None:
        return None
    # "Benoeming notulencommissie" (the standard 03) names minutes too, but adopts none.
    items = AgendaItem.objects.filter(meeting=later).exclude(title__icontains="notulencommissie")
    return (
        items.filter(title__icontains="notulen").order_by("position").first()
        or items.filter(number=ADOPTION_NUMBER).first()
    )


def do_publish(*, actor, minutes: Minutes, now=None) -> MinutesVersion:
    """Publish the version being written as the concept: members read it and may propose
    corrections; the next meeting's "vaststelling notulen" item links it."""
    access.require_administer(actor, minutes.meeting.association)
    now = now or timezone.now()
    with transaction.atomic():
        minutes = _lock_unadopted(minutes)
        version = editing_version(minutes)
        if version is None:
            raise Conflict(_("There is no draft to publish: edit the minutes first."))
        version.status = V.Status.PUBLISHED
        version.published_at = now
        version.save()
        minutes.status = Minutes.Status.CONCEPT
        minutes.published_at = minutes.published_at or now
        if minutes.adoption_item is None:
            minutes.adoption_item = _adoption_item(minutes.meeting)
        minutes.save()
        record(
            "minutes.published",
            actor=actor,
            association=minutes.meeting.association,
            obj=version,
            number=version.number,
            adoption_item=minutes.adoption_item_id,
        )
    return version


def do_link_item(*, actor, minutes: Minutes, item: AgendaItem | None) -> Minutes:
    association = minutes.meeting.association
    access.require_administer(actor, association)
    if item is not None and item.meeting.association_id != association.pk:
        raise ValidationFailed(_("That agenda item belongs to another association."), field="item")
    with transaction.atomic():
        minutes = _lock_unadopted(minutes)
        minutes.adoption_item = item
        minutes.save()
        record(
            "minutes.linked",
            actor=actor,
            association=association,
            obj=minutes,
            item=item.pk if item else None,
        )
    return minutes


def do_propose_correction(*, actor, minutes: Minutes, markdown: str, reason: str) -> MinutesVersion:
    """A member's correction: a version of its own beside the concept, shown as a redline."""
    association = minutes.meeting.association
    member = access.require_representative(actor, association)
    if not reason.strip():
        raise ValidationFailed(_("Say what the correction is and why."), field="reason")
    document = _parse(markdown)
    with transaction.atomic():
        minutes = _lock_unadopted(minutes)
        base = latest_published(minutes)
        if minutes.status != Minutes.Status.CONCEPT or base is None:
            raise Conflict(_("Corrections can be proposed once the concept is published."))
        document = cr.carry_ids(base.document, document)
        if document == base.document:
            raise ValidationFailed(_("The correction changes nothing."), field="text")
        version = _new_version(
            minutes,
            kind=V.Kind.CORRECTION,
            status=V.Status.PROPOSED,
            based_on=base,
            member=member,
            created_by=actor,
            summary=reason.strip(),
            published_at=timezone.now(),
        )
        version.set_document(document)
        version.save()
        record(
            "minutes.correction_proposed",
            actor=actor,
            association=association,
            obj=version,
            number=version.number,
            member=member.code,
        )
    return version


def do_accept_correction(*, actor, correction: MinutesVersion) -> MinutesVersion:
    """Take a member's correction over: a new published concept with its text (the redline
    from the concept it was based on stays to be seen)."""
    minutes = correction.minutes
    access.require_administer(actor, minutes.meeting.association)
    if correction.kind != V.Kind.CORRECTION:
        raise ValidationFailed(_("Only a correction can be taken over."))
    with transaction.atomic():
        minutes = _lock_unadopted(minutes)
        if editing_version(minutes) is not None:
            raise Conflict(_("Publish or discard the draft being written first."))
        base = latest_published(minutes)
        document = correction.document
        if base is not None and correction.based_on_id != base.pk:
            # the concept moved on: apply the correction's changes onto the newer concept
            document = cr.apply_redline(
                base.document, cr.redline(correction.based_on.document, correction.document)
            )
        version = _new_version(
            minutes,
            kind=V.Kind.ACCEPTED,
            status=V.Status.PUBLISHED,
            based_on=correction,
            created_by=actor,
            summary=correction.summary,
            published_at=timezone.now(),
        )
        version.set_document(document)
        version.save()
        record(
            "minutes.correction_accepted",
            actor=actor,
            association=minutes.meeting.association,
            obj=version,
            correction=correction.number,
        )
    return version


def do_adopt(*, actor, minutes: Minutes, decision: Decision | None = None, now=None) -> Minutes:
    """Adopt the latest concept: by the decision of the linked agenda item (a poll that
    adopted it), or by acclamation recorded now. From then on nothing of it changes."""
    association = minutes.meeting.association
    access.require_chair(actor, association)
    now = now or timezone.now()
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        version = check_adoptable(minutes)
        item = minutes.adoption_item
        if decision is None:
            if item is None:
                raise Conflict(_("Link the minutes to the agenda item that adopts them first."))
            from besluit.voting import services as voting

            decision = voting.do_record_acclamation(
                actor=actor,
                meeting=item.meeting,
                subject=f"{item.number}. {item.title}",
                text=f"{minutes.meeting.title}: versie {version.number}",
                agenda_item=item,
                now=now,
            )
        elif decision.outcome != Decision.Outcome.ADOPTED or (
            item is not None and decision.agenda_item_id != item.pk
        ):
            raise Conflict(_("That decision does not adopt these minutes."))
        return adopt(minutes, version, decision, actor=actor, now=now)


def check_adoptable(minutes: Minutes) -> MinutesVersion:
    _not_adopted(minutes)
    version = latest_published(minutes)
    if minutes.status != Minutes.Status.CONCEPT or version is None:
        raise Conflict(_("Only published concept minutes can be adopted."))
    if editing_version(minutes) is not None:
        raise Conflict(_("A draft is being written: publish or discard it first."))
    return version


def adopt(minutes: Minutes, version: MinutesVersion, decision: Decision, *, actor, now) -> Minutes:
    """The adoption itself (access and state checked by the caller, inside its transaction)."""
    minutes.status = Minutes.Status.ADOPTED
    minutes.adopted_version = version
    minutes.adopted_at = now
    minutes.decision = decision
    minutes.attendance = minutes_attendance.open_data(
        draft.gather(minutes.meeting).attendance, minutes_attendance.quorums(minutes.meeting)
    )
    minutes.save()
    record(
        "minutes.adopted",
        actor=actor,
        association=minutes.meeting.association,
        obj=minutes,
        version=version.number,
        decision=decision.pk,
    )
    hooks.emit(hooks.MinutesAdopted(meeting=minutes.meeting, minutes=minutes, actor=actor))
    return minutes
