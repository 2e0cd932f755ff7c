"""Closing a poll and deciding it: the countdown, the close, the result and its
consequences, and a decision by acclamation."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, PreAdvice, SubmissionStatus
from besluit.voting import log as vote_log
from besluit.voting import trustees
from besluit.voting.models import (
    Decision,
    Poll,
    RegisterEntry,
)
from besluit.voting.services.opening import agenda_item_of

Subject = Poll.Subject


COUNTDOWN_SECONDS = (5, 3600)


def do_start_countdown(*, actor, poll: Poll, seconds: int, now: datetime | None = None) -> Poll:
    """Announce the close: ballots are accepted for ``seconds`` more, then the poll
    closes in the chair's name (live.listeners schedules it; a chair may close earlier).
    """
    association = poll.meeting.association
    access.require_chair(actor, association)
    low, high = COUNTDOWN_SECONDS
    if not low <= seconds <= high:
        raise ValidationFailed(
            _("A countdown lasts %(low)s to %(high)s seconds.") % {"low": low, "high": high},
            field="countdown",
        )
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("meeting").get(pk=poll.pk)
        now = now or timezone.now()
        if poll.status != Poll.Status.OPEN:
            raise Conflict(_("Only an open poll can be closed."))
        closes_at = now + timedelta(seconds=seconds)
        if poll.closes_at is not None and poll.closes_at < closes_at:
            raise Conflict(_("Voting closes earlier already; a countdown never moves it later."))
        poll.closes_at = closes_at
        poll.countdown_by = actor
        poll.save(update_fields=["closes_at", "countdown_by"])
        hooks.emit(hooks.PollCountdown(poll=poll, seconds=seconds, actor=actor))
        record("poll.countdown", actor=actor, association=association, obj=poll, seconds=seconds)
    return poll


def close_if_due(poll_pk: int, now: datetime | None = None) -> Poll | None:
    """Close a poll whose countdown has run out, in the name of the chair who started
    it; None when there is nothing to close (not due, closed already, no countdown)."""
    now = now or timezone.now()
    poll = (
        Poll.objects.select_related("meeting__association", "countdown_by")
        .filter(pk=poll_pk, status=Poll.Status.OPEN, countdown_by__isnull=False)
        .first()
    )
    if poll is None or poll.closes_at is None or poll.closes_at > now:
        return None
    try:
        return do_close_poll(actor=poll.countdown_by, poll=poll, now=now)
    except Conflict:  # closed a moment ago, by the chair or another worker
        return None


def do_close_poll(*, actor, poll: Poll, now: datetime | None = None) -> Poll:
    """Close the poll, decide it under its rule, and record the decision."""
    association = poll.meeting.association
    access.require_chair(actor, association)
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("meeting").get(pk=poll.pk)
        # After the lock: the ballots the close waited for are earlier than the close.
        now = now or timezone.now()
        if poll.status != Poll.Status.OPEN:
            raise Conflict(_("Only an open poll can be closed."))
        poll.status = Poll.Status.CLOSED
        poll.closed_at = now
        poll.closed_by = actor
        if poll.election_id is not None:
            # Encrypted: the tally is fixed now, the result waits for k trustees.
            poll.sealed = trustees.close_sealed(poll)
            poll.save(update_fields=["status", "closed_at", "closed_by", "sealed"])
            trustees.server_tally_share(poll, now)
            record(
                "poll.closed",
                actor=actor,
                association=association,
                obj=poll,
                outcome="awaiting_trustees",
                voted_members=poll.sealed["ballots"],
            )
            return poll
        result = compute_result(poll)
        return finish_decided(
            poll=poll, result=result, actor=actor, now=now, association=association
        )


def finish_decided(
    *, poll: Poll, result: core.Result, actor, now: datetime, association=None
) -> Poll:
    """Record a closed poll's result: the log's last leaf, the decision, its effects.

    In the caller's transaction, with the poll locked: at the close for a plaintext poll,
    when the k-th trustee's share is in for an encrypted one.
    """
    association = association or poll.meeting.association
    poll.result = result.to_dict()
    vote_log.finish(poll, result, now)
    poll.save(update_fields=["result", "status", "closed_at", "closed_by"])
    outcome = _apply_outcome(poll, result, actor)
    decision = Decision.objects.create(
        meeting=poll.meeting,
        agenda_item_id=poll.agenda_item_id,
        poll=poll,
        method=Decision.Method.POLL,
        outcome=outcome,
        subject=poll.title,
        text=_decision_text(poll, result),
        recorded_at=now,
        recorded_by=actor,
    )
    hooks.emit(hooks.PollClosed(poll=poll, result=result, actor=actor))
    hooks.emit(hooks.DecisionRecorded(decision=decision, actor=actor))
    record(
        "poll.decrypted" if poll.election_id else "poll.closed",
        actor=actor,
        association=association,
        obj=poll,
        outcome=result.outcome.value,
        voted_members=result.voted_members,
    )
    return poll


def compute_result(poll: Poll) -> core.Result:
    """The result from what is stored: reproducible at any time after the close."""
    options = poll.core_options()
    rule = poll.rule
    if poll.election_id is not None:  # encrypted: decrypted again from the stored shares
        shares = list(poll.tally_shares.select_related("trustee"))
        return trustees.decide_sealed(poll, shares[: poll.election.threshold])
    if poll.is_secret:  # closed before every secret poll was encrypted, or a paper round
        totals = {
            t.option.key: (Decimal(t.weight), t.members)
            for t in poll.secret_tallies.select_related("option")
        }
        return core.decide(
            options=options,
            totals=totals,
            eligible_members=poll.eligible_members,
            eligible_weight=Decimal(poll.eligible_weight),
            rule=rule,
        )
    # Rows, not model instances: a register of thousands closes in a blink.
    register = [
        core.Voter(member_id, Decimal(weight), RegisterEntry.groups_of(province, networks))
        for member_id, weight, province, networks in poll.register.values_list(
            "member_id", "weight", "province", "networks"
        )
    ]
    ballots = [
        core.Ballot(member_id, key)
        for member_id, key in poll.ballots.values_list("member_id", "option__key")
    ]
    return core.tally(register=register, ballots=ballots, options=options, rule=rule, by_group=True)


def _apply_outcome(poll: Poll, result: core.Result, actor) -> str:
    """Carry the decision over to what was voted on; return the decision's outcome."""
    outcome = result.outcome
    adopted = outcome == core.Outcome.ADOPTED
    if outcome in (core.Outcome.NO_QUORUM, core.Outcome.NO_MAJORITY):
        return outcome.value
    if poll.subject in (Subject.MOTION, Subject.AMENDMENT):
        target = poll.motion or poll.amendment
        target.status = SubmissionStatus.ADOPTED if adopted else SubmissionStatus.REJECTED
        target.save(update_fields=["status"])
        hooks.emit(
            hooks.SubmissionDecided(submission=target, status=target.status, actor=actor, poll=poll)
        )
    elif poll.subject == Subject.PRE_ADVICE and adopted:
        follows = {
            PreAdvice.ADOPT: SubmissionStatus.TAKEN_OVER,
            PreAdvice.ADVISE_AGAINST: SubmissionStatus.REJECTED,
            PreAdvice.HOLD_OVER: SubmissionStatus.HELD_OVER,
        }.get(poll.motion.pre_advice)
        if follows:
            poll.motion.status = follows
            poll.motion.save(update_fields=["status"])
            hooks.emit(
                hooks.SubmissionDecided(
                    submission=poll.motion, status=follows, actor=actor, poll=poll
                )
            )
    return outcome.value


def _decision_text(poll: Poll, result: core.Result) -> str:
    if result.outcome == core.Outcome.NO_QUORUM:
        return "Het quorum is niet gehaald."
    if result.outcome == core.Outcome.NO_MAJORITY:
        return "Geen van de alternatieven kreeg de vereiste meerderheid."
    if poll.subject == Subject.FREE:
        return f"Gekozen: {result.option(result.winner).label}."
    share = result.option("for").share or Decimal(0)
    pct = f"{share * 100:.2f}".replace(".", ",")
    verb = "Aangenomen" if result.outcome == core.Outcome.ADOPTED else "Verworpen"
    return f"{verb} met {pct}% van de uitgebrachte gewogen stemmen voor."


def do_record_acclamation(
    *,
    actor,
    meeting: Meeting,
    subject: str,
    text: str = "",
    agenda_item: AgendaItem | None = None,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    now: datetime | None = None,
) -> Decision:
    """A decision without a vote (bij acclamatie)."""
    access.require_chair(actor, meeting.association)
    if not subject.strip():
        raise ValidationFailed(_("Say what was decided."), field="subject")
    with transaction.atomic():
        for target in (motion, amendment):
            if target is not None:
                if target.status != SubmissionStatus.ADMITTED:
                    raise Conflict(_("Only an admitted submission can be adopted."))
                target.status = SubmissionStatus.ADOPTED
                target.save(update_fields=["status"])
                hooks.emit(
                    hooks.SubmissionDecided(
                        submission=target, status=target.status, actor=actor, poll=None
                    )
                )
        decision = Decision.objects.create(
            meeting=meeting,
            agenda_item=agenda_item or agenda_item_of(None, amendment, motion),
            method=Decision.Method.ACCLAMATION,
            outcome=Decision.Outcome.ADOPTED,
            subject=subject.strip(),
            text=text or "Bij acclamatie aangenomen.",
            recorded_at=now or timezone.now(),
            recorded_by=actor,
        )
        record("decision.acclamation", actor=actor, association=meeting.association, obj=decision)
        hooks.emit(hooks.DecisionRecorded(decision=decision, actor=actor))
    return decision
