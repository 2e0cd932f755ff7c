"""Pages of meetings: list, create, meeting page, agenda items, attachments."""

import math
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit.frame.shortcuts import (
    association_for,
    context,
    crumbs,
    meeting_for,
    require,
    run_form,
    run_service,
)
from besluit.meetings import services as meeting_services
from besluit.meetings.models import AgendaItem, Attachment, Meeting
from besluit.meetings.services_items import do_update_agenda_item
from besluit.proposals.models import Proposal
from besluit.proposals.services import do_set_proposal
from besluit.web import selectors
from besluit.web.forms.meetings import (
    AgendaItemForm,
    AttachmentForm,
    MeetingForm,
    MeetingStatusForm,
    ProposalForm,
)
from besluit.web.presenting import meeting_crumbs, proposal_blocks


def deadline_info(at: datetime, now: datetime) -> dict:
    """A deadline with what a reader wants to know: passed, or how long to go."""
    left = at - now
    seconds = left.total_seconds()
    return {
        "at": at,
        "passed": seconds <= 0,
        "days": math.floor(seconds / 86400) if seconds > 0 else 0,
        "hours": math.ceil(seconds / 3600) if seconds > 0 else 0,
    }


# --- list and create ---------------------------------------------------------


@login_required
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    now = timezone.now()
    ctx = context(
        request,
        association,
        nav_active="meetings",
        upcoming=list(selectors.upcoming_meetings(association, now)),
        past=list(selectors.past_meetings(association, now)),
        crumbs=crumbs(association, (_("Meetings"), "")),
    )
    return render(request, "web/meetings/list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    form = MeetingForm(request.POST or None, association=association)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            meeting = run_service(
                request,
                form,
                lambda: meeting_services.do_create_meeting(
                    actor=request.user,
                    association=association,
                    kind=data["kind"],
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    location=data["location"],
                    is_digital=data["is_digital"],
                    convocation_date=data["convocation_date"],
                    amendment_deadline=data["amendment_deadline"],
                    motion_deadline=data["motion_deadline"],
                    standard_agenda=data["standard_agenda"],
                ),
            )
            if meeting is not None:
                messages.success(
                    request, _("The meeting “%(title)s” was created.") % {"title": meeting.title}
                )
                for warning in meeting_services.deadline_warnings(meeting):
                    messages.warning(request, warning)
                return redirect("web:meeting", slug, meeting.pk)
        status = 400
    ctx = context(
        request,
        association,
        nav_active="meetings",
        form=form,
        crumbs=crumbs(
            association,
            (_("Meetings"), reverse("web:meetings", args=[slug])),
            (_("New meeting"), ""),
        ),
    )
    return render(request, "web/meetings/create.html", ctx, status=status)


# --- the meeting page --------------------------------------------------------


@login_required
def meeting(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    now = timezone.now()
    default = meeting_services.default_deadline(association, meeting.starts_at)
    ctx = context(
        request,
        association,
        nav_active="meetings",
        meeting=meeting,
        agenda=list(selectors.agenda(meeting)),
        motions=list(selectors.motions(meeting)),
        amendments=list(selectors.amendments(meeting)),
        polls=list(selectors.polls(meeting)),
        amendment_deadline=deadline_info(meeting.amendment_deadline, now),
        motion_deadline=deadline_info(meeting.motion_deadline, now),
        default_deadline=default,
        amendment_is_default=meeting.amendment_deadline == default,
        motion_is_default=meeting.motion_deadline == default,
        is_past=meeting.starts_at < now,
        convocation_days=(
            (timezone.localdate(meeting.starts_at) - meeting.convocation_date).days
            if meeting.convocation_date
            else None
        ),
        is_open=meeting.status != Meeting.Status.CLOSED,
        is_live=selectors.is_live(meeting),
        is_today=selectors.is_today(meeting, now),
        status_form=MeetingStatusForm(initial={"status": meeting.status}),
        crumbs=meeting_crumbs(meeting, current=True),
    )
    return render(request, "web/meetings/detail.html", ctx)


@login_required
@require_POST
def meeting_status(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, slug, meeting_id, "administer")
    form = MeetingStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
    elif form.cleaned_data["status"] != meeting.status:
        done = run_service(
            request,
            None,
            lambda: meeting_services.do_set_meeting_status(
                actor=request.user, meeting=meeting, status=form.cleaned_data["status"]
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("The meeting's status is now “%(status)s”.")
                % {"status": done.get_status_display()},
            )
    return redirect("web:meeting", slug, meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_create(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = meeting_for(request, slug, meeting_id, "administer")
    association = meeting.association
    last = meeting.agenda_items.order_by("-position").first()
    suggested = ""
    if last is not None and last.number.isdigit():
        suggested = str(int(last.number) + 1).zfill(len(last.number))
    form = AgendaItemForm(request.POST or None, initial={"number": suggested})
    status = 200
    if request.method == "POST":
        item = run_form(
            request,
            form,
            lambda data: meeting_services.do_add_agenda_item(
                actor=request.user,
                meeting=meeting,
                number=data["number"],
                title=data["title"],
                requested_decision=data["requested_decision"],
                explanation=data["explanation"],
            ),
            lambda item: _("Agenda item %(item)s was added.") % {"item": str(item)},
        )
        if item is not None:
            return redirect("web:agenda_item", slug, meeting.pk, item.pk)
        status = 400
    ctx = context(
        request,
        association,
        nav_active="meetings",
        meeting=meeting,
        form=form,
        crumbs=meeting_crumbs(meeting, (_("New agenda item"), "")),
    )
    return render(request, "web/meetings/agenda_item_form.html", ctx, status=status)


# --- agenda items ------------------------------------------------------------


def _item_for(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> AgendaItem:
    meeting = meeting_for(request, slug, meeting_id)
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    item.meeting = meeting  # reuse the one with its association loaded
    return item


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    item = _item_for(request, slug, meeting_id, item_id)
    meeting = item.meeting
    association = meeting.association
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        require(request, association, "administer")
        form = AttachmentForm(request.POST, request.FILES)
        attachment = run_form(
            request,
            form,
            lambda d: meeting_services.do_add_attachment(
                actor=request.user,
                agenda_item=item,
                upload=d["file"],
                title=d["title"],
            ),
            lambda attachment: (
                _("The attachment “%(title)s” was added.") % {"title": attachment.title}
            ),
        )
        if attachment is not None:
            return redirect("web:agenda_item", slug, meeting.pk, item.pk)
        status = 400
    proposal = Proposal.objects.filter(agenda_item=item).first()
    ctx = context(
        request,
        association,
        nav_active="meetings",
        meeting=meeting,
        item=item,
        proposal=proposal,
        proposal_blocks=proposal_blocks(proposal.text) if proposal else [],
        amendments=list(selectors.amendments(meeting, item)) if proposal else [],
        motions=list(selectors.motions(meeting, item)),
        attachments=list(item.attachments.all()),
        is_open=meeting.status != Meeting.Status.CLOSED,
        amendment_deadline=deadline_info(meeting.amendment_deadline, timezone.now()),
        form=form,
        crumbs=meeting_crumbs(meeting, (f"{item.number}. {item.title}", "")),
    )
    return render(request, "web/meetings/agenda_item.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int
) -> HttpResponse:
    item = _item_for(request, slug, meeting_id, item_id)
    meeting = item.meeting
    association = meeting.association
    require(request, association, "administer")
    proposal = Proposal.objects.filter(agenda_item=item).first()
    item_form = AgendaItemForm(
        initial={
            "number": item.number,
            "title": item.title,
            "requested_decision": item.requested_decision,
            "explanation": item.explanation,
        }
    )
    proposal_form = ProposalForm(
        initial={"title": proposal.title, "text": proposal.text} if proposal else {},
        prefix="proposal",
    )
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        done = None
        if which == "item":
            item_form = AgendaItemForm(request.POST)
            if item_form.is_valid():
                data = item_form.cleaned_data
                done = run_service(
                    request,
                    item_form,
                    lambda: do_update_agenda_item(
                        actor=request.user,
                        item=item,
                        number=data["number"],
                        title=data["title"],
                        requested_decision=data["requested_decision"],
                        explanation=data["explanation"],
                    ),
                )
                message = _("The agenda item was saved.")
        elif which == "proposal":
            proposal_form = ProposalForm(request.POST, prefix="proposal")
            if proposal_form.is_valid():
                data = proposal_form.cleaned_data
                done = run_service(
                    request,
                    proposal_form,
                    lambda: do_set_proposal(
                        actor=request.user, agenda_item=item, title=data["title"], text=data["text"]
                    ),
                )
                message = _("The proposal text was saved.")
        if done is not None:
            messages.success(request, message)
            return redirect("web:agenda_item", slug, meeting.pk, item.pk)
        status = 400
    ctx = context(
        request,
        association,
        nav_active="meetings",
        meeting=meeting,
        item=item,
        proposal=proposal,
        item_form=item_form,
        proposal_form=proposal_form,
        crumbs=meeting_crumbs(
            meeting,
            (
                f"{item.number}. {item.title}",
                reverse("web:agenda_item", args=[slug, meeting.pk, item.pk]),
            ),
            (_("Edit"), ""),
        ),
    )
    return render(request, "web/meetings/agenda_item_edit.html", ctx, status=status)


# --- attachments -------------------------------------------------------------


@login_required
def attachment(request: HttpRequest, slug: str, uuid) -> FileResponse:
    association = association_for(request, slug)
    attachment = get_object_or_404(
        Attachment.objects.select_related("agenda_item__meeting"),
        uuid=uuid,
        agenda_item__meeting__association=association,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<slug:slug>/vergaderingen/", meetings, name="meetings"),
    path("<slug:slug>/vergaderingen/nieuw/", meeting_create, name="meeting_create"),
    path("<slug:slug>/vergaderingen/<id:meeting_id>/", meeting, name="meeting"),
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/status/",
        meeting_status,
        name="meeting_status",
    ),
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/agenda/nieuw/",
        agenda_item_create,
        name="agenda_item_create",
    ),
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/agenda/<id:item_id>/",
        agenda_item,
        name="agenda_item",
    ),
    path(
        "<slug:slug>/vergaderingen/<id:meeting_id>/agenda/<id:item_id>/bewerken/",
        agenda_item_edit,
        name="agenda_item_edit",
    ),
    path("<slug:slug>/bijlagen/<uuid:uuid>/", attachment, name="attachment"),
]
