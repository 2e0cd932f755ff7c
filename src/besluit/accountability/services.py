"""Workflows for commitments: created by the meeting's decisions, followed until done.

Where commitments come from (listeners registered in apps.AccountabilityConfig.ready):
- ``submission.decided`` on a Motion with status adopted or taken over: one commitment
  for the motion. A later correction of that outcome cancels it (or reopens it).
- ``poll.closed`` on a proposal that is adopted: one commitment per demand the
  secretariat marked in the proposal's text (``do_mark_demand``). Demands marked after
  the adoption get their commitment at once; for a proposal adopted by acclamation the
  secretariat names the decision (``do_create_demand_commitments``).
- ``poll.closed`` on a poll about one part of a split motion (``PartPoll``): the part is
  adopted or rejected, an adopted part gets its own commitment, and once every part is
  decided the motion's status follows (adopted when any part is, else rejected).
- ``poll.closed`` on a vote about an accountability report: see services_reports.

Why motion parts are voted as polls on an agenda item: a poll on a motion carries its
outcome to the motion's one status, which cannot hold "part a adopted, part b
rejected". A poll with subject ``agenda_item`` (the motion's agenda item, or the
meeting's item "08" for motions not tied to one) changes nothing by itself; the
``PartPoll`` link tells the listener which part it decides.

Every change to a commitment writes a ``CommitmentEvent`` and an audit event in the
same transaction (``_log``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from besluit import access, hooks
from besluit.accountability.models import (
    Commitment,
    CommitmentEvent,
    CommitmentUpdate,
    Committee,
    Demand,
    Milestone,
    MotionPart,
    Outcome,
    PartPoll,
    Theme,
    UpdateAttachment,
)
from besluit.associations.models import Association, Role
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem
from besluit.meetings.services import ALLOWED_TYPES, sniff_type
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Motion, Proposal, SubmissionStatus
from besluit.voting import services as voting
from besluit.voting.models import Decision, Poll

Status = Commitment.Status
Kind = CommitmentEvent.Kind

# A new commitment is due a year after the decision unless the secretariat says otherwise.
DEFAULT_TERM = timedelta(days=365)
# Statuses that need a reason when set by hand.
NEEDS_REASON = (Status.NOT_FEASIBLE, Status.CANCELLED)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _log(
    commitment: Commitment,
    *,
    actor,
    kind: str,
    at: datetime | None = None,
    changes: dict | None = None,
    note: str = "",
    update: CommitmentUpdate | None = None,
    report_entry=None,
) -> CommitmentEvent:
    """One history line and its audit event, inside the caller's transaction."""
    event = CommitmentEvent.objects.create(
        commitment=commitment,
        at=at or timezone.now(),
        actor=_user(actor),
        kind=kind,
        changes=changes or {},
        note=note,
        update=update,
        report_entry=report_entry,
    )
    record(
        f"commitment.{kind}",
        actor=actor,
        association=commitment.association,
        obj=commitment,
        changes=changes or {},
        note=note[:500],
    )
    return event


def _set_status(commitment: Commitment, status: str, at: datetime) -> list:
    """Change the status and its closing time; return [before, after] or [] if unchanged."""
    before = commitment.status
    if before == status:
        return []
    commitment.status = status
    if status in Commitment.CLOSED_STATUSES:
        commitment.closed_at = at
    else:
        commitment.closed_at = None
    return [before, status]


# --- themes and committees ------------------------------------------------------


def do_create_theme(*, actor, association: Association, name: str) -> Theme:
    access.require_administer(actor, association)
    name = name.strip()
    if not name:
        raise ValidationFailed("A theme needs a name.", field="name")
    with transaction.atomic():
        if Theme.objects.filter(association=association, name__iexact=name).exists():
            raise ValidationFailed(f"The theme '{name}' exists already.", field="name")
        theme = Theme.objects.create(association=association, name=name[:100])
        record("theme.created", actor=actor, association=association, obj=theme, name=name)
    return theme


def do_create_committee(
    *, actor, association: Association, name: str, email: str = ""
) -> Committee:
    access.require_administer(actor, association)
    name = name.strip()
    if not name:
        raise ValidationFailed("A committee needs a name.", field="name")
    with transaction.atomic():
        if Committee.objects.filter(association=association, name__iexact=name).exists():
            raise ValidationFailed(f"The committee '{name}' exists already.", field="name")
        committee = Committee.objects.create(
            association=association, name=name[:200], email=email.strip()
        )
        record("committee.created", actor=actor, association=association, obj=committee)
    return committee


# --- creating commitments ----------------------------------------------------------


def _create(
    *,
    actor,
    source: str,
    meeting,
    title: str,
    text: str,
    at: datetime,
    note: str,
    motion: Motion | None = None,
    part: MotionPart | None = None,
    demand: Demand | None = None,
    decision: Decision | None = None,
    theme: Theme | None = None,
) -> Commitment:
    commitment = Commitment.objects.create(
        association=meeting.association,
        meeting=meeting,
        source=source,
        motion=motion,
        part=part,
        demand=demand,
        decision=decision,
        title=title.strip()[:300],
        text=text,
        theme=theme,
        due_date=timezone.localdate(at) + DEFAULT_TERM,
        created_at=at,
    )
    _log(
        commitment,
        actor=actor,
        kind=Kind.CREATED,
        at=at,
        note=note,
        changes={"status": [None, Status.NEW], "due_date": [None, str(commitment.due_date)]},
    )
    return commitment


def _motion_text(motion: Motion) -> str:
    return f"Verzoekt het bestuur {motion.request}".strip()


def on_submission_decided(event: hooks.SubmissionDecided) -> None:
    """Listener: an adopted or taken-over motion gets a commitment (a split one: per part)."""
    submission, status, actor, poll = event.submission, event.status, event.actor, event.poll
    if not isinstance(submission, Motion):
        return
    motion = submission
    if MotionPart.objects.filter(motion=motion).exclude(outcome=Outcome.PENDING).exists():
        # A split motion: its commitments follow the adopted parts (see _decide_part).
        return
    at = poll.closed_at if poll is not None and poll.closed_at else timezone.now()
    existing = Commitment.objects.filter(source=Commitment.Source.MOTION, motion=motion).first()
    adopting = status in (SubmissionStatus.ADOPTED, SubmissionStatus.TAKEN_OVER)
    if adopting and existing is None:
        how = {
            SubmissionStatus.ADOPTED: "De motie is aangenomen"
            + (f" ({poll.title})." if poll is not None else "."),
            SubmissionStatus.TAKEN_OVER: "Het bestuur heeft de motie overgenomen.",
        }[status]
        _create(
            actor=actor,
            source=Commitment.Source.MOTION,
            meeting=motion.meeting,
            motion=motion,
            title=motion.title,
            text=_motion_text(motion),
            at=at,
            note=how,
        )
    elif adopting and existing.status == Status.CANCELLED:
        change = _set_status(existing, Status.NEW, at)
        existing.save(update_fields=["status", "closed_at"])
        _log(
            existing,
            actor=actor,
            kind=Kind.REOPENED,
            at=at,
            changes={"status": change},
            note="De uitkomst van de motie is gecorrigeerd: de toezegging geldt weer.",
        )
    elif not adopting and existing is not None and existing.status != Status.CANCELLED:
        change = _set_status(existing, Status.CANCELLED, at)
        existing.save(update_fields=["status", "closed_at"])
        _log(
            existing,
            actor=actor,
            kind=Kind.CHANGED,
            at=at,
            changes={"status": change},
            note="De uitkomst van de motie is gecorrigeerd; de toezegging vervalt.",
        )


def on_poll_closed(event: hooks.PollClosed) -> None:
    """Listener: carry a closed poll over to commitments, motion parts and reports."""
    poll: Poll = event.poll
    result: core.Result = event.result
    actor = event.actor
    from besluit.accountability import services_reports

    decision = Decision.objects.filter(poll=poll).first()
    outcome = result.outcome
    if poll.subject in (Poll.Subject.MOTION, Poll.Subject.PRE_ADVICE) and poll.motion_id:
        # The commitment was created while the poll closed, before its decision existed.
        Commitment.objects.filter(
            motion_id=poll.motion_id, source=Commitment.Source.MOTION, decision__isnull=True
        ).update(decision=decision)
    elif poll.subject == Poll.Subject.PROPOSAL and outcome == core.Outcome.ADOPTED:
        _create_demand_commitments(poll.proposal, decision, actor, poll.closed_at)
    elif poll.subject == Poll.Subject.AGENDA_ITEM:
        link = PartPoll.objects.filter(poll=poll).select_related("part__motion").first()
        decided = outcome in (core.Outcome.ADOPTED, core.Outcome.REJECTED)
        # A part adopted by acclamation meanwhile keeps that outcome.
        if link is not None and decided and link.part.outcome == Outcome.PENDING:
            _decide_part(
                link.part,
                adopted=outcome == core.Outcome.ADOPTED,
                decision=decision,
                actor=actor,
                at=poll.closed_at or timezone.now(),
            )
        services_reports.on_report_poll_closed(
            poll=poll, outcome=outcome, decision=decision, actor=actor
        )


# --- resolution demands --------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def heading_before(text: str, quote: str) -> str:
    """The markdown heading ("## Wonen") above the passage in the text, or ""."""
    words = quote.split()
    if not words:
        return ""
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if match is None:
        return ""
    headings = re.findall(r"^##\s+(.+?)\s*$", text[: match.start()], re.MULTILINE)
    return headings[-1] if headings else ""


def adopting_decision(proposal: Proposal) -> Decision | None:
    """The vote that adopted the proposal, if it was adopted by a vote."""
    return (
        Decision.objects.filter(poll__proposal=proposal, outcome=Decision.Outcome.ADOPTED)
        .order_by("-recorded_at")
        .first()
    )


def adoption_candidates(proposal: Proposal):
    """Decisions that may have adopted the proposal: its adopted votes and acclamations."""
    return Decision.objects.filter(
        agenda_item=proposal.agenda_item, outcome=Decision.Outcome.ADOPTED
    ).exclude(poll__isnull=False, poll__proposal__isnull=True)


def _theme_for(association: Association, name: str) -> Theme | None:
    name = name.strip()[:100]
    if not name:
        return None
    theme = Theme.objects.filter(association=association, name__iexact=name).first()
    return theme or Theme.objects.create(association=association, name=name)


def do_mark_demand(
    *,
    actor,
    proposal: Proposal,
    title: str,
    quote: str,
    theme: Theme | None = None,
    now: datetime | None = None,
) -> Demand:
    """Mark a demand in a resolution's text; on an adopted proposal its commitment follows."""
    meeting = proposal.agenda_item.meeting
    association = meeting.association
    access.require_administer(actor, association)
    title, quote = title.strip(), quote.strip()
    if not title:
        raise ValidationFailed("Give the demand a short title.", field="title")
    if not quote:
        raise ValidationFailed("Copy the demand's passage from the text.", field="quote")
    if _squash(quote) not in _squash(proposal.text):
        raise ValidationFailed(
            "The passage does not occur in the proposal's text; copy it exactly.", field="quote"
        )
    if theme is not None and theme.association_id != association.pk:
        raise ValidationFailed("That theme belongs to another association.", field="theme")
    now = now or timezone.now()
    with transaction.atomic():
        if Demand.objects.filter(proposal=proposal, title__iexact=title).exists():
            raise ValidationFailed(f"A demand '{title}' exists already.", field="title")
        position = (proposal.accountability_demands.aggregate(n=Max("position"))["n"] or 0) + 1
        demand = Demand.objects.create(
            proposal=proposal,
            position=position,
            title=title[:200],
            quote=quote,
            theme=theme or _theme_for(association, heading_before(proposal.text, quote)),
            created_at=now,
            created_by=_user(actor),
        )
        record(
            "demand.marked", actor=actor, association=association, obj=demand, proposal=proposal.pk
        )
        decision = adopting_decision(proposal)
        if decision is not None:
            _create_demand_commitments(proposal, decision, actor, now)
    return demand


def do_remove_demand(*, actor, demand: Demand) -> None:
    association = demand.proposal.agenda_item.meeting.association
    access.require_administer(actor, association)
    with transaction.atomic():
        if Commitment.objects.filter(demand=demand).exists():
            raise Conflict("This demand has a commitment already; it cannot be removed.")
        record("demand.removed", actor=actor, association=association, obj=demand)
        demand.delete()


def _create_demand_commitments(
    proposal: Proposal, decision: Decision | None, actor, at: datetime | None
) -> list[Commitment]:
    at = at or timezone.now()
    meeting = proposal.agenda_item.meeting
    created = []
    for demand in proposal.accountability_demands.filter(commitment__isnull=True).select_related(
        "theme"
    ):
        created.append(
            _create(
                actor=actor,
                source=Commitment.Source.DEMAND,
                meeting=meeting,
                demand=demand,
                decision=decision,
                title=demand.title,
                text=demand.quote,
                theme=demand.theme,
                at=at,
                note=f"Eis {demand.position} uit '{proposal.title}', vastgesteld door de "
                "vergadering.",
            )
        )
    return created


def do_create_demand_commitments(
    *, actor, proposal: Proposal, decision: Decision, now: datetime | None = None
) -> list[Commitment]:
    """For a proposal adopted without a vote on it (e.g. by acclamation)."""
    association = proposal.agenda_item.meeting.association
    access.require_administer(actor, association)
    if (
        decision.outcome != Decision.Outcome.ADOPTED
        or not adoption_candidates(proposal).filter(pk=decision.pk).exists()
    ):
        raise ValidationFailed(
            "Choose the decision of this agenda item that adopted the proposal.", field="decision"
        )
    with transaction.atomic():
        created = _create_demand_commitments(proposal, decision, actor, now)
        if not created:
            raise Conflict("Every marked demand has its commitment already.")
    return created


# --- motion parts ------------------------------------------------------------------------


def parse_parts(text: str) -> list[tuple[str, str]]:
    """Parts separated by blank lines; "a) ...", "b. ..." or "1. ..." gives the label."""
    parts = []
    for n, block in enumerate(re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()), 1):
        block = block.strip()
        if not block:
            continue
        m = re.match(r"^(?:deel\s+)?([0-9]{1,2}|[a-zA-Z])[.)]\s+(.*)$", block, re.DOTALL)
        if m:
            parts.append((f"deel {m.group(1).lower()}", m.group(2).strip()))
        else:
            parts.append((f"deel {n}", block))
    return parts


def do_split_motion(*, actor, motion: Motion, parts: Sequence[tuple[str, str]]) -> list[MotionPart]:
    """The chair splits a motion so that the meeting decides its parts separately."""
    association = motion.meeting.association
    access.require_chair(actor, association)
    parts = [(label.strip()[:40], text.strip()) for label, text in parts]
    if len(parts) < 2:
        raise ValidationFailed("Split the motion into at least two parts.", field="parts")
    if any(not label or not text for label, text in parts):
        raise ValidationFailed("Every part needs a label and a text.", field="parts")
    if len({label.lower() for label, _ in parts}) != len(parts):
        raise ValidationFailed("Two parts have the same label.", field="parts")
    with transaction.atomic():
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if motion.status != SubmissionStatus.ADMITTED:
            raise Conflict(
                f"Only an admitted motion can be split (status: {motion.get_status_display()})."
            )
        if motion.polls.exists():
            raise Conflict("A vote on the whole motion exists already.")
        existing = list(MotionPart.objects.filter(motion=motion))
        if (
            any(p.outcome != Outcome.PENDING for p in existing)
            or PartPoll.objects.filter(part__motion=motion).exists()
        ):
            raise Conflict("A vote on a part has been created already; the split is fixed.")
        MotionPart.objects.filter(motion=motion).delete()
        created = MotionPart.objects.bulk_create(
            MotionPart(motion=motion, position=i, label=label, text=text)
            for i, (label, text) in enumerate(parts, start=1)
        )
        record(
            "motion.split",
            actor=actor,
            association=association,
            obj=motion,
            parts=[label for label, _ in parts],
        )
    return created


def part_agenda_item(motion: Motion) -> AgendaItem | None:
    """Where a part is voted: the motion's item, else the meeting's item 08 (DOMAIN.md)."""
    if motion.agenda_item_id:
        return motion.agenda_item
    return motion.meeting.agenda_items.filter(number="08").first()


def do_create_part_poll(
    *, actor, part: MotionPart, is_secret: bool = False, closes_at: datetime | None = None
) -> Poll:
    motion = part.motion
    item = part_agenda_item(motion)
    if item is None:
        raise ValidationFailed(
            "The motion has no agenda item and the meeting has no item 08: link the motion "
            "to an agenda item first.",
            field="agenda_item",
        )
    with transaction.atomic():
        part = MotionPart.objects.select_for_update().select_related("motion").get(pk=part.pk)
        if part.outcome != Outcome.PENDING:
            raise Conflict("This part has been decided already.")
        if motion.status != SubmissionStatus.ADMITTED:
            raise Conflict("The motion is not admitted.")
        if PartPoll.objects.filter(
            part=part, poll__status__in=[Poll.Status.DRAFT, Poll.Status.OPEN]
        ).exists():
            raise Conflict("A vote on this part is being prepared or held already.")
        poll = voting.do_create_poll(
            actor=actor,
            meeting=motion.meeting,
            subject=Poll.Subject.AGENDA_ITEM,
            agenda_item=item,
            title=f"{motion.display_title}, {part.label}: {motion.title}",
            question=part.text,
            is_secret=is_secret,
            closes_at=closes_at,
        )
        PartPoll.objects.create(part=part, poll=poll)
        record(
            "motion_part.poll_created",
            actor=actor,
            association=motion.meeting.association,
            obj=part,
            poll=str(poll.public_id),
        )
    return poll


def do_adopt_part_by_acclamation(*, actor, part: MotionPart, now: datetime | None = None):
    """The meeting adopts a part without a vote (bij acclamatie)."""
    motion = part.motion
    now = now or timezone.now()
    with transaction.atomic():
        part = MotionPart.objects.select_for_update().select_related("motion").get(pk=part.pk)
        if part.outcome != Outcome.PENDING:
            raise Conflict("This part has been decided already.")
        if PartPoll.objects.filter(part=part, poll__status=Poll.Status.OPEN).exists():
            raise Conflict("A vote on this part is open.")
        decision = voting.do_record_acclamation(
            actor=actor,
            meeting=motion.meeting,
            agenda_item=part_agenda_item(motion),
            subject=f"{motion.display_title}, {part.label}: {motion.title}",
            text="Bij acclamatie aangenomen.",
            now=now,
        )
        _decide_part(part, adopted=True, decision=decision, actor=actor, at=now)
    return part


def _decide_part(part: MotionPart, *, adopted: bool, decision, actor, at: datetime) -> None:
    part.outcome = Outcome.ADOPTED if adopted else Outcome.REJECTED
    part.decision = decision
    part.decided_at = at
    part.save(update_fields=["outcome", "decision", "decided_at"])
    motion = part.motion
    record(
        "motion_part.decided",
        actor=actor,
        association=motion.meeting.association,
        obj=part,
        outcome=part.outcome,
    )
    if adopted and not Commitment.objects.filter(part=part).exists():
        _create(
            actor=actor,
            source=Commitment.Source.MOTION_PART,
            meeting=motion.meeting,
            motion=motion,
            part=part,
            decision=decision,
            title=f"{motion.title} ({part.label})",
            text=part.text,
            at=at,
            note=f"{part.label[:1].upper()}{part.label[1:]} van de motie is aangenomen.",
        )
    parts = list(MotionPart.objects.filter(motion=motion))
    if all(p.outcome != Outcome.PENDING for p in parts):
        status = (
            SubmissionStatus.ADOPTED
            if any(p.outcome == Outcome.ADOPTED for p in parts)
            else SubmissionStatus.REJECTED
        )
        if motion.status != status:
            proposal_services.do_set_status(actor=actor, submission=motion, status=status)


# --- following a commitment up ----------------------------------------------------------


def _check_owner(association: Association, committee, user) -> None:
    if committee is not None and committee.association_id != association.pk:
        raise ValidationFailed(
            "That committee belongs to another association.", field="owner_committee"
        )
    if (
        user is not None
        and not Role.objects.filter(
            association=association, user=user, user__code_meeting__isnull=True
        ).exists()
    ):
        raise ValidationFailed(
            "The owner must have a role in this association.", field="owner_user"
        )


def _display(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.username
    return str(value)


def do_update_commitment(
    *,
    actor,
    commitment: Commitment,
    title: str,
    theme: Theme | None,
    owner_committee: Committee | None,
    owner_user,
    due_date: date | None,
    update_interval_days: int,
    status: str,
    note: str = "",
    now: datetime | None = None,
) -> Commitment:
    """The board or the secretariat sets owner, theme, due date, interval or status."""
    association = commitment.association
    access.require_follow_up(actor, association)
    title = title.strip()
    if not title:
        raise ValidationFailed("A commitment needs a title.", field="title")
    if theme is not None and theme.association_id != association.pk:
        raise ValidationFailed("That theme belongs to another association.", field="theme")
    _check_owner(association, owner_committee, owner_user)
    if not 1 <= int(update_interval_days) <= 730:
        raise ValidationFailed(
            "The update interval lies between 1 and 730 days.", field="update_interval_days"
        )
    if status not in Status.values:
        raise ValidationFailed(f"Unknown status '{status}'.", field="status")
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if status != c.status and status in NEEDS_REASON and not note.strip():
            raise ValidationFailed(
                "Say why the commitment is not feasible or cancelled.", field="note"
            )
        changes = {}
        for field, new in (
            ("title", title[:300]),
            ("theme", theme),
            ("owner_committee", owner_committee),
            ("owner_user", owner_user),
            ("due_date", due_date),
            ("update_interval_days", int(update_interval_days)),
        ):
            old = getattr(c, field)
            if old != new:
                changes[field] = [_display(old), _display(new)]
                setattr(c, field, new)
        status_change = _set_status(c, status, now)
        if status_change:
            changes["status"] = status_change
        if not changes:
            return c
        c.save()
        _log(c, actor=actor, kind=Kind.CHANGED, at=now, changes=changes, note=note.strip())
    return c


_url = URLValidator(schemes=["http", "https"])


def _check_links(links: str) -> str:
    lines = [line.strip() for line in links.splitlines() if line.strip()]
    for line in lines:
        try:
            _url(line)
        except ValidationError as exc:
            raise ValidationFailed(
                f"'{line[:80]}' is not a web address (http or https).", field="links"
            ) from exc
    return "\n".join(lines)


def _check_file(upload: UploadedFile) -> str:
    limit = settings.BESLUIT_MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationFailed(
            f"{upload.name} is {upload.size:,} bytes; at most {limit:,} bytes are allowed.",
            field="files",
        )
    if upload.size == 0:
        raise ValidationFailed(f"{upload.name} is empty.", field="files")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = sniff_type(head, upload)
    claimed = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if kind is None or claimed != kind:
        raise ValidationFailed(
            f"{upload.name}: only PDF and Word (.docx) files are accepted, and the name must "
            "match the content.",
            field="files",
        )
    return kind


def _milestone_progress(commitment: Commitment) -> int | None:
    milestones = list(commitment.milestones.all())
    if not milestones:
        return None
    done = sum(1 for m in milestones if m.done_on)
    return round(100 * done / len(milestones))


def do_post_update(
    *,
    actor,
    commitment: Commitment,
    done: str,
    planned: str,
    links: str = "",
    as_of: date | None = None,
    progress: int | None = None,
    status: str | None = None,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> CommitmentUpdate:
    """A dated progress update: what was done, what is planned, links and files.

    A first update on a new commitment puts it in progress unless a status is given.
    """
    access.require(
        access.can_post_progress(actor, commitment),
        "Only the board, the secretariat or the commitment's owner may post an update.",
    )
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    done, planned = done.strip(), planned.strip()
    if not done and not planned:
        raise ValidationFailed("Say what was done or what is planned.", field="done")
    if as_of > timezone.localdate(now):
        raise ValidationFailed("An update cannot be dated in the future.", field="as_of")
    links = _check_links(links)
    files = list(files)
    kinds = [_check_file(f) for f in files]
    if progress is not None and not 0 <= int(progress) <= 100:
        raise ValidationFailed("Progress is a percentage between 0 and 100.", field="progress")
    if status is not None and status not in Status.values:
        raise ValidationFailed(f"Unknown status '{status}'.", field="status")
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if c.status == Status.CANCELLED:
            raise Conflict("This commitment has been cancelled.")
        if progress is not None and c.milestones.exists() and int(progress) != c.progress:
            raise ValidationFailed(
                "The progress of this commitment follows its milestones.", field="progress"
            )
        update = CommitmentUpdate.objects.create(
            commitment=c,
            as_of=as_of,
            done=done,
            planned=planned,
            links=links,
            posted_at=now,
            posted_by=_user(actor),
        )
        for upload, kind in zip(files, kinds, strict=True):
            attachment = UpdateAttachment(
                update=update,
                original_name=upload.name[:255],
                extension=kind,
                content_type=ALLOWED_TYPES[kind],
                size=upload.size,
            )
            attachment.file.save("upload", upload, save=False)
            attachment.save()
        changes = {}
        if status is None and c.status == Status.NEW:
            status = Status.IN_PROGRESS
        if status is not None:
            if status != c.status and status in NEEDS_REASON and not done:
                raise ValidationFailed(
                    "Say under 'what was done' why the commitment is not feasible.",
                    field="done",
                )
            change = _set_status(c, status, now)
            if change:
                changes["status"] = change
        if progress is not None and int(progress) != c.progress:
            changes["progress"] = [c.progress, int(progress)]
            c.progress = int(progress)
        c.last_update_at = now
        c.save()
        _log(c, actor=actor, kind=Kind.UPDATE, at=now, changes=changes, update=update)
    return update


def _milestone_changed(c: Commitment, actor, now: datetime, note: str) -> None:
    changes = {}
    progress = _milestone_progress(c)
    if progress is not None and progress != c.progress:
        changes["progress"] = [c.progress, progress]
        c.progress = progress
        c.save(update_fields=["progress"])
    _log(c, actor=actor, kind=Kind.MILESTONE, at=now, changes=changes, note=note)


def do_add_milestone(
    *,
    actor,
    commitment: Commitment,
    title: str,
    due_date: date | None = None,
    now: datetime | None = None,
) -> Milestone:
    access.require(
        access.can_post_progress(actor, commitment),
        "Only the board, the secretariat or the commitment's owner may plan milestones.",
    )
    title = title.strip()
    if not title:
        raise ValidationFailed("Describe the milestone.", field="title")
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        position = (c.milestones.aggregate(n=Max("position"))["n"] or 0) + 1
        milestone = Milestone.objects.create(
            commitment=c, position=position, title=title[:300], due_date=due_date
        )
        when = f" (gepland: {due_date:%d-%m-%Y})" if due_date else ""
        _milestone_changed(c, actor, now, f"Mijlpaal toegevoegd: {milestone.title}{when}")
    return milestone


def do_set_milestone_done(
    *, actor, milestone: Milestone, done_on: date | None, now: datetime | None = None
) -> Milestone:
    commitment = milestone.commitment
    access.require(
        access.can_post_progress(actor, commitment),
        "Only the board, the secretariat or the commitment's owner may mark milestones.",
    )
    now = now or timezone.now()
    if done_on is not None and done_on > timezone.localdate(now):
        raise ValidationFailed("A milestone cannot be reached in the future.", field="done_on")
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        milestone = Milestone.objects.get(pk=milestone.pk, commitment=c)
        if milestone.done_on == done_on:
            return milestone
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        note = (
            f"Mijlpaal bereikt op {done_on:%d-%m-%Y}: {milestone.title}"
            if done_on
            else f"Mijlpaal weer open: {milestone.title}"
        )
        _milestone_changed(c, actor, now, note)
    return milestone


def do_remove_milestone(*, actor, milestone: Milestone, now: datetime | None = None) -> None:
    commitment = milestone.commitment
    access.require(
        access.can_post_progress(actor, commitment),
        "Only the board, the secretariat or the commitment's owner may remove milestones.",
    )
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        title = milestone.title
        Milestone.objects.filter(pk=milestone.pk, commitment=c).delete()
        _milestone_changed(c, actor, now, f"Mijlpaal geschrapt: {title}")
