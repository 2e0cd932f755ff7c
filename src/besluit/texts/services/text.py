"""Drafts and versions of a structured text: start, import, edit, publish."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from besluit import access
from besluit.audit.services import record
from besluit.core import passages as cp
from besluit.core import redline as cr
from besluit.core import text_import as ci
from besluit.core import texts as ct
from besluit.errors import Conflict, ValidationFailed
from besluit.numbering import next_number
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Proposal, SubmissionStatus
from besluit.texts.models import (
    AmendmentTarget,
    ChangeReason,
    ConsultationInput,
    TextVersion,
)
from besluit.texts.services.common import (
    V,
    _association,
    _change,
    editing_version,
    latest_published,
    max_import_bytes,
)


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
            raise Conflict(_("A draft is being written already: continue with that one."))
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
            raise ValidationFailed(_("Unknown kind '%(kind)s'.") % {"kind": kind}, field="kind")
        version = TextVersion(
            proposal=proposal,
            number=next_number(TextVersion.objects.filter(proposal=proposal), lock=proposal),
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


def _lock_draft(version: TextVersion) -> TextVersion:
    """The version's row, locked until the transaction ends; a Conflict once published."""
    version = TextVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise Conflict(_("This version is published; it cannot change. Start a new draft."))
    return version


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
        version = _lock_draft(version)
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
                raise ValidationFailed(_("Unknown kind '%(kind)s'.") % {"kind": kind}, field="kind")
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
        version = _lock_draft(version)
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
        version = _lock_draft(version)
        if block_id not in version.document:
            raise ValidationFailed(_("That paragraph is not in this draft."), field="block")
        for i in inputs:
            if i.consultation.proposal_id != version.proposal_id:
                raise ValidationFailed(_("That input belongs to another proposal."), field="inputs")
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
        version = _lock_draft(version)
        if not version.blocks:
            raise ValidationFailed(_("An empty text cannot be published."))
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
