"""The minutes pages: the concept for members, the editor for the secretariat, corrections,
adoption by the chair; adopted minutes are public (page, PDF, open data) without login."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from besluit import access
from besluit.audit import selectors as audit_selectors
from besluit.core import texts as ct
from besluit.frame.shortcuts import context, crumbs, domain_guard, meeting_for, run_service
from besluit.meetings.models import Meeting
from besluit.minutes import attendance as minutes_attendance
from besluit.minutes import draft, selectors, services
from besluit.minutes.forms import CorrectionForm, EditForm
from besluit.minutes.models import MinutesVersion
from besluit.texts import rendering

# A kept PDF is current while its audit version is; the time bounds a change made
# outside the services (the admin, a shell).
PDF_KEPT_SECONDS = 3600


def _public_meeting(slug: str, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("association"), pk=meeting_id, association__slug=slug
    )


def _meeting(request, slug, meeting_id) -> Meeting:
    """Anyone may read adopted minutes; before that, only who may see the association."""
    meeting = _public_meeting(slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    if minutes is not None and minutes.is_adopted:
        return meeting
    if not request.user.is_authenticated:
        raise Http404("No adopted minutes.")
    return meeting_for(request, slug, meeting_id)


def _crumbs(request, meeting, *more):
    association = meeting.association
    if not access.can_view(request.user, association):
        return []
    meeting_url = reverse("web:meeting", args=[association.slug, meeting.pk])
    return crumbs(association, (meeting.title, meeting_url), *more)


def _version(minutes, number: int) -> MinutesVersion:
    return get_object_or_404(MinutesVersion, minutes=minutes, number=number)


def _visible(request, meeting, minutes) -> list[MinutesVersion]:
    """Members see what is published and the corrections; the secretariat also the draft."""
    if minutes is None:
        return []
    all_versions = selectors.versions(minutes)
    if access.can_administer(request.user, meeting.association):
        return all_versions
    if minutes.is_adopted and not access.can_view(request.user, meeting.association):
        return [v for v in all_versions if v.pk == minutes.adopted_version_id]
    return [v for v in all_versions if v.status != MinutesVersion.Status.EDITING]


@require_safe
@domain_guard
def page(request, slug, meeting_id):
    meeting = _meeting(request, slug, meeting_id)
    association = meeting.association
    minutes = selectors.minutes_of(meeting)
    versions = _visible(request, meeting, minutes)
    administer = access.can_administer(request.user, association)
    published = [v for v in versions if v.status == MinutesVersion.Status.PUBLISHED]
    editing = next((v for v in versions if v.status == MinutesVersion.Status.EDITING), None)
    shown = (
        minutes.adopted_version
        if minutes and minutes.is_adopted
        else (editing if administer and editing else (published[-1] if published else None))
    )
    ctx = context(
        request,
        association,
        meeting=meeting,
        minutes=minutes,
        shown=shown,
        editing=editing,
        versions=versions,
        corrections=[v for v in versions if v.is_correction],
        blocks=rendering.block_views(shown.document, shown.line_width) if shown else [],
        can_administer=administer,
        can_chair=access.can_chair(request.user, association),
        member=access.represented_member(request.user, association)
        if request.user.is_authenticated
        else None,
        crumbs=_crumbs(request, meeting, (_("Minutes"), "")),
    )
    return render(request, "minutes/page.html", ctx)


@login_required
@require_POST
@domain_guard
def make_draft(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    if run_service(
        request, None, lambda: services.do_make_draft(actor=request.user, meeting=meeting)
    ):
        messages.success(request, _("The draft minutes are made from the meeting's record."))
    return redirect("minutes:page", slug, meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def edit(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "administer")
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        return redirect("minutes:page", slug, meeting.pk)
    current = services.editing_version(minutes) or services.latest_published(minutes)
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid() and run_service(
            request,
            form,
            lambda: services.do_edit(
                actor=request.user,
                minutes=minutes,
                markdown=form.cleaned_data["text"],
                summary=form.cleaned_data["summary"],
            ),
        ):
            messages.success(request, _("The draft is saved."))
            return redirect("minutes:page", slug, meeting.pk)
    else:
        form = EditForm(
            initial={
                "text": ct.to_markdown(current.document) if current else "",
                "summary": current.summary if current and current.status == "editing" else "",
            }
        )
    return render(
        request,
        "minutes/edit.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            minutes=minutes,
            form=form,
            crumbs=_crumbs(
                request,
                meeting,
                (_("Minutes"), reverse("minutes:page", args=[slug, meeting.pk])),
                (_("Edit"), ""),
            ),
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
@domain_guard
def publish(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404("No minutes yet.")
    if run_service(request, None, lambda: services.do_publish(actor=request.user, minutes=minutes)):
        messages.success(
            request, _("The concept minutes are published; members may propose corrections.")
        )
    return redirect("minutes:page", slug, meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def correction(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    access.require_representative(request.user, meeting.association)
    minutes = selectors.minutes_of(meeting)
    base = services.latest_published(minutes) if minutes else None
    if minutes is None or base is None:
        raise Http404("No concept minutes yet.")
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            version = run_service(
                request,
                form,
                lambda: services.do_propose_correction(
                    actor=request.user,
                    minutes=minutes,
                    markdown=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if version is not None:
                messages.success(request, _("Your correction is proposed to the secretariat."))
                return redirect("minutes:version", slug, meeting.pk, version.number)
    else:
        form = CorrectionForm(initial={"text": ct.to_markdown(base.document)})
    return render(
        request,
        "minutes/correction.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            minutes=minutes,
            base=base,
            form=form,
            crumbs=_crumbs(
                request,
                meeting,
                (_("Minutes"), reverse("minutes:page", args=[slug, meeting.pk])),
                (_("Propose a correction"), ""),
            ),
        ),
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@domain_guard
def version(request, slug, meeting_id, number):
    meeting = _meeting(request, slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    visible = {v.number: v for v in _visible(request, meeting, minutes)}
    if number not in visible:
        raise Http404("No such version.")
    v = visible[number]
    base = (
        v.based_on if v.based_on_id and v.based_on_id in {x.pk for x in visible.values()} else None
    )
    comparison = None
    if base is not None:
        rl, views = rendering.diff_views(base.document, v.document, base.line_width, v.line_width)
        comparison = {"stats": rl.stats(), "items": [x for x in views if x.item.is_change]}
    return render(
        request,
        "minutes/version.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            minutes=minutes,
            version=v,
            base=base,
            comparison=comparison,
            blocks=rendering.block_views(v.document, v.line_width),
            can_administer=access.can_administer(request.user, meeting.association),
            crumbs=_crumbs(
                request,
                meeting,
                (_("Minutes"), reverse("minutes:page", args=[slug, meeting.pk])),
                (_("Version %(n)s") % {"n": v.number}, ""),
            ),
        ),
    )


@login_required
@require_POST
@domain_guard
def accept(request, slug, meeting_id, number):
    meeting = meeting_for(request, slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404("No minutes yet.")
    correction = _version(minutes, number)
    if run_service(
        request,
        None,
        lambda: services.do_accept_correction(actor=request.user, correction=correction),
    ):
        messages.success(request, _("The correction is taken over in a new concept."))
    return redirect("minutes:page", slug, meeting.pk)


@login_required
@require_POST
@domain_guard
def adopt(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404("No minutes yet.")
    if run_service(request, None, lambda: services.do_adopt(actor=request.user, minutes=minutes)):
        messages.success(request, _("The minutes are adopted; they are now public and final."))
    return redirect("minutes:page", slug, meeting.pk)


def _shown_for_download(request, meeting):
    minutes = selectors.minutes_of(meeting)
    shown = selectors.public_version(minutes)
    if shown is None and minutes is not None and request.user.is_authenticated:
        shown = services.latest_published(minutes)
    if shown is None:
        raise Http404("No published minutes.")
    return minutes, shown


@require_safe
@domain_guard
def pdf(request, slug, meeting_id):
    from besluit.minutes import pdf as minutes_pdf

    meeting = _meeting(request, slug, meeting_id)
    minutes, shown = _shown_for_download(request, meeting)
    # Adopted minutes are public: making the PDF costs a third of a second of CPU and
    # more, which anyone could ask for again and again. A published version never
    # changes; what else the PDF shows (the association's branding, the meeting) changes
    # only through services, each of which writes an audit event.
    key = ":".join(
        (
            "besluit:minutes-pdf",
            str(shown.pk),
            request.LANGUAGE_CODE,
            str(audit_selectors.latest_id(meeting.association_id)),
        )
    )
    content = cache.get(key)
    if content is None:
        out = io.BytesIO()
        minutes_pdf.render(minutes, shown, out, lang=request.LANGUAGE_CODE)
        content = out.getvalue()
        cache.set(key, content, PDF_KEPT_SECONDS)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notulen-{meeting.pk}-v{shown.number}.pdf"'
    return response


@require_safe
def open_data(request, slug, meeting_id):
    """Adopted minutes as open data: the lines as the page numbers them."""
    meeting = _public_meeting(slug, meeting_id)
    minutes = selectors.minutes_of(meeting)
    shown = selectors.public_version(minutes)
    if shown is None:
        raise Http404("No adopted minutes.")
    data = {
        "meeting": {"id": meeting.pk, "title": meeting.title, "startsAt": meeting.starts_at},
        "status": minutes.status,
        "adoptedAt": minutes.adopted_at,
        "version": shown.number,
        "decision": minutes.decision_id,
        "lines": rendering.lines_json(shown.document, shown.line_width),
        "markdown": ct.to_markdown(shown.document),
        # frozen at adoption (minutes adopted before it was kept: read from the register)
        "attendance": minutes.attendance
        if minutes.attendance is not None
        else minutes_attendance.open_data(
            draft.gather(meeting).attendance, minutes_attendance.quorums(meeting)
        ),
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
