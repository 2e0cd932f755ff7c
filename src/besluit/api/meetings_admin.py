"""What the secretariat and the chair prepare: meetings, their agenda, proposals, polls."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Status
from pydantic import Field

from besluit import access
from besluit.api import schemas as s
from besluit.api.endpoints import (
    _agenda_item_out,
    _association,
    _meeting,
    _meeting_out,
    _poll_out,
)
from besluit.api.router import api
from besluit.errors import NotFound, ValidationFailed
from besluit.meetings import services as meetings
from besluit.meetings import services_items
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import Amendment, Motion, Proposal
from besluit.voting import services as voting

Text = Field("", max_length=20_000)


# --- meetings ---------------------------------------------------------------


class MeetingIn(s.CamelIn):
    association: str = Field(min_length=1, max_length=50, description="the association's slug")
    kind: Literal["alv", "balv", "written"]
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime | None = None
    location: str = Field("", max_length=200)
    is_digital: bool = False
    convocation_date: date | None = None
    amendment_deadline: datetime | None = None
    motion_deadline: datetime | None = None
    standard_agenda: bool = Field(False, description="start from the standard ALV agenda")


class MeetingPatch(s.CamelIn):
    status: Literal["draft", "convened", "in_progress", "closed"]


@api.post("/meetings", response={201: s.MeetingOut}, tags=["meetings"])
def create_meeting(request, body: MeetingIn):
    association = _association(request, body.association)
    access.require_administer(request.user, association)
    meeting = meetings.do_create_meeting(
        actor=request.user,
        association=association,
        **body.model_dump(exclude={"association"}),
    )
    return Status(201, _meeting_out(meeting))


@api.patch(
    "/meetings/{meeting_id}",
    response=s.MeetingOut,
    tags=["meetings"],
    summary="Change a meeting's status (convene, start, close)",
)
def update_meeting(request, meeting_id: s.Id, body: MeetingPatch):
    meeting = _meeting(request, meeting_id)
    access.require_administer(request.user, meeting.association)
    meetings.do_set_meeting_status(actor=request.user, meeting=meeting, status=body.status)
    return _meeting_out(Meeting.objects.select_related("association").get(pk=meeting.pk))


# --- agenda items -----------------------------------------------------------


class AgendaItemIn(s.CamelIn):
    number: str = Field(min_length=1, max_length=10)
    title: str = Field(min_length=1, max_length=300)
    requested_decision: str = Text
    explanation: str = Text


def _item_out(item: AgendaItem) -> s.AgendaItemOut:
    proposal = Proposal.objects.filter(agenda_item=item).values_list("id", flat=True).first()
    return _agenda_item_out(item, proposal)


def _item(request, item_id: int, *, administer: bool = True) -> AgendaItem:
    item = AgendaItem.objects.select_related("meeting__association").filter(pk=item_id).first()
    if item is None or not access.can_view(request.user, item.meeting.association):
        raise NotFound(f"No agenda item {item_id}.")
    if administer:
        access.require_administer(request.user, item.meeting.association)
    return item


@api.post("/meetings/{meeting_id}/agenda-items", response={201: s.AgendaItemOut}, tags=["meetings"])
def create_agenda_item(request, meeting_id: s.Id, body: AgendaItemIn):
    meeting = _meeting(request, meeting_id)
    access.require_administer(request.user, meeting.association)
    item = meetings.do_add_agenda_item(actor=request.user, meeting=meeting, **body.model_dump())
    return Status(201, _item_out(item))


@api.put("/agenda-items/{item_id}", response=s.AgendaItemOut, tags=["meetings"])
def update_agenda_item(request, item_id: s.Id, body: AgendaItemIn):
    item = _item(request, item_id)
    item = services_items.do_update_agenda_item(actor=request.user, item=item, **body.model_dump())
    return _item_out(item)


# --- proposals --------------------------------------------------------------


class ProposalIn(s.CamelIn):
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=200_000)


class ProposalOut(s.Camel):
    id: int
    agenda_item_id: int
    meeting_id: int
    title: str
    text: str


def _proposal_out(p: Proposal) -> ProposalOut:
    return ProposalOut(
        id=p.pk,
        agenda_item_id=p.agenda_item_id,
        meeting_id=p.agenda_item.meeting_id,
        title=p.title,
        text=p.text,
    )


@api.put(
    "/agenda-items/{item_id}/proposal",
    response=ProposalOut,
    tags=["proposals"],
    summary="Set the proposal (draft resolution) of an agenda item",
)
def put_proposal(request, item_id: s.Id, body: ProposalIn):
    item = _item(request, item_id)
    proposal = proposals.do_set_proposal(
        actor=request.user, agenda_item=item, title=body.title, text=body.text
    )
    return _proposal_out(proposal)


@api.get("/proposals/{proposal_id}", response=ProposalOut, tags=["proposals"])
def get_proposal(request, proposal_id: s.Id):
    p = Proposal.objects.select_related("agenda_item__meeting__association").filter(pk=proposal_id)
    proposal = p.first()
    if proposal is None or not access.can_view(
        request.user, proposal.agenda_item.meeting.association
    ):
        raise NotFound(f"No proposal {proposal_id}.")
    return _proposal_out(proposal)


# --- polls ------------------------------------------------------------------


class PollIn(s.CamelIn):
    meeting_id: s.Id
    subject: Literal["proposal", "amendment", "motion", "pre_advice", "agenda_item", "free"]
    title: str = Field("", max_length=300)
    question: str = Text
    agenda_item_id: s.Id | None = None
    proposal_id: s.Id | None = None
    amendment_id: s.Id | None = None
    motion_id: s.Id | None = None
    alternatives: list[str] = Field(default_factory=list, max_length=50)
    with_abstain: bool = True
    is_secret: bool = False
    majority: Literal["simple", "two_thirds", "absolute"] = "simple"
    abstentions: Literal["not_cast", "as_cast"] = "not_cast"
    quorum: Decimal = Field(Decimal(0), ge=0, le=1, max_digits=7, decimal_places=6)
    allow_change: bool = False
    closes_at: datetime | None = None


def _in_meeting(model, pk: int | None, meeting: Meeting, field: str, path: str):
    """An object of this meeting named in the body: another meeting's (or association's)
    object is refused as unknown, never used."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **{path: meeting}).first()
    if found is None:
        raise ValidationFailed(f"No such {field} in this meeting.", field=field)
    return found


@api.post("/polls", response={201: s.PollOut}, tags=["polls"])
def create_poll(request, body: PollIn):
    meeting = _meeting(request, body.meeting_id)
    access.require_chair(request.user, meeting.association)
    poll = voting.do_create_poll(
        actor=request.user,
        meeting=meeting,
        subject=body.subject,
        title=body.title,
        question=body.question,
        agenda_item=_in_meeting(
            AgendaItem, body.agenda_item_id, meeting, "agendaItemId", "meeting"
        ),
        proposal=_in_meeting(
            Proposal, body.proposal_id, meeting, "proposalId", "agenda_item__meeting"
        ),
        amendment=_in_meeting(
            Amendment, body.amendment_id, meeting, "amendmentId", "proposal__agenda_item__meeting"
        ),
        motion=_in_meeting(Motion, body.motion_id, meeting, "motionId", "meeting"),
        alternatives=body.alternatives,
        with_abstain=body.with_abstain,
        is_secret=body.is_secret,
        majority=body.majority,
        abstentions=body.abstentions,
        quorum=body.quorum,
        allow_change=body.allow_change,
        closes_at=body.closes_at,
    )
    return Status(201, _poll_out(voting.get_poll(poll.public_id)))
