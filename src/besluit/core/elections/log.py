"""The vote log of an election round: a Merkle log as a poll's (core.merkle,
core.votelog), one per round, so that every voter gets a receipt and anyone can check
that the published ballots are the ones the log received.

The log's id (``poll`` in its events, checkpoints and receipts, so the poll's receipt
check on "Controleer uw stem" and ``votelog.verify_receipt`` work unchanged) is
``"<election id>/<round number>"``: it can never be a poll's id (a UUID).

Leaves, in canonical JSON:

* ``{"type": "opened", "poll", "election", "round", "method", "seats", "secret",
  "candidates", "eligible_members", "eligible_weight", "at"}``: the round as opened;
* a named ballot ``{"type": "ballot", "poll", "ballot", "member", "choice", "at"}``;
* a secret ballot ``{"type": "ballot", "poll", "ballot"}`` with only a random receipt
  code (``votelog.new_receipt_code``): no member, no choice, no time, as a secret
  poll's. The choice exists only pooled (the record's ballots), so the log proves that
  a member's ballot was received and counted among N, never what it was;
* ``{"type": "closed", "poll", "ballots", "ballots_digest", "at"}``: how many ballots
  and the SHA-256 of the round's ballots as the record publishes them
  (``record.ballots_digest``), which ties the published ballots to the signed log.

Pure Python, no Django (the verifier imports it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from besluit.core import votelog
from besluit.core.merkle import MerkleLog

__all__ = [
    "ballot_event",
    "closed_event",
    "log_id",
    "opened_event",
    "verify_round_log",
]


def log_id(election_id: str, round_number: int) -> str:
    return f"{election_id}/{round_number}"


def opened_event(
    *,
    log: str,
    election: str,
    round_number: int,
    method: str,
    seats: int,
    secret: bool,
    candidates: Sequence[str],
    eligible_members: int,
    eligible_weight: Decimal,
    at: datetime,
) -> dict[str, Any]:
    return {
        "type": "opened",
        "poll": log,
        "election": election,
        "round": round_number,
        "method": method,
        "seats": seats,
        "secret": bool(secret),
        "candidates": list(candidates),
        "eligible_members": eligible_members,
        "eligible_weight": votelog.canonical_decimal(eligible_weight),
        "at": votelog.format_time(at),
    }


def ballot_event(
    *, log: str, secret: bool, ballot: str = "", member: str = "", choice: Any = None, at=None
) -> dict[str, Any]:
    """A ballot's leaf. Secret: only a new random receipt code (see the module doc)."""
    if secret:
        return {"type": "ballot", "poll": log, "ballot": votelog.new_receipt_code()}
    return {
        "type": "ballot",
        "poll": log,
        "ballot": str(ballot),
        "member": member,
        "choice": choice,
        "at": votelog.format_time(at),
    }


def closed_event(*, log: str, ballots: int, ballots_digest: str, at: datetime) -> dict[str, Any]:
    return {
        "type": "closed",
        "poll": log,
        "ballots": ballots,
        "ballots_digest": ballots_digest,
        "at": votelog.format_time(at),
    }


_KEYS = {
    "opened": {
        "type",
        "poll",
        "election",
        "round",
        "method",
        "seats",
        "secret",
        "candidates",
        "eligible_members",
        "eligible_weight",
        "at",
    },
    "named": {"type", "poll", "ballot", "member", "choice", "at"},
    "secret": {"type", "poll", "ballot"},
    "closed": {"type", "poll", "ballots", "ballots_digest", "at"},
}


def verify_round_log(
    *,
    log: Mapping[str, Any],
    log_name: str,
    election: Mapping[str, Any],
    round_number: int,
    candidates: Sequence[str],
    ballots: Sequence[Mapping[str, Any]],
    ballots_digest: str,
    public_key: bytes,
) -> list[str]:
    """Everything wrong with a round's log in a record (empty: it verifies).

    The signed opening and closing checkpoints, the leaves making the closing tree, the
    opened leaf describing this round, one ballot leaf per ballot (a named election:
    the same member and choice; a secret one: as many random codes as pooled members,
    and nothing else), and the closed leaf naming the published ballots' digest.
    """
    where = f"round {round_number} log"
    problems: list[str] = []
    secret = bool(election["secret"])
    opening, closing = log["opening"], log["closing"]
    problems += votelog.verify_checkpoint(opening, public_key, what=f"{where}: opening checkpoint")
    problems += votelog.verify_checkpoint(closing, public_key, what=f"{where}: closing checkpoint")
    if problems:
        return problems
    tree = MerkleLog()
    events = []
    for i, text in enumerate(log["leaves"]):
        data = text.encode()
        try:
            events.append(votelog.decode_event(data))
        except (votelog.CanonicalError, ValueError):
            return [f"{where}: leaf {i} is not canonical JSON"]
        tree.append_data(data)
    for name, cp in (("opening", opening), ("closing", closing)):
        c = cp["checkpoint"]
        if c["poll"] != log_name:
            problems.append(f"{where}: the {name} checkpoint is for {c['poll']!r}")
        elif not 0 < c["size"] <= tree.size or tree.root_at(c["size"]).hex() != c["root"]:
            problems.append(f"{where}: the leaves do not make the signed {name} tree")
    if closing["checkpoint"]["size"] != tree.size:
        problems.append(f"{where}: the closing checkpoint does not cover every leaf")
    if problems:
        return problems
    if len(events) < 2:
        return [f"{where}: an opened and a closed leaf are needed"]
    first, last, middle = events[0], events[-1], events[1:-1]
    for i, event in enumerate(events):
        if event.get("poll") != log_name:
            problems.append(f"{where}: leaf {i} belongs to {event.get('poll')!r}")
    kinds = [("opened", first), ("closed", last)] + [
        ("secret" if secret else "named", e) for e in middle
    ]
    for i, (kind, event) in enumerate(kinds):
        expected_type = "ballot" if kind in ("secret", "named") else kind
        if event.get("type") != expected_type or set(event) != _KEYS[kind]:
            problems.append(f"{where}: leaf {i} is not a {kind.replace('named', 'named ballot')}")
    if problems:
        return problems
    if (
        first["election"] != election["id"]
        or first["round"] != round_number
        or first["method"] != election["method"]
        or first["seats"] != election["seats"]
        or first["secret"] != secret
        or first["candidates"] != list(candidates)
    ):
        problems.append(f"{where}: the opened leaf describes another election or round")
    if secret:
        expected = sum(int(b["members"]) for b in ballots)
        if any(not votelog._RECEIPT_CODE.fullmatch(str(e["ballot"])) for e in middle):
            problems.append(f"{where}: a secret ballot leaf holds more than a receipt code")
    else:
        expected = len(ballots)
        logged = Counter(votelog.canonical_json([e["member"], e["choice"]]) for e in middle)
        published = Counter(votelog.canonical_json([b["member"], b["choice"]]) for b in ballots)
        if logged != published:
            problems.append(f"{where}: the logged ballots differ from the published ballots")
    if len(middle) != expected:
        problems.append(f"{where}: {len(middle)} ballots logged, {expected} published")
    if last["ballots"] != len(middle) or last["ballots_digest"] != ballots_digest:
        problems.append(f"{where}: the closed leaf does not name the published ballots")
    return problems


def find_round(bundle: Mapping[str, Any], log_name: str) -> Mapping[str, Any] | None:
    """The round of a record whose log has this id (for a receipt)."""
    election_id = bundle["election"]["id"]
    for r in bundle["rounds"]:
        if log_id(election_id, r["number"]) == log_name and "log" in r:
            return r
    return None


def verify_receipt_in_record(receipt: Any, bundle: Mapping[str, Any]) -> list[str]:
    """Is this voter's receipt a ballot leaf of its round's closed log in the record?"""
    if not isinstance(receipt, dict) or not isinstance(receipt.get("poll"), str):
        return ["receipt: not a ballot receipt"]
    rnd = find_round(bundle, receipt["poll"])
    if rnd is None:
        return [f"receipt: no round of this election has the log {receipt['poll']!r}"]
    public = votelog.from_hex(bundle["key"]["public_key"], 32)
    leaves = [text.encode() for text in rnd["log"]["leaves"]]
    return votelog.verify_receipt(receipt, rnd["log"]["closing"], public, leaves=leaves)
