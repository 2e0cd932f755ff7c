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

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
from besluit.accountability.services.common import (
    Kind,
    Status,
    _log,
    _require_editable,
    _set_status,
    _user,
)
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings import services as meeting_services
from besluit.meetings import services_items
from besluit.meetings.models import AgendaItem, Meeting
from besluit.voting import services as voting
from besluit.voting.models import Decision, Poll

P = ReportEntry.Proposal

ITEM_TITLE = "Verantwoording uitvoering eerder aangenomen moties"
ITEM_DECISION = "Instemmen met de voorgestelde afdoening van de moties."
PROPOSAL_WORDS = {P.KEEP_OPEN: "aanhouden", P.CARRIED_OUT: "uitgevoerd/afgedaan"}
PROPOSAL_PHRASE = {
    P.KEEP_OPEN: "aan te houden",
    P.CARRIED_OUT: "als uitgevoerd/afgedaan te beschouwen",
}
ACTIVE_POLL = (Poll.Status.DRAFT, Poll.Status.OPEN)


# --- the text on the agenda ---------------------------------------------------------


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
        raise ValidationFailed(_("The report reports on no commitment yet."), field="entries")
    missing = [e.commitment.title for e in entries if not e.actions_taken.strip()]
    if missing:
        raise ValidationFailed(
            _("Say for every entry what the board has done."),
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
                        _("That agenda item belongs to another meeting."), field="agenda_item"
                    )
                if hasattr(agenda_item, "accountability_report"):
                    raise Conflict(_("Another report is on that agenda item already."))
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


# --- the meeting decides ------------------------------------------------------------


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
        raise Conflict(_("Put the report on the agenda before the meeting votes on it."))
    if report.status == Report.Status.DECIDED:
        raise Conflict(_("The meeting has decided on this report."))
    if report.changed_since_published:
        raise Conflict(
            _("The report has changed since it was put on the agenda; publish it first.")
        )
    if entry is not None and entry.report_id != report.pk:
        raise ValidationFailed(_("That entry belongs to another report."), field="entry")
    with transaction.atomic():
        scope = ReportVote.objects.filter(report=report, poll__status__in=ACTIVE_POLL)
        if scope.filter(entry=entry).exists():
            raise Conflict(_("A vote on this is being prepared or held already."))
        entries = covered_entries(report, entry)
        if not entries:
            raise Conflict(_("Nothing is left to decide."))
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
        raise Conflict(_("Only a report on the agenda and not yet decided can be adopted."))
    if report.changed_since_published:
        raise Conflict(
            _("The report has changed since it was put on the agenda; publish it first.")
        )
    now = now or timezone.now()
    with transaction.atomic():
        if ReportVote.objects.filter(
            report=report, poll__status=Poll.Status.OPEN, entry=entry
        ).exists():
            raise Conflict(_("A vote on this is open."))
        entries = covered_entries(report, entry)
        if not entries:
            raise Conflict(_("Nothing is left to decide."))
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
        entry.save_decision(adopted=adopted, decision=decision, at=at)
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
