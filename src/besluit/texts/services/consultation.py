"""Consultation on a draft: rounds, sessions, input per passage and the board's answers."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.core import passages as cp
from besluit.core import texts as ct
from besluit.errors import Conflict, NotFound, ValidationFailed
from besluit.numbering import next_number
from besluit.proposals.models import Proposal
from besluit.texts.models import (
    Consultation,
    ConsultationInput,
    ConsultationSession,
    TextVersion,
)
from besluit.texts.services.common import (
    _association,
    latest_published,
)


def do_open_consultation(
    *,
    actor,
    proposal: Proposal,
    title: str,
    opens_on: date,
    closes_on: date,
    description: str = "",
    version: TextVersion | None = None,
) -> Consultation:
    association = _association(proposal)
    access.require_administer(actor, association)
    version = version or latest_published(proposal)
    if version is None or not version.is_published or version.proposal_id != proposal.pk:
        raise ValidationFailed(_("Publish the draft before consulting the members on it."))
    if not title.strip():
        raise ValidationFailed(_("Give the consultation round a title."), field="title")
    if closes_on < opens_on:
        raise ValidationFailed(_("The round cannot close before it opens."), field="closes_on")
    with transaction.atomic():
        consultation = Consultation.objects.create(
            proposal=proposal,
            version=version,
            title=title.strip(),
            description=description.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ConsultationSession.objects.create(
            consultation=consultation,
            kind=ConsultationSession.Kind.WRITTEN,
            title="Schriftelijke inbreng",
            held_on=None,
        )
        record(
            "consultation.opened",
            actor=actor,
            association=association,
            obj=consultation,
            version=version.number,
        )
    return consultation


def do_close_consultation(*, actor, consultation: Consultation) -> Consultation:
    association = _association(consultation.proposal)
    access.require_administer(actor, association)
    with transaction.atomic():
        consultation.is_closed = True
        consultation.save(update_fields=["is_closed"])
        record("consultation.closed", actor=actor, association=association, obj=consultation)
    return consultation


def do_add_session(
    *,
    actor,
    consultation: Consultation,
    kind: str,
    title: str,
    held_on: date | None = None,
    location: str = "",
    notes: str = "",
) -> ConsultationSession:
    association = _association(consultation.proposal)
    access.require_administer(actor, association)
    if kind not in ConsultationSession.Kind.values:
        raise ValidationFailed(
            _("Unknown kind of session '%(kind)s'.") % {"kind": kind}, field="kind"
        )
    if not title.strip():
        raise ValidationFailed(_("Give the session a title."), field="title")
    with transaction.atomic():
        session = ConsultationSession.objects.create(
            consultation=consultation,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            location=location.strip(),
            notes=notes.strip(),
        )
        record(
            "consultation.session_added",
            actor=actor,
            association=association,
            obj=session,
            kind=kind,
        )
    return session


def _passage_of(
    version: TextVersion, block_id: str, quote: str
) -> tuple[str, int | None, int | None, str]:
    if not block_id:
        return "", None, None, ""
    if block_id not in version.document:
        raise ValidationFailed(_("That paragraph is not in the consulted version."), field="block")
    quote = ct.normalise(quote)
    if not quote:
        return block_id, None, None, ""
    try:
        p = cp.resolve(version.document, block_id, quote)
    except cp.PassageError as exc:
        raise ValidationFailed(exc.text.translate(_), field="quote") from exc
    return block_id, p.start, p.end, quote


def _create_input(
    *, actor, consultation, session, member, on_behalf, text, block_id, quote, now
) -> ConsultationInput:
    if not text.strip():
        raise ValidationFailed(_("Write the input."), field="text")
    block_id, start, end, quote = _passage_of(consultation.version, block_id, quote)
    with transaction.atomic():
        number = next_number(consultation.inputs, lock=consultation)
        item = ConsultationInput.objects.create(
            consultation=consultation,
            session=session,
            number=number,
            member=member,
            on_behalf=on_behalf.strip(),
            block_id=block_id,
            start=start,
            end=end,
            quote=quote,
            text=text.strip(),
            submitted_by=actor,
            submitted_at=now,
        )
        record(
            "consultation.input",
            actor=actor,
            association=_association(consultation.proposal),
            obj=item,
            session=session.pk,
            member=member.code if member else "",
            block=block_id,
        )
    return item


def do_record_input(
    *,
    actor,
    session: ConsultationSession,
    text: str,
    member: Member | None = None,
    on_behalf: str = "",
    block_id: str = "",
    quote: str = "",
    now: datetime | None = None,
) -> ConsultationInput:
    """The secretariat records what was said in a session (by a member, a network, ...)."""
    consultation = session.consultation
    association = _association(consultation.proposal)
    access.require_administer(actor, association)
    if member is not None and member.association_id != association.pk:
        raise ValidationFailed(_("That member belongs to another association."), field="member")
    if member is None and not on_behalf.strip():
        raise ValidationFailed(_("Say whose input this is: a member or a group."), field="member")
    if consultation.is_closed:
        raise Conflict(_("The consultation round is closed."))
    return _create_input(
        actor=actor,
        consultation=consultation,
        session=session,
        member=member,
        on_behalf=on_behalf,
        text=text,
        block_id=block_id,
        quote=quote,
        now=now or timezone.now(),
    )


def do_submit_written_input(
    *,
    actor,
    consultation: Consultation,
    text: str,
    block_id: str = "",
    quote: str = "",
    now: datetime | None = None,
) -> ConsultationInput:
    """A member's representative gives written input during the round."""
    association = _association(consultation.proposal)
    member = access.require_representative(actor, association)
    now = now or timezone.now()
    if not consultation.is_open_on(timezone.localdate(now)):
        raise Conflict(_("The consultation round is not open for written input."))
    session = consultation.sessions.filter(kind=ConsultationSession.Kind.WRITTEN).first()
    if session is None:
        raise NotFound(_("This round takes no written input."))
    return _create_input(
        actor=actor,
        consultation=consultation,
        session=session,
        member=member,
        on_behalf="",
        text=text,
        block_id=block_id,
        quote=quote,
        now=now,
    )


def do_respond(
    *,
    actor,
    item: ConsultationInput,
    response: str,
    reason: str,
    now: datetime | None = None,
) -> ConsultationInput:
    """The board's response to an input: adopted, partly, not adopted, with the reason."""
    association = _association(item.consultation.proposal)
    access.require(
        access.can_give_pre_advice(actor, association),
        _("Only the board or the secretariat responds to input."),
    )
    if response not in ConsultationInput.Response.values:
        raise ValidationFailed(
            _("Unknown response '%(response)s'.") % {"response": response}, field="response"
        )
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the response."), field="reason")
    with transaction.atomic():
        item.response = response
        item.response_reason = reason.strip()
        item.responded_by = actor
        item.responded_at = now or timezone.now()
        item.save(update_fields=["response", "response_reason", "responded_by", "responded_at"])
        record(
            "consultation.responded",
            actor=actor,
            association=association,
            obj=item,
            response=response,
        )
    return item
