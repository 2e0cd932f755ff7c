"""API endpoints for attendance, proxies (volmachten), the meeting quorum and paper
ballots: the same services as the pages (attendance.services)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.utils import timezone
from ninja import Status
from pydantic import Field

from besluit import access
from besluit.api import schemas as s
from besluit.api.endpoints import _meeting, _poll, client_ip
from besluit.api.router import api
from besluit.attendance import selectors, services
from besluit.attendance.models import Proxy
from besluit.errors import NotFound

TAGS = ["attendance"]


class AttendanceRowOut(s.Camel):
    member: str
    name: str
    weight: Decimal
    status: str = Field(description="present, represented (by proxy) or absent")
    representative: str = Field(description="the person present for the member")
    represented_by: str | None = Field(description="the member that votes for it by proxy")
    arrived_at: datetime | None
    how: str | None


class AttendanceOut(s.Camel):
    meeting_id: int
    eligible_members: int
    eligible_weight: Decimal
    present_members: int
    present_weight: Decimal
    represented_members: int
    represented_weight: Decimal
    quorum_members: Decimal
    quorum_weight: Decimal
    quorum_met: bool
    rows: list[AttendanceRowOut]


class CheckInIn(s.CamelIn):
    member: str = Field(min_length=1, max_length=10, description="the member's code")
    representative: str = Field(default="", max_length=200)


class SelfCheckInIn(s.CamelIn):
    representative: str = Field(default="", max_length=200)


class CheckInOut(s.Camel):
    member: str
    arrived_at: datetime
    departed_at: datetime | None
    how: str
    representative: str


class ProxyIn(s.CamelIn):
    grantor: str = Field(
        min_length=1, max_length=10, description="code of the member that authorises"
    )
    holder: str = Field(
        min_length=1, max_length=10, description="code of the member that votes for it"
    )
    approve: bool = Field(default=False, description="the secretariat approves at once")


class DecisionIn(s.CamelIn):
    approve: bool
    reason: str = Field(default="", max_length=500)


class RevocationIn(s.CamelIn):
    reason: str = Field(default="", max_length=500)


class ProxyOut(s.Camel):
    id: UUID
    meeting_id: int
    grantor: str
    holder: str
    status: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    has_document: bool


class ProxyRuleIn(s.CamelIn):
    association: str = Field(max_length=50)
    valid_from: date
    max_represented: int = Field(ge=0, le=100)


class PaperBallotIn(s.CamelIn):
    member: str = Field(min_length=1, max_length=10)
    option: str = Field(min_length=1, max_length=40)
    handed_in_by: str = Field(min_length=1, max_length=200)
    handed_in_at: datetime | None = None
    request_key: str = Field(default="", max_length=64)


class OptionTotalIn(s.CamelIn):
    members: int = Field(ge=0)
    weight: Decimal = Field(ge=0, max_digits=18, decimal_places=6)


class PaperRoundIn(s.CamelIn):
    members: list[str] = Field(min_length=1, max_length=2000)
    totals: dict[str, OptionTotalIn]


class PaperRoundOut(s.Camel):
    poll_id: UUID
    status: str
    members: int
    totals: dict


class MeetingQuorumIn(s.CamelIn):
    required: bool = True
    reason: str = Field(
        default="", max_length=200, description="why, for the audit log (statute change, ...)"
    )


class MeetingQuorumOut(s.Camel):
    poll_id: UUID
    required: bool
    met: bool | None
    members: int
    weight: Decimal


def _proxy_out(p: Proxy) -> ProxyOut:
    return ProxyOut(
        id=p.public_id,
        meeting_id=p.meeting_id,
        grantor=p.grantor.code,
        holder=p.holder.code,
        status=p.status,
        reason=p.reason,
        requested_at=p.requested_at,
        decided_at=p.decided_at,
        has_document=p.has_document,
    )


def _proxy(request, proxy_id: UUID) -> Proxy:
    proxy = (
        Proxy.objects.select_related("meeting__association", "grantor", "holder")
        .filter(public_id=proxy_id)
        .first()
    )
    if proxy is None or not access.can_view(request.user, proxy.meeting.association):
        raise NotFound("No such proxy.")
    return proxy


@api.get("/meetings/{meeting_id}/attendance", response=AttendanceOut, tags=TAGS)
def get_attendance(request, meeting_id: s.Id):
    """Who is present, represented by proxy or absent, in number and weight."""
    meeting = _meeting(request, meeting_id)
    found = selectors.presence(meeting)
    quorum = selectors.meeting_quorum(meeting, found)
    return AttendanceOut(
        meeting_id=meeting.pk,
        eligible_members=found.eligible_members,
        eligible_weight=found.eligible_weight,
        present_members=found.present_members,
        present_weight=found.present_weight,
        represented_members=found.represented_members,
        represented_weight=found.represented_weight,
        quorum_members=quorum.required_members,
        quorum_weight=quorum.required_weight,
        quorum_met=quorum.met,
        rows=[
            AttendanceRowOut(
                member=r.member.code,
                name=r.member.name,
                weight=r.weight,
                status=r.status,
                representative=r.attendance.representative if r.attendance else "",
                represented_by=r.represented_by.code if r.represented_by else None,
                arrived_at=r.attendance.arrived_at if r.attendance else None,
                how=r.attendance.how if r.attendance else None,
            )
            for r in found.rows
        ],
    )


def _check_in_out(a) -> CheckInOut:
    return CheckInOut(
        member=a.member.code,
        arrived_at=a.arrived_at,
        departed_at=a.departed_at,
        how=a.how,
        representative=a.representative,
    )


@api.post("/meetings/{meeting_id}/check-ins", response={201: CheckInOut}, tags=TAGS)
def check_in(request, meeting_id: s.Id, body: CheckInIn):
    """The secretariat checks a member in (409 when it is checked in already)."""
    meeting = _meeting(request, meeting_id)
    access.require_administer(request.user, meeting.association)
    attendance = services.do_check_in(
        actor=request.user,
        meeting=meeting,
        member=services.find_member(meeting, body.member),
        representative=body.representative,
        ip=client_ip(request),
    )
    return Status(201, _check_in_out(attendance))


@api.post("/meetings/{meeting_id}/self-check-ins", response={201: CheckInOut}, tags=TAGS)
def self_check_in(request, meeting_id: s.Id, body: SelfCheckInIn):
    """A representative checks its own member in, when the meeting allows remote attendance."""
    meeting = _meeting(request, meeting_id)
    attendance = services.do_self_check_in(
        actor=request.user,
        meeting=meeting,
        representative=body.representative,
        ip=client_ip(request),
    )
    return Status(201, _check_in_out(attendance))


@api.post("/meetings/{meeting_id}/departures", response={201: CheckInOut}, tags=TAGS)
def check_out(request, meeting_id: s.Id, body: CheckInIn):
    meeting = _meeting(request, meeting_id)
    access.require_administer(request.user, meeting.association)
    attendance = services.do_check_out(
        actor=request.user,
        meeting=meeting,
        member=services.find_member(meeting, body.member),
        ip=client_ip(request),
    )
    return Status(201, _check_in_out(attendance))


@api.get("/meetings/{meeting_id}/proxies", response=list[ProxyOut], tags=TAGS)
def list_proxies(request, meeting_id: s.Id):
    meeting = _meeting(request, meeting_id)
    return [_proxy_out(p) for p in selectors.proxies_of(meeting)]


@api.post("/meetings/{meeting_id}/proxies", response={201: ProxyOut}, tags=TAGS)
def request_proxy(request, meeting_id: s.Id, body: ProxyIn):
    """Register a proxy (the grantor's representative or the secretariat); the signed
    document is uploaded on the proxies page."""
    meeting = _meeting(request, meeting_id)
    proxy = services.do_request_proxy(
        actor=request.user,
        meeting=meeting,
        grantor=services.find_member(meeting, body.grantor, field="grantor"),
        holder=services.find_member(meeting, body.holder, field="holder"),
        approve=body.approve,
    )
    return Status(201, _proxy_out(proxy))


@api.post("/proxies/{proxy_id}/decision", response=ProxyOut, tags=TAGS)
def decide_proxy(request, proxy_id: UUID, body: DecisionIn):
    proxy = _proxy(request, proxy_id)
    proxy = services.do_decide_proxy(
        actor=request.user, proxy=proxy, approve=body.approve, reason=body.reason
    )
    return _proxy_out(proxy)


@api.post("/proxies/{proxy_id}/revocation", response=ProxyOut, tags=TAGS)
def revoke_proxy(request, proxy_id: UUID, body: RevocationIn):
    proxy = _proxy(request, proxy_id)
    return _proxy_out(services.do_revoke_proxy(actor=request.user, proxy=proxy, reason=body.reason))


@api.post("/proxy-rules", response={201: dict}, tags=TAGS)
def set_proxy_rule(request, body: ProxyRuleIn):
    """The statutes' limit from a date: how many members one member may represent."""
    from besluit.api.endpoints import _association

    association = _association(request, body.association)
    rule = services.do_set_proxy_rule(
        actor=request.user,
        association=association,
        valid_from=body.valid_from,
        max_represented=body.max_represented,
    )
    return Status(
        201, {"validFrom": rule.valid_from.isoformat(), "maxRepresented": rule.max_represented}
    )


@api.post(
    "/polls/{poll_id}/paper-ballots", response={201: s.ReceiptOut, 200: s.ReceiptOut}, tags=TAGS
)
def enter_paper_ballot(request, poll_id: UUID, body: PaperBallotIn):
    """The secretariat enters a named paper ballot: the same rules, receipt and log leaf
    as a digital one, marked as paper (409 when the member voted already)."""
    poll = _poll(request, poll_id)
    receipt = services.do_enter_paper_ballot(
        actor=request.user,
        poll=poll,
        member=services.find_member(poll.meeting, body.member),
        option_key=body.option,
        handed_in_by=body.handed_in_by,
        handed_in_at=body.handed_in_at or timezone.now(),
        request_key=body.request_key,
        ip=client_ip(request),
    )
    return Status(200 if receipt.replayed else 201, s.ReceiptOut.of(receipt))


def _round_out(paper) -> PaperRoundOut:
    return PaperRoundOut(
        poll_id=paper.poll.public_id,
        status=paper.status,
        members=paper.members.count(),
        totals=paper.totals,
    )


@api.post("/polls/{poll_id}/paper-round", response={201: PaperRoundOut}, tags=TAGS)
def enter_paper_round(request, poll_id: UUID, body: PaperRoundIn):
    """A teller enters a secret poll's paper round; it counts after a second sign-off."""
    poll = _poll(request, poll_id)
    members = [services.find_member(poll.meeting, code, field="members") for code in body.members]
    paper = services.do_enter_paper_round(
        actor=request.user,
        poll=poll,
        members=members,
        totals={k: {"members": v.members, "weight": str(v.weight)} for k, v in body.totals.items()},
    )
    return Status(201, _round_out(paper))


@api.post("/polls/{poll_id}/paper-round/sign-off", response=PaperRoundOut, tags=TAGS)
def sign_paper_round(request, poll_id: UUID):
    from besluit.attendance.models import PaperRound

    poll = _poll(request, poll_id)
    access.require_administer(request.user, poll.meeting.association)
    paper = PaperRound.objects.filter(poll=poll).select_related("poll").first()
    if paper is None:
        raise NotFound("This poll has no paper round.")
    return _round_out(services.do_sign_paper_round(actor=request.user, paper=paper))


@api.post("/polls/{poll_id}/meeting-quorum", response=MeetingQuorumOut, tags=TAGS)
def require_meeting_quorum(request, poll_id: UUID, body: MeetingQuorumIn):
    """Say whether the poll may open only when the meeting's quorum is met."""
    poll = _poll(request, poll_id)
    found = services.do_require_meeting_quorum(
        actor=request.user, poll=poll, required=body.required, reason=body.reason
    )
    return MeetingQuorumOut(
        poll_id=poll.public_id,
        required=found.required,
        met=found.met,
        members=found.members,
        weight=found.weight,
    )
