"""Consultation rounds on a draft: sessions, input per passage, the board's responses."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.core import texts as ct
from besluit.frame.shortcuts import association_for, domain_guard, run_form, run_service
from besluit.texts import rendering, selectors, services
from besluit.texts.forms import (
    ConfirmForm,
    ConsultationForm,
    InputForm,
    RespondForm,
    SessionForm,
    WrittenInputForm,
)
from besluit.texts.models import Consultation, ConsultationInput
from besluit.texts.views.common import block_choices, load, page, proposal_crumbs, proposal_tabs


def _consultation(request, slug, consultation_id) -> tuple:
    association = association_for(request, slug)
    consultation = get_object_or_404(
        Consultation.objects.select_related("proposal__agenda_item__meeting", "version"),
        pk=consultation_id,
        proposal__agenda_item__meeting__association=association,
    )
    return association, consultation


def _page(request, association, proposal, *, forms=None, status=200, chosen=None):
    consultations = selectors.consultations_of(proposal)
    consultation = chosen or (consultations[0] if consultations else None)
    member = access.represented_member(request.user, association)
    can_administer = access.can_administer(request.user, association)
    can_respond = access.can_give_pre_advice(request.user, association)
    forms = forms or {}
    ctx = page(
        request,
        association,
        proposal=proposal,
        consultations=consultations,
        consultation=consultation,
        tabs=proposal_tabs(association, proposal, "consultation"),
        crumbs=proposal_crumbs(association, proposal, (_("Consultation"), "")),
        current=selectors.current_version(proposal),
    )
    if consultation is None:
        if can_administer:
            today = timezone.localdate()
            ctx["open_form"] = forms.get("open") or ConsultationForm(
                initial={
                    "title": _("Consultation on %(title)s") % {"title": proposal.title},
                    "opens_on": today,
                    "closes_on": today + timezone.timedelta(days=28),
                }
            )
        return render(request, "texts/consultation.html", ctx, status=status)
    version = consultation.version
    inputs = selectors.inputs_of(consultation)
    blocks = {b.id: b for b in rendering.block_views(version.document, version.line_width)}
    by_session = defaultdict(list)
    for i in inputs:
        i.lines = ""
        if i.block_id and i.block_id in blocks:
            if i.start is not None:
                i.lines = version.line_index.chars_lines(i.block_id, i.start, i.end)
            else:
                i.lines = version.line_index.block_lines(i.block_id)
            i.lines = ct.cite(i.lines)
        i.is_mine = member is not None and i.member_id == member.pk
        if can_respond:
            i.respond_form = forms.get(("respond", i.pk)) or RespondForm(
                initial={"response": i.response, "reason": i.response_reason},
                prefix=f"i{i.pk}",
            )
        by_session[i.session_id].append(i)
    sessions = [(s, by_session.get(s.pk, [])) for s in consultation.sessions.all()]
    today = timezone.localdate()
    ctx.update(
        version=version,
        inputs=inputs,
        sessions=sessions,
        mine=[i for i in inputs if i.is_mine],
        is_open=consultation.is_open_on(today),
        counts={
            "all": len(inputs),
            "answered": sum(1 for i in inputs if i.response),
        },
        my_member=member,
    )
    if can_administer:
        ctx["session_form"] = forms.get("session") or SessionForm()
        ctx["close_form"] = ConfirmForm()
    return render(request, "texts/consultation.html", ctx, status=status)


@login_required
@domain_guard
def consultation(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    chosen = None
    if request.GET.get("ronde"):
        chosen = next(
            (c for c in selectors.consultations_of(proposal) if str(c.pk) == request.GET["ronde"]),
            None,
        )
    return _page(request, association, proposal, chosen=chosen)


@login_required
@require_POST
@domain_guard
def consultation_open(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    form = ConsultationForm(request.POST)
    done = run_form(
        request,
        form,
        lambda d: services.do_open_consultation(
            actor=request.user,
            proposal=proposal,
            title=d["title"],
            opens_on=d["opens_on"],
            closes_on=d["closes_on"],
            description=d["description"],
        ),
        _("The consultation round is open."),
    )
    if done is not None:
        return redirect("texts:consultation", slug, proposal.pk)
    return _page(request, association, proposal, forms={"open": form}, status=400)


@login_required
@require_POST
@domain_guard
def consultation_close(request, slug, consultation_id):
    _association, consultation = _consultation(request, slug, consultation_id)
    if ConfirmForm(request.POST).is_valid():
        done = run_service(
            request,
            None,
            lambda: services.do_close_consultation(actor=request.user, consultation=consultation),
        )
        if done is not None:
            messages.success(request, _("The consultation round is closed."))
    return redirect("texts:consultation", slug, consultation.proposal_id)


@login_required
@require_POST
@domain_guard
def session_add(request, slug, consultation_id):
    association, consultation = _consultation(request, slug, consultation_id)
    form = SessionForm(request.POST)
    done = run_form(
        request,
        form,
        lambda d: services.do_add_session(
            actor=request.user,
            consultation=consultation,
            kind=d["kind"],
            title=d["title"],
            held_on=d["held_on"],
            location=d["location"],
        ),
        _("The session has been added."),
    )
    if done is not None:
        return redirect("texts:consultation", slug, consultation.proposal_id)
    return _page(
        request,
        association,
        consultation.proposal,
        forms={"session": form},
        status=400,
        chosen=consultation,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def input_add(request, slug, consultation_id):
    """Record input: the secretariat for a session, or a representative in writing."""
    association, consultation = _consultation(request, slug, consultation_id)
    proposal = consultation.proposal
    version = consultation.version
    is_secretariat = access.can_administer(request.user, association)
    member = access.represented_member(request.user, association)
    if not is_secretariat and member is None:
        messages.error(request, _("Only a member's representative or the secretariat gives input."))
        return redirect("texts:consultation", slug, proposal.pk)
    choices = block_choices(version)
    initial = {"block": request.GET.get("blok", "")}
    data = request.POST or None
    if is_secretariat and request.GET.get("als") != "lid":
        form = InputForm(
            data,
            initial=initial,
            blocks=choices,
            sessions=consultation.sessions.all(),
            members=selectors.members_of_qs(association),
        )
    else:
        form = WrittenInputForm(data, initial=initial, blocks=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if isinstance(form, InputForm):
            call = lambda: services.do_record_input(  # noqa: E731
                actor=request.user,
                session=d["session"],
                text=d["text"],
                member=d["member"],
                on_behalf=d["on_behalf"],
                block_id=d["block"],
                quote=d["quote"],
            )
        else:
            call = lambda: services.do_submit_written_input(  # noqa: E731
                actor=request.user,
                consultation=consultation,
                text=d["text"],
                block_id=d["block"],
                quote=d["quote"],
            )
        item = run_service(request, form, call)
        if item is not None:
            messages.success(request, _("Input %(n)s has been recorded.") % {"n": item.number})
            return redirect(
                reverse("texts:consultation", args=[slug, proposal.pk]) + f"#input-{item.number}"
            )
    block = None
    chosen = request.POST.get("block") or request.GET.get("blok")
    if chosen and chosen in version.document:
        block = next(
            b for b in rendering.block_views(version.document, version.line_width) if b.id == chosen
        )
    return render(
        request,
        "texts/input_form.html",
        page(
            request,
            association,
            proposal=proposal,
            consultation=consultation,
            form=form,
            block=block,
            is_written=isinstance(form, WrittenInputForm),
            tabs=proposal_tabs(association, proposal, "consultation"),
            crumbs=proposal_crumbs(
                association,
                proposal,
                (_("Consultation"), reverse("texts:consultation", args=[slug, proposal.pk])),
                (_("Input"), ""),
            ),
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@domain_guard
def respond(request, slug, input_id):
    association = association_for(request, slug)
    item = get_object_or_404(
        ConsultationInput.objects.select_related("consultation__proposal__agenda_item__meeting"),
        pk=input_id,
        consultation__proposal__agenda_item__meeting__association=association,
    )
    form = RespondForm(request.POST, prefix=f"i{item.pk}")
    done = run_form(
        request,
        form,
        lambda d: services.do_respond(
            actor=request.user,
            item=item,
            response=d["response"],
            reason=d["reason"],
        ),
        _("The response to input %(n)s has been saved.") % {"n": item.number},
    )
    if done is not None:
        return redirect(
            reverse("texts:consultation", args=[slug, item.consultation.proposal_id])
            + f"?ronde={item.consultation_id}#input-{item.number}"
        )
    return _page(
        request,
        association,
        item.consultation.proposal,
        forms={("respond", item.pk): form},
        status=400,
        chosen=item.consultation,
    )
