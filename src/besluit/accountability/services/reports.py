"""Accountability reports: composed by the board and the secretariat (entries, clusters).

Putting a report on the agenda and the meeting's decision on it: ``report_agenda``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.accountability.models import (
    Commitment,
    Outcome,
    Report,
    ReportCluster,
    ReportEntry,
)
from besluit.accountability.services.common import (
    Status,
    _require_editable,
    _user,
)
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import Meeting
from besluit.numbering import next_number

P = ReportEntry.Proposal


def default_title(meeting: Meeting) -> str:
    return f"Verantwoording uitvoering moties — {meeting.title}"


def _touch(report: Report) -> None:
    if report.status == Report.Status.PUBLISHED and not report.changed_since_published:
        report.changed_since_published = True
        report.save(update_fields=["changed_since_published"])


# --- composing ----------------------------------------------------------------------


def do_create_report(
    *,
    actor,
    meeting: Meeting,
    title: str = "",
    introduction: str = "",
    commitments: Iterable[Commitment] = (),
    now: datetime | None = None,
) -> Report:
    association = meeting.association
    access.require_follow_up(actor, association)
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))
    now = now or timezone.now()
    if now >= meeting.starts_at:
        raise Conflict(_("The meeting has started: report to a later meeting."))
    with transaction.atomic():
        report = Report.objects.create(
            association=association,
            meeting=meeting,
            title=(title.strip() or default_title(meeting))[:300],
            introduction=introduction.strip(),
            created_at=now,
            created_by=_user(actor),
        )
        record("report.created", actor=actor, association=association, obj=report)
        commitments = list(commitments)
        if commitments:
            do_add_entries(actor=actor, report=report, commitments=commitments, now=now)
    return report


def do_update_report(
    *, actor, report: Report, title: str, introduction: str, now: datetime | None = None
) -> Report:
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    if not title.strip():
        raise ValidationFailed(_("A report needs a title."), field="title")
    with transaction.atomic():
        report.title = title.strip()[:300]
        report.introduction = introduction.strip()
        report.save(update_fields=["title", "introduction"])
        _touch(report)
        record("report.updated", actor=actor, association=report.association, obj=report)
    return report


def reportable(association) -> Q:
    """Commitments that can go into a report: not cancelled, not closed by a meeting."""
    closed_by_meeting = ReportEntry.objects.filter(
        outcome=Outcome.ADOPTED, proposal=P.CARRIED_OUT
    ).values("commitment")
    return Q(association=association) & ~Q(status=Status.CANCELLED) & ~Q(pk__in=closed_by_meeting)


def _prefill(commitment: Commitment, since: datetime | None) -> tuple[str, str]:
    """Actions taken: the updates since the last report; planned: the latest plans."""
    updates = list(commitment.updates.order_by("as_of", "posted_at"))
    if since is not None:
        updates = [u for u in updates if u.posted_at > since]
    taken = "\n\n".join(f"{u.as_of:%d-%m-%Y}: {u.done}" for u in updates if u.done)
    planned = next((u.planned for u in reversed(updates) if u.planned), "")
    return taken, planned


def do_add_entries(
    *, actor, report: Report, commitments: Iterable[Commitment], now: datetime | None = None
) -> list[ReportEntry]:
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    commitments = list(commitments)
    if not commitments:
        raise ValidationFailed(_("Choose at least one commitment."), field="commitments")
    with transaction.atomic():
        # The report is locked from here: its entries and their positions stay ours.
        first = next_number(report.entries, "position", lock=report)
        fresh = Commitment.objects.in_bulk([c.pk for c in commitments])
        commitments = [fresh[c.pk] for c in commitments if c.pk in fresh]
        allowed = set(
            Commitment.objects.filter(reportable(report.association)).values_list("pk", flat=True)
        )
        taken = set(report.entries.values_list("commitment_id", flat=True))
        elsewhere = dict(
            ReportEntry.objects.filter(commitment__in=commitments, outcome=Outcome.PENDING)
            .exclude(report=report)
            .exclude(report__status=Report.Status.DECIDED)
            .values_list("commitment_id", "report__title")
        )
        position = first - 1  # one more for every new entry
        created = []
        for c in commitments:
            if c.pk not in allowed:
                raise ValidationFailed(
                    _("'%(title)s' cannot be reported on.") % {"title": c.title},
                    field="commitments",
                )
            if c.pk in taken:
                continue
            if c.pk in elsewhere:
                raise Conflict(
                    _("'%(title)s' is in the report '%(elsewhere)s' already.")
                    % {"title": c.title, "elsewhere": elsewhere[c.pk]}
                )
            last = (
                ReportEntry.objects.filter(commitment=c)
                .exclude(outcome=Outcome.PENDING)
                .aggregate(at=Max("decided_at"))["at"]
            )
            actions_taken, actions_planned = _prefill(c, last)
            position += 1
            created.append(
                ReportEntry.objects.create(
                    report=report,
                    commitment=c,
                    position=position,
                    actions_taken=actions_taken,
                    actions_planned=actions_planned,
                    proposal=P.CARRIED_OUT
                    if c.status in (Status.DONE, Status.NOT_FEASIBLE)
                    else P.KEEP_OPEN,
                )
            )
        _touch(report)
        record(
            "report.entries_added",
            actor=actor,
            association=report.association,
            obj=report,
            commitments=[e.commitment_id for e in created],
        )
    return created


def do_update_entry(
    *,
    actor,
    entry: ReportEntry,
    actions_taken: str,
    actions_planned: str,
    proposal: str,
    cluster: ReportCluster | None = None,
    now: datetime | None = None,
) -> ReportEntry:
    report = entry.report
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    if proposal not in P.values:
        raise ValidationFailed(
            _("Unknown proposal '%(proposal)s'.") % {"proposal": proposal}, field="proposal"
        )
    if cluster is not None and cluster.report_id != report.pk:
        raise ValidationFailed(_("That cluster belongs to another report."), field="cluster")
    if not actions_taken.strip():
        raise ValidationFailed(_("Say what the board has done."), field="actions_taken")
    with transaction.atomic():
        entry.actions_taken = actions_taken.strip()
        entry.actions_planned = actions_planned.strip()
        entry.proposal = proposal
        entry.cluster = cluster
        entry.save(update_fields=["actions_taken", "actions_planned", "proposal", "cluster"])
        _touch(report)
        record(
            "report.entry_updated",
            actor=actor,
            association=report.association,
            obj=entry,
            proposal=proposal,
        )
    return entry


def do_move_entry(*, actor, entry: ReportEntry, up: bool, now: datetime | None = None) -> None:
    report = entry.report
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    with transaction.atomic():
        siblings = list(report.entries.order_by("position"))
        i = next(k for k, e in enumerate(siblings) if e.pk == entry.pk)
        j = i - 1 if up else i + 1
        if not 0 <= j < len(siblings):
            return
        siblings[i], siblings[j] = siblings[j], siblings[i]
        # Renumber past the current range first: (report, position) has no unique
        # constraint, but keeping the numbers dense keeps the order obvious.
        for n, e in enumerate(siblings, start=1):
            if e.position != n:
                ReportEntry.objects.filter(pk=e.pk).update(position=n)
        record(
            "report.entry_moved",
            actor=actor,
            association=report.association,
            obj=report,
            commitment=entry.commitment_id,
            position=j + 1,
        )
        _touch(report)


def do_remove_entry(*, actor, entry: ReportEntry, now: datetime | None = None) -> None:
    report = entry.report
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    with transaction.atomic():
        if entry.outcome != Outcome.PENDING or entry.votes.exists():
            raise Conflict(_("A vote concerns this entry; it cannot be removed."))
        record(
            "report.entry_removed",
            actor=actor,
            association=report.association,
            obj=report,
            commitment=entry.commitment_id,
        )
        entry.delete()
        _touch(report)


def do_add_cluster(
    *,
    actor,
    report: Report,
    title: str,
    summary: str = "",
    entries: Iterable[ReportEntry] = (),
    now: datetime | None = None,
) -> ReportCluster:
    """Cluster related motions: reported on together under one heading."""
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    if not title.strip():
        raise ValidationFailed(_("A cluster needs a title."), field="title")
    entries = list(entries)
    if any(e.report_id != report.pk for e in entries):
        raise ValidationFailed(_("An entry belongs to another report."), field="entries")
    with transaction.atomic():
        position = next_number(report.clusters, "position", lock=report)
        cluster = ReportCluster.objects.create(
            report=report, position=position, title=title.strip()[:300], summary=summary.strip()
        )
        ReportEntry.objects.filter(pk__in=[e.pk for e in entries]).update(cluster=cluster)
        _touch(report)
        record("report.cluster_added", actor=actor, association=report.association, obj=cluster)
    return cluster


def do_update_cluster(
    *,
    actor,
    cluster: ReportCluster,
    title: str,
    summary: str,
    entries: Iterable[ReportEntry] | None = None,
    now: datetime | None = None,
) -> ReportCluster:
    report = cluster.report
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    if not title.strip():
        raise ValidationFailed(_("A cluster needs a title."), field="title")
    with transaction.atomic():
        cluster.title = title.strip()[:300]
        cluster.summary = summary.strip()
        cluster.save(update_fields=["title", "summary"])
        if entries is not None:
            entries = list(entries)
            if any(e.report_id != report.pk for e in entries):
                raise ValidationFailed(_("An entry belongs to another report."), field="entries")
            cluster.entries.exclude(pk__in=[e.pk for e in entries]).update(cluster=None)
            ReportEntry.objects.filter(pk__in=[e.pk for e in entries]).update(cluster=cluster)
        _touch(report)
        record("report.cluster_updated", actor=actor, association=report.association, obj=cluster)
    return cluster


def do_remove_cluster(*, actor, cluster: ReportCluster, now: datetime | None = None) -> None:
    report = cluster.report
    access.require_follow_up(actor, report.association)
    _require_editable(report, now)
    with transaction.atomic():
        record("report.cluster_removed", actor=actor, association=report.association, obj=cluster)
        cluster.delete()  # its entries stay, unclustered
        _touch(report)
