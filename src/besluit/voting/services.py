"""Polls: create, open (freeze the register), cast ballots, close (decide).

How a ballot is accepted, and the locking that keeps every acknowledged ballot
in the result and nothing after the close: voting.casting. How a poll is decided:
core.voting.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.associations.selectors import weighted_register
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.core.ballotcrypto.elgamal import choose_decimals
from besluit.errors import Conflict, DomainError, NotFound, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, PreAdvice, Proposal, SubmissionStatus
from besluit.voting import casting, trustees
from besluit.voting import log as vote_log
from besluit.voting.casting import Receipt
from besluit.voting.models import (
    Decision,
    Election,
    Poll,
    PollOption,
    RegisterEntry,
)

Subject = Poll.Subject


def do_create_poll(
    *,
    actor,
    meeting: Meeting,
    subject: str,
    title: str = "",
    question: str = "",
    agenda_item: AgendaItem | None = None,
    proposal: Proposal | None = None,
    amendment: Amendment | None = None,
    motion: Motion | None = None,
    alternatives: Sequence[str] = (),
    with_abstain: bool = True,
    is_secret: bool = False,
    majority: str = core.MajorityRule.SIMPLE,
    abstentions: str = core.AbstentionRule.NOT_CAST,
    quorum: Decimal = Decimal(0),
    allow_change: bool = False,
    show_interim: bool = False,
    closes_at: datetime | None = None,
) -> Poll:
    access.require_chair(actor, meeting.association)
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))
    target_title = _check_subject(meeting, subject, proposal, amendment, motion)
    if subject == Subject.AGENDA_ITEM:
        if agenda_item is None or agenda_item.meeting_id != meeting.pk:
            raise ValidationFailed(
                _("Say which agenda item of this meeting the poll is about."), field="agenda_item"
            )
        target_title = f"{agenda_item.number}. {agenda_item.title}"
        question = question or agenda_item.requested_decision
    if is_secret and allow_change:
        raise ValidationFailed(
            _("A secret vote cannot be changed: nothing records what to take back."),
            field="allow_change",
        )
    if is_secret and show_interim:
        raise ValidationFailed(
            _("A secret poll never shows interim choices."), field="show_interim"
        )
    if not Decimal(0) <= Decimal(quorum) <= Decimal(1):
        raise ValidationFailed(_("The quorum is a share between 0 and 1."), field="quorum")
    if majority not in core.MajorityRule.__members__.values():
        raise ValidationFailed(
            _("Unknown majority rule '%(majority)s'.") % {"majority": majority}, field="majority"
        )
    if abstentions not in core.AbstentionRule.__members__.values():
        raise ValidationFailed(
            _("Unknown abstention rule '%(abstentions)s'.") % {"abstentions": abstentions},
            field="abstentions",
        )
    if subject == Subject.FREE:
        labels = [a.strip() for a in alternatives if a.strip()]
        if len(labels) < 2:
            raise ValidationFailed(_("Give at least two alternatives."), field="alternatives")
        if len(set(labels)) != len(labels):
            raise ValidationFailed(_("Two alternatives are the same."), field="alternatives")
        options = [core.Option(f"option-{i}", label) for i, label in enumerate(labels, start=1)]
        if with_abstain:
            options.append(core.Option("abstain", "Onthouding", is_abstention=True))
    else:
        options = list(core.YES_NO if with_abstain else core.YES_NO[:2])
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationFailed(_("The closing time lies in the past."), field="closes_at")
    if agenda_item is None:
        agenda_item = _agenda_item_of(proposal, amendment, motion)
    with transaction.atomic():
        poll = Poll.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            subject=subject,
            proposal=proposal,
            amendment=amendment,
            motion=motion,
            title=(title or target_title).strip()[:300],
            question=question,
            is_secret=is_secret,
            majority=majority,
            abstentions=abstentions,
            quorum=quorum,
            allow_change=allow_change,
            show_interim=show_interim,
            closes_at=closes_at,
        )
        PollOption.objects.bulk_create(
            PollOption(
                poll=poll, position=i, key=o.key, label=o.label, is_abstention=o.is_abstention
            )
            for i, o in enumerate(options)
        )
        record("poll.created", actor=actor, association=meeting.association, obj=poll)
    return poll


def _check_subject(meeting, subject, proposal, amendment, motion) -> str:
    """Validate what the poll is about; return a default title."""
    targets = {"proposal": proposal, "amendment": amendment, "motion": motion}
    needed = {
        Subject.PROPOSAL: "proposal",
        Subject.AMENDMENT: "amendment",
        Subject.MOTION: "motion",
        Subject.PRE_ADVICE: "motion",
        Subject.AGENDA_ITEM: None,
        Subject.FREE: None,
    }
    if subject not in needed:
        raise ValidationFailed(
            _("Unknown subject '%(subject)s'.") % {"subject": subject}, field="subject"
        )
    name = needed[subject]
    for key, value in targets.items():
        if value is not None and key != name:
            raise ValidationFailed(
                _("A poll on a %(subject)s takes no %(key)s.") % {"subject": subject, "key": key},
                field=key,
            )
    if name is None:
        return ""
    target = targets[name]
    if target is None:
        raise ValidationFailed(
            _("Say which %(name)s the poll is about.") % {"name": name}, field=name
        )
    target_meeting = target.agenda_item.meeting if name == "proposal" else target.meeting
    if target_meeting.pk != meeting.pk:
        raise ValidationFailed(
            _("That %(name)s belongs to another meeting.") % {"name": name}, field=name
        )
    if name in ("amendment", "motion") and target.status != SubmissionStatus.ADMITTED:
        raise Conflict(
            _("The %(name)s is not admitted (status: %(status)s).")
            % {"name": name, "status": target.get_status_display()}
        )
    if subject == Subject.PRE_ADVICE:
        if not motion.pre_advice:
            raise Conflict(_("The board has given no pre-advice on this motion."))
        return f"Preadvies bij {motion.display_title}: {motion.get_pre_advice_display()}"
    if name == "proposal":
        return proposal.title
    return f"{target.display_title}: {target.title}" if name == "motion" else str(target)


def _agenda_item_of(proposal, amendment, motion) -> AgendaItem | None:
    if proposal is not None:
        return proposal.agenda_item
    if amendment is not None:
        return amendment.proposal.agenda_item
    if motion is not None:
        return motion.agenda_item
    return None


def do_open_poll(*, actor, poll: Poll, now: datetime | None = None) -> Poll:
    """Open the poll and freeze its register: members and weights on the meeting's date."""
    association = poll.meeting.association
    access.require_chair(actor, association)
    now = now or timezone.now()
    day = timezone.localdate(poll.meeting.starts_at)
    register = [row for row in weighted_register(association, day) if row.eligible]
    if not register:
        raise Conflict(_("No member is eligible to vote."))
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.DRAFT:
            raise Conflict(_("This poll has been opened already."))
        RegisterEntry.objects.bulk_create(
            RegisterEntry(
                poll=poll,
                member=row.member,
                weight=row.weight,
                province=row.member.province,
                networks=" ".join(n.code for n in row.member.networks.all()),
            )
            for row in register
        )
        election = _election_for(poll)
        if election is not None:
            # Encrypted: no totals are kept while the poll is open (voting.encrypted).
            poll.election = election
            poll.sealed = {"decimals": choose_decimals([row.weight for row in register])}
        poll.eligible_members = len(register)
        poll.eligible_weight = sum((row.weight for row in register), Decimal(0))
        poll.status = Poll.Status.OPEN
        poll.opened_at = now
        poll.opened_by = actor
        poll.save(
            update_fields=[
                "eligible_members",
                "eligible_weight",
                "status",
                "opened_at",
                "opened_by",
                "election",
                "sealed",
            ]
        )
        if poll.meeting.status in (Meeting.Status.DRAFT, Meeting.Status.CONVENED):
            poll.meeting.status = Meeting.Status.IN_PROGRESS
            poll.meeting.save(update_fields=["status"])
        vote_log.start(poll, now)
        hooks.emit(hooks.PollOpened(poll=poll, actor=actor))
        record(
            "poll.opened",
            actor=actor,
            association=association,
            obj=poll,
            eligible_members=poll.eligible_members,
            eligible_weight=str(poll.eligible_weight),
        )
    return poll


def _election_for(poll: Poll) -> Election | None:
    """A secret poll is always encrypted: its meeting's trustees must have made the key.

    There is no plaintext secret path any more: counting a secret choice in the clear,
    per ballot, is what linked members to choices in the database files (issue 14).
    """
    if not poll.is_secret:
        return None
    election = Election.objects.filter(meeting_id=poll.meeting_id).first()
    if election is None:
        raise trustees.TrusteesNeeded(
            _(
                "A secret vote is encrypted and can open only when this meeting has "
                "trustees who made the election key. Appoint them on the trustees page."
            ),
            meeting=poll.meeting,
        )
    if election.status != Election.Status.READY:
        raise trustees.TrusteesNeeded(
            _(
                "A secret vote can open only when the trustees have finished making the "
                "election key (%(done)s of %(n)s done). See the trustees page."
            )
            % {
                "done": election.trustees.exclude(commitment="").count()
                if election.status == Election.Status.KEYS
                else election.trustees.filter(dealt=True).count(),
                "n": election.trustee_count,
            },
            meeting=poll.meeting,
        )
    return election


def cast_ballot(
    *,
    actor,
    poll: Poll,
    option_key: str,
    request_key: str = "",
    now: datetime | None = None,
    ip: str | None = None,
    for_member: str = "",
    paper: bool = False,
) -> Receipt:
    """Accept one member's ballot, or refuse it leaving only an audit entry.

    A batch of one: the rules and the locking are in voting.casting. ``for_member``:
    the code of a member whose proxy the actor's member holds (or, with ``paper``,
    whose paper ballot the secretariat enters: attendance.services).
    """
    request = casting.BallotRequest(
        user_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        option_key=option_key,
        request_key=request_key,
        ip=ip,
        for_member=for_member,
        paper=paper,
    )
    outcome = casting.cast_batch(poll.pk, [request], now=now)[0]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


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
            agenda_item=agenda_item or _agenda_item_of(None, amendment, motion),
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


def get_poll(public_id) -> Poll:
    try:
        return Poll.objects.select_related("meeting__association").get(public_id=public_id)
    except (Poll.DoesNotExist, ValueError, DomainError) as exc:
        raise NotFound(_("No such poll.")) from exc
