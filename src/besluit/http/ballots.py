"""The ballot's contract on the wire, shared by the API (api.endpoints) and the edge
(edge.ballots), with the base schemas every API body uses (camelCase, the text rule) and
bounded ids."""

from datetime import datetime
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


class BallotIn(CamelIn):
    option: str = Field(min_length=1, max_length=40, description="the option's key")
    request_key: str = Field(
        default="",
        max_length=64,
        description="any unique string per attempt; retrying with the same key is safe",
    )
    member: str = Field(
        default="",
        max_length=10,
        description="the code of the member voted for, when your member holds its proxy "
        "(volmacht) in this poll; empty: your own member",
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


class SealedBallotIn(CamelIn):
    ballot: str = Field(
        min_length=2,
        max_length=64 * 1024,
        pattern=r"^[0-9a-f]+$",
        description="the encrypted ballot (ciphertexts and proofs, docs/ballot-encryption.md), "
        "lower-case hex",
    )
    request_key: str = Field(
        min_length=22,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="a fresh random key per ballot (at least 128 bits); the ballot's proofs "
        "are bound to it through the voter binding; retrying with the same key is safe",
    )
    member: str = Field(
        default="",
        max_length=10,
        description="the code of the member voted for, when your member holds its proxy "
        "(volmacht) in this poll; empty: your own member. The voter binding is that "
        "member's, so the ballot must be encrypted for it",
    )


class SealedReceiptOut(Camel):
    poll_id: UUID
    tracker: str = Field(description="SHA-256 of the ballot, its leaf in the poll's log")
    voter: str = Field(description="the voter binding the proofs are bound to")
    replayed: bool
    log_receipt: dict = Field(description="leaf, inclusion proof and signed checkpoint")
