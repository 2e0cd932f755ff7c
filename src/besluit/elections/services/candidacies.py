"""Bodies, elections and candidacies: nominate, consent, withdraw, statement, voordracht.

Every function validates, checks access, changes state in one transaction and writes
its audit event there. Messages are English msgids, translated when raised (the
reader's language, Dutch by default).
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Association, Member
from besluit.audit.services import record
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.uploads import PHOTO_TYPES, check_upload

from ..models import Body, Candidacy, CandidatePhoto, Election

STATEMENT_MAX = 2000
PHOTO_MAX_BYTES = 2 * 1024 * 1024


def do_create_body(*, actor, association: Association, kind: str, name: str) -> Body:
    access.require_administer(actor, association)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the body a name."), field="name")
    if kind not in Body.Kind.values:
        raise ValidationFailed(_("Choose the board or a committee."), field="kind")
    if Body.objects.filter(association=association, name=name).exists():
        raise Conflict(_("A body with this name exists already."), field="name")
    with transaction.atomic():
        body = Body.objects.create(association=association, kind=kind, name=name)
        record("body.created", actor=actor, association=association, obj=body)
    return body


def do_create_election(
    *,
    actor,
    meeting: Meeting,
    body: Body,
    title: str,
    seats: int,
    term_starts: date,
    term_ends: date,
    method: str,
    nomination_deadline: datetime,
    max_approvals: int | None = None,
    is_secret: bool = True,
    late_nominations: str = Election.LateNominations.REFUSED,
    allow_unopposed: bool = True,
    who_may_stand: str = "",
    agenda_item: AgendaItem | None = None,
) -> Election:
    association = meeting.association
    access.require_chair(actor, association)
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))
    if body.association_id != association.pk:
        raise ValidationFailed(_("That body belongs to another association."), field="body")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationFailed(
            _("That agenda item belongs to another meeting."), field="agenda_item"
        )
    if not title.strip():
        raise ValidationFailed(_("Give the election a title."), field="title")
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= 100:
        raise ValidationFailed(_("The number of seats is from 1 to 100."), field="seats")
    if method not in Election.Method.values:
        raise ValidationFailed(_("Choose a kind of ballot."), field="method")
    if method == Election.Method.TWO_ROUND and seats != 1:
        raise ValidationFailed(
            _("A ballot with one name and a second round fills one seat."), field="method"
        )
    if method == Election.Method.APPROVAL:
        max_approvals = max_approvals or seats
        if not 1 <= max_approvals <= 100:
            raise ValidationFailed(
                _("The number of approvals per ballot is from 1 to 100."), field="max_approvals"
            )
    else:
        max_approvals = 1
    if term_ends <= term_starts:
        raise ValidationFailed(_("The term must end after it starts."), field="term_ends")
    if late_nominations not in Election.LateNominations.values:
        raise ValidationFailed(_("Choose how late nominations are handled."), field="late")
    with transaction.atomic():
        election = Election.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            body=body,
            title=title.strip()[:300],
            seats=seats,
            term_starts=term_starts,
            term_ends=term_ends,
            method=method,
            max_approvals=max_approvals,
            is_secret=is_secret,
            nomination_deadline=nomination_deadline,
            late_nominations=late_nominations,
            allow_unopposed=allow_unopposed,
            who_may_stand=who_may_stand.strip(),
        )
        record("election.created", actor=actor, association=association, obj=election)
    return election


def do_nominate(
    *,
    actor,
    election: Election,
    name: str,
    function: str = "",
    member: Member | None = None,
    user=None,
    by_board: bool = False,
    statement: str = "",
    now: datetime | None = None,
) -> Candidacy:
    """Nominate a candidate: by the board (board, chair, secretariat) or by a member
    (its representative). After the deadline a nomination is refused, or stored as
    late for the chair to admit, as the association's rule says."""
    association = election.meeting.association
    now = now or timezone.now()
    nominating_member = None
    if by_board:
        access.require(
            access.can_give_pre_advice(actor, association),
            _("Only the board, the chair or the secretariat nominate for the board."),
        )
    else:
        nominating_member = access.represented_member(actor, association)
        if nominating_member is None:
            raise PermissionDenied(_("Only a member's representative may nominate."))
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the candidate's name."), field="name")
    if len(statement) > STATEMENT_MAX:
        raise ValidationFailed(
            _("The statement is at most %(n)d characters.") % {"n": STATEMENT_MAX},
            field="statement",
        )
    if member is not None and member.association_id != association.pk:
        raise ValidationFailed(_("That member belongs to another association."), field="member")
    late = now > election.nomination_deadline
    if late and election.late_nominations == Election.LateNominations.REFUSED:
        raise Conflict(
            _("The deadline for nominations passed on %(when)s; nothing was stored.")
            % {"when": timezone.localtime(election.nomination_deadline).strftime("%d-%m-%Y %H:%M")},
            field="name",
        )
    with transaction.atomic():
        election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
        if election.status != Election.Status.NOMINATING:
            raise Conflict(_("Nominations for this election are closed."))
        if (
            election.candidacies.exclude(status=Candidacy.Status.WITHDRAWN)
            .filter(name__iexact=name)
            .exists()
        ):
            raise Conflict(_("%(name)s is nominated already.") % {"name": name}, field="name")
        number = (election.candidacies.aggregate(n=Max("number"))["n"] or 0) + 1
        candidacy = Candidacy.objects.create(
            election=election,
            number=number,
            name=name[:200],
            function=function.strip()[:200],
            member=member,
            user=user,
            by_board=by_board,
            nominated_by_member=nominating_member,
            nominated_by=actor,
            nominated_at=now,
            is_late=late,
            admitted=not late,
            statement=statement.strip(),
            recommended=by_board,
        )
        record(
            "candidacy.nominated",
            actor=actor,
            association=association,
            obj=candidacy,
            election=election.pk,
            late=late,
        )
    return candidacy


def _may_speak_for(actor, candidacy: Candidacy) -> bool:
    """The candidate, or the secretariat recording what the candidate said in writing."""
    own = candidacy.user_id is not None and getattr(actor, "pk", None) == candidacy.user_id
    return own or access.can_administer(actor, candidacy.election.meeting.association)


def _locked(candidacy: Candidacy) -> Candidacy:
    locked = Candidacy.objects.select_for_update().select_related("election").get(pk=candidacy.pk)
    if locked.election.status != Election.Status.NOMINATING:
        raise Conflict(_("Voting has started; the candidates are fixed."))
    return locked


def do_consent(*, actor, candidacy: Candidacy, accept: bool, now=None) -> Candidacy:
    association = candidacy.election.meeting.association
    access.require(
        _may_speak_for(actor, candidacy),
        _("Only the candidate (or the secretariat on the candidate's behalf) may do this."),
    )
    with transaction.atomic():
        candidacy = _locked(candidacy)
        if candidacy.status == Candidacy.Status.WITHDRAWN:
            raise Conflict(_("This candidacy has been withdrawn."))
        candidacy.status = Candidacy.Status.ACCEPTED if accept else Candidacy.Status.DECLINED
        candidacy.consented_at = now or timezone.now()
        candidacy.save(update_fields=["status", "consented_at"])
        record(
            "candidacy.accepted" if accept else "candidacy.declined",
            actor=actor,
            association=association,
            obj=candidacy,
        )
    return candidacy


def do_withdraw(*, actor, candidacy: Candidacy) -> Candidacy:
    association = candidacy.election.meeting.association
    access.require(
        _may_speak_for(actor, candidacy),
        _("Only the candidate (or the secretariat on the candidate's behalf) may do this."),
    )
    with transaction.atomic():
        candidacy = _locked(candidacy)
        candidacy.status = Candidacy.Status.WITHDRAWN
        candidacy.recommended = False
        candidacy.save(update_fields=["status", "recommended"])
        record("candidacy.withdrawn", actor=actor, association=association, obj=candidacy)
    return candidacy


def do_set_statement(*, actor, candidacy: Candidacy, statement: str, photo=None) -> Candidacy:
    """The candidate's short statement, and optionally a photo (JPEG or PNG, ≤ 2 MB)."""
    association = candidacy.election.meeting.association
    access.require(
        _may_speak_for(actor, candidacy),
        _("Only the candidate (or the secretariat on the candidate's behalf) may do this."),
    )
    if len(statement) > STATEMENT_MAX:
        raise ValidationFailed(
            _("The statement is at most %(n)d characters.") % {"n": STATEMENT_MAX},
            field="statement",
        )
    kind = None
    if photo is not None:
        kind = check_upload(
            photo, allowed_types=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, field="photo"
        )
    with transaction.atomic():
        candidacy = _locked(candidacy)
        candidacy.statement = statement.strip()
        candidacy.save(update_fields=["statement"])
        if photo is not None:
            CandidatePhoto.objects.filter(candidacy=candidacy).delete()
            CandidatePhoto(candidacy=candidacy).store(photo, kind, PHOTO_TYPES)
        record("candidacy.statement", actor=actor, association=association, obj=candidacy)
    return candidacy


def do_recommend(*, actor, candidacy: Candidacy, recommended: bool) -> Candidacy:
    """The board's recommendation (voordracht) for a candidate, or its withdrawal."""
    association = candidacy.election.meeting.association
    access.require(
        access.can_give_pre_advice(actor, association),
        _("Only the board, the chair or the secretariat may do this."),
    )
    with transaction.atomic():
        candidacy = _locked(candidacy)
        if recommended and candidacy.status == Candidacy.Status.WITHDRAWN:
            raise Conflict(_("This candidacy has been withdrawn."))
        candidacy.recommended = recommended
        candidacy.save(update_fields=["recommended"])
        record(
            "candidacy.recommended",
            actor=actor,
            association=association,
            obj=candidacy,
            recommended=recommended,
        )
    return candidacy


def do_admit_late(*, actor, candidacy: Candidacy, admit: bool = True) -> Candidacy:
    association = candidacy.election.meeting.association
    access.require_chair(actor, association)
    with transaction.atomic():
        candidacy = _locked(candidacy)
        if not candidacy.is_late:
            raise Conflict(_("This nomination was not late."))
        candidacy.admitted = admit
        if not admit:
            candidacy.status = Candidacy.Status.WITHDRAWN
        candidacy.save(update_fields=["admitted", "status"])
        record(
            "candidacy.admitted" if admit else "candidacy.not_admitted",
            actor=actor,
            association=association,
            obj=candidacy,
        )
    return candidacy
