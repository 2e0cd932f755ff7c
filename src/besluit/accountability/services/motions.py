"""Motions and resolutions: themes, committees, marked demands and split motions.

Why motion parts are voted as polls on an agenda item: a poll on a motion carries its
outcome to the motion's one status, which cannot hold "part a adopted, part b
rejected". A poll with subject ``agenda_item`` (the motion's agenda item, or the
meeting's item "08" for motions not tied to one) changes nothing by itself; the
``PartPoll`` link tells the listener which part it decides (``decide_part``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from besluit import access
from besluit.accountability.models import (
    Commitment,
    Committee,
    Demand,
    MotionPart,
    Outcome,
    PartPoll,
    Theme,
)
from besluit.accountability.services.common import (
    _create,
    _user,
)
from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem
from besluit.numbering import next_number
from besluit.proposals import services as proposal_services
from besluit.proposals.models import Motion, Proposal, SubmissionStatus
from besluit.voting import services as voting
from besluit.voting.models import Decision, Poll

# --- themes and committees ----------------------------------------------------------


def do_create_theme(*, actor, association: Association, name: str) -> Theme:
    access.require_administer(actor, association)
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A theme needs a name."), field="name")
    with transaction.atomic():
        if Theme.objects.filter(association=association, name__iexact=name).exists():
            raise ValidationFailed(
                gettext("The theme '%(name)s' exists already.") % {"name": name}, field="name"
            )
        theme = Theme.objects.create(association=association, name=name[:100])
        record("theme.created", actor=actor, association=association, obj=theme, name=name)
    return theme


def do_create_committee(
    *, actor, association: Association, name: str, email: str = ""
) -> Committee:
    access.require_administer(actor, association)
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A committee needs a name."), field="name")
    with transaction.atomic():
        if Committee.objects.filter(association=association, name__iexact=name).exists():
            raise ValidationFailed(
                gettext("The committee '%(name)s' exists already.") % {"name": name}, field="name"
            )
        committee = Committee.objects.create(
            association=association, name=name[:200], email=email.strip()
        )
        record("committee.created", actor=actor, association=association, obj=committee)
    return committee


# --- resolution demands -------------------------------------------------------------


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
        raise ValidationFailed(gettext("Give the demand a short title."), field="title")
    if not quote:
        raise ValidationFailed(gettext("Copy the demand's passage from the text."), field="quote")
    if _squash(quote) not in _squash(proposal.text):
        raise ValidationFailed(
            gettext("The passage does not occur in the proposal's text; copy it exactly."),
            field="quote",
        )
    if theme is not None and theme.association_id != association.pk:
        raise ValidationFailed(gettext("That theme belongs to another association."), field="theme")
    now = now or timezone.now()
    with transaction.atomic():
        position = next_number(proposal.accountability_demands, "position", lock=proposal)
        if Demand.objects.filter(proposal=proposal, title__iexact=title).exists():
            raise ValidationFailed(
                gettext("A demand '%(title)s' exists already.") % {"title": title}, field="title"
            )
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
            create_demand_commitments(proposal, decision, actor, now)
    return demand


def do_remove_demand(*, actor, demand: Demand) -> None:
    association = demand.proposal.agenda_item.meeting.association
    access.require_administer(actor, association)
    with transaction.atomic():
        if Commitment.objects.filter(demand=demand).exists():
            raise Conflict(gettext("This demand has a commitment already; it cannot be removed."))
        record("demand.removed", actor=actor, association=association, obj=demand)
        demand.delete()


def create_demand_commitments(
    proposal: Proposal, decision: Decision | None, actor, at: datetime | None
) -> list[Commitment]:
    at = at or timezone.now()
    meeting = None  # read only for a demand: a poll's close waits for every round trip
    created = []
    for demand in proposal.accountability_demands.filter(commitment__isnull=True).select_related(
        "theme"
    ):
        if meeting is None:
            meeting = proposal.agenda_item.meeting
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
            gettext("Choose the decision of this agenda item that adopted the proposal."),
            field="decision",
        )
    with transaction.atomic():
        created = create_demand_commitments(proposal, decision, actor, now)
        if not created:
            raise Conflict(gettext("Every marked demand has its commitment already."))
    return created


# --- motion parts -------------------------------------------------------------------


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
        raise ValidationFailed(gettext("Split the motion into at least two parts."), field="parts")
    if any(not label or not text for label, text in parts):
        raise ValidationFailed(gettext("Every part needs a label and a text."), field="parts")
    if len({label.lower() for label, _ in parts}) != len(parts):
        raise ValidationFailed(gettext("Two parts have the same label."), field="parts")
    with transaction.atomic():
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if motion.status != SubmissionStatus.ADMITTED:
            raise Conflict(
                gettext("Only an admitted motion can be split (status: %(status)s).")
                % {"status": motion.get_status_display()}
            )
        if motion.polls.exists():
            raise Conflict(gettext("A vote on the whole motion exists already."))
        existing = list(MotionPart.objects.filter(motion=motion))
        if (
            any(p.outcome != Outcome.PENDING for p in existing)
            or PartPoll.objects.filter(part__motion=motion).exists()
        ):
            raise Conflict(
                gettext("A vote on a part has been created already; the split is fixed.")
            )
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
            gettext(
                "The motion has no agenda item and the meeting has no item 08: link the "
                "motion to an agenda item first."
            ),
            field="agenda_item",
        )
    with transaction.atomic():
        part = MotionPart.objects.select_for_update().select_related("motion").get(pk=part.pk)
        if part.outcome != Outcome.PENDING:
            raise Conflict(gettext("This part has been decided already."))
        if motion.status != SubmissionStatus.ADMITTED:
            raise Conflict(gettext("The motion is not admitted."))
        if PartPoll.objects.filter(
            part=part, poll__status__in=[Poll.Status.DRAFT, Poll.Status.OPEN]
        ).exists():
            raise Conflict(gettext("A vote on this part is being prepared or held already."))
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
            raise Conflict(gettext("This part has been decided already."))
        if PartPoll.objects.filter(part=part, poll__status=Poll.Status.OPEN).exists():
            raise Conflict(gettext("A vote on this part is open."))
        decision = voting.do_record_acclamation(
            actor=actor,
            meeting=motion.meeting,
            agenda_item=part_agenda_item(motion),
            subject=f"{motion.display_title}, {part.label}: {motion.title}",
            text="Bij acclamatie aangenomen.",
            now=now,
        )
        decide_part(part, adopted=True, decision=decision, actor=actor, at=now)
    return part


def decide_part(part: MotionPart, *, adopted: bool, decision, actor, at: datetime) -> None:
    part.save_decision(adopted=adopted, decision=decision, at=at)
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
