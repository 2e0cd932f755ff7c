"""Live meeting pages: chair console, projector, participant view, voting codes."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from besluit import access, csvsafe
from besluit.accounts import codes
from besluit.accounts.models import VotingCode
from besluit.associations.models import Role
from besluit.errors import DomainError
from besluit.frame.shortcuts import context, domain_guard, meeting_for
from besluit.live import hybrid, presence
from besluit.live import services as live
from besluit.live.models import MeetingState, SpeakerRequest
from besluit.voting.models import Poll
from besluit.voting.selectors import ballot_of, participation


def _page_context(request, meeting, **extra):
    state = MeetingState.objects.filter(meeting=meeting).select_related("current_item").first()
    open_polls = list(
        meeting.polls.filter(status=Poll.Status.OPEN)
        .prefetch_related("options")
        .order_by("opened_at")
    )
    member = access.represented_member(request.user, meeting.association)
    polls = [
        {
            "poll": p,
            "participation": participation(p),
            "my_ballot": ballot_of(p, member),
            # A fresh key per rendered form: a double tap or retry returns the same ballot.
            "request_key": uuid.uuid4().hex,
        }
        for p in open_polls
    ]
    last_closed = meeting.polls.filter(status=Poll.Status.CLOSED).order_by("-closed_at").first()
    speakers = list(
        SpeakerRequest.objects.filter(meeting=meeting, ended_at__isnull=True)
        .select_related("member")
        .order_by("position")
    )
    speaking = next((s for s in speakers if s.started_at), None)
    return context(
        request,
        meeting.association,
        meeting=meeting,
        current_item=state.current_item if state else None,
        open_polls=polls,
        last_closed=last_closed,
        speakers=speakers,
        speaking=speaking,
        live_url=reverse("live:events", args=[meeting.pk]),
        can_administer=access.can_administer(request.user, meeting.association),
        **hybrid.page_extras(meeting, speaking),
        **extra,
    )


@login_required
def participant(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    ctx = _page_context(request, meeting)
    return hybrid.allow_stream(render(request, "live/participant.html", ctx), ctx)


@login_required
def projector(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    return render(request, "live/projector.html", _page_context(request, meeting))


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
        "presence": "live/_presence.html",
    }
    if name not in templates:
        return HttpResponse(status=404)
    ctx = _page_context(request, meeting)
    if name == "presence":
        access.require_chair(request.user, meeting.association)
        ctx.update(_presence(meeting))
    return render(request, templates[name], ctx)


def _presence(meeting) -> dict:
    user_ids = presence.present(meeting.pk)
    roles = Role.objects.filter(
        association=meeting.association, user_id__in=user_ids, kind=Role.Kind.REPRESENTATIVE
    ).select_related("member")
    members = sorted({r.member for r in roles}, key=lambda m: m.name)
    eligible = meeting.association.members.filter(active=True).count()
    return {"present_members": members, "present_count": len(members), "eligible": eligible}


@login_required
@domain_guard
def console(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    access.require_chair(request.user, meeting.association)
    ctx = _page_context(request, meeting)
    ctx.update(_presence(meeting))
    ctx["draft_polls"] = meeting.polls.filter(status=Poll.Status.DRAFT).order_by("created_at")
    ctx["late_motions"] = meeting.motions.filter(is_late=True, status="submitted")
    ctx["agenda"] = meeting.agenda_items.all()
    return render(request, "live/console.html", ctx)


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
    meeting = meeting_for(request, slug, meeting_id)
    access.require_administer(request.user, meeting.association)
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                code = get_object_or_404(VotingCode, pk=request.POST["revoke"], meeting=meeting)
                codes.do_revoke_code(actor=request.user, code=code)
                messages.success(
                    request, _("The code of %(member)s is revoked.") % {"member": code.member.name}
                )
                return redirect("live:voting_codes", slug, meeting.pk)
            member_ids = request.POST.getlist("member")
            members = (
                list(meeting.association.members.filter(pk__in=member_ids)) if member_ids else None
            )
            issued = codes.do_issue_codes(actor=request.user, meeting=meeting, members=members)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("live:voting_codes", slug, meeting.pk)
        # The plain codes exist only in this response: a CSV to pass on to the secretaries,
        # or a PDF with a letter per member to hand out at the door.
        if request.POST.get("format") == "letters":
            return _code_letters(request, meeting, issued)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="stemcodes-{meeting.pk}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csvsafe.writer(response)
        writer.writerow(["gemeentecode", "naam", "stemcode", "vergadering"])
        for member, code in issued:
            writer.writerow([member.code, member.name, code, meeting.title])
        return response
    issued_codes = (
        VotingCode.objects.filter(meeting=meeting)
        .select_related("member")
        .order_by("member__name", "-issued_at")
    )
    return render(
        request,
        "live/voting_codes.html",
        context(request, meeting.association, meeting=meeting, codes=issued_codes),
    )


def _code_letters(request, meeting, issued) -> HttpResponse:
    from besluit.texts import books, pdf

    login_url = request.build_absolute_uri(reverse("live:code_login"))
    content, _pages = pdf.render(
        "code_letters", books.code_letters_data(meeting, issued, login_url)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stemcodebrieven-{meeting.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


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
