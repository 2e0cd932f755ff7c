"""API endpoints of elections of persons: bodies, creating an election, candidacies
(nominate, accept, decline, withdraw), declaring unopposed, and the results.

The same services and permission rules as the web pages (elections.services); every
refusal is problem+json: a nomination after the deadline (409), a candidate who did not
accept on a ballot (400, not on the ballot), a name nominated twice (409).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from ninja import Field, Query, Status

from besluit import access
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.elections import ElectionOut, _election, _out
from besluit.api.endpoints import _association, _meeting
from besluit.api.router import api
from besluit.elections import selectors
from besluit.elections import services as elections
from besluit.elections.models import Body, Candidacy, Election
from besluit.errors import NotFound, ValidationFailed


class SeatOut(s.Camel):
    name: str
    function: str
    member_code: str | None
    starts_on: date
    ends_on: date
    election_id: UUID | None


class BodyOut(s.Camel):
    id: int
    kind: str
    name: str
    seats: list[SeatOut] = Field(description="Seats held today or from a coming date.")


class BodyIn(s.CamelIn):
    kind: str = Field(description="board or committee")
    name: str = Field(max_length=200)


class ElectionIn(s.CamelIn):
    body_id: int
    title: str = Field(max_length=300)
    seats: int = Field(ge=1, le=100)
    term_starts: date
    term_ends: date
    method: str = Field(description="two_round, approval or ranked")
    max_approvals: int | None = Field(None, ge=1, le=100)
    nomination_deadline: datetime
    is_secret: bool = True
    late_nominations: str = Field("refused", description="refused or chair_admits")
    allow_unopposed: bool = True
    who_may_stand: str = Field("", max_length=5000)


class CandidacyOut(s.Camel):
    key: str
    number: int
    name: str
    function: str
    member_code: str | None
    status: str
    by_board: bool
    recommended: bool
    is_late: bool
    admitted: bool
    statement: str
    nominated_at: datetime
    consented_at: datetime | None


class NominationIn(s.CamelIn):
    name: str = Field(max_length=200)
    function: str = Field("", max_length=200)
    statement: str = Field("", max_length=5000)
    member_code: str | None = Field(None, description="The member the candidate comes from.")
    username: str | None = Field(
        None, description="The candidate's own account (with a role here): it gives consent."
    )
    by_board: bool | None = Field(
        None,
        description="Nominate for the board (board, chair, secretariat) or as the member you "
        "represent; absent: for the board if you may, else as your member.",
    )


class CandidateVotesOut(s.Camel):
    key: str
    name: str
    weight: Decimal


class CountOut(s.Camel):
    number: int
    votes: list[CandidateVotesOut]
    quota: Decimal | None
    exhausted: Decimal
    elected: list[str]
    excluded: list[str]


class RoundResultOut(s.Camel):
    number: int
    unopposed: bool
    outcome: str | None
    lot_seed: str
    counts: list[CountOut]


class NamedBallotOut(s.Camel):
    round: int
    member_code: str
    choice: list[str]


class ResultsOut(s.Camel):
    election_id: UUID
    status: str
    elected: list[SeatOut]
    rounds: list[RoundResultOut]
    ballots: list[NamedBallotOut] = Field(description="Named elections only: each member's.")
    record: str | None = Field(description="The signed record (once decided).")


def _seat(m) -> SeatOut:
    return SeatOut(
        name=m.name,
        function=m.function,
        member_code=m.member.code if m.member else None,
        starts_on=m.starts_on,
        ends_on=m.ends_on,
        election_id=m.election.public_id if m.election else None,
    )


def _candidacy_out(c: Candidacy) -> CandidacyOut:
    return CandidacyOut(
        key=c.key,
        number=c.number,
        name=c.name,
        function=c.function,
        member_code=c.member.code if c.member else None,
        status=c.status,
        by_board=c.by_board,
        recommended=c.recommended,
        is_late=c.is_late,
        admitted=c.admitted,
        statement=c.statement,
        nominated_at=c.nominated_at,
        consented_at=c.consented_at,
    )


def _candidacy(election: Election, number: int) -> Candidacy:
    found = election.candidacies.select_related("member").filter(number=number).first()
    if found is None:
        raise NotFound("No such candidacy in this election.")
    return found


# --- bodies -----------------------------------------------------------------------------


BODY_SORT = Sorting(
    fields={"name": lambda b: b.name, "kind": lambda b: b.kind},
    default="kind,name",
    unique=lambda b: b.id,
)


@api.get(
    "/associations/{slug}/bodies",
    response=list[BodyOut],
    tags=["elections"],
    summary="The board and committees, with who holds their seats",
    description=BODY_SORT.describe(),
)
def list_bodies(request, response: HttpResponse, slug: str, params: Query[ListParams]):
    association = _association(request, slug)
    bodies = [
        BodyOut(
            id=entry["body"].pk,
            kind=entry["body"].kind,
            name=entry["body"].name,
            seats=[_seat(m) for m in entry["seats"]],
        )
        for entry in selectors.bodies_with_seats(association)
    ]
    return paginate(request, response, bodies, params, BODY_SORT)


@api.post(
    "/associations/{slug}/bodies",
    response={201: BodyOut},
    tags=["elections"],
    summary="Add the board or a committee (secretariat)",
)
def create_body(request, slug: str, body: BodyIn):
    association = _association(request, slug)
    made = elections.do_create_body(
        actor=request.user, association=association, kind=body.kind, name=body.name
    )
    return Status(201, BodyOut(id=made.pk, kind=made.kind, name=made.name, seats=[]))


# --- elections --------------------------------------------------------------------------


@api.post(
    "/meetings/{meeting_id}/elections",
    response={201: ElectionOut},
    tags=["elections"],
    summary="Create an election of persons (chair or secretariat)",
    description="Opens it for nominations until nominationDeadline. 400 for a body of "
    "another association, a term that ends before it starts, an unknown method.",
)
def create_election(request, meeting_id: s.Id, body: ElectionIn):
    meeting = _meeting(request, meeting_id)
    found = Body.objects.filter(pk=body.body_id, association=meeting.association).first()
    if found is None:
        raise ValidationFailed("No such board or committee in this association.", field="bodyId")
    election = elections.do_create_election(
        actor=request.user,
        meeting=meeting,
        body=found,
        title=body.title,
        seats=body.seats,
        term_starts=body.term_starts,
        term_ends=body.term_ends,
        method=body.method,
        max_approvals=body.max_approvals,
        nomination_deadline=body.nomination_deadline,
        is_secret=body.is_secret,
        late_nominations=body.late_nominations,
        allow_unopposed=body.allow_unopposed,
        who_may_stand=body.who_may_stand,
    )
    return Status(201, _out(elections.get_election(election.public_id)))


@api.post(
    "/elections/{election_id}/unopposed",
    response=ElectionOut,
    tags=["elections"],
    summary="Declare the candidates elected unopposed (chair), when the statutes allow it",
    description="409 when more candidates than seats stand or a vote has begun.",
)
def declare_unopposed(request, election_id: UUID):
    election = _election(request, election_id)
    elections.do_declare_unopposed(actor=request.user, election=election)
    return _out(elections.get_election(election_id))


# --- candidacies ------------------------------------------------------------------------

CANDIDACY_SORT = Sorting(
    fields={"number": lambda c: c.number, "name": lambda c: c.name},
    default="number",
    unique=lambda c: c.number,
)


@api.get(
    "/elections/{election_id}/candidacies",
    response=list[CandidacyOut],
    tags=["elections"],
    summary="The candidacies of an election",
    description="Filter with status. " + CANDIDACY_SORT.describe(),
)
def list_candidacies(
    request,
    response: HttpResponse,
    election_id: UUID,
    params: Query[ListParams],
    status: str | None = None,
):
    election = _election(request, election_id)
    found = list(election.candidacies.select_related("member"))
    if status:
        found = [c for c in found if c.status == status]
    page = paginate(request, response, found, params, CANDIDACY_SORT, filters=("status",))
    return [_candidacy_out(c) for c in page]


@api.post(
    "/elections/{election_id}/candidacies",
    response={201: CandidacyOut},
    tags=["elections"],
    summary="Nominate a candidate (the board, or a member's representative)",
    description="409 after the deadline when late nominations are refused (nothing is "
    "stored; otherwise it is stored as late, for the chair to admit), once voting has "
    "begun, or for a name nominated already; 400 for an unknown member or username.",
)
def nominate(request, election_id: UUID, body: NominationIn):
    election = _election(request, election_id)
    association = election.meeting.association
    member = None
    if body.member_code:
        member = association.members.filter(code=body.member_code).first()
        if member is None:
            raise ValidationFailed("No member with this code here.", field="memberCode")
    user = None
    if body.username:
        user = (
            get_user_model()
            .objects.filter(username=body.username, roles__association=association)
            .first()
        )
        if user is None:
            raise ValidationFailed("Nobody with this username has a role here.", field="username")
    by_board = body.by_board
    if by_board is None:
        by_board = access.can_give_pre_advice(request.user, association)
    made = elections.do_nominate(
        actor=request.user,
        election=election,
        name=body.name,
        function=body.function,
        member=member,
        user=user,
        by_board=by_board,
        statement=body.statement,
    )
    return Status(201, _candidacy_out(made))


def _act(request, election_id: UUID, number: int, action: str) -> CandidacyOut:
    election = _election(request, election_id)
    candidacy = _candidacy(election, number)
    if action == "withdraw":
        done = elections.do_withdraw(actor=request.user, candidacy=candidacy)
    else:
        done = elections.do_consent(
            actor=request.user, candidacy=candidacy, accept=action == "accept"
        )
    return _candidacy_out(done)


CONSENT = (
    "The candidate's own account, or the secretariat for a consent received in writing. "
    "409 once voting has begun."
)


@api.post(
    "/elections/{election_id}/candidacies/{number}/accept",
    response=CandidacyOut,
    tags=["elections"],
    summary="Accept a nomination (the consent step)",
    description=CONSENT,
)
def accept_candidacy(request, election_id: UUID, number: s.Id):
    return _act(request, election_id, number, "accept")


@api.post(
    "/elections/{election_id}/candidacies/{number}/decline",
    response=CandidacyOut,
    tags=["elections"],
    summary="Decline a nomination",
    description=CONSENT,
)
def decline_candidacy(request, election_id: UUID, number: s.Id):
    return _act(request, election_id, number, "decline")


@api.post(
    "/elections/{election_id}/candidacies/{number}/withdraw",
    response=CandidacyOut,
    tags=["elections"],
    summary="Withdraw a candidacy",
    description=CONSENT,
)
def withdraw_candidacy(request, election_id: UUID, number: s.Id):
    return _act(request, election_id, number, "withdraw")


# --- results ----------------------------------------------------------------------------


def _named(election: Election) -> list[NamedBallotOut]:
    out = []
    for b in selectors.named_ballots(election):
        out.append(
            NamedBallotOut(round=b["round"], member_code=b["member"].code, choice=b["choice"])
        )
    return out


@api.get(
    "/elections/{election_id}/results",
    response=ResultsOut,
    tags=["elections"],
    summary="The result: the elected with their term, every count of every round",
    description="Votes per candidate (by name), the quota and the exhausted weight of each "
    "count, exact decimals; each member's ballot for a named election only.",
)
def get_election_results(request, election_id: UUID):
    election = _election(request, election_id)
    names = selectors.names(election)
    rounds = []
    for rnd in election.rounds.filter(status="closed").order_by("number"):
        result: dict[str, Any] = rnd.result or {}
        rounds.append(
            RoundResultOut(
                number=rnd.number,
                unopposed=rnd.unopposed,
                outcome=result.get("outcome"),
                lot_seed=rnd.seed,
                counts=[
                    CountOut(
                        number=c["number"],
                        votes=[
                            CandidateVotesOut(key=k, name=names.get(k, k), weight=Decimal(v))
                            for k, v in c["votes"]
                        ],
                        quota=None if c.get("quota") is None else Decimal(c["quota"]),
                        exhausted=Decimal(c.get("exhausted") or 0),
                        elected=[names.get(k, k) for k in c.get("elected", [])],
                        excluded=[names.get(k, k) for k in c.get("excluded", [])],
                    )
                    for c in result.get("rounds", [])
                ],
            )
        )
    decided = election.status == Election.Status.DECIDED
    return ResultsOut(
        election_id=election.public_id,
        status=election.status,
        elected=[_seat(m) for m in election.memberships.select_related("member", "election")],
        rounds=rounds,
        ballots=_named(election),
        record=f"/api/v1/elections/{election.public_id}/bundle" if decided else None,
    )
