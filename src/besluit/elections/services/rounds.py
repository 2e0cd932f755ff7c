"""Rounds of an election: open (freeze the register), cast, close (count), decide.

Locking: a ballot locks the election's row and then its round's row while it is
written, and closing takes the same locks in the same order; so every accepted ballot
is in the count, nothing after the close, and the two never deadlock (PostgreSQL found
one when the orders differed: tests/elections/test_races.py). The unique constraint on
(round, member) refuses a second ballot of the same member whatever the application did.

How a round is counted: ``core.elections.record.count_round`` (the verifier recounts
with the same function from the published bundle).
"""

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from besluit import access, hooks
from besluit.associations.selectors import weighted_register
from besluit.audit.services import record
from besluit.core import votelog
from besluit.core.elections import BallotError, check_approvals, check_ranking
from besluit.core.elections import record as core_record
from besluit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from besluit.voting.models import Decision, micro_to_weight, weight_to_micro

from .. import log as election_log
from ..models import Candidacy, Election, ElectionBallot, Membership, PooledChoice, Round
from ..models import RoundRegister as Register

# The core's ballot messages, for the catalogue (translated where they are shown).
BALLOT_MESSAGES = (
    gettext_noop("Candidate {candidate} appears more than once."),
    gettext_noop("The ranks must be 1, 2, 3 … without a gap; rank {missing} is missing."),
    gettext_noop("Rank {rank} of candidate {candidate} is not a whole number of 1 or more."),
    gettext_noop("Candidates {candidates} share rank {rank}; equal ranks are not allowed."),
    gettext_noop("Candidate {candidate} does not stand in this election."),
    gettext_noop("At most {allowed} candidates may be chosen; {given} were chosen."),
    gettext_noop("The ballot chooses no candidate."),
)


def ballot_error_text(exc: BallotError, names: dict[str, str]) -> str:
    """The core's ballot error in the reader's language, with names for candidate keys."""
    params = {k: names.get(v, v) if isinstance(v, str) else v for k, v in exc.params.items()}
    if "candidates" in params:
        params["candidates"] = ", ".join(
            names.get(c.strip(), c.strip()) for c in str(params["candidates"]).split(",")
        )
    return _(exc.template).format(**params)


def standing_candidates(election: Election) -> list[Candidacy]:
    return [c for c in election.candidacies.all() if c.stands]


def current_round(election: Election) -> Round | None:
    return election.rounds.order_by("-number").first()


def do_open_round(*, actor, election: Election, now: datetime | None = None) -> Round:
    """Open the first round (the accepted, admitted candidates), or the second round of
    a two-round ballot (the two the first named). Freezes the register."""
    association = election.meeting.association
    access.require_chair(actor, association)
    now = now or timezone.now()
    day = timezone.localdate(election.meeting.starts_at)
    register = [row for row in weighted_register(association, day) if row.eligible]
    if not register:
        raise Conflict(_("No member is eligible to vote."))
    with transaction.atomic():
        election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
        last = current_round(election)
        if last is None:
            if election.status != Election.Status.NOMINATING:
                raise Conflict(_("This election cannot be opened now."))
            candidates = [c.key for c in standing_candidates(election)]
            if not candidates:
                raise Conflict(_("No candidate has accepted the nomination."))
            if election.allow_unopposed and len(candidates) <= election.seats:
                raise Conflict(
                    _("No more candidates than seats: declare them elected unopposed instead.")
                )
            number = 1
        elif last.status == Round.Status.OPEN:
            raise Conflict(_("A round of this election is open already."))
        elif (last.result or {}).get("outcome") == "second_round":
            candidates, number = list(last.result["runoff"]), last.number + 1
        else:
            raise Conflict(_("This election has been decided."))
        rnd = Round.objects.create(
            election=election,
            number=number,
            candidates=candidates,
            nonce=secrets.token_bytes(32).hex(),
            eligible_members=len(register),
            eligible_weight=sum((row.weight for row in register), Decimal(0)),
            opened_at=now,
            opened_by=actor,
        )
        Register.objects.bulk_create(
            Register(round=rnd, member=row.member, weight=row.weight) for row in register
        )
        election_log.start(rnd, election, now)
        election.status = Election.Status.VOTING
        election.save(update_fields=["status"])
        record(
            "election.round_opened",
            actor=actor,
            association=association,
            obj=election,
            round=number,
            nonce=rnd.nonce,
        )
        hooks.emit(hooks.ElectionRoundOpened(election=election, round=rnd, actor=actor))
    return rnd


def do_declare_unopposed(*, actor, election: Election, now: datetime | None = None) -> Round:
    """No more accepted candidates than seats, and the statutes allow it: elected
    without a vote (recorded as a round without ballots)."""
    association = election.meeting.association
    access.require_chair(actor, association)
    now = now or timezone.now()
    with transaction.atomic():
        election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
        if election.status != Election.Status.NOMINATING or election.rounds.exists():
            raise Conflict(_("This election cannot be declared now."))
        if not election.allow_unopposed:
            raise Conflict(_("The statutes of this election require a vote."))
        candidates = [c.key for c in standing_candidates(election)]
        if not candidates or len(candidates) > election.seats:
            raise Conflict(_("There are more candidates than seats: a vote is needed."))
        result = core_record.unopposed_result(candidates, election.seats)
        rnd = Round.objects.create(
            election=election,
            number=1,
            candidates=candidates,
            status=Round.Status.CLOSED,
            unopposed=True,
            opened_at=now,
            closed_at=now,
            opened_by=actor,
            closed_by=actor,
            result=core_record.result_json(result),
        )
        _decide(election, rnd, actor, now)
        record("election.unopposed", actor=actor, association=association, obj=election)
        hooks.emit(hooks.ElectionRoundClosed(election=election, round=rnd, actor=actor))
    return rnd


def _parse_choice(election: Election, rnd: Round, raw, names: dict[str, str]):
    """The member's choice in its stored form, or ValidationFailed (nothing stored)."""
    cands = rnd.candidates
    try:
        if election.method == Election.Method.TWO_ROUND:
            if raw in (None, ""):
                return None
            if not isinstance(raw, str) or raw not in cands:
                raise BallotError("unknown_candidate", candidate=str(raw))
            return raw
        if election.method == Election.Method.APPROVAL:
            if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
                raise ValidationFailed(_("Choose candidates."), field="choice")
            return sorted(check_approvals(raw, cands, max_approvals=election.max_approvals))
        if isinstance(raw, dict):  # numbered boxes: {key: rank}
            entries = [(k, v) for k, v in raw.items()]
        elif isinstance(raw, list | tuple):
            entries = list(raw)
        else:
            raise ValidationFailed(_("Rank the candidates."), field="choice")
        groups = check_ranking(entries, cands)
        return [group[0] for group in groups]
    except BallotError as exc:
        raise ValidationFailed(ballot_error_text(exc, names), field="choice") from exc


def do_cast(*, actor, election: Election, choice, now: datetime | None = None) -> ElectionBallot:
    """Accept one member's ballot in the open round, or refuse it storing nothing.

    The ballot is logged in the round's vote log (elections.log) in the same
    transaction; the returned ballot carries the voter's ``receipt`` (a dict) then."""
    association = election.meeting.association
    member = access.represented_members(
        [getattr(actor, "pk", None)], association, election.meeting
    ).get(getattr(actor, "pk", None))
    if member is None:
        raise PermissionDenied(_("Only a member's representative can vote."))
    names = {c.key: c.name for c in election.candidacies.all()}
    with transaction.atomic():
        # Locks in one order everywhere: the election's row, then the round's. A cast
        # and the close of the same round then queue instead of deadlocking.
        list(Election.objects.select_for_update(no_key=True).filter(pk=election.pk).values("pk"))
        rnd = (
            Round.objects.select_for_update()
            .filter(election=election, status=Round.Status.OPEN)
            .first()
        )
        if rnd is None:
            raise Conflict(_("No round of this election is open."))
        stored = _parse_choice(election, rnd, choice, names)
        weight = Register.objects.filter(round=rnd, member=member).values_list("weight", flat=True)
        if not weight:
            raise PermissionDenied(
                _("%(member)s is not in this round's register.") % {"member": member}
            )
        if ElectionBallot.objects.filter(round=rnd, member=member).exists():
            raise Conflict(_("%(member)s has voted in this round already.") % {"member": member})
        now = now or timezone.now()
        try:
            with transaction.atomic():  # the constraint, should two requests race
                ballot = ElectionBallot.objects.create(
                    round=rnd,
                    member=member,
                    choice=None if election.is_secret else {"choice": stored},
                    cast_by=None if election.is_secret else actor,
                    cast_at=now,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("%(member)s has voted in this round already.") % {"member": member}
            ) from exc
        if election.is_secret:
            key = votelog.canonical_json(stored).decode()
            pooled, _created = PooledChoice.objects.get_or_create(round=rnd, choice=key)
            PooledChoice.objects.filter(pk=pooled.pk).update(
                weight_micro=F("weight_micro") + weight_to_micro(weight[0]),
                members=F("members") + 1,
            )
        ballot.receipt = None
        if rnd.log_opening is not None:  # rounds opened before the log existed have none
            rnd.election = election
            ballot.receipt = election_log.append_ballot(
                rnd,
                election,
                ballot_id=ballot.public_id,
                member_code=member.code,
                choice=stored,
                at=now,
            )
        record("election.ballot", actor=actor, association=association, obj=election)
        hooks.emit(hooks.ElectionBallotAccepted(election=election, round=rnd))
    return ballot


def round_ballots(rnd: Round) -> list[dict]:
    """The round's ballots as the published record holds them (see core.elections.record)."""
    if rnd.election.is_secret:
        return [
            {
                "choice": votelog.loads_canonical(p.choice.encode()),
                "weight": votelog.canonical_decimal(micro_to_weight(p.weight_micro)),
                "members": p.members,
            }
            for p in rnd.pooled.all()
        ]
    weights = dict(rnd.register.values_list("member_id", "weight"))
    return [
        {
            "member": b.member.code,
            "choice": b.choice["choice"],
            "weight": votelog.canonical_decimal(Decimal(weights[b.member_id])),
        }
        for b in rnd.ballots.select_related("member")
    ]


def count(rnd: Round):
    """The round's result from what is stored: reproducible at any time after the close."""
    election = rnd.election
    first = None
    if election.method == Election.Method.TWO_ROUND and rnd.number > 1:
        previous = election.rounds.get(number=rnd.number - 1)
        first = core_record.result_from_json(previous.result)
    return core_record.count_round(
        method=election.method,
        seats=election.seats,
        candidates=rnd.candidates,
        ballots=round_ballots(rnd),
        nonce=rnd.nonce,
        max_approvals=election.max_approvals,
        first_round=first,
    )


def do_close_round(*, actor, election: Election, now: datetime | None = None) -> Round:
    """Close the open round: fix the lot's seed from the ballots, count, and decide the
    election unless a second round is needed."""
    association = election.meeting.association
    access.require_chair(actor, association)
    with transaction.atomic():
        election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
        rnd = Round.objects.select_for_update().filter(election=election).order_by("-number")
        rnd = rnd.first()
        if rnd is None or rnd.status != Round.Status.OPEN:
            raise Conflict(_("No round of this election is open."))
        now = now or timezone.now()
        rnd.election = election
        ballots = round_ballots(rnd)
        rnd.seed = core_record.lot_seed(rnd.nonce, ballots).hex()
        if rnd.log_opening is not None:
            election_log.finish(
                rnd,
                ballots=rnd.ballots.count(),
                ballots_digest=core_record.ballots_digest(ballots),
                at=now,
            )
        result = count(rnd)
        rnd.result = core_record.result_json(result)
        rnd.status = Round.Status.CLOSED
        rnd.closed_at = now
        rnd.closed_by = actor
        rnd.save(update_fields=["seed", "result", "status", "closed_at", "closed_by"])
        record(
            "election.round_closed",
            actor=actor,
            association=association,
            obj=election,
            round=rnd.number,
            outcome=rnd.result["outcome"],
            seed=rnd.seed,
        )
        if rnd.result["outcome"] != "second_round":
            _decide(election, rnd, actor, now)
        hooks.emit(hooks.ElectionRoundClosed(election=election, round=rnd, actor=actor))
    return rnd


def _decide(election: Election, rnd: Round, actor, now: datetime) -> None:
    """The elected become members of the body for the election's term; publish."""
    by_key = {c.key: c for c in election.candidacies.all()}
    for key in rnd.result.get("elected", []):
        c = by_key[key]
        Membership.objects.create(
            body=election.body,
            name=c.name,
            function=c.function,
            member=c.member,
            user=c.user,
            starts_on=election.term_starts,
            ends_on=election.term_ends,
            election=election,
            candidacy=c,
        )
    election.status = Election.Status.DECIDED
    election.decided_at = now
    election.save(update_fields=["status", "decided_at"])
    # An entry of the meeting's decision list (besluitenlijst), in Dutch like the polls'.
    elected = [by_key[k].name for k in rnd.result.get("elected", [])]
    term = f"{election.term_starts:%d-%m-%Y} tot en met {election.term_ends:%d-%m-%Y}"
    election.decision = Decision.objects.create(
        meeting=election.meeting,
        agenda_item=election.agenda_item,
        method=Decision.Method.ACCLAMATION if rnd.unopposed else Decision.Method.POLL,
        outcome=Decision.Outcome.ADOPTED if elected else Decision.Outcome.NO_MAJORITY,
        subject=election.title[:300],
        text=(
            f"Gekozen{' zonder tegenkandidaat' if rnd.unopposed else ''} als lid van "
            f"{election.body.name}: {', '.join(elected)}; zittingstermijn {term}."
            if elected
            else "Niemand is gekozen."
        ),
        recorded_at=now,
        recorded_by=actor,
    )
    election.save(update_fields=["decision"])
    record(
        "election.decided",
        actor=actor,
        association=election.meeting.association,
        obj=election,
        elected=[by_key[k].name for k in rnd.result.get("elected", [])],
    )


def get_election(public_id) -> Election:
    try:
        return Election.objects.select_related("meeting__association", "body").get(
            public_id=public_id
        )
    except (Election.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such election.")) from exc
