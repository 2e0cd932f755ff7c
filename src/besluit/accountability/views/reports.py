"""Accountability reports: compose, put on the agenda, let the meeting decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from besluit import access
from besluit.accountability import selectors, services
from besluit.accountability.forms import (
    AddEntriesForm,
    ClusterForm,
    EntryForm,
    PublishForm,
    ReportCreateForm,
    ReportEditForm,
    ReportPollForm,
)
from besluit.accountability.models import Report, ReportCluster, ReportEntry, ReportVote
from besluit.accountability.views.common import (
    STATUS_CSS,
    context,
    public_association,
)
from besluit.frame.shortcuts import require, run_form, run_service

OUTCOME_CSS = {"pending": "submitted", "adopted": "adopted", "rejected": "rejected"}
REPORT_CSS = {"draft": "draft", "published": "admitted", "decided": "closed"}


@require_http_methods(["GET", "POST"])
def reports(request, slug):
    association = public_association(slug)
    can_follow_up = access.can_follow_up(request.user, association)
    form = None
    if can_follow_up:
        form = ReportCreateForm(request.POST or None, association=association)
        if request.method == "POST":
            report = run_form(
                request,
                form,
                lambda d: services.do_create_report(
                    actor=request.user, meeting=d["meeting"], title=d["title"]
                ),
                _("The report has been created. Add the commitments."),
            )
            if report is not None:
                return redirect("accountability:report", slug, report.pk)
    elif request.method == "POST":
        require(request, association, "follow_up")
    qs = selectors.reports(association)
    if not can_follow_up:
        qs = qs.exclude(status=Report.Status.DRAFT)
    ctx = context(
        request,
        association,
        (_("Accountability reports"), request.path),
        reports=list(qs),
        form=form,
        report_css=REPORT_CSS,
    )
    return render(
        request, "accountability/reports.html", ctx, status=400 if form and form.errors else 200
    )


def _load(request, slug, pk):
    association = public_association(slug)
    report = selectors.report_in(association, pk)
    if report.status == Report.Status.DRAFT and not access.can_follow_up(request.user, association):
        raise Http404("No such report.")
    return association, report


def _render(request, association, report, *, status=200, **forms):
    user = request.user
    can_edit = access.can_follow_up(user, association)
    problem = services.editable_problem(report)
    editable = can_edit and problem is None
    groups = services.ordered_entries(report)
    votes = list(
        ReportVote.objects.filter(report=report)
        .select_related("poll__decision", "entry__commitment")
        .order_by("pk")
    )
    entry_forms = {}
    if editable:
        bound = forms.get("entry_form")
        for _cluster, entries in groups:
            for e in entries:
                if bound is not None and bound.entry_pk == e.pk:
                    entry_forms[e.pk] = bound
                else:
                    f = EntryForm(
                        report=report,
                        prefix=f"entry-{e.pk}",
                        initial={
                            "actions_taken": e.actions_taken,
                            "actions_planned": e.actions_planned,
                            "proposal": e.proposal,
                            "cluster": e.cluster_id,
                        },
                    )
                    f.entry_pk = e.pk
                    entry_forms[e.pk] = f
    for _cluster, entries in groups:
        for e in entries:
            e.form = entry_forms.get(e.pk)
    can_chair = access.can_chair(user, association)
    decidable = (
        can_chair
        and report.status == Report.Status.PUBLISHED
        and not report.changed_since_published
    )
    ctx = context(
        request,
        association,
        (_("Accountability reports"), _reports_url(association)),
        (report.title, request.path),
        report=report,
        meeting=report.meeting,
        groups=groups,
        n_entries=sum(len(e) for _c, e in groups),
        clusters=list(report.clusters.all()),
        versions=list(report.versions.select_related("published_by")),
        votes=votes,
        can_edit=can_edit,
        editable=editable,
        locked_reason=problem,
        can_publish=editable
        and access.can_administer(user, association)
        and (report.agenda_item_id is None or report.changed_since_published),
        decidable=decidable,
        outcome_css=OUTCOME_CSS,
        report_css=REPORT_CSS,
        status_css=STATUS_CSS,
        edit_form=forms.get("edit_form")
        or (
            ReportEditForm(initial={"title": report.title, "introduction": report.introduction})
            if editable
            else None
        ),
        add_form=forms.get("add_form") or (AddEntriesForm(report=report) if editable else None),
        cluster_form=forms.get("cluster_form")
        or (ClusterForm(report=report) if editable else None),
        publish_form=forms.get("publish_form")
        or (PublishForm(report=report) if editable and report.agenda_item_id is None else None),
        poll_form=forms.get("poll_form") or (ReportPollForm(report=report) if decidable else None),
        covered=services.covered_entries(report) if decidable else [],
        open_form=forms.get("open_form", ""),
    )
    return render(request, "accountability/report.html", ctx, status=status)


def _reports_url(association):
    return reverse("accountability:reports", args=[association.slug])


@require_GET
def report(request, slug, pk):
    association, report = _load(request, slug, pk)
    return _render(request, association, report)


def _back(report, anchor=""):
    return redirect(
        reverse("accountability:report", args=[report.association.slug, report.pk]) + anchor
    )


@login_required
@require_POST
def report_edit(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    form = ReportEditForm(request.POST)
    done = run_form(
        request,
        form,
        lambda d: services.do_update_report(
            actor=request.user, report=report, title=d["title"], introduction=d["introduction"]
        ),
        _("The report has been saved."),
    )
    if done is not None:
        return _back(report)
    return _render(request, association, report, status=400, edit_form=form, open_form="edit")


@login_required
@require_POST
def report_add_entries(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    form = AddEntriesForm(request.POST, report=report)
    done = run_form(
        request,
        form,
        lambda d: services.do_add_entries(
            actor=request.user, report=report, commitments=d["commitments"]
        ),
        lambda created: (
            _("%(n)d commitments have been added. Write per motion what was done.")
            % {"n": len(created)}
        ),
    )
    if done is not None:
        return _back(report, "#entries")
    return _render(request, association, report, status=400, add_form=form, open_form="add")


@login_required
@require_POST
def report_entry(request, slug, pk, entry_id):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    entry = get_object_or_404(
        ReportEntry.objects.select_related("commitment"), pk=entry_id, report=report
    )
    action = request.POST.get("action", "save")
    if action in ("up", "down"):
        run_service(
            request,
            None,
            lambda: (
                services.do_move_entry(actor=request.user, entry=entry, up=action == "up") or True
            ),
        )
        return _back(report, f"#entry-{entry.pk}")
    if action == "remove":
        if run_service(
            request,
            None,
            lambda: services.do_remove_entry(actor=request.user, entry=entry) or True,
        ):
            messages.success(request, _("The entry has been removed from the report."))
        return _back(report, "#entries")
    if action != "save":
        raise Http404("Unknown action.")
    form = EntryForm(request.POST, report=report, prefix=f"entry-{entry.pk}")
    form.entry_pk = entry.pk
    done = run_form(
        request,
        form,
        lambda d: services.do_update_entry(
            actor=request.user,
            entry=entry,
            actions_taken=d["actions_taken"],
            actions_planned=d["actions_planned"],
            proposal=d["proposal"],
            cluster=d.get("cluster"),
        ),
        _("The entry has been saved."),
    )
    if done is not None:
        return _back(report, f"#entry-{entry.pk}")
    return _render(
        request, association, report, status=400, entry_form=form, open_form=f"entry-{entry.pk}"
    )


@login_required
@require_POST
def report_cluster_add(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    form = ClusterForm(request.POST, report=report)
    done = run_form(
        request,
        form,
        lambda d: services.do_add_cluster(
            actor=request.user,
            report=report,
            title=d["title"],
            summary=d["summary"],
            entries=d["entries"],
        ),
        _("The cluster has been added."),
    )
    if done is not None:
        return _back(report, "#entries")
    return _render(request, association, report, status=400, cluster_form=form, open_form="cluster")


@login_required
@require_POST
def report_cluster(request, slug, pk, cluster_id):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    cluster = get_object_or_404(ReportCluster, pk=cluster_id, report=report)
    if request.POST.get("action") == "remove":
        if run_service(
            request,
            None,
            lambda: services.do_remove_cluster(actor=request.user, cluster=cluster) or True,
        ):
            messages.success(request, _("The cluster has been removed; its motions stay."))
        return _back(report, "#entries")
    raise Http404("Unknown action.")


@login_required
@require_POST
def report_publish(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "follow_up")
    form = PublishForm(request.POST, report=report)
    done = run_form(
        request,
        form,
        lambda d: services.do_publish_report(
            actor=request.user, report=report, agenda_item=d["agenda_item"]
        ),
        lambda version: _("Version %(n)d of the report is on the agenda.") % {"n": version.number},
    )
    if done is not None:
        return _back(report)
    return _render(request, association, report, status=400, publish_form=form, open_form="publish")


@login_required
@require_POST
def report_poll(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "chair")
    form = ReportPollForm(request.POST, report=report)
    poll = run_form(
        request,
        form,
        lambda d: services.do_create_report_poll(
            actor=request.user, report=report, entry=d["entry"]
        ),
        _("The poll has been created. Open it when the meeting votes."),
    )
    if poll is not None:
        return redirect("web:poll", slug, poll.public_id)
    return _render(request, association, report, status=400, poll_form=form, open_form="poll")


@login_required
@require_POST
def report_acclamation(request, slug, pk):
    association, report = _load(request, slug, pk)
    require(request, association, "chair")
    form = ReportPollForm(request.POST, report=report)
    done = run_form(
        request,
        form,
        lambda d: services.do_decide_by_acclamation(
            actor=request.user, report=report, entry=d["entry"]
        ),
        _("Recorded: the meeting agrees with the board's proposal."),
    )
    if done is not None:
        return _back(report)
    return _render(request, association, report, status=400, poll_form=form, open_form="poll")
