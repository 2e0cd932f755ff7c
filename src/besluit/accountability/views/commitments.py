"""One commitment: details, history, updates and milestones; a motion's timeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from besluit import access
from besluit.accountability import selectors, services
from besluit.accountability.forms import CommitmentForm, MilestoneForm, UpdateForm
from besluit.accountability.models import Commitment, Milestone, UpdateAttachment
from besluit.accountability.views.common import (
    STATUS_CSS,
    context,
    labels,
    public_association,
)
from besluit.frame.shortcuts import require, run_form, run_service
from besluit.proposals.models import SubmissionStatus


def _render(request, association, c: Commitment, *, status=200, **forms):
    user = request.user
    can_edit = access.can_follow_up(user, association)
    can_progress = access.can_post_progress(user, c) and c.status != c.Status.CANCELLED
    motion = c.motion
    ctx = context(
        request,
        association,
        (c.reference, request.path),
        commitment=c,
        motion=motion,
        co_submitters=list(motion.co_submitters.all()) if motion else [],
        status_css=STATUS_CSS,
        history=selectors.commitment_timeline(c, labels=labels),
        report_entries=selectors.report_entries_of(c),
        milestones=list(c.milestones.all()),
        updates=list(c.updates.all()),
        can_edit=can_edit,
        can_progress=can_progress,
        edit_form=forms.get("edit_form")
        or (
            CommitmentForm(initial=CommitmentForm.initial_for(c), association=association)
            if can_edit
            else None
        ),
        update_form=forms.get("update_form")
        or (UpdateForm(commitment=c) if can_progress else None),
        milestone_form=forms.get("milestone_form") or (MilestoneForm() if can_progress else None),
        open_form=forms.get("open_form", ""),
        today=timezone.localdate(),
    )
    return render(request, "accountability/commitment.html", ctx, status=status)


def _load(slug, pk):
    association = public_association(slug)
    return association, selectors.commitment_in(association, pk)


def _require_progress(request, c: Commitment) -> None:
    """Refuse (403) unless the user may post progress on the commitment."""
    if not access.can_post_progress(request.user, c):
        raise PermissionDenied(_("Only the board, the secretariat or the owner may do this."))


def _back(c: Commitment):
    return redirect("accountability:commitment", c.association.slug, c.pk)


@require_GET
def commitment(request, slug, pk):
    association, c = _load(slug, pk)
    return _render(request, association, c)


@login_required
@require_POST
def commitment_edit(request, slug, pk):
    association, c = _load(slug, pk)
    require(request, association, "follow_up")
    form = CommitmentForm(request.POST, association=association)
    done = run_form(
        request,
        form,
        lambda d: services.do_update_commitment(
            actor=request.user,
            commitment=c,
            title=d["title"],
            theme=d["theme"],
            owner_committee=d["owner_committee"],
            owner_user=d["owner_user"],
            due_date=d["due_date"],
            update_interval_days=d["update_interval_days"],
            status=d["status"],
            note=d["note"],
        ),
        _("The commitment has been saved."),
    )
    if done is not None:
        return _back(c)
    return _render(request, association, c, status=400, edit_form=form, open_form="edit")


@login_required
@require_POST
def commitment_update(request, slug, pk):
    association, c = _load(slug, pk)
    _require_progress(request, c)
    form = UpdateForm(request.POST, request.FILES, commitment=c)
    done = run_form(
        request,
        form,
        lambda d: services.do_post_update(
            actor=request.user,
            commitment=c,
            as_of=d["as_of"],
            done=d["done"],
            planned=d["planned"],
            links=d["links"],
            progress=d.get("progress"),
            status=d["status"] or None,
            files=d["files"],
        ),
        _("The update has been posted."),
    )
    if done is not None:
        return _back(c)
    return _render(request, association, c, status=400, update_form=form, open_form="update")


@login_required
@require_POST
def milestone_add(request, slug, pk):
    association, c = _load(slug, pk)
    _require_progress(request, c)
    form = MilestoneForm(request.POST)
    done = run_form(
        request,
        form,
        lambda d: services.do_add_milestone(
            actor=request.user,
            commitment=c,
            title=d["title"],
            due_date=d["due_date"],
        ),
        _("The milestone has been added."),
    )
    if done is not None:
        return redirect(reverse("accountability:commitment", args=[slug, c.pk]) + "#milestones")
    return _render(request, association, c, status=400, milestone_form=form, open_form="milestone")


@login_required
@require_POST
def milestone(request, slug, pk, milestone_id):
    _association, c = _load(slug, pk)
    _require_progress(request, c)
    item = get_object_or_404(Milestone, pk=milestone_id, commitment=c)
    action = request.POST.get("action")

    def call():
        if action == "done":
            services.do_set_milestone_done(
                actor=request.user, milestone=item, done_on=timezone.localdate()
            )
        elif action == "undo":
            services.do_set_milestone_done(actor=request.user, milestone=item, done_on=None)
        elif action == "remove":
            services.do_remove_milestone(actor=request.user, milestone=item)
        else:
            raise Http404("Unknown action.")
        return True

    if run_service(request, None, call):
        messages.success(request, _("The milestones have been saved."))
    return redirect(reverse("accountability:commitment", args=[slug, c.pk]) + "#milestones")


@require_GET
def attachment(request, slug, uuid):
    association = public_association(slug)
    item = get_object_or_404(
        UpdateAttachment.objects.select_related("update__commitment"),
        uuid=uuid,
        update__commitment__association=association,
    )
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def timeline(request, slug, meeting_id, number):
    """A motion's life in one timeline: submitted, pre-advice, votes, follow-up, closed."""
    association = public_association(slug)
    motion = selectors.motion_in(association, meeting_id, number)
    commitments = list(
        selectors.commitments(association).filter(motion=motion).order_by("part__position", "pk")
    )
    parts = list(motion.parts.all())
    can_chair = access.can_chair(request.user, association)
    ctx = context(
        request,
        association,
        (f"{motion.display_title} ({motion.number})", request.path),
        motion=motion,
        co_submitters=list(motion.co_submitters.all()),
        commitments=commitments,
        parts=parts,
        items=selectors.motion_timeline(motion, labels=labels),
        status_css=STATUS_CSS,
        can_split=can_chair
        and motion.status == SubmissionStatus.ADMITTED
        and not motion.polls.exists(),
        can_see_parts=can_chair and bool(parts),
    )
    return render(request, "accountability/timeline.html", ctx)
