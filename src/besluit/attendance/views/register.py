"""The attendance register: the list (page and CSV), check-in at the door, settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from besluit import access, csvsafe
from besluit.attendance import selectors, services
from besluit.attendance.forms import (
    CheckInForm,
    CheckOutForm,
    SearchForm,
    SelfCheckInForm,
    SettingsForm,
)
from besluit.attendance.views.common import meeting_crumbs, register_url
from besluit.errors import DomainError
from besluit.frame.shortcuts import (
    client_ip,
    context,
    domain_guard,
    is_htmx,
    meeting_for,
    run_service,
)


@login_required
def register(request, slug, meeting_id):
    """Who is present, represented or absent, in number and weight."""
    meeting = meeting_for(request, slug, meeting_id)
    found = selectors.presence(meeting, ever=meeting.status == meeting.Status.CLOSED)
    rules = selectors.settings_of(meeting)
    my_member = access.represented_member(request.user, meeting.association)
    ctx = context(
        request,
        meeting.association,
        meeting=meeting,
        presence=found,
        quorum=selectors.meeting_quorum(meeting, found),
        rules=rules,
        self_check_in=rules.remote_check_in
        and my_member is not None
        and my_member.pk not in {r.member.pk for r in found.present},
        crumbs=meeting_crumbs(meeting, (_("Attendance"), "")),
    )
    return render(request, "attendance/register.html", ctx)


@login_required
def register_csv(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    found = selectors.presence(meeting, ever=meeting.status == meeting.Status.CLOSED)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aanwezigheid-{meeting.pk}.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(
        [
            "gemeentecode",
            "naam",
            "gewicht",
            "status",
            "vertegenwoordigd_door",
            "namens_lid",
            "aankomst",
        ]
    )
    for row in found.rows:
        a = row.attendance
        writer.writerow(
            [
                row.member.code,
                row.member.name,
                row.weight,
                {"present": "aanwezig", "represented": "volmacht", "absent": "afwezig"}[row.status],
                a.representative if a else "",
                row.represented_by.code if row.represented_by else "",
                timezone.localtime(a.arrived_at).isoformat() if a else "",
            ]
        )
    return response


@login_required
@domain_guard
def check_in(request, slug, meeting_id):
    """The phone page at the door: search by name or code (or scan the letter's QR
    code), tap to check in."""
    meeting = meeting_for(request, slug, meeting_id, "administer")
    search = SearchForm(request.GET or None)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.do_check_in(
                actor=request.user,
                meeting=meeting,
                member=services.find_member(meeting, form.cleaned_data["member"]),
                representative=form.cleaned_data["representative"],
                ip=client_ip(request),
            ),
        )
        if done is not None:
            messages.success(request, _("%(member)s is checked in.") % {"member": done.member.name})
            return redirect(reverse("attendance:check_in", args=[slug, meeting.pk]))
    text = search.cleaned_data.get("q", "") if search.is_valid() else ""
    found = selectors.search_members(meeting, text) if text else []
    present = selectors.present_member_ids(meeting)
    ctx = context(
        request,
        meeting.association,
        meeting=meeting,
        search=search,
        form=form,
        results=[(m, m.pk in present) for m in found],
        query=text,
        present_count=len(present),
        crumbs=meeting_crumbs(
            meeting, (_("Attendance"), register_url(meeting)), (_("Check in"), "")
        ),
    )
    template = "attendance/_results.html" if is_htmx(request) else "attendance/check_in.html"
    status = 400 if request.method == "POST" else 200
    return render(request, template, ctx, status=status)


@login_required
@require_POST
@domain_guard
def check_out(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "administer")
    form = CheckOutForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Say which member leaves."))
        done = services.do_check_out(
            actor=request.user,
            meeting=meeting,
            member=services.find_member(meeting, form.cleaned_data["member"]),
            ip=client_ip(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(member)s has left.") % {"member": done.member.name})
    return redirect(register_url(meeting))


@login_required
@require_POST
@domain_guard
def self_check_in(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    form = SelfCheckInForm(request.POST)
    name = form.cleaned_data["representative"] if form.is_valid() else ""
    try:
        done = services.do_self_check_in(
            actor=request.user, meeting=meeting, representative=name, ip=client_ip(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(member)s is checked in.") % {"member": done.member.name})
    if request.POST.get("back") == "live":
        return redirect(reverse("live:participant", args=[slug, meeting.pk]))
    return redirect(register_url(meeting))


@login_required
@domain_guard
def meeting_settings(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "administer")
    current = selectors.settings_of(meeting)
    form = SettingsForm(
        request.POST or None,
        initial={
            "remote_check_in": current.remote_check_in,
            "quorum_members": current.quorum_members,
            "quorum_weight": current.quorum_weight,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.do_configure_meeting(
                actor=request.user, meeting=meeting, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The attendance settings are saved."))
            return redirect(register_url(meeting))
    ctx = context(
        request,
        meeting.association,
        meeting=meeting,
        form=form,
        crumbs=meeting_crumbs(
            meeting, (_("Attendance"), register_url(meeting)), (_("Settings"), "")
        ),
    )
    return render(request, "attendance/settings.html", ctx, status=400 if form.errors else 200)


@login_required
@domain_guard
def qr_cards(request, slug, meeting_id):
    """A printable card per member with the QR code the door's phone page reads: to go
    with the member's letter (and its voting code) for this meeting."""
    from besluit.attendance.qr import member_qr_data_uri

    meeting = meeting_for(request, slug, meeting_id, "administer")
    members = meeting.association.members.filter(active=True).order_by("name")
    ctx = context(
        request,
        meeting.association,
        meeting=meeting,
        cards=[(m, member_qr_data_uri(m.code)) for m in members],
        crumbs=meeting_crumbs(
            meeting, (_("Attendance"), register_url(meeting)), (_("QR cards"), "")
        ),
    )
    return render(request, "attendance/qr_cards.html", ctx)


@login_required
def summary(request, slug, meeting_id, where):
    """The attendance summary of the console or the projector, fetched again by the live
    pages when an "attendance" event says it changed (attendance.announce)."""
    meeting = meeting_for(request, slug, meeting_id)
    templates = {
        "console": "attendance/_live_summary.html",
        "projector": "attendance/_projector_summary.html",
    }
    if where not in templates:
        raise Http404("No such part.")
    return render(request, templates[where], context(request, meeting.association, meeting=meeting))
