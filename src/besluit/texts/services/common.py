"""Helpers the texts services share: the proposal's association, its versions."""

from __future__ import annotations

from django.conf import settings

from besluit.core import passages as cp
from besluit.core import text_import as ci
from besluit.proposals.models import Proposal
from besluit.texts.models import (
    AmendmentTarget,
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


def _change(target: AmendmentTarget) -> cp.Change:
    return cp.Change(
        str(target.amendment_id),
        cp.Passage(target.block_id, target.start, target.end),
        target.old_text,
        target.new_text,
    )
