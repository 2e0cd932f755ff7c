"""An election's published record: count a round from its stored ballots, the lot's
seed, and the signed bundle that anyone can recount (``besluit verify``).

Pure Python, no Django: the server counts a round with ``count_round`` and the
verifier recounts it with the same function from the bundle, so the winner is
computed in one place only.

Ballots in a record are plain JSON, one shape per method:

* ``two_round``: ``{"choice": "k2"}`` or ``{"choice": null}`` (blank);
* ``approval``: ``{"choice": ["k1", "k3"]}`` (sorted);
* ``ranked``: ``{"choice": ["k3", "k1", "k2"]}`` (best first).

Each also has ``weight`` (a decimal string) and either ``member`` (a named
election: the member's code) or ``members`` (a secret election: identical
choices pooled, with how many members cast them; no member, no time, no order).

The lot's seed of a round is ``SHA-256("besluit-election-lot" 0x00 nonce 0x00
digest)``, where ``nonce`` is 32 random bytes published when the round opened
and ``digest`` the SHA-256 of the round's ballots in canonical JSON, sorted.
So it is fixed (by the ballots) before the count, nobody could choose it after
seeing a tie (the nonce was published before anyone voted), and anyone with the
record can compute it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from besluit.core import votelog

from .common import (
    ApprovalBallot,
    ChoiceBallot,
    ElectionError,
    LotTieBreaker,
    RankedBallot,
    to_json,
)
from .log import log_id, verify_round_log
from .meek import count_meek
from .simple import ElectionResult, Outcome, Round, count_approval, count_irv, count_two_round

__all__ = [
    "BUNDLE_KIND",
    "ballots_digest",
    "build_election_bundle",
    "count_round",
    "lot_seed",
    "verify_election_bundle",
]

BUNDLE_KIND = "besluit-election"
SIGN_CONTEXT = b"besluit election bundle v1\x00"
METHODS = ("two_round", "approval", "ranked")


def _plain(value: Any) -> Any:
    """JSON-ready: Decimals as strings, UUIDs and enums as theirs (canonical JSON's rules)."""
    return json.loads(votelog.canonical_json(to_json(value)))


def _sorted_ballots(ballots: Sequence[Mapping[str, Any]]) -> list[Any]:
    return sorted(
        (_plain(b) for b in ballots), key=lambda b: votelog.canonical_json(b, trusted=True)
    )


def ballots_digest(ballots: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) of the ballots in canonical JSON, sorted: independent of order."""
    return hashlib.sha256(votelog.canonical_json(_sorted_ballots(ballots))).hexdigest()


def lot_seed(nonce_hex: str, ballots: Sequence[Mapping[str, Any]]) -> bytes:
    nonce = votelog.from_hex(nonce_hex, 32)
    digest = bytes.fromhex(ballots_digest(ballots))
    return hashlib.sha256(b"besluit-election-lot\x00" + nonce + b"\x00" + digest).digest()


def _core_ballots(method: str, ballots: Sequence[Mapping[str, Any]]) -> list:
    out: list = []
    for b in ballots:
        weight = Decimal(str(b["weight"]))
        choice = b["choice"]
        if method == "two_round":
            out.append(ChoiceBallot(weight, choice))
        elif method == "approval":
            out.append(ApprovalBallot(weight, frozenset(choice)))
        else:
            out.append(RankedBallot(weight, tuple((c,) for c in choice)))
    return out


def count_round(
    *,
    method: str,
    seats: int,
    candidates: Sequence[str],
    ballots: Sequence[Mapping[str, Any]],
    nonce: str,
    max_approvals: int = 1,
    allow_unopposed: bool = False,
    first_round: ElectionResult | None = None,
) -> ElectionResult | Any:
    """The result of one round from its record's ballots (see the module for shapes).

    Ranked ballots: instant run-off for one seat, Meek STV (9-decimal fixed point)
    for several. Ties look back at earlier rounds first, then go to the lot.
    """
    if method not in METHODS:
        raise ElectionError(f"unknown method {method!r}")
    lot = LotTieBreaker(lot_seed(nonce, ballots))
    core = _core_ballots(method, ballots)
    if method == "two_round":
        return count_two_round(
            candidates,
            core,
            tie_breaker=lot,
            runoff_of=first_round,
            backwards=True,
            allow_unopposed=allow_unopposed,
        )
    if method == "approval":
        return count_approval(
            candidates,
            seats,
            core,
            max_approvals=max_approvals,
            tie_breaker=lot,
            allow_unopposed=allow_unopposed,
        )
    if seats == 1:
        return count_irv(
            candidates, core, tie_breaker=lot, backwards=True, allow_unopposed=allow_unopposed
        )
    return count_meek(
        candidates, seats, core, tie_breaker=lot, backwards=True, allow_unopposed=allow_unopposed
    )


def unopposed_result(candidates: Sequence[str], seats: int) -> ElectionResult:
    """Declared without a vote: no more candidates than seats, and the statutes allow it."""
    return ElectionResult(tuple(candidates), seats, Outcome.UNOPPOSED, tuple(candidates), ())


def result_json(result: Any) -> dict[str, Any]:
    return _plain(result)


def result_from_json(data: Mapping[str, Any]) -> ElectionResult:
    """A two-round result back from JSON (needed to count the second round)."""
    rounds = tuple(
        Round(
            r["number"],
            tuple((c, Decimal(v)) for c, v in r["votes"]),
            None if r["quota"] is None else Decimal(r["quota"]),
            Decimal(r["exhausted"]),
            tuple(r["elected"]),
            tuple(r["excluded"]),
        )
        for r in data["rounds"]
    )
    return ElectionResult(
        tuple(data["candidates"]),
        data["seats"],
        Outcome(data["outcome"]),
        tuple(data["elected"]),
        rounds,
        tuple(data.get("runoff", ())),
        Decimal(data.get("cast_weight", "0")),
        Decimal(data.get("blank_weight", "0")),
    )


# --- the bundle -------------------------------------------------------------------


def build_election_bundle(
    *, election: Mapping[str, Any], rounds: Sequence[Mapping[str, Any]], private_key: bytes
) -> dict[str, Any]:
    """The signed record of an election: what it was, every round's ballots and result.

    ``rounds`` items: number, candidates (keys), nonce, ballots, result (as JSON),
    ``unopposed`` (bool) and, for a round with ballots, ``log``: its vote log (``leaves``
    as stored, the signed ``opening`` and ``closing`` checkpoints; core.elections.log).
    The signature covers everything else, in canonical JSON.
    """
    public = votelog.public_key_for(private_key)
    body = _plain(
        {
            "kind": BUNDLE_KIND,
            # Version 2 carries every counted round's vote log; a record of rounds
            # opened before the logs existed stays version 1 (checked without them).
            "version": 2 if all(r.get("unopposed") or "log" in r for r in rounds) else 1,
            "election": election,
            "rounds": [{**r, "ballots": _sorted_ballots(r["ballots"])} for r in rounds],
            "key": {"public_key": votelog.to_hex(public), "key_id": votelog.key_id(public)},
        }
    )
    signature = votelog.sign(private_key, SIGN_CONTEXT + votelog.canonical_json(body))
    return {**body, "signature": votelog.to_hex(signature)}


def verify_election_bundle(bundle: Any, *, expected_key_id: str | None = None) -> list[str]:
    """Everything wrong with an election bundle, as sentences; empty means it verifies:
    the signature, every round's vote log (version 2), seed and recount from the ballots."""
    try:
        return _verify(bundle, expected_key_id)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [f"malformed election bundle: {type(exc).__name__}: {exc}"]


def _verify(bundle: Any, expected_key_id: str | None) -> list[str]:
    problems: list[str] = []
    if not isinstance(bundle, dict) or bundle.get("kind") != BUNDLE_KIND:
        return ["not an election bundle"]
    body = {k: v for k, v in bundle.items() if k != "signature"}
    public = votelog.from_hex(bundle["key"]["public_key"], 32)
    if votelog.key_id(public) != bundle["key"]["key_id"]:
        problems.append("the key id does not match the public key")
    if expected_key_id and bundle["key"]["key_id"] != expected_key_id:
        problems.append(f"signed by key {bundle['key']['key_id']}, not {expected_key_id}")
    signature = votelog.from_hex(bundle["signature"], 64)
    if not votelog.verify_signature(
        public, SIGN_CONTEXT + votelog.canonical_json(body, trusted=True), signature
    ):
        problems.append("the signature does not verify")
    election = bundle["election"]
    method, seats = election["method"], election["seats"]
    first: ElectionResult | None = None
    for r in bundle["rounds"]:
        where = f"round {r['number']}"
        if r.get("unopposed"):
            recount = result_json(unopposed_result(r["candidates"], seats))
        else:
            seed = votelog.to_hex(lot_seed(r["nonce"], r["ballots"]))
            if seed != r.get("seed"):
                problems.append(f"{where}: the lot's seed is {seed}, not {r.get('seed')}")
            if election["secret"] and any("member" in b for b in r["ballots"]):
                problems.append(f"{where}: a secret election names a member on a ballot")
            if "log" in r or bundle.get("version", 1) >= 2:
                problems += verify_round_log(
                    log=r["log"],
                    log_name=log_id(election["id"], r["number"]),
                    election=election,
                    round_number=r["number"],
                    candidates=r["candidates"],
                    ballots=r["ballots"],
                    ballots_digest=ballots_digest(r["ballots"]),
                    public_key=public,
                )
            recount = result_json(
                count_round(
                    method=method,
                    seats=seats,
                    candidates=r["candidates"],
                    ballots=r["ballots"],
                    nonce=r["nonce"],
                    max_approvals=election.get("max_approvals") or 1,
                    allow_unopposed=False,
                    first_round=first if method == "two_round" and r["number"] > 1 else None,
                )
            )
        if votelog.canonical_json(recount) != votelog.canonical_json(r["result"], trusted=True):
            problems.append(f"{where}: the recount from the ballots differs from the result")
        if method == "two_round" and not r.get("unopposed"):
            first = result_from_json(recount)
    return problems


def bundle_summary(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Title, rounds, the elected (by name) and the key of a record that verified."""
    rounds = bundle["rounds"]
    names = {c["key"]: c["name"] for c in bundle["election"].get("candidates", [])}
    last = rounds[-1]["result"] if rounds else {}
    return {
        "title": bundle["election"]["title"],
        "rounds": len(rounds),
        "elected": [names.get(k, k) for k in last.get("elected", [])],
        "key_id": bundle["key"]["key_id"],
    }
