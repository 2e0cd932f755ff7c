"""Workflows for accountability reports: compose, put on the agenda, vote, carry out.

The report's text can change until the meeting starts (or until the meeting votes on
it, whichever comes first); each time the secretariat puts a changed report on the
agenda, a new ``ReportVersion`` is kept and the agenda item's text is replaced.

How a vote is carried over to the commitments (``_apply``):
- proposal adopted, "consider carried out": the commitment is closed (done; a
  commitment the board found not feasible stays "not feasible", now closed);
- proposal adopted, "keep open": the commitment is held over and stays open;
- proposal rejected (either kind): the meeting does not agree, so nothing closes; the
  commitment goes back to "in progress" and is reported on again;
- no quorum or no majority: nothing is decided; the entry stays pending and the chair
  can hold another vote.

A vote on the report "as a whole" covers every entry still pending, except entries
that have a separate vote of their own in preparation or open ("the meeting votes on
the report, except motion 3, which it votes on separately").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from besluit import access
from besluit.accountability.models import (
    Commitment,
    CommitmentEvent,
    Outcome,
    Report,
    ReportCluster,
    ReportEntry,
    ReportVersion,
    ReportVote,
)
from besluit.accountability.services import _log, _set_status, _user
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings import services as meeting_services
from besluit.meetings import services_items
from besluit.meetings.models import AgendaItem, Meeting
from besluit.voting import services as voting
from besluit.voting.models import Decision, Poll

Status = Commitment.Status
Kind = CommitmentEvent.Kind
P = ReportEntry.Proposal

ITEM_TITLE = "Verantwoording uitvoering eerder aangenomen moties"
ITEM_DECISION = "Instemmen met de voorgestelde afdoening van de moties."
PROPOSAL_WORDS = {P.KEEP_OPEN: "aanhouden", P.CARRIED_OUT: "uitgevoerd/afgedaan"}
PROPOSAL_PHRASE = {
    P.KEEP_OPEN: "aan te houden",
    P.CARRIED_OUT: "als uitgevoerd/afgedaan te beschouwen",
}
ACTIVE_POLL = (Poll.Status.DRAFT, Poll.Status.OPEN)


def default_title(meeting: Meeting) -> str:
    return f"Verantwoording uitvoering moties — {meeting.title}"


# --- guards ---------------------------------------------------------------------------


def editable_problem(report: Report, now: datetime | None = None) -> str | None:
    """Why the report's text cannot change now, or None when it can."""
    now = now or timezone.now()
    if report.status == Report.Status.DECIDED:
        return "The meeting has decided on this report."
    if report.meeting.status == Meeting.Status.CLOSED:
        return "The meeting is closed."
    if now >= report.meeting.starts_at:
        return "The meeting has started: the report can no longer be changed."
    if report.votes.exclude(poll__status=Poll.Status.DRAFT).exists():
        return "The meeting is voting on this report."
    return None


def _require_editable(report: Report, now: datetime | None = None) -> None:
    report.refresh_from_db()  # the caller's copy may predate a publication or a vote
    problem = editable_problem(report, now)
    if problem:
        raise Conflict(problem)


def _touch(report: Report) -> None:
    if report.status == Report.Status.PUBLISHED and not report.changed_since_published:
        report.changed_since_published = True
        report.save(update_fields=["changed_since_published"])


# --- composing ----------------------------------------------------------------------------


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
        raise Conflict("The meeting is closed.")
    now = now or timezone.now()
    if now >= meeting.starts_at:
        raise Conflict("The meeting has started: report to a later meeting.")
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
        raise ValidationFailed("A report needs a title.", field="title")
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
        raise ValidationFailed("Choose at least one commitment.", field="commitments")
    with transaction.atomic():
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
        position = report.entries.aggregate(n=Max("position"))["n"] or 0
        created = []
        for c in commitments:
            if c.pk not in allowed:
                raise ValidationFailed(f"'{c.title}' cannot be reported on.", field="commitments")
            if c.pk in taken:
                continue
            if c.pk in elsewhere:
                raise Conflict(f"'{c.title}' is in the report '{elsewhere[c.pk]}' already.")
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
        raise ValidationFailed(f"Unknown proposal '{proposal}'.", field="proposal")
    if cluster is not None and cluster.report_id != report.pk:
        raise ValidationFailed("That cluster belongs to another report.", field="cluster")
    if not actions_taken.strip():
        raise ValidationFailed("Say what the board has done.", field="actions_taken")
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
            raise Conflict("A vote concerns this entry; it cannot be removed.")
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
        raise ValidationFailed("A cluster needs a title.", field="title")
    entries = list(entries)
    if any(e.report_id != report.pk for e in entries):
        raise ValidationFailed("An entry belongs to another report.", field="entries")
    with transaction.atomic():
        position = (report.clusters.aggregate(n=Max("position"))["n"] or 0) + 1
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
        raise ValidationFailed("A cluster needs a title.", field="title")
    with transaction.atomic():
        cluster.title = title.strip()[:300]
        cluster.summary = summary.strip()
        cluster.save(update_fields=["title", "summary"])
        if entries is not None:
            entries = list(entries)
            if any(e.report_id != report.pk for e in entries):
                raise ValidationFailed("An entry belongs to another report.", field="entries")
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


# --- the text on the agenda -----------------------------------------------------------------


def ordered_entries(report: Report) -> list[tuple[ReportCluster | None, list[ReportEntry]]]:
    """Entries grouped by cluster (clusters in order, where their first entry stands)."""
    entries = list(
        report.entries.select_related(
            "cluster",
            "commitment__motion__submitter",
            "commitment__motion__meeting",
            "commitment__part",
            "commitment__demand__proposal",
            "commitment__meeting",
        )
        .prefetch_related("commitment__motion__co_submitters")
        .order_by("position")
    )
    groups: list[tuple[ReportCluster | None, list[ReportEntry]]] = []
    index: dict[int, int] = {}
    for entry in entries:
        if entry.cluster_id is None:
            groups.append((None, [entry]))
        elif entry.cluster_id in index:
            groups[index[entry.cluster_id]][1].append(entry)
        else:
            index[entry.cluster_id] = len(groups)
            groups.append((entry.cluster, [entry]))
    return groups


def entry_heading(entry: ReportEntry) -> str:
    c = entry.commitment
    if c.source == Commitment.Source.DEMAND:
        return f"{c.reference}: {c.title}"
    return f"{c.reference}: {c.motion.title}" + (
        f" — {c.part.label}" if c.source == Commitment.Source.MOTION_PART else ""
    )


def render_text(report: Report) -> str:
    """The report as the agenda item's text. Dutch: the association's own words."""
    lines = [report.introduction.strip(), ""] if report.introduction.strip() else []
    for cluster, entries in ordered_entries(report):
        if cluster is not None:
            lines += [f"## {cluster.title}", ""]
            if cluster.summary:
                lines += [cluster.summary, ""]
        for entry in entries:
            c = entry.commitment
            lines += [f"{'###' if cluster else '##'} {entry_heading(entry)}", ""]
            lines += [f"Besloten in: {c.meeting.title}. Gevraagd: {c.text.strip()}", ""]
            lines += ["Uitgevoerd:", entry.actions_taken.strip() or "—", ""]
            if entry.actions_planned.strip():
                lines += ["Gepland:", entry.actions_planned.strip(), ""]
            lines += [f"Voorstel van het bestuur: {PROPOSAL_WORDS[entry.proposal]}.", ""]
    return "\n".join(lines).strip() + "\n"


def _default_item(report: Report) -> AgendaItem | None:
    items = report.meeting.agenda_items.filter(accountability_report__isnull=True)
    return (
        items.filter(number="08").first()
        or items.filter(title__istartswith="Verantwoording").first()
    )


def do_publish_report(
    *,
    actor,
    report: Report,
    agenda_item: AgendaItem | None = None,
    now: datetime | None = None,
) -> ReportVersion:
    """Put the report (or its new version) on the meeting's agenda."""
    association = report.association
    access.require_administer(actor, association)
    now = now or timezone.now()
    _require_editable(report, now)
    entries = list(report.entries.select_related("commitment"))
    if not entries:
        raise ValidationFailed("The report reports on no commitment yet.", field="entries")
    missing = [e.commitment.title for e in entries if not e.actions_taken.strip()]
    if missing:
        raise ValidationFailed(
            "Say for every entry what the board has done.",
            field="entries",
            problems=[f"No actions taken: {t}" for t in missing],
        )
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        item = report.agenda_item
        if item is None:
            if agenda_item is not None:
                if agenda_item.meeting_id != report.meeting_id:
                    raise ValidationFailed(
                        "That agenda item belongs to another meeting.", field="agenda_item"
                    )
                if hasattr(agenda_item, "accountability_report"):
                    raise Conflict("Another report is on that agenda item already.")
                item = agenda_item
            else:
                item = _default_item(report) or meeting_services.do_add_agenda_item(
                    actor=actor,
                    meeting=report.meeting,
                    number=_free_number(report.meeting),
                    title=ITEM_TITLE,
                    requested_decision=ITEM_DECISION,
                )
            if not report.introduction and item.explanation.strip():
                report.introduction = item.explanation.strip()
            report.agenda_item = item
        report.version += 1
        report.status = Report.Status.PUBLISHED
        report.changed_since_published = False
        report.save()
        text = render_text(report)
        services_items.do_update_agenda_item(
            actor=actor,
            item=item,
            number=item.number,
            title=item.title,
            requested_decision=item.requested_decision or ITEM_DECISION,
            explanation=text,
        )
        version = ReportVersion.objects.create(
            report=report,
            number=report.version,
            published_at=now,
            published_by=_user(actor),
            text=text,
        )
        for entry in entries:
            if not CommitmentEvent.objects.filter(report_entry=entry, kind=Kind.REPORTED).exists():
                _log(
                    entry.commitment,
                    actor=actor,
                    kind=Kind.REPORTED,
                    at=now,
                    report_entry=entry,
                    note=f"Opgenomen in '{report.title}' voor {report.meeting.title} "
                    f"(agendapunt {item.number}); voorstel: {PROPOSAL_WORDS[entry.proposal]}.",
                )
        record(
            "report.published",
            actor=actor,
            association=association,
            obj=report,
            version=report.version,
            agenda_item=item.number,
        )
    return version


def _free_number(meeting: Meeting) -> str:
    taken = set(meeting.agenda_items.values_list("number", flat=True))
    n = meeting.agenda_items.count() + 1
    while f"{n:02d}" in taken:
        n += 1
    return f"{n:02d}"


# --- the meeting decides --------------------------------------------------------------------


def covered_entries(report: Report, entry: ReportEntry | None = None) -> list[ReportEntry]:
    """What a vote on ``entry`` (or on the whole report) decides."""
    if entry is not None:
        return [entry] if entry.outcome == Outcome.PENDING else []
    separate = ReportVote.objects.filter(
        report=report, entry__isnull=False, poll__status__in=ACTIVE_POLL
    ).values("entry")
    return list(
        report.entries.filter(outcome=Outcome.PENDING)
        .exclude(pk__in=separate)
        .select_related("commitment__motion__submitter", "commitment__part", "commitment__demand")
        .order_by("position")
    )


def _question(report: Report, entries: list[ReportEntry], whole: bool) -> str:
    if not whole:
        e = entries[0]
        return (
            f"Stemt u in met het voorstel van het bestuur om {e.commitment.reference} "
            f"({e.commitment.title}) {PROPOSAL_PHRASE[e.proposal]}?"
        )
    lines = [
        f"Stemt u in met de voorgestelde afdoening in '{report.title}' (versie {report.version})?",
        "",
    ]
    lines += [f"- {e.commitment.reference}: {PROPOSAL_WORDS[e.proposal]}" for e in entries]
    return "\n".join(lines)


def do_create_report_poll(
    *,
    actor,
    report: Report,
    entry: ReportEntry | None = None,
    closes_at: datetime | None = None,
) -> Poll:
    """The chair prepares a vote on the whole report or on one entry."""
    access.require_chair(actor, report.association)
    report.refresh_from_db()
    if report.agenda_item_id is None or report.status == Report.Status.DRAFT:
        raise Conflict("Put the report on the agenda before the meeting votes on it.")
    if report.status == Report.Status.DECIDED:
        raise Conflict("The meeting has decided on this report.")
    if report.changed_since_published:
        raise Conflict("The report has changed since it was put on the agenda; publish it first.")
    if entry is not None and entry.report_id != report.pk:
        raise ValidationFailed("That entry belongs to another report.", field="entry")
    with transaction.atomic():
        scope = ReportVote.objects.filter(report=report, poll__status__in=ACTIVE_POLL)
        if scope.filter(entry=entry).exists():
            raise Conflict("A vote on this is being prepared or held already.")
        entries = covered_entries(report, entry)
        if not entries:
            raise Conflict("Nothing is left to decide.")
        item = report.agenda_item
        if entry is None:
            title = f"{item.number}. {report.title}"
        else:
            title = (
                f"{item.number}. Verantwoording {entry.commitment.reference}: "
                f"{PROPOSAL_WORDS[entry.proposal]}"
            )
        poll = voting.do_create_poll(
            actor=actor,
            meeting=report.meeting,
            subject=Poll.Subject.AGENDA_ITEM,
            agenda_item=item,
            title=title,
            question=_question(report, entries, entry is None),
            closes_at=closes_at,
        )
        ReportVote.objects.create(report=report, poll=poll, entry=entry)
        record(
            "report.poll_created",
            actor=actor,
            association=report.association,
            obj=report,
            poll=str(poll.public_id),
            entries=[e.pk for e in entries],
        )
    return poll


def on_report_poll_closed(*, poll: Poll, outcome: core.Outcome, decision, actor) -> None:
    """From services.on_poll_closed: carry the meeting's vote over to the entries."""
    vote = ReportVote.objects.filter(poll=poll).select_related("report", "entry").first()
    if vote is None or outcome not in (core.Outcome.ADOPTED, core.Outcome.REJECTED):
        return
    report = vote.report
    if vote.entry_id is not None:
        entries = [vote.entry] if vote.entry.outcome == Outcome.PENDING else []
    else:
        entries = covered_entries(report)
    _apply(
        report,
        entries,
        adopted=outcome == core.Outcome.ADOPTED,
        decision=decision,
        actor=actor,
        at=poll.closed_at or timezone.now(),
    )


def do_decide_by_acclamation(
    *, actor, report: Report, entry: ReportEntry | None = None, now: datetime | None = None
) -> Decision:
    """The meeting agrees with the board's proposals without a vote (bij acclamatie)."""
    access.require_chair(actor, report.association)
    report.refresh_from_db()
    if report.agenda_item_id is None or report.status != Report.Status.PUBLISHED:
        raise Conflict("Only a report on the agenda and not yet decided can be adopted.")
    if report.changed_since_published:
        raise Conflict("The report has changed since it was put on the agenda; publish it first.")
    now = now or timezone.now()
    with transaction.atomic():
        if ReportVote.objects.filter(
            report=report, poll__status=Poll.Status.OPEN, entry=entry
        ).exists():
            raise Conflict("A vote on this is open.")
        entries = covered_entries(report, entry)
        if not entries:
            raise Conflict("Nothing is left to decide.")
        subject = (
            f"{report.title}: voorgestelde afdoening"
            if entry is None
            else f"Verantwoording {entry.commitment.reference}: {PROPOSAL_WORDS[entry.proposal]}"
        )
        decision = voting.do_record_acclamation(
            actor=actor,
            meeting=report.meeting,
            agenda_item=report.agenda_item,
            subject=subject,
            text="Bij acclamatie ingestemd met het voorstel van het bestuur.",
            now=now,
        )
        _apply(report, entries, adopted=True, decision=decision, actor=actor, at=now)
    return decision


def _apply(
    report: Report,
    entries: list[ReportEntry],
    *,
    adopted: bool,
    decision: Decision | None,
    actor,
    at: datetime,
) -> None:
    for entry in entries:
        entry.outcome = Outcome.ADOPTED if adopted else Outcome.REJECTED
        entry.decision = decision
        entry.decided_at = at
        entry.save(update_fields=["outcome", "decision", "decided_at"])
        c = Commitment.objects.select_for_update().get(pk=entry.commitment_id)
        if adopted and entry.proposal == P.CARRIED_OUT:
            target = Status.NOT_FEASIBLE if c.status == Status.NOT_FEASIBLE else Status.DONE
            note = (
                f"{report.meeting.title} stemt in met het voorstel van het bestuur: "
                "uitgevoerd/afgedaan. De toezegging is gesloten."
            )
        elif adopted:
            target = Status.HELD_OVER
            note = (
                f"{report.meeting.title} stemt in met het voorstel van het bestuur: aanhouden. "
                "De toezegging blijft open."
            )
        else:
            target = Status.IN_PROGRESS
            note = (
                f"{report.meeting.title} verwerpt het voorstel van het bestuur "
                f"({PROPOSAL_WORDS[entry.proposal]}). De toezegging blijft open."
            )
        change = _set_status(c, target, at)
        if target in Commitment.CLOSED_STATUSES:
            c.closed_at = at  # the meeting's decision closes it, even if already marked done
            if c.progress < 100 and target == Status.DONE:
                change_progress = [c.progress, 100]
                c.progress = 100
            else:
                change_progress = None
        else:
            change_progress = None
        c.save(update_fields=["status", "closed_at", "progress"])
        changes = {"status": change} if change else {}
        if target in Commitment.CLOSED_STATUSES:
            changes["closed"] = [None, target]  # closed by the meeting, even if marked before
        if change_progress:
            changes["progress"] = change_progress
        changes["outcome"] = [None, entry.outcome]
        _log(
            c, actor=actor, kind=Kind.DECIDED, at=at, changes=changes, note=note, report_entry=entry
        )
    report.refresh_from_db()
    if not report.entries.filter(outcome=Outcome.PENDING).exists():
        report.status = Report.Status.DECIDED
        report.decided_at = at
        report.save(update_fields=["status", "decided_at"])
    record(
        "report.decided",
        actor=actor,
        association=report.association,
        obj=report,
        adopted=adopted,
        entries=[e.pk for e in entries],
    )
