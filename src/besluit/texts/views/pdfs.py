"""PDFs made in the background (meeting book, decision list, redline) and the house style."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.frame.shortcuts import association_for, domain_guard, run_form, run_service
from besluit.texts import books, jobs, selectors, services
from besluit.texts.forms import BookForm, BrandingForm
from besluit.texts.models import Branding, PdfJob
from besluit.texts.views.common import crumbs, page


@login_required
@domain_guard
def books_page(request, slug, meeting_id, *, form=None, status=200):
    association = association_for(request, slug)
    meeting = selectors.meeting_in(association, meeting_id)
    can_make = access.can_administer(request.user, association)
    default = "\n\n".join(books.default_letter(meeting))
    return render(
        request,
        "texts/books.html",
        page(
            request,
            association,
            meeting=meeting,
            book_form=form or BookForm(initial={"letter": default}) if can_make else None,
            jobs=selectors.jobs_for(association, meeting=meeting),
            crumbs=crumbs(association, (meeting.title, ""), (_("Meeting book"), "")),
        ),
        status=status,
    )


@login_required
@require_POST
@domain_guard
def book_request(request, slug, meeting_id, kind):
    association = association_for(request, slug)
    meeting = selectors.meeting_in(association, meeting_id)
    if kind not in (PdfJob.Kind.MEETING_BOOK, PdfJob.Kind.DECISION_LIST):
        raise Http404
    params = {"lang": request.LANGUAGE_CODE}
    if kind == PdfJob.Kind.MEETING_BOOK:
        form = BookForm(request.POST)
        if not form.is_valid():
            return books_page(request, slug, meeting_id, form=form, status=400)
        params["letter"] = form.cleaned_data["letter"]
    job = run_service(
        request,
        None,
        lambda: services.do_request_pdf(
            actor=request.user, kind=kind, meeting=meeting, params=params
        ),
    )
    if job is not None:
        messages.info(request, _("The PDF is being made. You can follow its progress below."))
    return redirect(reverse("texts:books", args=[slug, meeting.pk]) + "#jobs")


def _job(request, slug, job_id) -> PdfJob:
    association = association_for(request, slug)
    job = get_object_or_404(
        PdfJob.objects.select_related("meeting", "proposal"),
        public_id=job_id,
        association=association,
    )
    return job


@login_required
@domain_guard
def job_status(request, slug, job_id):
    """The job's row (polled by htmx every second while it runs)."""
    job = _job(request, slug, job_id)
    job.stale = jobs.is_stale(job)
    return render(request, "texts/includes/job.html", {"job": job, "association": job.association})


@login_required
@domain_guard
def job_download(request, slug, job_id):
    job = _job(request, slug, job_id)
    if job.status != PdfJob.Status.DONE or not job.file:
        raise Http404("The PDF is not ready.")
    name = slugify(
        f"{job.get_kind_display()} {job.meeting.title if job.meeting else job.proposal.title}"
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"{name}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def branding(request, slug):
    association = association_for(request, slug, "administer")
    current = Branding.objects.filter(association=association).first()
    form = BrandingForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "sender": current.sender if current else "",
            "signature": current.signature if current else "",
        },
    )
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda d: services.do_set_branding(
                actor=request.user,
                association=association,
                sender=d["sender"],
                signature=d["signature"],
                logo=d["logo"],
                remove_logo=d["remove_logo"],
            ),
            _("The house style has been saved."),
        )
        if done is not None:
            return redirect("texts:branding", slug)
    return render(
        request,
        "texts/branding.html",
        page(
            request,
            association,
            form=form,
            branding=current,
            crumbs=crumbs(association, (_("House style"), "")),
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@domain_guard
def logo(request, slug):
    association = association_for(request, slug)
    current = Branding.objects.filter(association=association).first()
    if current is None or not current.logo:
        raise Http404
    kind = "image/png" if current.logo_ext == "png" else "image/jpeg"
    return FileResponse(current.logo.open("rb"), content_type=kind)
