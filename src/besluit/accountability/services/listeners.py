"""The hooks' listeners (registered in apps.AccountabilityConfig.ready).

Where commitments come from:
- ``SubmissionDecided`` on a Motion with status adopted or taken over: one commitment
  for the motion. A later correction of that outcome cancels it (or reopens it).
- ``PollClosed`` on a proposal that is adopted: one commitment per demand the
  secretariat marked in the proposal's text (``motions.do_mark_demand``).
- ``PollClosed`` on a poll about one part of a split motion (``PartPoll``): the part is
  decided (``motions.decide_part``).
- ``PollClosed`` on a vote about an accountability report: ``report_agenda``.

A listener runs inside the vote's transaction.
"""

from __future__ import annotations

from django.utils import timezone

from besluit import hooks
from besluit.accountability.models import (
    Commitment,
    MotionPart,
    Outcome,
    PartPoll,
)
from besluit.accountability.services.common import (
    Kind,
    Status,
    _create,
    _log,
    _set_status,
)
from besluit.accountability.services.motions import create_demand_commitments, decide_part
from besluit.accountability.services.report_agenda import on_report_poll_closed
from besluit.core import voting as core
from besluit.proposals.models import Motion, SubmissionStatus
from besluit.voting.models import Decision, Poll


def _motion_text(motion: Motion) -> str:
    return f"Verzoekt het bestuur {motion.request}".strip()


def on_submission_decided(event: hooks.SubmissionDecided) -> None:
    """Listener: an adopted or taken-over motion gets a commitment (a split one: per part)."""
    submission, status, actor, poll = event.submission, event.status, event.actor, event.poll
    if not isinstance(submission, Motion):
        return
    motion = submission
    if MotionPart.objects.filter(motion=motion).exclude(outcome=Outcome.PENDING).exists():
        # A split motion: its commitments follow the adopted parts (see decide_part).
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
        note = "De uitkomst van de motie is gecorrigeerd: de toezegging geldt weer."
        _follow_correction(existing, Status.NEW, Kind.REOPENED, note, actor=actor, at=at)
    elif not adopting and existing is not None and existing.status != Status.CANCELLED:
        note = "De uitkomst van de motie is gecorrigeerd; de toezegging vervalt."
        _follow_correction(existing, Status.CANCELLED, Kind.CHANGED, note, actor=actor, at=at)


def _follow_correction(commitment, status: str, kind: str, note: str, *, actor, at) -> None:
    """A corrected outcome reopens or cancels the motion's commitment."""
    change = _set_status(commitment, status, at)
    commitment.save(update_fields=["status", "closed_at"])
    _log(commitment, actor=actor, kind=kind, at=at, changes={"status": change}, note=note)


def on_poll_closed(event: hooks.PollClosed) -> None:
    """Listener: carry a closed poll over to commitments, motion parts and reports."""
    poll: Poll = event.poll
    result: core.Result = event.result
    actor = event.actor
    decision = Decision.objects.filter(poll=poll).first()
    outcome = result.outcome
    if poll.subject in (Poll.Subject.MOTION, Poll.Subject.PRE_ADVICE) and poll.motion_id:
        # The commitment was created while the poll closed, before its decision existed.
        Commitment.objects.filter(
            motion_id=poll.motion_id, source=Commitment.Source.MOTION, decision__isnull=True
        ).update(decision=decision)
    elif poll.subject == Poll.Subject.PROPOSAL and outcome == core.Outcome.ADOPTED:
        create_demand_commitments(poll.proposal, decision, actor, poll.closed_at)
    elif poll.subject == Poll.Subject.AGENDA_ITEM:
        link = PartPoll.objects.filter(poll=poll).select_related("part__motion").first()
        decided = outcome in (core.Outcome.ADOPTED, core.Outcome.REJECTED)
        # A part adopted by acclamation meanwhile keeps that outcome.
        if link is not None and decided and link.part.outcome == Outcome.PENDING:
            decide_part(
                link.part,
                adopted=outcome == core.Outcome.ADOPTED,
                decision=decision,
                actor=actor,
                at=poll.closed_at or timezone.now(),
            )
        on_report_poll_closed(poll=poll, outcome=outcome, decision=decision, actor=actor)
