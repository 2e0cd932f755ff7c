"""The chair console: one screen to run the meeting. The votes panel opens the next vote
of the current item's queue, closes it at once or after a countdown (asking first when
turnout is low), and shows the result, without leaving the page: with htmx each action
answers with the panel, without JavaScript with the console again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from besluit import access
from besluit.errors import DomainError
from besluit.frame.shortcuts import domain_guard, is_htmx, meeting_for, refusal
from besluit.live import queue
from besluit.live.pages import console_context
from besluit.voting import services as voting
from besluit.voting.models import Poll
from besluit.voting.selectors import poll_in

PANELS = {"votes": "live/console/_votes.html", "connected": "live/console/_connected.html"}


def _chair_meeting(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    access.require_chair(request.user, meeting.association)
    return meeting


@login_required
@domain_guard
def console(request, slug, meeting_id):
    meeting = _chair_meeting(request, slug, meeting_id)
    return render(request, "live/console.html", console_context(request, meeting))


@login_required
@require_GET
@domain_guard
def panel(request, slug, meeting_id, name):
    meeting = _chair_meeting(request, slug, meeting_id)
    if name not in PANELS:
        return HttpResponse(status=404)
    return render(request, PANELS[name], console_context(request, meeting))


def _answer(request, meeting, *, error: str = "", success: str = "", status: int = 200, **extra):
    """The votes panel for htmx (an error in it, answered 200 so htmx swaps it); the
    console otherwise, with the message on top (a redirect unless something is asked)."""
    if is_htmx(request):
        ctx = console_context(request, meeting, console_error=error, console_note=success, **extra)
        return render(request, PANELS["votes"], ctx)
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    if extra:
        ctx = console_context(request, meeting, **extra)
        return render(request, "live/console.html", ctx, status=status)
    return redirect("live:console", meeting.association.slug, meeting.pk)


@login_required
@require_POST
@domain_guard
def open_vote(request, slug, meeting_id):
    """Open the vote on a queue entry (or the next one) with the statutes' rules, adjusted."""
    meeting = _chair_meeting(request, slug, meeting_id)
    ctx = console_context(request, meeting)
    item = ctx["current_item"]
    key = request.POST.get("entry", "")
    entry = next((e for e in ctx["queue"] if e.key == key), None)
    if item is None or entry is None:
        return _answer(request, meeting, error=_("Choose a vote of the current agenda item."))
    try:
        settings = queue.adjusted(entry.settings, request.POST)
        poll = queue.do_open_vote(actor=request.user, item=item, key=key, settings=settings)
    except DomainError as exc:
        return _answer(request, meeting, error=refusal(exc))
    return _answer(
        request,
        meeting,
        success=_("Voting is open: %(title)s.") % {"title": poll.title},
    )


@login_required
@require_POST
@domain_guard
def close_vote(request, slug, meeting_id, poll_id):
    """Close at once, or start a countdown. Below the warning level of turnout the chair
    is first shown the turnout in members and weight and asked to confirm."""
    meeting = _chair_meeting(request, slug, meeting_id)
    poll = poll_in(meeting.association, poll_id)
    if poll.meeting_id != meeting.pk:
        return HttpResponse(status=404)
    seconds = request.POST.get("countdown", "")
    if seconds and not seconds.isdigit():
        return _answer(request, meeting, error=_("The countdown is a number of seconds."))
    if poll.status == Poll.Status.OPEN and request.POST.get("confirm") != "1":
        turnout = queue.turnout(poll)
        if turnout.low or turnout.below_quorum:
            return _answer(request, meeting, confirm_close=poll, turnout=turnout, countdown=seconds)
    try:
        if seconds:
            voting.do_start_countdown(actor=request.user, poll=poll, seconds=int(seconds))
            note = _("The countdown has started: the poll closes in %(seconds)s seconds.") % {
                "seconds": seconds
            }
        else:
            voting.do_close_poll(actor=request.user, poll=poll)
            note = _("The poll is closed and the result has been recorded.")
    except DomainError as exc:
        return _answer(request, meeting, error=exc.message)
    return _answer(request, meeting, success=note)
