"""Amendments on passages: propose, resolve conflicts, collisions, voting order, adopted text."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.core import texts as ct
from besluit.frame.shortcuts import association_for, domain_guard, run_service, say_submitted
from besluit.proposals.models import Amendment
from besluit.texts import rendering, selectors, services
from besluit.texts.forms import AmendForm, ConfirmForm, VoteOrderForm
from besluit.texts.views.common import block_choices, load, page, proposal_crumbs, proposal_tabs


@login_required
@domain_guard
def amendments(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    overview = selectors.amendment_overview(proposal)
    version = overview.version
    preview_items = []
    preview_stats = None
    if version is not None and overview.preview is not None:
        rl, preview_items = rendering.diff_views(
            version.document, overview.preview, version.line_width, version.line_width
        )
        preview_stats = rl.stats()
        for view in preview_items:
            view.lines = view.old_lines  # the preview cites the current version's lines
    live = [r for r in overview.rows if r.order is not None]
    can_chair = access.can_chair(request.user, association)
    member = access.represented_member(request.user, association)
    for r in overview.rows:
        r.is_mine = member is not None and r.amendment.submitter_id == member.pk
        r.can_fix = r.amendment.is_open and (
            r.is_mine or access.can_administer(request.user, association)
        )
    return render(
        request,
        "texts/amendments.html",
        page(
            request,
            association,
            proposal=proposal,
            overview=overview,
            version=version,
            preview_items=[v for v in preview_items if v.item.is_change],
            preview_stats=preview_stats,
            order_form=VoteOrderForm(rows=live) if can_chair and live else None,
            unlinked=[r for r in overview.rows if r.target is None],
            compose_form=ConfirmForm(),
            meeting=proposal.agenda_item.meeting,
            tabs=proposal_tabs(association, proposal, "amendments"),
            crumbs=proposal_crumbs(association, proposal, (_("Amendments"), "")),
        ),
    )


def _amend_page(request, association, proposal, version, form, block, *, title, action, status=200):
    meeting = proposal.agenda_item.meeting
    return render(
        request,
        "texts/amend_form.html",
        page(
            request,
            association,
            proposal=proposal,
            version=version,
            form=form,
            block=block,
            title=title,
            action=action,
            deadline=meeting.amendment_deadline,
            is_late=timezone.now() > meeting.amendment_deadline,
            tabs=proposal_tabs(association, proposal, "amendments"),
            crumbs=proposal_crumbs(
                association,
                proposal,
                (
                    _("Amendments"),
                    reverse("texts:amendments", args=[association.slug, proposal.pk]),
                ),
                (title, ""),
            ),
        ),
        status=status,
    )


def _block_view(version, block_id):
    if not block_id or block_id not in version.document:
        return None
    return next(
        b for b in rendering.block_views(version.document, version.line_width) if b.id == block_id
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def amend(request, slug, proposal_id):
    """Propose an amendment on a passage of the current version."""
    association, proposal = load(request, slug, proposal_id)
    version = selectors.current_version(proposal)
    member = access.represented_member(request.user, association)
    if version is None or member is None:
        messages.error(
            request,
            _("Only a member's representative can submit an amendment, on a published text."),
        )
        return redirect("texts:proposal", slug, proposal.pk)
    members = selectors.members_of_qs(association).exclude(pk=member.pk)
    block_id = request.POST.get("block") or request.GET.get("blok", "")
    form = AmendForm(
        request.POST or None,
        initial={"block": block_id, "old_text": request.GET.get("woorden", "")},
        blocks=block_choices(version),
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        amendment = run_service(
            request,
            form,
            lambda: services.do_propose_amendment(
                actor=request.user,
                version=version,
                block_id=d["block"],
                old_text=d["old_text"],
                new_text=d["new_text"],
                occurrence=(d["occurrence"] or 1) - 1,
                explanation=d["explanation"],
                co_submitters=d["co_submitters"],
            ),
        )
        if amendment is not None:
            say_submitted(
                request,
                amendment,
                _("Amendment %(n)s has been submitted on %(passage)s.")
                % {"n": amendment.number, "passage": amendment.passage},
            )
            return redirect(
                reverse("texts:amendments", args=[slug, proposal.pk])
                + f"#amendment-{amendment.number}"
            )
    return _amend_page(
        request,
        association,
        proposal,
        version,
        form,
        _block_view(version, block_id),
        title=_("Propose an amendment"),
        action=reverse("texts:amend", args=[slug, proposal.pk]),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def passage(request, slug, amendment_id):
    """Point an amendment at a passage of the current version (after a conflict, or for one
    submitted without a passage)."""
    association = association_for(request, slug)
    amendment = get_object_or_404(
        Amendment.objects.select_related("proposal__agenda_item__meeting", "submitter"),
        pk=amendment_id,
        proposal__agenda_item__meeting__association=association,
    )
    proposal = amendment.proposal
    version = selectors.current_version(proposal)
    if version is None:
        return redirect("texts:amendments", slug, proposal.pk)
    target = getattr(amendment, "target", None)
    block_id = (
        request.POST.get("block")
        or request.GET.get("blok")
        or (target.block_id if target and target.block_id in version.document else "")
    )
    form = AmendForm(
        request.POST or None,
        initial={
            "block": block_id,
            "old_text": amendment.old_text,
            "new_text": amendment.new_text,
        },
        blocks=block_choices(version),
        with_meta=False,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = run_service(
            request,
            form,
            lambda: services.do_set_passage(
                actor=request.user,
                amendment=amendment,
                block_id=d["block"],
                old_text=d["old_text"],
                new_text=d["new_text"],
                occurrence=(d["occurrence"] or 1) - 1,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Amendment %(n)s now changes %(passage)s of version %(v)s.")
                % {
                    "n": amendment.number,
                    "passage": _("lines")
                    + " "
                    + ct.cite(version.line_index.chars_lines(done.block_id, done.start, done.end)),
                    "v": version.number,
                },
            )
            return redirect(
                reverse("texts:amendments", args=[slug, proposal.pk])
                + f"#amendment-{amendment.number}"
            )
    return _amend_page(
        request,
        association,
        proposal,
        version,
        form,
        _block_view(version, block_id),
        title=_("Passage of amendment %(n)s") % {"n": amendment.number},
        action=reverse("texts:passage", args=[slug, amendment.pk]),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@domain_guard
def vote_order(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    overview = selectors.amendment_overview(proposal)
    form = VoteOrderForm(request.POST, rows=[r for r in overview.rows if r.order is not None])
    if form.is_valid():
        done = run_service(
            request,
            None,
            lambda: (
                services.do_set_vote_order(
                    actor=request.user, proposal=proposal, amendment_ids=form.ordered_ids()
                )
                or True
            ),
        )
        if done:
            messages.success(request, _("The voting order has been saved."))
    else:
        messages.error(request, _("Give whole numbers as positions."))
    return redirect(reverse("texts:amendments", args=[slug, proposal.pk]) + "#order")


@login_required
@require_POST
@domain_guard
def link(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    result = run_service(
        request, None, lambda: services.do_link_amendments(actor=request.user, proposal=proposal)
    )
    if result is not None:
        if result["linked"]:
            messages.success(
                request,
                _("Passages found for amendment(s) %(n)s.")
                % {"n": ", ".join(map(str, result["linked"]))},
            )
        if result["unresolved"]:
            messages.warning(
                request,
                _(
                    "No unique passage for amendment(s) %(n)s: their old text does not stand "
                    "exactly once in the text. Choose the passage by hand."
                )
                % {"n": ", ".join(map(str, result["unresolved"]))},
            )
    return redirect("texts:amendments", slug, proposal.pk)


@login_required
@require_POST
@domain_guard
def compose_adopted(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm."))
        return redirect("texts:amendments", slug, proposal.pk)
    version = run_service(
        request, None, lambda: services.do_compose_adopted(actor=request.user, proposal=proposal)
    )
    if version is None:
        return redirect("texts:amendments", slug, proposal.pk)
    messages.success(
        request,
        _("The adopted text has been composed as draft version %(n)s. Check it, then publish it.")
        % {"n": version.number},
    )
    return redirect("texts:draft", slug, proposal.pk)
