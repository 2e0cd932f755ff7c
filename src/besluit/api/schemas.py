"""Request and response bodies of the REST API (camelCase on the wire)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from besluit.converters import MAX_ID
from besluit.core import safetext

# The largest id a database column holds (a signed 64-bit integer). A larger id in a
# path names nothing: 404 (api.router), never a query that overflows.
Id = Annotated[int, Field(ge=0, le=MAX_ID)]


class Camel(Schema):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class CamelIn(Camel):
    """Every request body: no string in it (lists and dicts included) may hold what the
    database refuses or a reader cannot see (core.safetext). One validator for every
    field of every input schema, so that no endpoint can forget it."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value):
        if problem := safetext.first_problem(value):
            raise PydanticCustomError("invalid_text", problem)
        return value


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
    weight: Decimal
    weight_overridden: bool
    share: Decimal
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


class BallotIn(CamelIn):
    option: str = Field(min_length=1, max_length=40, description="the option's key")
    request_key: str = Field(
        default="",
        max_length=64,
        description="any unique string per attempt; retrying with the same key is safe",
    )


class ReceiptOut(Camel):
    ballot_id: UUID
    poll_id: UUID
    member: str
    cast_at: datetime
    option: str | None
    replayed: bool
    changed: bool
    log_receipt: dict | None = Field(
        default=None,
        description="The ballot's leaf in the poll's vote log with its inclusion proof and "
        "the signed checkpoint; keep it to check after the close that the ballot is in the "
        "closing tree (besluit verify BUNDLE --receipt FILE).",
    )

    @classmethod
    def of(cls, receipt) -> "ReceiptOut":
        """From a voting.casting.Receipt (the API endpoint and the edge answer alike)."""
        return cls(
            ballot_id=receipt.ballot_id,
            poll_id=receipt.poll_id,
            member=receipt.member_code,
            cast_at=receipt.cast_at,
            option=receipt.option_key,
            replayed=receipt.replayed,
            changed=receipt.changed,
            log_receipt=receipt.log_receipt,
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
