"""Live meeting pages: chair console, projector, participant view, voting codes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from besluit import access
from besluit.accounts import codes
from besluit.errors import DomainError
from besluit.frame.shortcuts import domain_guard, meeting_for
from besluit.live import codes_page, hybrid
from besluit.live import services as live
from besluit.live.models import SpeakerRequest
from besluit.live.pages import page_context


@login_required
def participant(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    ctx = page_context(request, meeting)
    return hybrid.allow_stream(render(request, "live/participant.html", ctx), ctx)


@login_required
def projector(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    return render(request, "live/projector.html", page_context(request, meeting))


@login_required
@domain_guard
def fragment(request, slug, meeting_id, name):
    """Parts of the live pages, re-fetched by htmx when an event says they changed."""
    meeting = meeting_for(request, slug, meeting_id)
    templates = {
        "current": "live/_current.html",
        "polls": "live/_polls.html",
        "speakers": "live/_speakers.html",
        "projector": "live/_projector_body.html",
    }
    if name not in templates:
        return HttpResponse(status=404)
    return render(request, templates[name], page_context(request, meeting))


def _act(request, call, success: str, back: str):
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if success:
            messages.success(request, success)
    return redirect(back)


@login_required
@require_POST
def set_current_item(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    item_id = request.POST.get("item")
    item = meeting.agenda_items.filter(pk=item_id).first() if item_id else None
    return _act(
        request,
        lambda: live.do_set_current_item(actor=request.user, meeting=meeting, item=item),
        _("The agenda item is shown."),
        reverse("live:console", args=[slug, meeting.pk]),
    )


@login_required
@require_POST
def request_to_speak(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    name = (
        request.POST.get("name", "")[:200]
        if access.can_chair(request.user, meeting.association)
        else ""
    )
    back = request.POST.get("back") == "console"
    return _act(
        request,
        lambda: live.do_request_to_speak(
            actor=request.user,
            meeting=meeting,
            name=name,
            remote=bool(request.POST.get("remote")),
            point_of_order=bool(request.POST.get("point_of_order")),
        ),
        _("Added to the speakers list."),
        reverse("live:console" if back else "live:participant", args=[slug, meeting.pk]),
    )


@login_required
@require_POST
def speaker_action(request, slug, meeting_id, speaker_id, action):
    meeting = meeting_for(request, slug, meeting_id)
    speaker = get_object_or_404(SpeakerRequest, pk=speaker_id, meeting=meeting)
    back = (
        "live:console"
        if access.can_chair(request.user, meeting.association)
        else ("live:participant")
    )
    return _act(
        request,
        lambda: live.do_speaker_action(actor=request.user, speaker=speaker, action=action),
        "",
        reverse(back, args=[slug, meeting.pk]),
    )


# --- voting codes -------------------------------------------------------------


@login_required
@domain_guard
def voting_codes(request, slug, meeting_id):
    """Issue, re-issue and revoke a meeting's voting codes (see live/codes_page.py)."""
    meeting = meeting_for(request, slug, meeting_id)
    access.require_administer(request.user, meeting.association)
    if request.method == "GET" and request.GET.get("download"):
        return codes_page.download(request, meeting)
    if request.method == "POST":
        try:
            return codes_page.post(request, meeting)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("live:voting_codes", slug, meeting.pk)
    return render(request, "live/voting_codes.html", codes_page.page_context(request, meeting))


def code_login(request):
    error, status = "", 200
    if request.method == "POST":
        try:
            found = codes.do_code_login(request, request.POST.get("code", ""))
        except DomainError as exc:
            error = exc.message
            status = 429 if isinstance(exc, codes.TooManyWrongCodes) else 400
        else:
            return redirect("live:participant", found.meeting.association.slug, found.meeting.pk)
    # A letter's QR code opens this page with the code filled in; logging in stays a POST.
    prefill = "" if request.method == "POST" else request.GET.get("code", "")[:40]
    response = render(
        request, "live/code_login.html", {"error": error, "prefill": prefill}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(codes.THROTTLE_SECONDS)
    return response
