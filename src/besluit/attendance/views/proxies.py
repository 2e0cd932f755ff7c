"""Proxies (volmachten): the list, a new one, approve or refuse, revoke, the document,
and the holder's ballot for a member it represents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from besluit import access
from besluit.attendance import selectors, services
from besluit.attendance.forms import (
    DecideForm,
    ProxyForm,
    ProxyRuleForm,
    ProxyVoteForm,
    RevokeForm,
)
from besluit.attendance.models import Proxy
from besluit.attendance.views.common import meeting_crumbs, poll_for
from besluit.errors import DomainError
from besluit.frame.shortcuts import client_ip, context, domain_guard, meeting_for, run_service
from besluit.voting import services as voting


def _proxies_url(meeting) -> str:
    return reverse("attendance:proxies", args=[meeting.association.slug, meeting.pk])


@login_required
@domain_guard
def proxies(request, slug, meeting_id):
    """The meeting's proxies; the grantor's representative or the secretariat adds one."""
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    is_admin = access.can_administer(request.user, association)
    my_member = access.represented_member(request.user, association)
    members = list(association.members.filter(active=True).order_by("name"))
    form = ProxyForm(
        request.POST or None,
        request.FILES or None,
        members=members,
        grantors=None if is_admin else [my_member] if my_member else [],
    )
    rule_form = ProxyRuleForm(prefix="rule")
    if request.method == "POST":
        if not (is_admin or my_member):
            access.require(
                False, _("Only the member's representative or the secretariat may do this.")
            )
        if form.is_valid():
            by_code = {m.code: m for m in members}
            done = run_service(
                request,
                form,
                lambda: services.do_request_proxy(
                    actor=request.user,
                    meeting=meeting,
                    grantor=by_code[form.cleaned_data["grantor"]],
                    holder=by_code[form.cleaned_data["holder"]],
                    document=form.cleaned_data["document"],
                    approve=form.cleaned_data["approve"],
                ),
            )
            if done is not None:
                messages.success(request, _("The proxy is registered."))
                return redirect(_proxies_url(meeting))
    rule = selectors.proxy_rule_in_force(association, selectors.meeting_day(meeting))
    ctx = context(
        request,
        association,
        meeting=meeting,
        proxies=selectors.proxies_of(meeting),
        form=form,
        rule=rule,
        rule_form=rule_form,
        may_request=is_admin or my_member is not None,
        crumbs=meeting_crumbs(meeting, (_("Proxies"), "")),
    )
    return render(request, "attendance/proxies.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
@domain_guard
def proxy_rule(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    access.require_administer(request.user, meeting.association)
    form = ProxyRuleForm(request.POST, prefix="rule")
    try:
        if not form.is_valid():
            raise DomainError(_("Give a date and a number from 0 to 100."))
        services.do_set_proxy_rule(
            actor=request.user, association=meeting.association, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The statutes' limit is saved."))
    return redirect(_proxies_url(meeting))


def _proxy(request, slug, meeting_id, proxy_id) -> Proxy:
    meeting = meeting_for(request, slug, meeting_id)
    return get_object_or_404(
        Proxy.objects.select_related("meeting__association", "grantor", "holder"),
        public_id=proxy_id,
        meeting=meeting,
    )


@login_required
@require_POST
@domain_guard
def decide(request, slug, meeting_id, proxy_id):
    proxy = _proxy(request, slug, meeting_id, proxy_id)
    form = DecideForm(request.POST)
    try:
        access.require_administer(request.user, proxy.meeting.association)
        if not form.is_valid():
            raise DomainError(_("Choose to approve or to refuse."))
        services.do_decide_proxy(
            actor=request.user,
            proxy=proxy,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The decision on the proxy is recorded."))
    return redirect(_proxies_url(proxy.meeting))


@login_required
@require_POST
@domain_guard
def revoke(request, slug, meeting_id, proxy_id):
    proxy = _proxy(request, slug, meeting_id, proxy_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.do_revoke_proxy(actor=request.user, proxy=proxy, reason=reason)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proxy is revoked."))
    return redirect(_proxies_url(proxy.meeting))


@login_required
@domain_guard
def document(request, slug, meeting_id, proxy_id):
    """The signed authorisation: for the secretariat and both members' representatives."""
    proxy = _proxy(request, slug, meeting_id, proxy_id)
    association = proxy.meeting.association
    access.require(
        access.can_administer(request.user, association)
        or access.can_submit_for(request.user, association, proxy.grantor)
        or access.can_submit_for(request.user, association, proxy.holder),
        _("Only either member's representative or the secretariat may do this."),
    )
    if not proxy.file:
        raise Http404("No document.")
    response = FileResponse(
        proxy.file.open("rb"),
        as_attachment=True,
        filename=proxy.original_name or f"volmacht.{proxy.extension}",
        content_type=proxy.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
@domain_guard
def proxy_vote(request, slug, poll_id):
    """The holder's ballot for a member it represents (namens), from the live page."""
    poll = poll_for(request, slug, poll_id)
    form = ProxyVoteForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Choose one of the options."))
        receipt = voting.cast_ballot(
            actor=request.user,
            poll=poll,
            option_key=form.cleaned_data["option"],
            request_key=form.cleaned_data["request_key"],
            ip=client_ip(request),
            for_member=form.cleaned_data["member"],
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The vote on behalf of %(code)s has been received. Ballot id: %(id)s")
            % {"code": receipt.member_code, "id": receipt.ballot_id},
        )
    meeting = poll.meeting
    return redirect(reverse("live:participant", args=[meeting.association.slug, meeting.pk]))
