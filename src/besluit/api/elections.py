"""API endpoints of elections of persons: read an election, cast a ballot, the record."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, Query, Status

from besluit import access
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.endpoints import _meeting
from besluit.api.router import api
from besluit.elections import publish
from besluit.elections import selectors as election_selectors
from besluit.elections import services as elections
from besluit.elections.models import Election
from besluit.errors import Conflict, NotFound


class CandidateOut(s.Camel):
    key: str
    name: str
    function: str
    status: str
    recommended: bool
    is_late: bool
    admitted: bool


class RoundOut(s.Camel):
    number: int
    status: str
    candidates: list[str]
    unopposed: bool
    nonce: str
    seed: str
    voted_members: int
    eligible_members: int
    result: dict[str, Any] | None


class ElectionOut(s.Camel):
    id: UUID
    meeting_id: int
    title: str
    body: str
    seats: int
    term_starts: date
    term_ends: date
    method: str
    max_approvals: int
    is_secret: bool
    status: str
    nomination_deadline: datetime
    candidates: list[CandidateOut]
    rounds: list[RoundOut]


class ElectionBallotIn(s.CamelIn):
    """One of: ``choice`` (one seat, two rounds; empty or absent is blank), ``approvals``
    (several seats), ``ranking`` (candidate keys, best first) or ``ranks`` (the numbered
    boxes of a paper ballot: candidate key to rank 1, 2, 3 …; a gap or a rank given
    twice is refused)."""

    choice: str = ""
    approvals: list[str] = []
    ranking: list[str] = []
    ranks: dict[str, int] = {}


class ElectionReceiptOut(s.Camel):
    ballot_id: UUID
    election_id: UUID
    round: int
    member_code: str
    log_receipt: dict[str, Any] | None = Field(
        None,
        description="The voter's receipt: the ballot's leaf in the round's signed vote log, "
        "its inclusion proof and a signed checkpoint. Check it on /controleer-uw-stem/ or, "
        "after the election is decided, with `besluit verify RECORD --receipt FILE`. A secret "
        "election's leaf holds only a random code (the tracker), never the choice.",
    )


def _election(request, election_id: UUID) -> Election:
    election = elections.get_election(election_id)
    if not access.can_view(request.user, election.meeting.association):
        raise NotFound("No such election.")
    return election


def _out(e: Election) -> ElectionOut:
    return ElectionOut(
        id=e.public_id,
        meeting_id=e.meeting_id,
        title=e.title,
        body=e.body.name,
        seats=e.seats,
        term_starts=e.term_starts,
        term_ends=e.term_ends,
        method=e.method,
        max_approvals=e.max_approvals,
        is_secret=e.is_secret,
        status=e.status,
        nomination_deadline=e.nomination_deadline,
        candidates=[
            CandidateOut(
                key=c.key,
                name=c.name,
                function=c.function,
                status=c.status,
                recommended=c.recommended,
                is_late=c.is_late,
                admitted=c.admitted,
            )
            for c in e.candidacies.all()
        ],
        rounds=[
            RoundOut(
                number=r.number,
                status=r.status,
                candidates=list(r.candidates),
                unopposed=r.unopposed,
                nonce=r.nonce,
                seed=r.seed,
                voted_members=r.ballots.count(),
                eligible_members=r.eligible_members,
                result=r.result,
            )
            for r in e.rounds.order_by("number")
        ],
    )


ELECTION_SORT = Sorting(
    fields={"title": lambda e: e.title, "createdAt": lambda e: e.created_at},
    default="createdAt",
    unique=lambda e: e.pk,
)


@api.get(
    "/meetings/{meeting_id}/elections",
    response=list[ElectionOut],
    tags=["elections"],
    summary="The elections of persons at a meeting",
    description="Filter with status. " + ELECTION_SORT.describe(),
)
def list_elections(
    request,
    response: HttpResponse,
    meeting_id: s.Id,
    params: Query[ListParams],
    status: str | None = None,
):
    meeting = _meeting(request, meeting_id)
    found = [
        e for e in election_selectors.elections_of(meeting) if not status or e.status == status
    ]
    page = paginate(request, response, found, params, ELECTION_SORT, filters=("status",))
    return [_out(e) for e in page]


@api.get(
    "/elections/{election_id}",
    response=ElectionOut,
    tags=["elections"],
    summary="An election: candidates, rounds, the lot's nonce and seed, results",
)
def get_election(request, election_id: UUID):
    return _out(_election(request, election_id))


@api.post(
    "/elections/{election_id}/open",
    response=ElectionOut,
    tags=["elections"],
    summary="Open the next round (the first, or the second of a two-round ballot)",
    description="Chair or secretariat. Freezes the register and publishes the round's nonce; "
    "409 when a round is open already, the election is decided, or no more candidates than "
    "seats stand (then the chair declares them elected unopposed, on the election page).",
)
def open_election_round(request, election_id: UUID):
    election = _election(request, election_id)
    elections.do_open_round(actor=request.user, election=election)
    return _out(elections.get_election(election_id))


@api.post(
    "/elections/{election_id}/close",
    response=ElectionOut,
    tags=["elections"],
    summary="Close the open round: fix the lot's seed, count, and decide",
    description="Chair or secretariat; 409 when no round is open.",
)
def close_election_round(request, election_id: UUID):
    election = _election(request, election_id)
    elections.do_close_round(actor=request.user, election=election)
    return _out(elections.get_election(election_id))


@api.post(
    "/elections/{election_id}/ballots",
    response={201: ElectionReceiptOut},
    tags=["elections"],
    summary="Cast the ballot of the member you represent in the open round",
    description="409 when the member voted in this round already or no round is open; 400 "
    "with a reason for a ranking with a candidate twice, a gap, an unknown candidate or too "
    "many approvals (nothing is stored).",
)
def cast_election_ballot(request, election_id: UUID, body: ElectionBallotIn):
    election = _election(request, election_id)
    if election.method == Election.Method.RANKED:
        choice: Any = body.ranks or body.ranking
    elif election.method == Election.Method.APPROVAL:
        choice = body.approvals
    else:
        choice = body.choice
    ballot = elections.do_cast(actor=request.user, election=election, choice=choice)
    return Status(
        201,
        ElectionReceiptOut(
            ballot_id=ballot.public_id,
            election_id=election.public_id,
            round=ballot.round.number,
            member_code=ballot.member.code,
            log_receipt=getattr(ballot, "receipt", None),
        ),
    )


@api.get(
    "/elections/{election_id}/bundle",
    response={200: dict},
    tags=["elections"],
    summary="The signed record of a decided election: every round's ballots and result",
    description="Served exactly as stored, byte for byte: recount it with `besluit verify`.",
)
def get_election_bundle(request, election_id: UUID):
    election = _election(request, election_id)
    if election.status != Election.Status.DECIDED:
        raise Conflict("The election is not decided: its record is published then.")
    return HttpResponse(publish.bundle_bytes(election), content_type="application/json")
