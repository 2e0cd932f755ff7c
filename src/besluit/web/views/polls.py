"""Polls: create, open, vote, watch participation, close, results; acclamations; decisions."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from besluit import access
from besluit.errors import DomainError
from besluit.frame.shortcuts import (
    association_for,
    client_ip,
    context,
    is_htmx,
    meeting_for,
    require,
    run_form,
    run_service,
)
from besluit.live import queue as live_queue
from besluit.meetings.models import Meeting
from besluit.voting import log as vote_log
from besluit.voting import selectors, services
from besluit.voting.models import Poll
from besluit.web.forms.polls import AcclamationForm, PollForm, VoteForm
from besluit.web.presenting import (  # noqa: F401
    OptionRow,
    ResultView,
    decision_groups,
    describe,
    meeting_crumbs,
    named_context,
    option_css,
    option_label,
)


def _polls_crumb(meeting: Meeting) -> tuple[str, str]:
    return (_("Polls"), reverse("web:polls", args=[meeting.association.slug, meeting.pk]))


def _decisions_crumb(meeting: Meeting) -> tuple[str, str]:
    return (
        _("Decision list"),
        reverse("web:decisions", args=[meeting.association.slug, meeting.pk]),
    )


# --- create ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def poll_create(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "chair")
    association = meeting.association
    # The statutes' rules, as on the chair console; the form lets the chair change them.
    initial = {
        "quorum": association.default_quorum * 100,
        "majority": association.default_majority,
    }
    if meeting.kind == Meeting.Kind.WRITTEN and meeting.ends_at:
        initial["closes_at"] = timezone.localtime(meeting.ends_at)
    for name in ("agenda_item", "proposal", "amendment", "motion"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
            initial["subject"] = name
    if request.GET.get("subject") in Poll.Subject.values:
        initial["subject"] = request.GET["subject"]
    form = PollForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        poll = run_service(
            request,
            form,
            lambda: services.do_create_poll(
                actor=request.user, meeting=meeting, **form.service_kwargs()
            ),
        )
        if poll is not None:
            messages.success(
                request,
                _("The poll has been created. Open it when the meeting is ready to vote."),
            )
            return redirect("web:poll", slug, poll.public_id)
    return render(
        request,
        "web/polls/poll_form.html",
        context(
            request,
            association,
            meeting=meeting,
            form=form,
            crumbs=meeting_crumbs(meeting, _polls_crumb(meeting), (_("New poll"), "")),
        ),
    )


# --- the poll page ------------------------------------------------------------


def _vote_context(request, poll: Poll) -> dict:
    """What the vote section needs: the member, its ballot, whether it may vote now."""
    association = poll.meeting.association
    member = access.represented_member(request.user, association)
    options = [
        {
            "key": o.key,
            "label": option_label(o.key, o.label),
            "css": option_css(o.key, o.is_abstention),
        }
        for o in poll.options.all()
    ]
    labels = {o["key"]: o["label"] for o in options}
    ctx = {
        "member": member,
        "vote_options": options,
        "ballot": None,
        "entry": None,
        "can_vote": False,
        "voting_ended": False,
    }
    if member is None or poll.status == Poll.Status.DRAFT:
        return ctx
    ballot = selectors.ballot_of(poll, member)
    ctx["ballot"] = ballot
    if ballot is not None and ballot.option_id is not None:
        ctx["ballot_choice"] = labels.get(ballot.option.key, ballot.option.label)
    if poll.status == Poll.Status.OPEN:
        entry = selectors.register_entry(poll, member)
        ended = poll.closes_at is not None and timezone.now() > poll.closes_at
        ctx.update(
            entry=entry,
            voting_ended=ended,
            # A member whose proxy was frozen at opening votes through its holder only.
            can_vote=entry is not None
            and entry.represented_by_id is None
            and not ended
            and (ballot is None or poll.allow_change),
            request_key=uuid.uuid4().hex,
        )
    return ctx


def _register_context(request, poll: Poll) -> dict:
    """Which members have voted (never how), filtered by province and by voted or not."""
    entries = list(selectors.register_with_turnout(poll))
    provinces = sorted({e.province for e in entries})
    province = request.GET.get("province", "")
    voted = request.GET.get("voted", "")
    rows = [
        e
        for e in entries
        if (not province or e.province == province)
        and (voted != "yes" or e.has_voted)
        and (voted != "no" or not e.has_voted)
    ]
    return {
        "register": rows,
        "register_total": len(entries),
        "provinces": provinces,
        "filter_province": province,
        "filter_voted": voted,
    }


def _render_poll(request, poll: Poll, *, vote_error: str = "", status: int = 200):
    association = poll.meeting.association
    ctx = context(
        request,
        association,
        meeting=poll.meeting,
        poll=poll,
        is_written=poll.meeting.kind == Meeting.Kind.WRITTEN,
        vote_error=vote_error,
        crumbs=meeting_crumbs(poll.meeting, _polls_crumb(poll.meeting), (poll.title, "")),
        **_vote_context(request, poll),
    )
    if poll.status == Poll.Status.OPEN:
        ctx["participation"] = selectors.participation(poll)
        if ctx["is_written"]:
            ctx.update(_register_context(request, poll))
    elif poll.status == Poll.Status.CLOSED and poll.result:
        view = describe(poll.outcome)
        ctx["view"] = view
        ctx["key_id"] = vote_log.public_key_id()
        if not poll.is_secret:
            ctx.update(named_context(request, poll, view))
    return render(request, "web/polls/poll.html", ctx, status=status)


@login_required
@require_GET
def poll_detail(request, slug, poll_id):
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    return _render_poll(request, poll)


@login_required
@require_POST
def poll_vote(request, slug, poll_id):
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    form = VoteForm(request.POST, keys=[o.key for o in poll.options.all()])
    error, status, receipt, note = "", 200, None, ""
    if not form.is_valid():
        error, status = _("Choose one of the options."), 400
    else:
        # Not run_service: a refused ballot keeps its own status (403 not eligible,
        # 409 voted already or closed), so the page and the API answer alike.
        try:
            receipt = services.cast_ballot(
                actor=request.user,
                poll=poll,
                option_key=form.cleaned_data["option"],
                request_key=form.cleaned_data["request_key"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
    if receipt is not None:
        if receipt.replayed:
            note = _("Your vote had been received already; nothing has changed.")
        elif receipt.changed:
            note = _("Your vote has been changed.")
        else:
            note = _("Your vote has been received.")
    if is_htmx(request):
        # htmx swaps only 2xx answers; the fragment itself carries the error alert.
        ctx = context(
            request,
            association,
            poll=poll,
            vote_error=error,
            vote_note=note,
            # Counted after the ballot: the confirmation includes the vote just cast.
            participation=selectors.participation(poll) if receipt is not None else None,
            **_vote_context(request, poll),
        )
        return render(request, "web/polls/_vote.html", ctx)
    if receipt is not None:
        messages.success(request, note)
        return redirect(reverse("web:poll", args=[slug, poll.public_id]) + "#vote")
    return _render_poll(request, poll, vote_error=error, status=status)


@login_required
@require_GET
def poll_participation(request, slug, poll_id):
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    seen = request.GET.get("seen")
    if is_htmx(request) and seen and seen != poll.status:
        # Opened or closed since the page was drawn: reload it (vote buttons, result).
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    ctx = context(request, association, poll=poll)
    if poll.status == Poll.Status.OPEN:
        ctx["participation"] = selectors.participation(poll)
    return render(request, "web/polls/_participation.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def poll_transition(request, slug, poll_id, action):
    """Open a draft poll or close an open one, behind a confirmation step."""
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    require(request, association, "chair")
    expected = Poll.Status.DRAFT if action == "open" else Poll.Status.OPEN
    if request.method == "POST" and action == "close" and "countdown" in request.POST:
        try:
            seconds = int(request.POST["countdown"])
        except ValueError:
            seconds = 0
        done = run_service(
            request,
            None,
            lambda: services.do_start_countdown(actor=request.user, poll=poll, seconds=seconds),
        )
        if done is not None:
            messages.success(
                request,
                _("The countdown has started: the poll closes in %(seconds)s seconds.")
                % {"seconds": seconds},
            )
        return redirect("web:poll", slug, poll.public_id)
    if request.method == "POST":
        call = services.do_open_poll if action == "open" else services.do_close_poll
        done = run_service(request, None, lambda: call(actor=request.user, poll=poll))
        if done is not None:
            messages.success(
                request,
                _("The poll is open: representatives can vote now.")
                if action == "open"
                else _("The poll is closed and the result has been recorded."),
            )
        return redirect("web:poll", slug, poll.public_id)
    ctx = context(
        request,
        association,
        meeting=poll.meeting,
        poll=poll,
        action=action,
        wrong_status=poll.status != expected,
        crumbs=meeting_crumbs(
            poll.meeting,
            _polls_crumb(poll.meeting),
            (poll.title, reverse("web:poll", args=[slug, poll.public_id])),
            (_("Open") if action == "open" else _("Close"), ""),
        ),
    )
    if poll.status == Poll.Status.OPEN:
        ctx["participation"] = selectors.participation(poll)
        ctx["turnout"] = live_queue.turnout(poll)
    return render(request, "web/polls/confirm.html", ctx)


# --- lists: polls of a meeting, decisions ----------------------------------------


@login_required
@require_GET
def poll_list(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    polls = [
        {"poll": p, "view": describe(p.outcome) if p.result else None}
        for p in selectors.polls_of_meeting(meeting)
    ]
    return render(
        request,
        "web/polls/poll_list.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            polls=polls,
            crumbs=meeting_crumbs(meeting, (_("Polls"), "")),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def acclamation(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "chair")
    association = meeting.association
    initial = {}
    for name in ("motion", "amendment", "agenda_item"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    form = AcclamationForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST":
        decision = run_form(
            request,
            form,
            lambda d: services.do_record_acclamation(
                actor=request.user,
                meeting=meeting,
                subject=d["subject"] or "",
                text=d["text"],
                agenda_item=d["agenda_item"],
                motion=d["motion"],
                amendment=d["amendment"],
            ),
            _("The decision by acclamation has been recorded."),
        )
        if decision is not None:
            return redirect("web:decisions", slug, meeting.pk)
    return render(
        request,
        "web/polls/acclamation_form.html",
        context(
            request,
            association,
            meeting=meeting,
            form=form,
            crumbs=meeting_crumbs(
                meeting, _decisions_crumb(meeting), (_("Decision by acclamation"), "")
            ),
        ),
    )


@login_required
@require_GET
def decision_list(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    groups = decision_groups(meeting)
    return render(
        request,
        "web/polls/decisions.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            groups=groups,
            printing=request.GET.get("print") == "1",
            now=timezone.now(),
            crumbs=meeting_crumbs(meeting, (_("Decision list"), "")),
        ),
    )


P = "<slug:slug>/stemmingen/<uuid:poll_id>/"
MEETING = "<slug:slug>/vergaderingen/<id:meeting_id>/"

urlpatterns = [
    path(MEETING + "stemmingen/", poll_list, name="polls"),
    path(MEETING + "stemmingen/nieuw/", poll_create, name="poll_create"),
    path(MEETING + "acclamatie/", acclamation, name="acclamation"),
    path(MEETING + "besluitenlijst/", decision_list, name="decisions"),
    path(P, poll_detail, name="poll"),
    path(P + "stem/", poll_vote, name="poll_vote"),
    path(P + "deelname/", poll_participation, name="poll_participation"),
    path(P + "openen/", poll_transition, {"action": "open"}, name="poll_open"),
    path(P + "sluiten/", poll_transition, {"action": "close"}, name="poll_close"),
]
