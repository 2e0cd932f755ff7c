"""Amendments on passages: where they apply, the vote order, the adopted text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.core import passages as cp
from besluit.core import texts as ct
from besluit.errors import Conflict, ValidationFailed
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Amendment, Proposal, SubmissionStatus
from besluit.texts.models import (
    AmendmentTarget,
    TextVersion,
)
from besluit.texts.services.common import (
    V,
    _association,
    _change,
    editing_version,
    latest_published,
)
from besluit.texts.services.text import do_start_draft


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
        raise Conflict(_("Amendments change a published version."))
    current = latest_published(proposal)
    if current is None or current.pk != version.pk:
        raise Conflict(_("A newer version has been published: amend that one."))
    try:
        passage = cp.resolve(version.document, block_id, old_text, occurrence)
    except cp.PassageError as exc:
        raise ValidationFailed(exc.text.translate(_), field="old_text") from exc
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
        _("Only the submitting member or the secretariat may change the passage."),
    )
    if not amendment.is_open:
        raise Conflict(_("This amendment has been decided or withdrawn."))
    version = latest_published(proposal)
    if version is None:
        raise Conflict(_("The proposal has no published structured text."))
    try:
        passage = cp.resolve(version.document, block_id, old_text, occurrence)
    except cp.PassageError as exc:
        raise ValidationFailed(exc.text.translate(_), field="old_text") from exc
    old = version.document.block(block_id).text[passage.start : passage.end]
    new = amendment.new_text if new_text is None else new_text.strip()
    if ct.normalise(new) == old:
        raise ValidationFailed(_("The new text is the same as the old text."), field="new_text")
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
        raise Conflict(_("Publish the structured text first."))
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
        raise ValidationFailed(_("Unknown amendment in the order."), field="order")
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
        raise Conflict(_("The proposal has no published structured text."))
    if editing_version(proposal) is not None:
        raise Conflict(_("A draft is being written already: publish or discard it first."))
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
    problems = [
        _("Amendment %(number)s has no passage in the text.") % {"number": n} for n in unlinked
    ]
    problems += [
        _("Amendment %(number)s: %(reason)s")
        % {"number": t.amendment.number, "reason": t.conflict_reason or _("its passage changed.")}
        for t in adopted
        if t.status == AmendmentTarget.Status.CONFLICT or t.version_id != base.pk
    ]
    if problems:
        raise Conflict(problems[0], problems=problems)
    try:
        merged = cp.merge(base.document, [_change(t) for t in adopted])
    except cp.CollisionError as exc:
        numbers = {str(t.amendment_id): t.amendment.number for t in adopted}
        pairs = [
            _("%(first)s and %(second)s") % {"first": numbers[a], "second": numbers[b]}
            for a, b in exc.pairs
        ]
        raise Conflict(
            _("Adopted amendments change the same words: %(pairs)s.") % {"pairs": "; ".join(pairs)},
            problems=pairs,
        ) from exc
    except cp.PassageError as exc:
        raise Conflict(exc.text.translate(_)) from exc
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
