"""Paper ballots (named: one by one; secret: the tellers' round) and the meeting quorum
a poll requires."""

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from besluit import access
from besluit.attendance import services
from besluit.attendance.forms import PaperBallotForm
from besluit.attendance.models import PaperRound
from besluit.attendance.views.common import meeting_crumbs, poll_for
from besluit.errors import DomainError, ValidationFailed
from besluit.frame.shortcuts import client_ip, context, domain_guard, run_service
from besluit.voting.models import Ballot


def _poll_url(poll) -> str:
    return reverse("web:poll", args=[poll.meeting.association.slug, poll.public_id])


@login_required
@domain_guard
def paper_ballot(request, slug, poll_id):
    """The secretariat enters a named paper ballot; the receipt is shown to hand over."""
    poll = poll_for(request, slug, poll_id)
    access.require_administer(request.user, poll.meeting.association)
    if poll.is_secret:
        return redirect(reverse("attendance:paper_round", args=[slug, poll.public_id]))
    voted = set(Ballot.objects.filter(poll=poll).values_list("member_id", flat=True))
    members = [e.member for e in poll.register.select_related("member").order_by("member__name")]
    waiting = [m for m in members if m.pk not in voted]
    form = PaperBallotForm(
        request.POST or None,
        members=members,
        options=poll.options.all(),
        initial={"request_key": uuid.uuid4().hex},
    )
    receipt = None
    if request.method == "POST" and form.is_valid():
        by_code = {m.code: m for m in members}
        receipt = run_service(
            request,
            form,
            lambda: services.do_enter_paper_ballot(
                actor=request.user,
                poll=poll,
                member=by_code[form.cleaned_data["member"]],
                option_key=form.cleaned_data["option"],
                handed_in_by=form.cleaned_data["handed_in_by"],
                request_key=form.cleaned_data["request_key"],
                ip=client_ip(request),
            ),
        )
        if receipt is not None:
            messages.success(
                request,
                _("The paper ballot of %(code)s is entered. Ballot id: %(id)s")
                % {"code": receipt.member_code, "id": receipt.ballot_id},
            )
            return redirect(reverse("attendance:paper_ballot", args=[slug, poll.public_id]))
    ctx = context(
        request,
        poll.meeting.association,
        meeting=poll.meeting,
        poll=poll,
        form=form,
        waiting=len(waiting),
        paper_ballots=Ballot.objects.filter(poll=poll, on_paper=True)
        .select_related("member", "option", "paper")
        .order_by("cast_at"),
        crumbs=meeting_crumbs(poll.meeting, (poll.title, _poll_url(poll)), (_("Paper ballot"), "")),
    )
    return render(request, "attendance/paper_ballot.html", ctx, status=400 if form.errors else 200)


@login_required
@domain_guard
def paper_round(request, slug, poll_id):
    """A secret poll's paper round: one teller enters, a second signs off."""
    poll = poll_for(request, slug, poll_id)
    access.require_administer(request.user, poll.meeting.association)
    current = PaperRound.objects.filter(poll=poll).select_related("entered_by", "signed_by").first()
    options = list(poll.options.all())
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                if current is None:
                    raise ValidationFailed(_("There is no paper round to sign off."))
                services.do_sign_paper_round(actor=request.user, paper=current)
                messages.success(request, _("The paper round is signed off and counted."))
            else:
                codes = [c for c in request.POST.get("members", "").replace(",", " ").split() if c]
                members = list(
                    poll.register.filter(
                        member__code__in=[c.upper() for c in codes]
                    ).select_related("member")
                )
                if len(members) != len(set(codes)):
                    raise ValidationFailed(_("A member code is not in this poll's register."))
                totals = {}
                for o in options:
                    try:
                        totals[o.key] = {
                            "members": int(request.POST.get(f"members-{o.key}") or 0),
                            "weight": str(Decimal(request.POST.get(f"weight-{o.key}") or "0")),
                        }
                    except (ValueError, InvalidOperation) as exc:
                        raise ValidationFailed(_("Give numbers for every option.")) from exc
                services.do_enter_paper_round(
                    actor=request.user,
                    poll=poll,
                    members=[e.member for e in members],
                    totals=totals,
                )
                messages.success(
                    request, _("The paper round is entered; a second person signs it off.")
                )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(reverse("attendance:paper_round", args=[slug, poll.public_id]))
    ctx = context(
        request,
        poll.meeting.association,
        meeting=poll.meeting,
        poll=poll,
        current=current,
        options=options,
        members=current.members.order_by("name") if current else [],
        error=error,
        crumbs=meeting_crumbs(poll.meeting, (poll.title, _poll_url(poll)), (_("Paper round"), "")),
    )
    return render(request, "attendance/paper_round.html", ctx, status=400 if error else 200)


@login_required
@require_POST
@domain_guard
def require_quorum(request, slug, poll_id):
    poll = poll_for(request, slug, poll_id)
    try:
        services.do_require_meeting_quorum(
            actor=request.user, poll=poll, required=request.POST.get("required") == "1"
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("web:poll_open", args=[slug, poll.public_id]))
