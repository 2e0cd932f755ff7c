"""Paper ballots: a named one entered by the secretariat; a secret poll's paper round
counted by the tellers and signed off by a second person."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Member
from besluit.attendance.models import PaperBallot, PaperRound
from besluit.audit.services import record
from besluit.core import safetext
from besluit.errors import Conflict, ValidationFailed
from besluit.voting import paper_round
from besluit.voting import services as voting
from besluit.voting.casting import Receipt
from besluit.voting.models import Ballot, Poll, RegisterEntry


def _name(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Say who handed in the ballot."), field=field)
    if problem := safetext.problem(text):
        raise ValidationFailed(problem, field=field)
    return text[:200]


def do_enter_paper_ballot(
    *,
    actor,
    poll: Poll,
    member: Member,
    option_key: str,
    handed_in_by: str,
    handed_in_at: datetime | None = None,
    request_key: str = "",
    ip: str | None = None,
) -> Receipt:
    """The secretariat enters a member's named paper ballot: the same rules, receipt and
    log leaf as a digital one (voting.casting), marked as paper, with who handed it in."""
    access.require_administer(actor, poll.meeting.association)
    if poll.is_secret:
        raise ValidationFailed(
            _("The paper ballots of a secret poll are counted by the tellers."), field="member"
        )
    handed_in_by = _name(handed_in_by, "handed_in_by")
    earlier = Ballot.objects.filter(poll=poll, member=member).first()
    if earlier is not None and not earlier.on_paper and not request_key:
        raise Conflict(
            _("%(member)s has voted digitally already; a paper ballot is not accepted.")
            % {"member": member},
            field="member",
        )
    now = timezone.now()
    with transaction.atomic():
        receipt = voting.cast_ballot(
            actor=actor,
            poll=poll,
            option_key=option_key,
            request_key=request_key,
            ip=ip,
            for_member=member.code,
            paper=True,
        )
        if not receipt.replayed:
            ballot = Ballot.objects.get(public_id=receipt.ballot_id)
            PaperBallot.objects.create(
                ballot=ballot,
                handed_in_by=handed_in_by,
                handed_in_at=min(handed_in_at or now, now),
                entered_by=actor,
                entered_at=now,
            )
            record(
                "paper_ballot.entered",
                actor=actor,
                association=poll.meeting.association,
                obj=poll,
                ip=ip,
                member=member.code,
                ballot=str(receipt.ballot_id),
                handed_in_by=handed_in_by,
            )
    return receipt


def _totals(poll: Poll, totals: dict) -> dict[str, dict[str, str | int]]:
    keys = {o.key for o in poll.options.all()}
    clean: dict[str, dict[str, str | int]] = {}
    for key, value in totals.items():
        if key not in keys:
            raise ValidationFailed(_("Unknown option %(key)s.") % {"key": key}, field="totals")
        try:
            members = int(value.get("members", 0))
            weight = Decimal(str(value.get("weight", "0")))
        except (AttributeError, TypeError, ValueError, InvalidOperation) as exc:
            raise ValidationFailed(_("Give numbers for every option."), field="totals") from exc
        if members < 0 or weight < 0 or not weight.is_finite():
            raise ValidationFailed(_("Totals cannot be negative."), field="totals")
        clean[key] = {"members": members, "weight": str(weight)}
    return clean


def do_enter_paper_round(
    *, actor, poll: Poll, members: list[Member], totals: dict, now: datetime | None = None
) -> PaperRound:
    """A teller enters a secret poll's paper round: who handed in a ballot, and the
    totals per option. It counts only after a second person signs it off."""
    access.require_administer(actor, poll.meeting.association)
    if not poll.is_secret:
        raise ValidationFailed(_("Enter a named poll's paper ballots one by one."))
    if poll.status != Poll.Status.OPEN:
        raise Conflict(_("This poll is not open."))
    if not members:
        raise ValidationFailed(_("Say who handed in a paper ballot."), field="members")
    clean = _totals(poll, totals)
    ids = [m.pk for m in members]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("A member is listed twice."), field="members")
    in_register = RegisterEntry.objects.filter(poll=poll, member_id__in=ids).count()
    if in_register != len(ids):
        raise ValidationFailed(_("A member is not in this poll's register."), field="members")
    if Ballot.objects.filter(poll=poll, member_id__in=ids).exists():
        raise Conflict(_("A listed member has voted already."), field="members")
    with transaction.atomic():
        if PaperRound.objects.filter(poll=poll).exists():
            raise Conflict(_("This poll has a paper round already."))
        paper = PaperRound.objects.create(
            poll=poll, totals=clean, entered_by=actor, entered_at=now or timezone.now()
        )
        paper.members.set(members)
        record(
            "paper_round.entered",
            actor=actor,
            association=poll.meeting.association,
            obj=poll,
            members=len(ids),
            totals=clean,
        )
    return paper


def do_sign_paper_round(*, actor, paper: PaperRound, now: datetime | None = None) -> PaperRound:
    """A second teller (not the one who entered it) signs the round off: it counts."""
    poll = paper.poll
    access.require_administer(actor, poll.meeting.association)
    if paper.entered_by_id == actor.pk:
        raise Conflict(_("A second person signs the paper round off, not the one who entered it."))
    with transaction.atomic():
        paper = PaperRound.objects.select_for_update().get(pk=paper.pk)
        if paper.status != PaperRound.Status.ENTERED:
            raise Conflict(_("This paper round is signed off already."))
        totals = {key: (Decimal(v["weight"]), int(v["members"])) for key, v in paper.totals.items()}
        try:
            paper_round.cast_paper_round(
                poll.pk, list(paper.members.values_list("pk", flat=True)), totals, now=now
            )
        except ValidationFailed as exc:
            raise ValidationFailed(
                _("The totals do not match the members who handed in a ballot.")
                + f" ({exc.message})"
            ) from exc
        paper.status = PaperRound.Status.SIGNED
        paper.signed_by = actor
        paper.signed_at = now or timezone.now()
        paper.save(update_fields=["status", "signed_by", "signed_at"])
        record(
            "paper_round.signed",
            actor=actor,
            association=poll.meeting.association,
            obj=poll,
            entered_by=paper.entered_by_id,
        )
    return paper
