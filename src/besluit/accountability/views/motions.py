"""Splitting a motion into parts; marking a resolution's demands; themes and committees."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit.accountability import selectors, services
from besluit.accountability.forms import (
    CommitteeForm,
    DemandCommitmentsForm,
    DemandForm,
    SplitForm,
    ThemeForm,
)
from besluit.accountability.models import Committee, Demand, MotionPart, Theme
from besluit.accountability.views.common import (
    STATUS_CSS,
    context,
    public_association,
)
from besluit.frame.shortcuts import require, run_form, run_service
from besluit.proposals.models import Proposal

# --- split a motion ----------------------------------------------------------------------


def _split_page(request, association, motion, form, status=200):
    timeline_url = reverse(
        "accountability:timeline", args=[association.slug, motion.meeting_id, motion.number]
    )
    parts = list(motion.parts.select_related("decision"))
    polls = selectors.part_polls(motion)
    for part in parts:
        part.polls = polls.get(part.pk, [])
        part.has_active_poll = any(p.status in ("draft", "open") for p in part.polls)
    ctx = context(
        request,
        association,
        (f"{motion.display_title} ({motion.number})", timeline_url),
        (_("Split"), request.path),
        motion=motion,
        parts=parts,
        form=form,
        can_resplit=not any(part.polls or part.outcome != "pending" for part in parts),
        agenda_item=services.part_agenda_item(motion),
        status_css=STATUS_CSS,
    )
    return render(request, "accountability/motion_split.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def motion_split(request, slug, meeting_id, number):
    association = public_association(slug)
    require(request, association, "chair")
    motion = selectors.motion_in(association, meeting_id, number)
    initial = "\n\n".join(f"{p.label}) {p.text}" for p in motion.parts.all()) or motion.request
    form = SplitForm(request.POST or None, initial={"parts": initial})
    if request.method == "POST" and form.is_valid():
        parts = services.parse_parts(form.cleaned_data["parts"])
        done = run_service(
            request,
            form,
            lambda: services.do_split_motion(actor=request.user, motion=motion, parts=parts),
        )
        if done is not None:
            messages.success(
                request, _("The motion has been split into %(n)d parts.") % {"n": len(done)}
            )
            return redirect("accountability:motion_split", slug, meeting_id, number)
    return _split_page(request, association, motion, form, status=400 if form.errors else 200)


@login_required
@require_POST
def part_action(request, slug, meeting_id, number, part_id):
    association = public_association(slug)
    require(request, association, "chair")
    motion = selectors.motion_in(association, meeting_id, number)
    part = get_object_or_404(MotionPart.objects.select_related("motion"), pk=part_id, motion=motion)
    action = request.POST.get("action")
    if action == "poll":
        poll = run_service(
            request, None, lambda: services.do_create_part_poll(actor=request.user, part=part)
        )
        if poll is not None:
            messages.success(
                request,
                _("A poll on %(part)s has been created. Open it when the meeting votes.")
                % {"part": part.label},
            )
    elif action == "acclamation":
        if run_service(
            request,
            None,
            lambda: services.do_adopt_part_by_acclamation(actor=request.user, part=part),
        ):
            messages.success(
                request, _("%(part)s has been adopted by acclamation.") % {"part": part.label}
            )
    else:
        raise Http404("Unknown action.")
    return redirect("accountability:motion_split", slug, meeting_id, number)


# --- resolution demands ----------------------------------------------------------------------


@login_required
def demands(request, slug):
    association = public_association(slug)
    require(request, association, "administer")
    proposals = (
        Proposal.objects.filter(agenda_item__meeting__association=association)
        .select_related("agenda_item__meeting")
        .annotate(n_demands=Count("accountability_demands"))
        .order_by("-agenda_item__meeting__starts_at", "agenda_item__position")
    )
    ctx = context(
        request, association, (_("Resolution demands"), request.path), proposals=proposals
    )
    return render(request, "accountability/demands.html", ctx)


def highlighted(text: str, quotes: list[tuple[int, str]]) -> str:
    """The text, escaped, with each marked passage in <mark> (numbered)."""
    html = escape(text)
    for number, quote in quotes:
        words = [escape(w) for w in quote.split()]
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        html = re.sub(
            pattern,
            lambda m, n=number: (
                f'<mark class="acc-mark" id="demand-{n}">{m.group(0)}'
                f'<span class="acc-mark__number">[{n}]</span></mark>'
            ),
            html,
            count=1,
        )
    return mark_safe(html)


def _proposal_page(request, association, proposal, form, decision_form=None, status=200):
    demand_list = list(
        proposal.accountability_demands.select_related("theme", "commitment").order_by("position")
    )
    adopted = services.adopting_decision(proposal)
    missing = [d for d in demand_list if not hasattr(d, "commitment")]
    candidates = services.adoption_candidates(proposal)
    if decision_form is None and missing and candidates.exists():
        decision_form = DemandCommitmentsForm(
            candidates=candidates, initial={"decision": adopted.pk if adopted else None}
        )
    ctx = context(
        request,
        association,
        (_("Resolution demands"), reverse("accountability:demands", args=[association.slug])),
        (proposal.title, request.path),
        proposal=proposal,
        meeting=proposal.agenda_item.meeting,
        demands=demand_list,
        text=highlighted(proposal.text, [(d.position, d.quote) for d in demand_list]),
        adopted=adopted,
        form=form,
        decision_form=decision_form if missing else None,
        status_css=STATUS_CSS,
    )
    return render(request, "accountability/proposal_demands.html", ctx, status=status)


def _proposal(association, proposal_id) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("agenda_item__meeting__association"),
        pk=proposal_id,
        agenda_item__meeting__association=association,
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_demands(request, slug, proposal_id):
    association = public_association(slug)
    require(request, association, "administer")
    proposal = _proposal(association, proposal_id)
    form = DemandForm(request.POST or None, association=association)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        demand = run_service(
            request,
            form,
            lambda: services.do_mark_demand(
                actor=request.user,
                proposal=proposal,
                title=d["title"],
                quote=d["quote"],
                theme=d["theme"],
            ),
        )
        if demand is not None:
            if hasattr(demand, "commitment"):
                messages.success(
                    request,
                    _(
                        "The demand has been marked; the proposal was adopted, so its commitment "
                        "has been created."
                    ),
                )
            else:
                messages.success(request, _("The demand has been marked."))
            return redirect("accountability:proposal_demands", slug, proposal.pk)
    return _proposal_page(request, association, proposal, form, status=400 if form.errors else 200)


@login_required
@require_POST
def demand_commitments(request, slug, proposal_id):
    association = public_association(slug)
    require(request, association, "administer")
    proposal = _proposal(association, proposal_id)
    form = DemandCommitmentsForm(request.POST, candidates=services.adoption_candidates(proposal))
    created = run_form(
        request,
        form,
        lambda d: services.do_create_demand_commitments(
            actor=request.user, proposal=proposal, decision=d["decision"]
        ),
        lambda created: _("%(n)d commitments have been created.") % {"n": len(created)},
    )
    if created is not None:
        return redirect("accountability:proposal_demands", slug, proposal.pk)
    return _proposal_page(
        request, association, proposal, DemandForm(association=association), form, status=400
    )


@login_required
@require_POST
def demand_remove(request, slug, demand_id):
    association = public_association(slug)
    require(request, association, "administer")
    demand = get_object_or_404(
        Demand.objects.select_related("proposal__agenda_item__meeting"),
        pk=demand_id,
        proposal__agenda_item__meeting__association=association,
    )
    proposal_id = demand.proposal_id
    if run_service(
        request, None, lambda: services.do_remove_demand(actor=request.user, demand=demand) or True
    ):
        messages.success(request, _("The demand has been removed."))
    return redirect("accountability:proposal_demands", slug, proposal_id)


# --- themes and committees ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request, slug):
    association = public_association(slug)
    require(request, association, "administer")
    theme_form = ThemeForm(request.POST if request.POST.get("form") == "theme" else None)
    committee_form = CommitteeForm(
        request.POST if request.POST.get("form") == "committee" else None
    )
    if request.method == "POST":
        if theme_form.is_bound and theme_form.is_valid():
            done = run_service(
                request,
                theme_form,
                lambda: services.do_create_theme(
                    actor=request.user,
                    association=association,
                    name=theme_form.cleaned_data["name"],
                ),
            )
            if done is not None:
                messages.success(request, _("The theme has been added."))
                return redirect("accountability:settings", slug)
        elif committee_form.is_bound and committee_form.is_valid():
            d = committee_form.cleaned_data
            done = run_service(
                request,
                committee_form,
                lambda: services.do_create_committee(
                    actor=request.user, association=association, name=d["name"], email=d["email"]
                ),
            )
            if done is not None:
                messages.success(request, _("The committee has been added."))
                return redirect("accountability:settings", slug)
    ctx = context(
        request,
        association,
        (_("Themes and committees"), request.path),
        themes=Theme.objects.filter(association=association).annotate(n=Count("commitments")),
        committees=Committee.objects.filter(association=association).annotate(
            n=Count("commitments")
        ),
        theme_form=theme_form,
        committee_form=committee_form,
    )
    status = 400 if (theme_form.errors or committee_form.errors) else 200
    return render(request, "accountability/settings.html", ctx, status=status)
