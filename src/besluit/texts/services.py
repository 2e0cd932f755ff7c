"""Workflows for structured texts: versions, consultation, amendment passages, PDFs.

Every function takes ``actor=``, checks access, changes state in one transaction and records
its audit event in that transaction (STYLE.md). Views and the demo call these; nothing else
writes the texts app's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from besluit import access
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.core import passages as cp
from besluit.core import redline as cr
from besluit.core import text_import as ci
from besluit.core import texts as ct
from besluit.errors import Conflict, NotFound, ValidationFailed
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Amendment, Proposal, SubmissionStatus
from besluit.texts.models import (
    AmendmentTarget,
    Branding,
    ChangeReason,
    Consultation,
    ConsultationInput,
    ConsultationSession,
    PdfJob,
    TextVersion,
)

V = TextVersion


def _association(proposal: Proposal):
    return proposal.agenda_item.meeting.association


def max_import_bytes() -> int:
    return int(getattr(settings, "BESLUIT_MAX_IMPORT_BYTES", ci.DEFAULT_MAX_BYTES))


def latest_published(proposal: Proposal) -> TextVersion | None:
    return (
        TextVersion.objects.filter(proposal=proposal, status=V.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def editing_version(proposal: Proposal) -> TextVersion | None:
    return TextVersion.objects.filter(proposal=proposal, status=V.Status.EDITING).first()


def _next_number(proposal: Proposal) -> int:
    n = TextVersion.objects.filter(proposal=proposal).aggregate(n=Max("number"))["n"]
    return (n or 0) + 1


# --- drafts and versions ----------------------------------------------------------------


def refusal_message(exc: ci.ImportRefused) -> str:
    """The refusal in the reader's language (core.text_import marks its messages)."""
    return gettext(exc.template) % exc.params if exc.params else gettext(exc.template)


def _parse(markdown: str) -> ct.Document:
    try:
        return ci.from_markdown(markdown).document
    except ci.ImportRefused as exc:
        raise ValidationFailed(refusal_message(exc), field="text") from exc


def _default_kind(proposal: Proposal) -> str:
    published = latest_published(proposal)
    if published is None:
        return V.Kind.DRAFT
    return V.Kind.REVISED if published.kind in (V.Kind.DRAFT, V.Kind.REVISED) else published.kind


def do_start_draft(
    *,
    actor,
    proposal: Proposal,
    document: ct.Document | None = None,
    kind: str | None = None,
    label: str = "",
    source: str = V.Source.EDITED,
) -> TextVersion:
    """A new version being written: from ``document``, else a copy of the latest published
    version, else the proposal's plain text."""
    association = _association(proposal)
    access.require_administer(actor, association)
    with transaction.atomic():
        Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
        if editing_version(proposal) is not None:
            raise Conflict("A draft is being written already: continue with that one.")
        base = latest_published(proposal)
        if document is None:
            if base is not None:
                document = base.document
            else:
                document = _parse(proposal.text)
                source = V.Source.PROPOSAL
        elif base is not None:
            document = cr.carry_ids(base.document, document)
        kind = kind or _default_kind(proposal)
        if kind not in V.Kind.values:
            raise ValidationFailed(f"Unknown kind '{kind}'.", field="kind")
        version = TextVersion(
            proposal=proposal,
            number=_next_number(proposal),
            kind=kind,
            label=label.strip(),
            based_on=base,
            source=source,
            line_width=base.line_width if base else ct.DEFAULT_LINE_WIDTH,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        version.set_document(document)
        version.save()
        record(
            "text.draft_started",
            actor=actor,
            association=association,
            obj=version,
            proposal=proposal.pk,
            number=version.number,
            source=source,
        )
    return version


@dataclass(frozen=True)
class Imported:
    version: TextVersion
    warnings: list[str]


def do_import_draft(
    *, actor, proposal: Proposal, filename: str, data: bytes, label: str = "", kind: str = ""
) -> Imported:
    """Import a Word or Markdown file as the draft being written (a new one, or replacing the
    text of the current one). Blocks keep the ids of the blocks they continue."""
    association = _association(proposal)
    access.require_administer(actor, association)
    name = filename.lower()
    try:
        if name.endswith(".docx"):
            result = ci.from_docx(data, max_bytes=max_import_bytes())
            source = V.Source.DOCX
        elif name.endswith((".md", ".markdown", ".txt")):
            result = ci.from_markdown(ci.decode_text(data, max_import_bytes()))
            source = V.Source.MARKDOWN
        else:
            raise ci.ImportRefused(
                "Import a Word document (.docx) or a Markdown text (.md); for an old .doc file, "
                "save it as .docx first."
            )
    except ci.ImportRefused as exc:
        record(
            "text.import_refused",
            actor=actor,
            association=association,
            obj=proposal,
            name=filename[:200],
            reason=str(exc),
        )
        raise ValidationFailed(refusal_message(exc), field="file") from exc
    with transaction.atomic():
        current = editing_version(proposal)
        if current is None:
            version = do_start_draft(
                actor=actor,
                proposal=proposal,
                document=result.document,
                kind=kind or None,
                label=label,
                source=source,
            )
        else:
            base = current.based_on or latest_published(proposal)
            document = cr.carry_ids(current.document, result.document)
            if base is not None and base.pk != current.pk:
                # ids the current draft does not have may still be the base's (a re-import)
                document = cr.carry_ids(base.document, document) if not current.blocks else document
            current.set_document(document)
            current.source = source
            if label.strip():
                current.label = label.strip()
            if kind:
                current.kind = kind
            current.save()
            version = current
        record(
            "text.imported",
            actor=actor,
            association=association,
            obj=version,
            name=filename[:200],
            blocks=len(version.blocks),
            warnings=result.warnings,
        )
    return Imported(version, result.warnings)


def _require_editing(version: TextVersion) -> None:
    if version.is_published:
        raise Conflict("This version is published; it cannot change. Start a new draft.")


def do_edit_draft(
    *,
    actor,
    version: TextVersion,
    markdown: str | None = None,
    label: str | None = None,
    summary: str | None = None,
    kind: str | None = None,
) -> TextVersion:
    association = _association(version.proposal)
    access.require_administer(actor, association)
    with transaction.atomic():
        version = TextVersion.objects.select_for_update().get(pk=version.pk)
        _require_editing(version)
        changed = []
        if markdown is not None:
            document = cr.carry_ids(version.document, _parse(markdown))
            if document.to_list() != version.blocks:
                version.set_document(document)
                version.source = (
                    V.Source.EDITED if version.source != V.Source.MERGED else (V.Source.MERGED)
                )
                changed.append("text")
        if label is not None and label.strip() != version.label:
            version.label = label.strip()
            changed.append("label")
        if summary is not None and summary.strip() != version.summary:
            version.summary = summary.strip()
            changed.append("summary")
        if kind is not None and kind != version.kind:
            if kind not in V.Kind.values:
                raise ValidationFailed(f"Unknown kind '{kind}'.", field="kind")
            version.kind = kind
            changed.append("kind")
        if changed:
            version.save()
            record(
                "text.draft_edited",
                actor=actor,
                association=association,
                obj=version,
                changed=changed,
            )
    return version


def do_discard_draft(*, actor, version: TextVersion) -> int:
    association = _association(version.proposal)
    access.require_administer(actor, association)
    with transaction.atomic():
        version = TextVersion.objects.select_for_update().get(pk=version.pk)
        _require_editing(version)
        record("text.draft_discarded", actor=actor, association=association, obj=version)
        ChangeReason.objects.filter(version=version).delete()
        number = version.number
        version.delete()
    return number


def do_set_change_reasons(
    *, actor, version: TextVersion, block_id: str, inputs: Iterable[ConsultationInput]
) -> list[ChangeReason]:
    """Which consultation inputs a changed block answers (replaces what was linked)."""
    association = _association(version.proposal)
    access.require_administer(actor, association)
    inputs = list(inputs)
    with transaction.atomic():
        version = TextVersion.objects.select_for_update().get(pk=version.pk)
        _require_editing(version)
        if block_id not in version.document:
            raise ValidationFailed("That paragraph is not in this draft.", field="block")
        for i in inputs:
            if i.consultation.proposal_id != version.proposal_id:
                raise ValidationFailed("That input belongs to another proposal.", field="inputs")
        ChangeReason.objects.filter(version=version, block_id=block_id).delete()
        reasons = ChangeReason.objects.bulk_create(
            ChangeReason(version=version, block_id=block_id, input=i) for i in inputs
        )
        record(
            "text.change_reasons",
            actor=actor,
            association=association,
            obj=version,
            block=block_id,
            inputs=[i.number for i in inputs],
        )
    return reasons


def do_publish_version(*, actor, version: TextVersion, now: datetime | None = None) -> TextVersion:
    """Publish a draft: from now on it never changes. The proposal's plain text follows it,
    and open amendments are carried over to it (or flagged where their passage changed)."""
    proposal = version.proposal
    association = _association(proposal)
    access.require_administer(actor, association)
    now = now or timezone.now()
    with transaction.atomic():
        version = TextVersion.objects.select_for_update().get(pk=version.pk)
        _require_editing(version)
        if not version.blocks:
            raise ValidationFailed("An empty text cannot be published.")
        version.status = V.Status.PUBLISHED
        version.published_at = now
        version.published_by = actor if getattr(actor, "is_authenticated", False) else None
        # Bypass the immutability guard for this one transition (the row is still editing).
        TextVersion.objects.filter(pk=version.pk).update(
            status=version.status,
            published_at=version.published_at,
            published_by=version.published_by,
            updated_at=now,
        )
        _mirror_plain_text(actor, proposal, version)
        rebased = _rebase_targets(actor, proposal, version)
        record(
            "text.published",
            actor=actor,
            association=association,
            obj=version,
            number=version.number,
            kind=version.kind,
            amendments=rebased,
        )
    return version


def _mirror_plain_text(actor, proposal: Proposal, version: TextVersion) -> None:
    if proposal.text != version.plain_text:
        proposal_services.do_set_proposal(
            actor=actor,
            agenda_item=proposal.agenda_item,
            title=proposal.title,
            text=version.plain_text,
        )
        proposal.text = version.plain_text


def _rebase_targets(actor, proposal: Proposal, version: TextVersion) -> dict[str, int]:
    targets = list(
        AmendmentTarget.objects.filter(
            amendment__proposal=proposal,
            amendment__status__in=(SubmissionStatus.SUBMITTED, SubmissionStatus.ADMITTED),
        )
        .exclude(version=version)
        .select_related("version", "amendment")
    )
    counts = {s: 0 for s in AmendmentTarget.Status.values}
    by_version: dict[int, list[AmendmentTarget]] = {}
    for t in targets:
        by_version.setdefault(t.version_id, []).append(t)
    for items in by_version.values():
        old = items[0].version.document
        results = cp.rebase_all([_change(t) for t in items], old, version.document)
        for t, r in zip(items, results, strict=True):
            t.version = version
            if r.change is not None:
                t.block_id = r.change.passage.block_id
                t.start, t.end = r.change.passage.start, r.change.passage.end
                t.status = (
                    AmendmentTarget.Status.APPLICABLE
                    if t.original_version_id == version.pk
                    else AmendmentTarget.Status.REBASED
                )
                t.conflict_reason = ""
            else:
                t.status = AmendmentTarget.Status.CONFLICT
                t.conflict_reason = r.reason
            counts[t.status] += 1
        AmendmentTarget.objects.bulk_update(
            items, ["version", "block_id", "start", "end", "status", "conflict_reason"]
        )
        for t in items:
            record(
                "amendment.passage_rebased",
                actor=actor,
                association=_association(proposal),
                obj=t.amendment,
                version=version.number,
                status=t.status,
            )
    return counts


def _change(target: AmendmentTarget) -> cp.Change:
    return cp.Change(
        str(target.amendment_id),
        cp.Passage(target.block_id, target.start, target.end),
        target.old_text,
        target.new_text,
    )


# --- consultation -----------------------------------------------------------------------------


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
        raise ValidationFailed("Publish the draft before consulting the members on it.")
    if not title.strip():
        raise ValidationFailed("Give the consultation round a title.", field="title")
    if closes_on < opens_on:
        raise ValidationFailed("The round cannot close before it opens.", field="closes_on")
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
        raise ValidationFailed(f"Unknown kind of session '{kind}'.", field="kind")
    if not title.strip():
        raise ValidationFailed("Give the session a title.", field="title")
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
        raise ValidationFailed("That paragraph is not in the consulted version.", field="block")
    quote = ct.normalise(quote)
    if not quote:
        return block_id, None, None, ""
    try:
        p = cp.resolve(version.document, block_id, quote)
    except cp.PassageError as exc:
        raise ValidationFailed(str(exc), field="quote") from exc
    return block_id, p.start, p.end, quote


def _create_input(
    *, actor, consultation, session, member, on_behalf, text, block_id, quote, now
) -> ConsultationInput:
    if not text.strip():
        raise ValidationFailed("Write the input.", field="text")
    block_id, start, end, quote = _passage_of(consultation.version, block_id, quote)
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        number = (consultation.inputs.aggregate(n=Max("number"))["n"] or 0) + 1
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
        raise ValidationFailed("That member belongs to another association.", field="member")
    if member is None and not on_behalf.strip():
        raise ValidationFailed("Say whose input this is: a member or a group.", field="member")
    if consultation.is_closed:
        raise Conflict("The consultation round is closed.")
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
        raise Conflict("The consultation round is not open for written input.")
    session = consultation.sessions.filter(kind=ConsultationSession.Kind.WRITTEN).first()
    if session is None:
        raise NotFound("This round takes no written input.")
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
        "Only the board or the secretariat responds to input.",
    )
    if response not in ConsultationInput.Response.values:
        raise ValidationFailed(f"Unknown response '{response}'.", field="response")
    if not reason.strip():
        raise ValidationFailed("Give the reason for the response.", field="reason")
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


# --- amendments on passages ------------------------------------------------------------------


def _passage_label(version: TextVersion, block_id: str, start: int, end: int) -> str:
    """'lines 112-118' for the Amendment's free-text passage field (Dutch: the meeting's word)."""
    span = version.line_index.chars_lines(block_id, start, end)
    if span is None:
        return ""
    a, b = span
    return f"regel {a}" if a == b else f"regels {a}-{b}"


def do_propose_amendment(
    *,
    actor,
    version: TextVersion,
    block_id: str,
    old_text: str,
    new_text: str,
    occurrence: int = 0,
    explanation: str = "",
    co_submitters: Iterable[Member] = (),
    now: datetime | None = None,
) -> Amendment:
    """Submit an amendment on a passage of the current text (proposals' own workflow) and
    record the passage it changes."""
    proposal = version.proposal
    if not version.is_published:
        raise Conflict("Amendments change a published version.")
    current = latest_published(proposal)
    if current is None or current.pk != version.pk:
        raise Conflict("A newer version has been published: amend that one.")
    try:
        passage = cp.resolve(version.document, block_id, old_text, occurrence)
    except cp.PassageError as exc:
        raise ValidationFailed(str(exc), field="old_text") from exc
    old = version.document.block(block_id).text[passage.start : passage.end]
    new = "\n\n".join(p for p in (ct.normalise(x) for x in new_text.split("\n\n")) if p)
    with transaction.atomic():
        amendment = proposal_services.do_submit_amendment(
            actor=actor,
            proposal=proposal,
            passage=_passage_label(version, block_id, passage.start, passage.end),
            old_text=old,
            new_text=new,
            explanation=explanation,
            co_submitters=co_submitters,
            now=now,
        )
        AmendmentTarget.objects.create(
            amendment=amendment,
            version=version,
            original_version=version,
            block_id=block_id,
            start=passage.start,
            end=passage.end,
            old_text=old,
            new_text=new,
        )
        record(
            "amendment.passage",
            actor=actor,
            association=_association(proposal),
            obj=amendment,
            version=version.number,
            block=block_id,
            start=passage.start,
            end=passage.end,
        )
    return amendment


def do_set_passage(
    *,
    actor,
    amendment: Amendment,
    block_id: str,
    old_text: str,
    new_text: str | None = None,
    occurrence: int = 0,
) -> AmendmentTarget:
    """Point an amendment at a passage of the current version: for an amendment submitted
    without one, or one whose passage changed (a conflict). The submitting member or the
    secretariat may do this; the amendment's old and new text follow."""
    proposal = amendment.proposal
    association = _association(proposal)
    access.require(
        access.can_submit_for(actor, association, amendment.submitter)
        or access.can_administer(actor, association),
        "Only the submitting member or the secretariat may change the passage.",
    )
    if not amendment.is_open:
        raise Conflict("This amendment has been decided or withdrawn.")
    version = latest_published(proposal)
    if version is None:
        raise Conflict("The proposal has no published structured text.")
    try:
        passage = cp.resolve(version.document, block_id, old_text, occurrence)
    except cp.PassageError as exc:
        raise ValidationFailed(str(exc), field="old_text") from exc
    old = version.document.block(block_id).text[passage.start : passage.end]
    new = amendment.new_text if new_text is None else new_text.strip()
    if ct.normalise(new) == old:
        raise ValidationFailed("The new text is the same as the old text.", field="new_text")
    with transaction.atomic():
        target, _created = AmendmentTarget.objects.update_or_create(
            amendment=amendment,
            defaults={
                "version": version,
                "original_version": version,
                "block_id": block_id,
                "start": passage.start,
                "end": passage.end,
                "old_text": old,
                "new_text": new,
                "status": AmendmentTarget.Status.APPLICABLE,
                "conflict_reason": "",
            },
        )
        # The amendment's own text follows its passage (proposals keeps no edit service).
        Amendment.objects.filter(pk=amendment.pk).update(
            old_text=old,
            new_text=new,
            passage=_passage_label(version, block_id, passage.start, passage.end)[:200],
        )
        record(
            "amendment.passage_set",
            actor=actor,
            association=association,
            obj=amendment,
            version=version.number,
            block=block_id,
            start=passage.start,
            end=passage.end,
        )
    return target


def do_link_amendments(*, actor, proposal: Proposal) -> dict[str, list[int]]:
    """Give amendments submitted without a passage one, where their old text stands exactly
    once in the current version. Returns {"linked": [...], "unresolved": [...]} (numbers)."""
    association = _association(proposal)
    access.require_administer(actor, association)
    version = latest_published(proposal)
    if version is None:
        raise Conflict("Publish the structured text first.")
    out: dict[str, list[int]] = {"linked": [], "unresolved": []}
    with transaction.atomic():
        for amendment in Amendment.objects.filter(proposal=proposal, target__isnull=True):
            hits = (
                [
                    (b.id, h)
                    for b in version.document.blocks
                    for h in cp.find_words(b.text, amendment.old_text)
                ]
                if amendment.old_text.strip()
                else []
            )
            if len(hits) != 1:
                out["unresolved"].append(amendment.number)
                continue
            bid, start = hits[0]
            end = start + len(ct.normalise(amendment.old_text))
            AmendmentTarget.objects.create(
                amendment=amendment,
                version=version,
                original_version=version,
                block_id=bid,
                start=start,
                end=end,
                old_text=ct.normalise(amendment.old_text),
                new_text=amendment.new_text,
            )
            out["linked"].append(amendment.number)
        record(
            "amendment.passages_linked", actor=actor, association=association, obj=proposal, **out
        )
    return out


def do_set_vote_order(*, actor, proposal: Proposal, amendment_ids: list[int]) -> None:
    """The chair's voting order for the amendments of a proposal (ids in order)."""
    association = _association(proposal)
    access.require_chair(actor, association)
    targets = {
        t.amendment_id: t for t in AmendmentTarget.objects.filter(amendment__proposal=proposal)
    }
    if set(amendment_ids) - set(targets):
        raise ValidationFailed("Unknown amendment in the order.", field="order")
    with transaction.atomic():
        for t in targets.values():
            t.vote_position = None
        for i, aid in enumerate(amendment_ids, start=1):
            targets[aid].vote_position = i
        AmendmentTarget.objects.bulk_update(list(targets.values()), ["vote_position"])
        record(
            "amendment.vote_order",
            actor=actor,
            association=association,
            obj=proposal,
            order=amendment_ids,
        )


def do_compose_adopted(*, actor, proposal: Proposal) -> TextVersion:
    """The adopted text as a draft: the current version with every adopted amendment merged
    into its passage. Refused (with the reasons) when an adopted amendment's passage is in
    conflict or two adopted amendments change the same words."""
    association = _association(proposal)
    access.require_administer(actor, association)
    base = latest_published(proposal)
    if base is None:
        raise Conflict("The proposal has no published structured text.")
    if editing_version(proposal) is not None:
        raise Conflict("A draft is being written already: publish or discard it first.")
    adopted = list(
        AmendmentTarget.objects.filter(
            amendment__proposal=proposal, amendment__status=SubmissionStatus.ADOPTED
        ).select_related("amendment")
    )
    unlinked = list(
        Amendment.objects.filter(
            proposal=proposal, status=SubmissionStatus.ADOPTED, target__isnull=True
        ).values_list("number", flat=True)
    )
    problems = [f"Amendment {n} has no passage in the text." for n in unlinked]
    problems += [
        f"Amendment {t.amendment.number}: {t.conflict_reason or 'its passage changed.'}"
        for t in adopted
        if t.status == AmendmentTarget.Status.CONFLICT or t.version_id != base.pk
    ]
    if problems:
        raise Conflict(problems[0], problems=problems)
    try:
        merged = cp.merge(base.document, [_change(t) for t in adopted])
    except cp.CollisionError as exc:
        numbers = {str(t.amendment_id): t.amendment.number for t in adopted}
        pairs = [f"{numbers[a]} and {numbers[b]}" for a, b in exc.pairs]
        raise Conflict(
            "Adopted amendments change the same words: " + "; ".join(pairs) + ".",
            problems=pairs,
        ) from exc
    except cp.PassageError as exc:
        raise Conflict(str(exc)) from exc
    with transaction.atomic():
        version = do_start_draft(
            actor=actor,
            proposal=proposal,
            document=merged.document,
            kind=V.Kind.ADOPTED,
            label="",
            source=V.Source.MERGED,
        )
        # merged ids are the base's ids: do_start_draft's carry_ids keeps them
        version.provenance = {
            bid: [int(k) for k in keys] for bid, keys in merged.provenance.items()
        }
        version.summary = "\n".join(
            f"Amendement {t.amendment.number} ({t.amendment.display_title})"
            for t in sorted(adopted, key=lambda t: t.amendment.number)
        )
        version.save()
        record(
            "text.adopted_composed",
            actor=actor,
            association=association,
            obj=version,
            amendments=[t.amendment.number for t in adopted],
        )
    return version


# --- house style and PDFs --------------------------------------------------------------------


LOGO_TYPES = {"PNG": "png", "JPEG": "jpg"}
MAX_LOGO_BYTES = 2_000_000


def do_set_branding(
    *,
    actor,
    association,
    sender: str,
    signature: str,
    logo=None,
    remove_logo: bool = False,
) -> Branding:
    access.require_administer(actor, association)
    ext = ""
    if logo is not None:
        if logo.size > MAX_LOGO_BYTES:
            raise ValidationFailed("The logo may be at most 2 MB.", field="logo")
        from PIL import Image, UnidentifiedImageError

        try:
            logo.seek(0)
            with Image.open(logo) as img:
                img.verify()
                kind = img.format
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValidationFailed("The logo must be a PNG or JPEG image.", field="logo") from exc
        if kind not in LOGO_TYPES:
            raise ValidationFailed("The logo must be a PNG or JPEG image.", field="logo")
        ext = LOGO_TYPES[kind]
        logo.seek(0)
    with transaction.atomic():
        branding, _ = Branding.objects.get_or_create(association=association)
        branding.sender = sender.strip()
        branding.signature = signature.strip()
        if remove_logo:
            branding.logo = ""
            branding.logo_ext = ""
        if logo is not None:
            branding.logo_ext = ext
            branding.logo.save("logo", logo, save=False)
        branding.save()
        record(
            "texts.branding",
            actor=actor,
            association=association,
            obj=branding,
            logo=bool(branding.logo),
        )
    return branding


def do_request_pdf(
    *,
    actor,
    kind: str,
    meeting: Meeting | None = None,
    proposal: Proposal | None = None,
    params: dict | None = None,
) -> PdfJob:
    """Queue a PDF: made in the background (django-tasks), its progress kept on the job."""
    from besluit.texts import jobs

    if kind in (PdfJob.Kind.MEETING_BOOK, PdfJob.Kind.DECISION_LIST):
        if meeting is None:
            raise ValidationFailed("Which meeting?")
        association = meeting.association
        access.require_view(actor, association)
        if kind == PdfJob.Kind.MEETING_BOOK:
            access.require_administer(actor, association)
    elif kind == PdfJob.Kind.REDLINE:
        if proposal is None:
            raise ValidationFailed("Which proposal?")
        association = _association(proposal)
        access.require_view(actor, association)
    else:
        raise ValidationFailed(f"Unknown kind of PDF '{kind}'.")
    with transaction.atomic():
        job = PdfJob.objects.create(
            association=association,
            meeting=meeting,
            proposal=proposal,
            kind=kind,
            params=params or {},
            requested_by=actor,
        )
        record("pdf.requested", actor=actor, association=association, obj=job, kind=kind)
        transaction.on_commit(lambda: jobs.enqueue(job.pk))
    return job
