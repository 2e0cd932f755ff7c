"""Member-letter pages: archive (members), write, preview, send, delivery report (secretariat)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.frame.shortcuts import association_for, context, crumbs, is_htmx, require, run_service
from besluit.letters import ics, services
from besluit.letters.forms import AttachmentForm, BounceForm, LetterForm, SendForm, StartForm
from besluit.letters.mail import LetterMessage, invitation_sequence
from besluit.letters.models import Letter, LetterAttachment, LetterDelivery


def _letter(request: HttpRequest, slug: str, letter_id: int) -> Letter:
    association = association_for(request, slug)
    letter = get_object_or_404(
        Letter.objects.select_related("association", "meeting", "created_by", "sent_by"),
        pk=letter_id,
        association=association,
    )
    if letter.status == Letter.Status.DRAFT and not access.can_administer(
        request.user, association
    ):
        raise Http404("No such letter.")
    return letter


def _crumbs(letter: Letter | None = None, *more):
    association = letter.association if letter else None
    trail = (
        [(_("Member letters"), reverse("letters:list", args=[association.slug]))] if letter else []
    )
    if letter:
        trail.append((letter.number, reverse("letters:detail", args=[association.slug, letter.pk])))
    return trail + list(more)


def _ctx(request, association, **extra):
    return context(request, association, nav_active="letters", **extra)


@login_required
def letter_list(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    letters = association.letters.select_related("meeting").order_by("-send_requested_at", "-id")
    is_admin = access.can_administer(request.user, association)
    sent = [x for x in letters if x.status != Letter.Status.DRAFT]
    drafts = [x for x in letters if x.status == Letter.Status.DRAFT] if is_admin else []
    return render(
        request,
        "letters/list.html",
        _ctx(
            request,
            association,
            sent=sent,
            drafts=drafts,
            crumbs=crumbs(association, (_("Member letters"), "")),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_create(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    form = StartForm(
        request.POST or None,
        association=association,
        initial={"meeting": request.GET.get("meeting", "")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            meeting_id = form.cleaned_data["meeting"]
            meeting = association.meetings.filter(pk=meeting_id).first() if meeting_id else None
            letter = run_service(
                request,
                form,
                lambda: services.do_create_letter(
                    actor=request.user,
                    association=association,
                    kind=form.cleaned_data["kind"],
                    meeting=meeting,
                ),
            )
            if letter is not None:
                messages.success(
                    request,
                    _("Draft %(number)s created from the template.") % {"number": letter.number},
                )
                return redirect("letters:edit", association.slug, letter.pk)
        status = 400
    return render(
        request,
        "letters/create.html",
        _ctx(
            request,
            association,
            form=form,
            crumbs=crumbs(
                association,
                (_("Member letters"), reverse("letters:list", args=[slug])),
                (_("New member letter"), ""),
            ),
        ),
        status=status,
    )


@login_required
def letter_detail(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    association = letter.association
    ctx = _ctx(
        request,
        association,
        letter=letter,
        attachments=list(letter.attachments.all()),
        counts=services.status_counts(letter)
        if access.can_administer(request.user, association)
        else None,
        crumbs=crumbs(association, *_crumbs(letter)),
    )
    return render(request, "letters/detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def letter_edit(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    association = letter.association
    require(request, association, "administer")
    if letter.status != Letter.Status.DRAFT:
        messages.info(request, _("This letter has been sent and can no longer be changed."))
        return redirect("letters:detail", slug, letter.pk)
    initial = {
        "number": letter.number,
        "subject": letter.subject,
        "body": letter.body,
        "meeting": str(letter.meeting_id or ""),
        "include_invitation": letter.include_invitation,
    }
    form = LetterForm(request.POST or None, association=association, initial=initial)
    upload = AttachmentForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            meeting = (
                association.meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None
            )
            done = run_service(
                request,
                form,
                lambda: services.do_update_letter(
                    actor=request.user,
                    letter=letter,
                    number=data["number"],
                    subject=data["subject"],
                    body=data["body"],
                    meeting=meeting,
                    include_invitation=data["include_invitation"],
                ),
            )
            if done is not None:
                messages.success(request, _("Letter saved."))
                return redirect("letters:preview", slug, letter.pk)
        status = 400
    return render(
        request,
        "letters/edit.html",
        _ctx(
            request,
            association,
            letter=letter,
            form=form,
            upload=upload,
            attachments=list(letter.attachments.all()),
            crumbs=crumbs(association, *_crumbs(letter, (_("Edit"), ""))),
        ),
        status=status,
    )


@login_required
@require_POST
def attachment_add(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    require(request, letter.association, "administer")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        added = run_service(
            request,
            None,
            lambda: services.do_add_attachment(
                actor=request.user,
                letter=letter,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            ),
        )
        if added is not None:
            messages.success(request, _("Attachment added: %(title)s") % {"title": added.title})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("letters:edit", slug, letter.pk)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, slug: str, letter_id: int, uuid) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    attachment = get_object_or_404(LetterAttachment, letter=letter, uuid=uuid)
    if (
        run_service(
            request,
            None,
            lambda: services.do_remove_attachment(actor=request.user, attachment=attachment),
        )
        is None
    ):
        return redirect("letters:edit", slug, letter.pk)
    messages.success(request, _("Attachment removed."))
    return redirect("letters:edit", slug, letter.pk)


@login_required
def attachment_download(request: HttpRequest, slug: str, letter_id: int, uuid) -> FileResponse:
    letter = _letter(request, slug, letter_id)
    attachment = get_object_or_404(LetterAttachment, letter=letter, uuid=uuid)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def invitation(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    if letter.meeting is None:
        raise Http404("This letter is about no meeting.")
    content = ics.meeting_calendar(
        letter.meeting,
        sequence=invitation_sequence(letter),
        url=request.build_absolute_uri(reverse("web:meeting", args=[slug, letter.meeting_id])),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{letter.meeting_id}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def letter_preview(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    """The e-mail as it will be sent, who gets it, and the send form."""
    letter = _letter(request, slug, letter_id)
    association = letter.association
    require(request, association, "administer")
    form = SendForm(request.POST or None, association=association)
    status = 200
    if request.method == "POST":
        if letter.status != Letter.Status.DRAFT:
            messages.info(request, _("This letter has been sent already; nothing was sent again."))
            return redirect("letters:report", slug, letter.pk)
        if form.is_valid():
            outcome = run_service(
                request,
                form,
                lambda: services.do_send_letter(
                    actor=request.user,
                    letter=letter,
                    members=form.cleaned_data["members"],
                    audience=form.cleaned_data["audience"],
                ),
            )
            if outcome is not None:
                messages.success(
                    request,
                    _("%(count)s e-mails are being sent in the background.")
                    % {"count": outcome.queued},
                )
                return redirect("letters:report", slug, letter.pk)
        status = 400
    everyone = services.recipients_for(
        association, association.members.filter(active=True), Letter.Audience.ALL
    )
    message = LetterMessage(letter)
    return render(
        request,
        "letters/preview.html",
        _ctx(
            request,
            association,
            letter=letter,
            form=form,
            message=message,
            body=message.body(),
            recipients=len(everyone.recipients),
            without_address=everyone.without_address,
            attachments=list(letter.attachments.all()),
            crumbs=crumbs(association, *_crumbs(letter, (_("Preview and send"), ""))),
        ),
        status=status,
    )


@login_required
def letter_report(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    """Per recipient: queued, sent, failed (with the error) or bounced."""
    letter = _letter(request, slug, letter_id)
    association = letter.association
    require(request, association, "administer")
    shown = request.GET.get("status", "")
    deliveries = letter.deliveries.select_related("member").order_by("member__name", "email")
    if shown in LetterDelivery.Status.values:
        deliveries = deliveries.filter(status=shown)
    written = set(letter.members.values_list("pk", flat=True))
    reached = set(letter.deliveries.values_list("member_id", flat=True))
    without = letter.members.exclude(pk__in=reached).order_by("name") if written else []
    ctx = _ctx(
        request,
        association,
        letter=letter,
        deliveries=list(deliveries),
        counts=services.status_counts(letter),
        statuses=LetterDelivery.Status.choices,
        shown=shown,
        without_address=list(without),
        crumbs=crumbs(association, *_crumbs(letter, (_("Delivery report"), ""))),
    )
    template = "letters/_report.html" if is_htmx(request) else "letters/report.html"
    return render(request, template, ctx)


@login_required
@require_POST
def retry_failed(request: HttpRequest, slug: str, letter_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    count = run_service(
        request, None, lambda: services.do_retry_failed(actor=request.user, letter=letter)
    )
    if count:
        messages.success(
            request, _("%(count)s failed e-mails are queued again.") % {"count": count}
        )
    elif count == 0:
        messages.info(request, _("There are no failed e-mails."))
    return redirect("letters:report", slug, letter.pk)


@login_required
@require_POST
def mark_bounced(request: HttpRequest, slug: str, letter_id: int, delivery_id: int) -> HttpResponse:
    letter = _letter(request, slug, letter_id)
    delivery = get_object_or_404(LetterDelivery, letter=letter, pk=delivery_id)
    form = BounceForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if (
        run_service(
            request,
            None,
            lambda: services.do_mark_bounced(actor=request.user, delivery=delivery, reason=reason),
        )
        is not None
    ):
        messages.success(request, _("Marked as bounced: %(email)s") % {"email": delivery.email})
    return redirect("letters:report", slug, letter.pk)
