"""API endpoints: parse, call one service or selector, shape the answer."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from besluit import access
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.router import api
from besluit.associations.models import Association, Member
from besluit.associations.selectors import members_register
from besluit.core.voting import share_text
from besluit.errors import Conflict, NotFound, ValidationFailed
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import Amendment, Motion, Proposal
from besluit.voting import encrypted
from besluit.voting import log as vote_log
from besluit.voting import selectors as voting_selectors
from besluit.voting import services as voting
from besluit.voting.models import Poll


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _association(request, slug: str) -> Association:
    association = Association.objects.filter(slug=slug).first()
    if association is None or not access.can_view(request.user, association):
        raise NotFound(f"No association '{slug}'.")
    return association


def _meeting(request, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("association").filter(pk=meeting_id).first()
    if meeting is None or not access.can_view(request.user, meeting.association):
        raise NotFound(f"No meeting {meeting_id}.")
    return meeting


def _poll(request, poll_id: UUID) -> Poll:
    poll = voting.get_poll(poll_id)
    if not access.can_view(request.user, poll.meeting.association):
        raise NotFound("No such poll.")
    return poll


def _members_by_code(association: Association, codes: list[str]) -> list[Member]:
    wanted = [c.strip().upper() for c in codes]
    found = {m.code: m for m in association.members.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed(
            f"Unknown member code(s): {', '.join(missing)}.", field="coSubmitters"
        )
    return [found[c] for c in wanted]


# --- associations and members ---------------------------------------------


ASSOCIATION_SORT = Sorting(
    fields={"name": lambda a: a.name, "slug": lambda a: a.slug},
    default="name",
    unique=lambda a: a.slug,
)


@api.get(
    "/associations",
    response=list[s.AssociationOut],
    tags=["associations"],
    description=ASSOCIATION_SORT.describe(),
)
def list_associations(request, response: HttpResponse, params: Query[ListParams]):
    visible = [a for a in Association.objects.all() if access.can_view(request.user, a)]
    return paginate(request, response, visible, params, ASSOCIATION_SORT)


@api.get("/associations/{slug}", response=s.AssociationOut, tags=["associations"])
def get_association(request, slug: str):
    return _association(request, slug)


MEMBER_SORT = Sorting(
    fields={
        "name": lambda m: m.name,
        "code": lambda m: m.code,
        "province": lambda m: m.province,
        "inhabitants": lambda m: m.inhabitants,
        "weight": lambda m: m.weight or 0,
    },
    default="name",
    unique=lambda m: m.code,
)


@api.get(
    "/associations/{slug}/members",
    response=list[s.MemberOut],
    tags=["members"],
    description="Filter with province, network and eligible. " + MEMBER_SORT.describe(),
)
def list_members(
    request,
    response: HttpResponse,
    slug: str,
    params: Query[ListParams],
    province: str | None = None,
    network: str | None = None,
    eligible: bool | None = None,
):
    association = _association(request, slug)
    rows, has_rule = members_register(association, timezone.localdate())
    members = [
        s.MemberOut(
            code=row.member.code,
            name=row.member.name,
            province=row.member.province,
            kind=row.member.kind,
            networks=[n.code for n in row.member.networks.all()],
            inhabitants=row.inhabitants,
            reference_date=row.reference_date,
            weight=row.weight if has_rule else None,
            weight_status=(
                "overridden" if row.is_overridden else "computed" if has_rule else "none yet"
            ),
            weight_overridden=row.is_overridden,
            share=round(row.share, 8) if has_rule else None,
            eligible=row.eligible,
        )
        for row in rows
    ]
    members = [
        m
        for m in members
        if (province is None or m.province == province)
        and (network is None or network in m.networks)
        and (eligible is None or m.eligible == eligible)
    ]
    filters = ("province", "network", "eligible")
    return paginate(request, response, members, params, MEMBER_SORT, filters=filters)


# --- meetings -------------------------------------------------------------


def _meeting_out(m: Meeting) -> s.MeetingOut:
    return s.MeetingOut(
        association=m.association.slug,
        **{f: getattr(m, f) for f in s.MeetingOut.model_fields if f != "association"},
    )


MEETING_SORT = Sorting(
    fields={"startsAt": lambda m: m.starts_at, "title": lambda m: m.title, "id": lambda m: m.id},
    default="-startsAt",
    unique=lambda m: m.id,
)


@api.get(
    "/meetings",
    response=list[s.MeetingOut],
    tags=["meetings"],
    description="Filter with association (slug), kind and status. " + MEETING_SORT.describe(),
)
def list_meetings(
    request,
    response: HttpResponse,
    params: Query[ListParams],
    association: str | None = None,
    kind: str | None = None,
    status: str | None = None,
):
    qs = Meeting.objects.select_related("association")
    if association:
        qs = qs.filter(association__slug=association)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    meetings = [_meeting_out(m) for m in qs if access.can_view(request.user, m.association)]
    filters = ("association", "kind", "status")
    return paginate(request, response, meetings, params, MEETING_SORT, filters=filters)


@api.get("/meetings/{meeting_id}", response=s.MeetingOut, tags=["meetings"])
def get_meeting(request, meeting_id: s.Id):
    return _meeting_out(_meeting(request, meeting_id))


AGENDA_SORT = Sorting(
    fields={"position": lambda i: i[0], "number": lambda i: i[1].number},
    default="position",
    unique=lambda i: i[1].id,
)


def _agenda_item_out(i: AgendaItem, proposal_id: int | None) -> s.AgendaItemOut:
    return s.AgendaItemOut(
        id=i.id,
        number=i.number,
        title=i.title,
        requested_decision=i.requested_decision,
        explanation=i.explanation,
        proposal_id=proposal_id,
    )


@api.get(
    "/meetings/{meeting_id}/agenda-items",
    response=list[s.AgendaItemOut],
    tags=["meetings"],
    description=AGENDA_SORT.describe(),
)
def list_agenda_items(request, response: HttpResponse, meeting_id: s.Id, params: Query[ListParams]):
    meeting = _meeting(request, meeting_id)
    proposal_ids = dict(
        Proposal.objects.filter(agenda_item__meeting=meeting).values_list("agenda_item_id", "id")
    )
    items = [
        (position, _agenda_item_out(i, proposal_ids.get(i.id)))
        for position, i in enumerate(meeting.agenda_items.all())
    ]
    return [item for _, item in paginate(request, response, items, params, AGENDA_SORT)]


# --- motions and amendments -----------------------------------------------


def _submission_fields(x) -> dict:
    return {
        "id": x.id,
        "number": x.number,
        "display_title": x.display_title,
        "submitter": x.submitter.code,
        "co_submitters": [m.code for m in x.co_submitters.all()],
        "submitted_at": x.submitted_at,
        "is_late": x.is_late,
        "status": x.status,
        "pre_advice": x.pre_advice,
        "pre_advice_reason": x.pre_advice_reason,
        "explanation": x.explanation,
    }


def _motion_out(m: Motion) -> s.MotionOut:
    return s.MotionOut(
        **_submission_fields(m),
        meeting_id=m.meeting_id,
        agenda_item_id=m.agenda_item_id,
        title=m.title,
        considerations=m.considerations,
        request=m.request,
    )


def _amendment_out(a: Amendment) -> s.AmendmentOut:
    return s.AmendmentOut(
        **_submission_fields(a),
        proposal_id=a.proposal_id,
        passage=a.passage,
        old_text=a.old_text,
        new_text=a.new_text,
    )


SUBMISSION_SORT = Sorting(
    fields={
        "number": lambda x: x.number,
        "submittedAt": lambda x: x.submitted_at,
        "status": lambda x: x.status,
        "submitter": lambda x: x.submitter,
    },
    default="number",
    unique=lambda x: x.id,
)


class SubmissionFilters(Schema):
    """The filters of the motions and amendments collections."""

    status: str | None = None
    submitter: str | None = None
    is_late: bool | None = Field(None, alias="isLate")

    def apply(self, items: list) -> list:
        submitter = self.submitter.strip().upper() if self.submitter is not None else None
        return [
            x
            for x in items
            if (self.status is None or x.status == self.status)
            and (submitter is None or x.submitter == submitter)
            and (self.is_late is None or x.is_late == self.is_late)
        ]


SUBMISSIONS = (
    "Filter with status, submitter (member code) and isLate. " + SUBMISSION_SORT.describe()
)


@api.get(
    "/motions",
    response=list[s.MotionOut],
    tags=["motions"],
    description="The motions of a meeting. " + SUBMISSIONS,
)
def list_motions(
    request,
    response: HttpResponse,
    meeting: s.Id,
    params: Query[ListParams],
    filters: Query[SubmissionFilters],
):
    m = _meeting(request, meeting)
    qs = m.motions.select_related("submitter").prefetch_related("co_submitters")
    motions = filters.apply([_motion_out(x) for x in qs])
    return paginate(request, response, motions, params, SUBMISSION_SORT)


@api.get("/motions/{motion_id}", response=s.MotionOut, tags=["motions"])
def get_motion(request, motion_id: s.Id):
    motion = get_object_or_404(Motion.objects.select_related("submitter"), pk=motion_id)
    _meeting(request, motion.meeting_id)
    return _motion_out(motion)


@api.post("/motions", response={201: s.MotionOut}, tags=["motions"])
def submit_motion(request, body: s.MotionIn):
    meeting = _meeting(request, body.meeting_id)
    item = None
    if body.agenda_item_id is not None:
        item = meeting.agenda_items.filter(pk=body.agenda_item_id).first()
        if item is None:
            raise ValidationFailed("No such agenda item in this meeting.", field="agendaItemId")
    motion = proposals.do_submit_motion(
        actor=request.user,
        meeting=meeting,
        title=body.title,
        considerations=body.considerations,
        request=body.request,
        explanation=body.explanation,
        agenda_item=item,
        co_submitters=_members_by_code(meeting.association, body.co_submitters),
    )
    return Status(201, _motion_out(motion))


@api.get(
    "/amendments",
    response=list[s.AmendmentOut],
    tags=["amendments"],
    description="The amendments in a meeting. " + SUBMISSIONS,
)
def list_amendments(
    request,
    response: HttpResponse,
    meeting: s.Id,
    params: Query[ListParams],
    filters: Query[SubmissionFilters],
):
    m = _meeting(request, meeting)
    qs = (
        Amendment.objects.filter(proposal__agenda_item__meeting=m)
        .select_related("submitter")
        .prefetch_related("co_submitters")
    )
    amendments = filters.apply([_amendment_out(x) for x in qs])
    return paginate(request, response, amendments, params, SUBMISSION_SORT)


@api.get("/amendments/{amendment_id}", response=s.AmendmentOut, tags=["amendments"])
def get_amendment(request, amendment_id: s.Id):
    a = get_object_or_404(
        Amendment.objects.select_related("submitter", "proposal__agenda_item"), pk=amendment_id
    )
    _meeting(request, a.proposal.agenda_item.meeting_id)
    return _amendment_out(a)


@api.post("/amendments", response={201: s.AmendmentOut}, tags=["amendments"])
def submit_amendment(request, body: s.AmendmentIn):
    proposal = (
        Proposal.objects.select_related("agenda_item__meeting__association")
        .filter(pk=body.proposal_id)
        .first()
    )
    if proposal is None or not access.can_view(
        request.user, proposal.agenda_item.meeting.association
    ):
        raise NotFound(f"No proposal {body.proposal_id}.")
    amendment = proposals.do_submit_amendment(
        actor=request.user,
        proposal=proposal,
        passage=body.passage,
        old_text=body.old_text,
        new_text=body.new_text,
        explanation=body.explanation,
        co_submitters=_members_by_code(
            proposal.agenda_item.meeting.association, body.co_submitters
        ),
    )
    return Status(201, _amendment_out(amendment))


# --- polls, ballots, results ----------------------------------------------


def _poll_out(p: Poll) -> s.PollOut:
    return s.PollOut(
        id=p.public_id,
        meeting_id=p.meeting_id,
        agenda_item_id=p.agenda_item_id,
        subject=p.subject,
        title=p.title,
        question=p.question,
        is_secret=p.is_secret,
        majority=p.majority,
        abstentions=p.abstentions,
        quorum=p.quorum,
        allow_change=p.allow_change,
        status=p.status,
        closes_at=p.closes_at,
        opened_at=p.opened_at,
        closed_at=p.closed_at,
        options=[
            s.OptionOut(key=o.key, label=o.label, is_abstention=o.is_abstention)
            for o in p.options.all()
        ],
        election_key=p.election.public_key if p.election_id else None,
    )


POLL_SORT = Sorting(
    fields={
        "created": lambda p: p[0],
        "openedAt": lambda p: p[1].opened_at,
        "closedAt": lambda p: p[1].closed_at,
        "title": lambda p: p[1].title,
    },
    default="created",
    unique=lambda p: p[0],
)


@api.get(
    "/polls",
    response=list[s.PollOut],
    tags=["polls"],
    description="The polls of a meeting. Filter with status and subject. " + POLL_SORT.describe(),
)
def list_polls(
    request,
    response: HttpResponse,
    meeting: s.Id,
    params: Query[ListParams],
    status: str | None = None,
    subject: str | None = None,
):
    m = _meeting(request, meeting)
    qs = m.polls.select_related("election").prefetch_related("options").order_by("created_at", "id")
    if status:
        qs = qs.filter(status=status)
    if subject:
        qs = qs.filter(subject=subject)
    polls = [(p.id, _poll_out(p)) for p in qs]
    return [p for _, p in paginate(request, response, polls, params, POLL_SORT)]


@api.get("/polls/{poll_id}", response=s.PollOut, tags=["polls"])
def get_poll(request, poll_id: UUID):
    return _poll_out(_poll(request, poll_id))


@api.post("/polls/{poll_id}/open", response=s.PollOut, tags=["polls"])
def open_poll(request, poll_id: UUID):
    return _poll_out(voting.do_open_poll(actor=request.user, poll=_poll(request, poll_id)))


@api.post("/polls/{poll_id}/close", response=s.PollOut, tags=["polls"])
def close_poll(request, poll_id: UUID):
    return _poll_out(voting.do_close_poll(actor=request.user, poll=_poll(request, poll_id)))


@api.post(
    "/polls/{poll_id}/ballots",
    response={201: s.ReceiptOut, 200: s.ReceiptOut},
    tags=["ballots"],
    summary="Cast the ballot of the member you represent",
    description="201 for a new ballot; 200 when the same requestKey is retried (the same "
    "ballot comes back); 409 when the member voted already or the poll is not open; 403 when "
    "you represent no member in its register.",
)
def cast_ballot(request, poll_id: UUID, body: s.BallotIn):
    poll = _poll(request, poll_id)
    receipt = voting.cast_ballot(
        actor=request.user,
        poll=poll,
        option_key=body.option,
        request_key=body.request_key,
        ip=client_ip(request),
        for_member=body.member,
    )
    return Status(200 if receipt.replayed else 201, s.ReceiptOut.of(receipt))


@api.post(
    "/polls/{poll_id}/sealed-ballots",
    response={201: s.SealedReceiptOut, 200: s.SealedReceiptOut},
    tags=["ballots"],
    summary="Cast the encrypted ballot of the member you represent (secret polls with trustees)",
    description="The client encrypts the choice itself (docs/ballot-encryption.md); the "
    "server checks the proofs against the voter binding of your member and requestKey and "
    "stores the ciphertext. 201 for a new ballot; 200 when the same requestKey is retried; "
    "400 when the proofs fail; 409 when the member voted already or the poll is not open.",
)
def cast_sealed_ballot(request, poll_id: UUID, body: s.SealedBallotIn):
    poll = _poll(request, poll_id)
    receipt = encrypted.cast_sealed(
        poll.pk,
        encrypted.SealedRequest(
            user_id=request.user.pk,
            ballot=bytes.fromhex(body.ballot) if len(body.ballot) % 2 == 0 else b"",
            request_key=body.request_key,
            ip=client_ip(request),
            for_member=body.member,
        ),
    )
    return Status(
        200 if receipt.replayed else 201,
        s.SealedReceiptOut(
            poll_id=receipt.poll_id,
            tracker=receipt.tracker,
            voter=receipt.voter,
            replayed=receipt.replayed,
            log_receipt=receipt.log_receipt,
        ),
    )


@api.get(
    "/polls/{poll_id}/bundle",
    response={200: dict},
    tags=["results"],
    summary="The signed poll bundle: register, vote log, choices (named polls), totals",
    description="Served exactly as stored, byte for byte: check it with `besluit verify`.",
)
def get_bundle(request, poll_id: UUID):
    poll = _poll(request, poll_id)
    if poll.status != Poll.Status.CLOSED or poll.result is None:
        raise Conflict("The poll is not decided: its bundle is published with the result.")
    return HttpResponse(vote_log.bundle_bytes(poll), content_type="application/json")


@api.get("/polls/{poll_id}/participation", response=s.ParticipationOut, tags=["results"])
def get_participation(request, poll_id: UUID):
    poll = _poll(request, poll_id)
    p = voting_selectors.participation(poll)
    return s.ParticipationOut(
        poll_id=poll.public_id,
        status=poll.status,
        voted_members=p.voted_members,
        eligible_members=p.eligible_members,
        voted_weight=p.voted_weight,
        eligible_weight=p.eligible_weight,
    )


def _totals(options) -> list[s.OptionTotalOut]:
    return [
        s.OptionTotalOut(
            key=o.key,
            label=o.label,
            is_abstention=o.is_abstention,
            weight=o.weight,
            members=o.members,
            share=share_text(o.share),  # the same text as the open data (Popolo, CSV)
        )
        for o in options
    ]


@api.get("/polls/{poll_id}/results", response=s.ResultOut, tags=["results"])
def get_results(request, poll_id: UUID):
    poll = _poll(request, poll_id)
    result = poll.outcome
    if result is None:
        raise Conflict("The poll is not closed: results exist only after the close.")
    votes = [
        s.VoteOut(
            member=entry.member.code,
            member_name=entry.member.name,
            weight=entry.weight,
            option=ballot.option.key if ballot else None,
        )
        for entry, ballot in voting_selectors.named_votes(poll)
    ]
    return s.ResultOut(
        poll_id=poll.public_id,
        outcome=result.outcome.value,
        winner=result.winner,
        options=_totals(result.options),
        eligible_members=result.eligible_members,
        eligible_weight=result.eligible_weight,
        voted_members=result.voted_members,
        voted_weight=result.voted_weight,
        cast_weight=result.cast_weight,
        quorum_required_weight=result.quorum_required_weight,
        quorum_met=result.quorum_met,
        groups=[
            s.GroupOut(
                group=g.group,
                eligible_members=g.eligible_members,
                eligible_weight=g.eligible_weight,
                voted_members=g.voted_members,
                voted_weight=g.voted_weight,
                options=_totals(g.options),
            )
            for g in result.groups
        ],
        votes=votes,
    )
