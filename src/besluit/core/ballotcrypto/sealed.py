"""A sealed (encrypted) ballot in a poll: voter binding, tracker and log event. No Django.

The ballot's Fiat-Shamir context (``ballot.BallotContext``) is bound to the poll, the
member and the request. The member and the request enter through the *voter binding*

    voter = hex(SHA-256(frame("besluit/ballotcrypto/v1/voter", utf8(poll_id),
                              utf8(member_code), utf8(request_key))))

which stands in the context's member field (its request-key field stays empty). The
request key is a fresh random value of at least 128 bits made by the voter's device and
never stored, so the published binding ties the proof to one member and one request
while revealing neither: whoever checks the proof needs only the binding, and guessing
the member behind it means guessing the key. Copying another member's ballot fails
twice: its binding is not the copier's, and its tracker is taken.

The tracker is hex(SHA-256(ballot bytes)); the ballot's leaf in the poll's Merkle log is

    {"type": "sealed_ballot", "poll": <uuid>, "tracker": hex, "voter": hex,
     "weight_units": <int>, "ballot": hex}

with the member's frozen weight in units (the tally multiplies by it, and so must every
verifier), no member, no option, no time.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .ballot import BallotContext, EncryptedBallot, verify_ballot
from .errors import BallotCryptoError
from .group import Point, frame, tag

__all__ = [
    "MIN_REQUEST_KEY",
    "check_request_key",
    "context_for",
    "sealed_event",
    "sealed_event_problems",
    "tracker",
    "verify_sealed",
    "voter_binding",
]

MIN_REQUEST_KEY = 22
"""Characters of a request key: 22 base64url characters carry 132 random bits."""
_REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def check_request_key(key: str) -> None:
    """A sealed ballot's request key: 22 to 64 base64url characters (random, see above)."""
    if not isinstance(key, str) or not _REQUEST_KEY.fullmatch(key):
        raise BallotCryptoError(
            "request_key_invalid",
            "a sealed ballot needs a random request key of 22 to 64 characters A-Z a-z 0-9 _ -",
        )


def voter_binding(poll_id: str, member_code: str, request_key: str) -> str:
    check_request_key(request_key)
    data = frame(
        tag("voter"),
        poll_id.encode("utf-8"),
        member_code.encode("utf-8"),
        request_key.encode("utf-8"),
    )
    return hashlib.sha256(data).hexdigest()


def context_for(poll_id: str, voter: str, public_key: Point, options: int) -> BallotContext:
    return BallotContext(
        poll_id=poll_id, member_id=voter, request_key="", public_key=public_key, options=options
    )


def tracker(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_sealed(
    poll_id: str, voter: str, public_key: Point, options: int, data: bytes
) -> EncryptedBallot:
    """Decode and verify a ballot for this poll and binding; raises BallotCryptoError."""
    ballot = EncryptedBallot.decode(data)
    verify_ballot(context_for(poll_id, voter, public_key, options), ballot)
    return ballot


def sealed_event(
    *, poll: str, tracker_hex: str, voter: str, weight_units: int, data: bytes
) -> dict[str, Any]:
    return {
        "type": "sealed_ballot",
        "poll": str(poll),
        "tracker": tracker_hex,
        "voter": voter,
        "weight_units": int(weight_units),
        "ballot": data.hex(),
    }


def sealed_event_problems(event: dict[str, Any], where: str) -> list[str]:
    """The shape of a sealed ballot leaf (its proofs are checked by ``verify_sealed``)."""
    want = {"type", "poll", "tracker", "voter", "weight_units", "ballot"}
    if set(event) != want:
        return [f"{where}: a sealed ballot has exactly {', '.join(sorted(want))}"]
    problems = []
    for key in ("tracker", "voter"):
        if not isinstance(event[key], str) or not _HEX64.fullmatch(event[key]):
            problems.append(f"{where}: {key} is not 64 lower-case hex digits")
    units = event["weight_units"]
    if not isinstance(units, int) or isinstance(units, bool) or units < 0:
        problems.append(f"{where}: weight_units is not a whole number >= 0")
    data = event["ballot"]
    if not isinstance(data, str) or not re.fullmatch(r"(?:[0-9a-f]{2})+", data):
        problems.append(f"{where}: ballot is not lower-case hex")
    elif isinstance(event["tracker"], str) and tracker(bytes.fromhex(data)) != event["tracker"]:
        problems.append(f"{where}: the tracker is not the SHA-256 of the ballot")
    return problems
