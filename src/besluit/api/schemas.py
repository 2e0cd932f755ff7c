"""Request and response bodies of the REST API (camelCase on the wire).

The base schemas, ids and the ballot's own contract live in besluit.http.ballots, which
the edge shares."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from besluit.http.ballots import (  # noqa: F401  (the sealed schemas: used as s.Sealed*)
    BallotIn,
    Camel,
    CamelIn,
    Id,
    ReceiptOut,
    SealedBallotIn,
    SealedReceiptOut,
)

__all__ = ["BallotIn", "Camel", "CamelIn", "Id", "ReceiptOut"]  # and the API's own below


class AssociationOut(Camel):
    slug: str
    name: str
    short_name: str


class MemberOut(Camel):
    code: str
    name: str
    province: str
    kind: str
    networks: list[str]
    inhabitants: int | None
    reference_date: date | None
    weight: Decimal | None = Field(description="null while no weight rule is in force")
    weight_status: str = Field(description="computed, overridden, or 'none yet' (no rule)")
    weight_overridden: bool
    share: Decimal | None
    eligible: bool


class MeetingOut(Camel):
    id: int
    association: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    is_digital: bool
    convocation_date: date | None
    amendment_deadline: datetime
    motion_deadline: datetime
    status: str


class AgendaItemOut(Camel):
    id: int
    number: str
    title: str
    requested_decision: str
    explanation: str
    proposal_id: int | None


class SubmissionOut(Camel):
    id: int
    number: int
    display_title: str
    submitter: str
    co_submitters: list[str]
    submitted_at: datetime
    is_late: bool
    status: str
    pre_advice: str
    pre_advice_reason: str
    explanation: str


class MotionOut(SubmissionOut):
    meeting_id: int
    agenda_item_id: int | None
    title: str
    considerations: str
    request: str


class AmendmentOut(SubmissionOut):
    proposal_id: int
    passage: str
    old_text: str
    new_text: str


class MotionIn(CamelIn):
    meeting_id: Id
    agenda_item_id: Id | None = None
    title: str = Field(min_length=1, max_length=300)
    considerations: str = Field(min_length=1, max_length=20_000)
    request: str = Field(min_length=1, max_length=20_000)
    explanation: str = Field(default="", max_length=20_000)
    co_submitters: list[str] = Field(default_factory=list, description="member codes")


class AmendmentIn(CamelIn):
    proposal_id: Id
    passage: str = Field(min_length=1, max_length=200)
    old_text: str = Field(default="", max_length=20_000)
    new_text: str = Field(default="", max_length=20_000)
    explanation: str = Field(default="", max_length=20_000)
    co_submitters: list[str] = Field(default_factory=list, description="member codes")


class OptionOut(Camel):
    key: str
    label: str
    is_abstention: bool


class PollOut(Camel):
    id: UUID
    meeting_id: int
    agenda_item_id: int | None
    subject: str
    title: str
    question: str
    is_secret: bool
    majority: str
    abstentions: str
    quorum: Decimal
    allow_change: bool
    status: str
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    options: list[OptionOut]
    election_key: str | None = Field(
        default=None,
        description="a secret poll, once open: the trustees' joint public key (hex, "
        "ristretto255) under which a client encrypts its ballot for /sealed-ballots; the "
        "options are numbered in the order listed (docs/api.md, Secret polls)",
    )


class OptionTotalOut(Camel):
    key: str
    label: str
    is_abstention: bool
    weight: Decimal
    members: int
    share: str | None  # a decimal in plain notation (core.voting.share_text)


class GroupOut(Camel):
    group: str
    eligible_members: int
    eligible_weight: Decimal
    voted_members: int
    voted_weight: Decimal
    options: list[OptionTotalOut]


class VoteOut(Camel):
    member: str
    member_name: str
    weight: Decimal
    option: str | None


class ResultOut(Camel):
    poll_id: UUID
    outcome: str
    winner: str | None
    options: list[OptionTotalOut]
    eligible_members: int
    eligible_weight: Decimal
    voted_members: int
    voted_weight: Decimal
    cast_weight: Decimal
    quorum_required_weight: Decimal
    quorum_met: bool
    groups: list[GroupOut]
    votes: list[VoteOut]


class ParticipationOut(Camel):
    poll_id: UUID
    status: str
    voted_members: int
    eligible_members: int
    voted_weight: Decimal
    eligible_weight: Decimal


class OpenAssociationOut(Camel):
    slug: str
    name: str
    short_name: str
    popolo_url: str = Field(description="Popolo JSON of all public meetings")
    bulk_url: str = Field(description="ZIP with Popolo JSON and CSV tables")
