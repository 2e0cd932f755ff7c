"""Creating a poll and opening it (the register frozen, a secret poll's key checked)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.associations.selectors import weighted_register
from besluit.audit.services import record
from besluit.core import voting as core
from besluit.core.ballotcrypto.elgamal import choose_decimals
from besluit.errors import Conflict, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, Proposal, SubmissionStatus
from besluit.voting import log as vote_log
from besluit.voting import trustees
from besluit.voting.models import (
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
        agenda_item = agenda_item_of(proposal, amendment, motion)
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


def agenda_item_of(proposal, amendment, motion) -> AgendaItem | None:
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
