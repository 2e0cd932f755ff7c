"""What every texts page needs: the association and proposal, access, crumbs, errors."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from besluit import access
from besluit.core import texts as ct
from besluit.frame.shortcuts import association_for, context
from besluit.frame.shortcuts import crumbs as frame_crumbs
from besluit.texts import selectors
from besluit.texts.models import TextVersion


def load(request, slug: str, proposal_id: int):
    association = association_for(request, slug)
    return association, selectors.proposal_in(association, proposal_id)


def crumbs(association, *more: tuple[str, str]) -> list[tuple[str, str]]:
    texts = reverse("texts:index", args=[association.slug])
    return frame_crumbs(association, (_("Texts"), texts), *more)


def proposal_crumbs(association, proposal, *more: tuple[str, str]) -> list[tuple[str, str]]:
    url = reverse("texts:proposal", args=[association.slug, proposal.pk])
    item = proposal.agenda_item
    return crumbs(association, (f"{item.number}. {proposal.title}", url), *more)


def page(request, association, **extra) -> dict:
    ctx = context(request, association, nav_active="texts", **extra)
    ctx["can_respond"] = access.can_give_pre_advice(request.user, association)
    return ctx


def proposal_tabs(association, proposal, active: str) -> list[dict]:
    args = [association.slug, proposal.pk]
    tabs = [
        ("text", _("Text"), reverse("texts:proposal", args=args)),
        ("versions", _("Versions and changes"), reverse("texts:compare", args=args)),
        ("consultation", _("Consultation"), reverse("texts:consultation", args=args)),
        ("amendments", _("Amendments"), reverse("texts:amendments", args=args)),
    ]
    return [{"key": k, "label": label, "url": url, "active": k == active} for k, label, url in tabs]


def block_choices(version: TextVersion) -> list[tuple[str, str]]:
    index = version.line_index
    out = []
    for b in version.document.blocks:
        text = b.text if len(b.text) <= 90 else b.text[:87] + "…"
        out.append((b.id, f"{_('lines')} {ct.cite(index.block_lines(b.id))}: {text}"))
    return out
