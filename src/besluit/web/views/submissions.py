"""Motions and amendments: submit, read, pre-advice, admission, outcome, withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from besluit import access
from besluit.frame.shortcuts import (
    context,
    domain_guard,
    meeting_for,
    run_form,
    run_service,
    say_submitted,
)
from besluit.meetings import selectors as meeting_selectors
from besluit.proposals import selectors as proposal_selectors
from besluit.proposals import services
from besluit.proposals.models import Motion, SubmissionStatus
from besluit.voting import selectors
from besluit.web.forms.submissions import (
    AdmitForm,
    AmendmentForm,
    ConfirmForm,
    MotionForm,
    OutcomeForm,
    PreAdviceForm,
)
from besluit.web.presenting import describe, meeting_crumbs, proposal_blocks


def _require_representative(request, association):
    if access.represented_member(request.user, association) is None:
        raise PermissionDenied(_("Only a member's representative can submit."))


# --- submit ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def motion_create(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    _require_representative(request, association)
    member = access.represented_member(request.user, association)
    form = MotionForm(request.POST or None, meeting=meeting, submitter=member)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        motion = run_service(
            request,
            form,
            lambda: services.do_submit_motion(
                actor=request.user,
                meeting=meeting,
                title=d["title"],
                considerations=d["considerations"],
                request=d["request"],
                explanation=d["explanation"],
                agenda_item=d["agenda_item"],
                co_submitters=d["co_submitters"],
            ),
        )
        if motion is not None:
            say_submitted(request, motion, _("Your motion has been submitted."))
            return redirect("web:motion", slug, meeting.pk, motion.number)
    return render(
        request,
        "web/submissions/motion_form.html",
        context(
            request,
            association,
            meeting=meeting,
            form=form,
            deadline=meeting.motion_deadline,
            is_late=timezone.now() > meeting.motion_deadline,
            crumbs=meeting_crumbs(meeting, (_("New motion"), "")),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request, slug, meeting_id, item_id):
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    item = meeting_selectors.agenda_item_in(meeting, item_id)
    proposal = getattr(item, "proposal", None)
    ctx = context(
        request,
        association,
        meeting=meeting,
        item=item,
        proposal=proposal,
        proposal_blocks=proposal_blocks(proposal.text) if proposal else [],
        crumbs=meeting_crumbs(
            meeting,
            (str(item), reverse("web:agenda_item", args=[association.slug, meeting.pk, item.pk])),
            (_("New amendment"), ""),
        ),
    )
    if proposal is None:
        return render(request, "web/submissions/amendment_form.html", ctx, status=404)
    _require_representative(request, association)
    member = access.represented_member(request.user, association)
    form = AmendmentForm(request.POST or None, association=association, submitter=member)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        amendment = run_service(
            request,
            form,
            lambda: services.do_submit_amendment(
                actor=request.user,
                proposal=proposal,
                passage=d["passage"],
                old_text=d["old_text"],
                new_text=d["new_text"],
                explanation=d["explanation"],
                co_submitters=d["co_submitters"],
            ),
        )
        if amendment is not None:
            say_submitted(request, amendment, _("Your amendment has been submitted."))
            return redirect("web:amendment", slug, meeting.pk, amendment.pk)
    ctx.update(
        form=form,
        deadline=meeting.amendment_deadline,
        is_late=timezone.now() > meeting.amendment_deadline,
    )
    return render(request, "web/submissions/amendment_form.html", ctx)


# --- the page of one motion or amendment --------------------------------------


def _load(request, slug, meeting_id, kind, key):
    meeting = meeting_for(request, slug, meeting_id)
    if kind == "motion":
        return meeting, proposal_selectors.motion_in(meeting, key)
    return meeting, proposal_selectors.amendment_in(meeting, key)


def _detail_url(meeting, submission) -> str:
    if isinstance(submission, Motion):
        return reverse("web:motion", args=[meeting.association.slug, meeting.pk, submission.number])
    return reverse("web:amendment", args=[meeting.association.slug, meeting.pk, submission.pk])


def _action_url(name, meeting, submission) -> str:
    kind = "motion" if isinstance(submission, Motion) else "amendment"
    key = submission.number if kind == "motion" else submission.pk
    return reverse(f"web:{kind}_{name}", args=[meeting.association.slug, meeting.pk, key])


def _render_detail(request, meeting, submission, *, status=200, **forms):
    association = meeting.association
    user = request.user
    is_motion = isinstance(submission, Motion)
    can_chair = access.can_chair(user, association)
    can_withdraw = submission.is_open and (
        can_chair or access.can_submit_for(user, association, submission.submitter)
    )
    can_advise = submission.is_open and access.can_give_pre_advice(user, association)
    pre_advice_form = forms.get("pre_advice_form")
    if can_advise and pre_advice_form is None:
        pre_advice_form = PreAdviceForm(
            initial={
                "pre_advice": submission.pre_advice,
                "pre_advice_reason": submission.pre_advice_reason,
            }
        )
    polls = [
        {"poll": p, "view": describe(p.outcome) if p.result else None}
        for p in (
            selectors.polls_on(motion=submission)
            if is_motion
            else selectors.polls_on(amendment=submission)
        )
    ]
    co = list(submission.co_submitters.all())
    heading = f"{submission.KIND_LABEL} {submission.submitter.name}" + (" c.s." if co else "")
    trail = [(heading, "")]
    if not is_motion:
        item = submission.proposal.agenda_item
        url = reverse("web:agenda_item", args=[association.slug, meeting.pk, item.pk])
        trail.insert(0, (str(item), url))
    template = "web/submissions/motion.html" if is_motion else "web/submissions/amendment.html"
    return render(
        request,
        template,
        context(
            request,
            association,
            meeting=meeting,
            submission=submission,
            co_submitters=co,
            heading=heading,
            crumbs=meeting_crumbs(meeting, *trail),
            polls=polls,
            can_withdraw=can_withdraw,
            can_admit=can_chair and submission.status == SubmissionStatus.SUBMITTED,
            can_decide=can_chair and submission.status == SubmissionStatus.ADMITTED,
            pre_advice_form=pre_advice_form if can_advise else None,
            outcome_form=forms.get("outcome_form") or OutcomeForm(),
            is_motion=is_motion,
            urls={
                name: _action_url(name, meeting, submission)
                for name in ("pre_advice", "admit", "outcome", "withdraw")
            },
        ),
        status=status,
    )


@login_required
def motion_detail(request, slug, meeting_id, number):
    meeting, motion = _load(request, slug, meeting_id, "motion", number)
    return _render_detail(request, meeting, motion)


@login_required
def amendment_detail(request, slug, meeting_id, amendment_id):
    meeting, amendment = _load(request, slug, meeting_id, "amendment", amendment_id)
    return _render_detail(request, meeting, amendment)


# --- actions (POST only, each calls one service) ------------------------------


def _pre_advice(request, slug, meeting_id, kind, key):
    meeting, submission = _load(request, slug, meeting_id, kind, key)
    form = PreAdviceForm(request.POST)
    done = run_form(
        request,
        form,
        lambda d: services.do_set_pre_advice(
            actor=request.user,
            submission=submission,
            advice=d["pre_advice"],
            reason=d["pre_advice_reason"],
        ),
        _("The pre-advice has been recorded."),
    )
    if done is not None:
        return redirect(_detail_url(meeting, submission))
    return _render_detail(request, meeting, submission, status=400, pre_advice_form=form)


def _admit(request, slug, meeting_id, kind, key):
    meeting, submission = _load(request, slug, meeting_id, kind, key)
    form = AdmitForm(request.POST)
    if form.is_valid():
        admit = form.cleaned_data["admit"]
        done = run_service(
            request,
            None,
            lambda: services.do_admit(actor=request.user, submission=submission, admit=admit),
        )
        if done is not None:
            messages.success(
                request,
                _("The late submission has been admitted.")
                if admit
                else _("The late submission has not been admitted."),
            )
    return redirect(_detail_url(meeting, submission))


def _outcome(request, slug, meeting_id, kind, key):
    meeting, submission = _load(request, slug, meeting_id, kind, key)
    # Only the chair's outcomes of an open submission are offered here.
    access.require_chair(request.user, meeting.association)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        if submission.status != SubmissionStatus.ADMITTED:
            messages.error(request, _("Only an admitted submission can get this outcome."))
            return redirect(_detail_url(meeting, submission))
        done = run_service(
            request,
            form,
            lambda: services.do_set_status(
                actor=request.user, submission=submission, status=form.cleaned_data["status"]
            ),
        )
        if done is not None:
            messages.success(request, _("The outcome has been recorded."))
            return redirect(_detail_url(meeting, submission))
    return _render_detail(request, meeting, submission, status=400, outcome_form=form)


def _withdraw(request, slug, meeting_id, kind, key):
    meeting, submission = _load(request, slug, meeting_id, kind, key)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            None,
            lambda: services.do_withdraw(actor=request.user, submission=submission),
        )
        if done is not None:
            messages.success(request, _("%(title)s has been withdrawn.") % {"title": submission})
        return redirect(_detail_url(meeting, submission))
    return render(
        request,
        "web/submissions/withdraw_confirm.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            submission=submission,
            detail_url=_detail_url(meeting, submission),
            is_motion=isinstance(submission, Motion),
            crumbs=meeting_crumbs(
                meeting,
                (str(submission), _detail_url(meeting, submission)),
                (_("Withdraw"), ""),
            ),
        ),
    )


def _for(kind, view, methods):
    key = "number" if kind == "motion" else "amendment_id"

    @login_required
    @require_http_methods(methods)
    @domain_guard
    def bound(request, slug, meeting_id, **kwargs):
        return view(request, slug, meeting_id, kind, kwargs[key])

    return bound


M = "<slug:slug>/vergaderingen/<id:meeting_id>/moties/<id:number>/"
A = "<slug:slug>/vergaderingen/<id:meeting_id>/amendementen/<id:amendment_id>/"

urlpatterns = [
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/moties/nieuw/",
        motion_create,
        name="motion_create",
    ),
    path(M, motion_detail, name="motion"),
    path(M + "preadvies/", _for("motion", _pre_advice, ["POST"]), name="motion_pre_advice"),
    path(M + "toelating/", _for("motion", _admit, ["POST"]), name="motion_admit"),
    path(M + "afdoening/", _for("motion", _outcome, ["POST"]), name="motion_outcome"),
    path(M + "intrekken/", _for("motion", _withdraw, ["GET", "POST"]), name="motion_withdraw"),
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/agenda/<id:item_id>/amendementen/nieuw/",
        amendment_create,
        name="amendment_create",
    ),
    path(A, amendment_detail, name="amendment"),
    path(A + "preadvies/", _for("amendment", _pre_advice, ["POST"]), name="amendment_pre_advice"),
    path(A + "toelating/", _for("amendment", _admit, ["POST"]), name="amendment_admit"),
    path(A + "afdoening/", _for("amendment", _outcome, ["POST"]), name="amendment_outcome"),
    path(
        A + "intrekken/",
        _for("amendment", _withdraw, ["GET", "POST"]),
        name="amendment_withdraw",
    ),
]
