"""Assembling and signing the bundle of a closed poll."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import votelog
from ..voting import Result
from .form import BUNDLE_FORMAT, POLL_FIELDS, BundleError, plain, serialize_bundle, sign_body
from .verify import verify_bundle


def build_bundle(
    *,
    register: Iterable[Mapping[str, Any]],
    leaves: Sequence[bytes | Mapping[str, Any]],
    checkpoints: Iterable[Mapping[str, Any]],
    private_key: bytes,
    voters: Iterable[str] | None = None,
    choices: Mapping[str, str] | None = None,
    totals: Result | Mapping[str, Any] | None = None,
    decision: Mapping[str, Any] | None = None,
    changes: bool | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """Assemble and sign the bundle of a closed poll from plain data.

    ``register``: ``{"member", "weight", "name"?, "groups"?}`` per member;
    ``leaves``: the stored leaf bytes (or event dicts) in log order;
    ``checkpoints``: signed checkpoints to publish (at least the closing one,
    whose size is the number of leaves; per-ballot checkpoints of a secret poll
    are better left out, as their times date each ballot); ``voters``: for
    secret polls, the members who voted, if that list may be published.
    ``choices``, ``totals`` and ``decision`` default to what the leaves say.
    ``changes`` (may a vote be changed while open) is taken from the opened event;
    give it for a log whose opened event predates that field.
    With ``check`` (the default) the result is verified and ``BundleError``
    raised if it would not pass: never publish a bundle that fails.
    """
    events = [
        votelog.decode_event(leaf) if isinstance(leaf, bytes | bytearray) else dict(leaf)
        for leaf in leaves
    ]
    if not events or events[0].get("type") != "opened" or events[-1].get("type") != "closed":
        raise ValueError("a bundle is made of a closed log: opened ... closed")
    opened, closed = events[0], events[-1]
    secret = bool(opened["secret"])
    rows = []
    for entry in register:
        groups = sorted(set(entry.get("groups", ())))
        rows.append(
            {
                "member": entry["member"],
                "name": entry.get("name", ""),
                "weight": votelog.canonical_decimal(entry["weight"]),
                "groups": groups,
            }
        )
    rows.sort(key=lambda r: r["member"])
    if totals is None:
        totals = closed["totals"]
    elif isinstance(totals, Result):
        totals = totals.to_dict()
    if decision is None:
        decision = {"outcome": totals["outcome"], "winner": totals["winner"]}
    poll = {"id": opened["poll"], **{f: opened[f] for f in POLL_FIELDS}}
    if "changes" in opened:
        poll["changes"] = opened["changes"]
    elif changes is not None:
        poll["changes"] = bool(changes)
    bundle: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "poll": poll,
        "register": rows,
        "log": {
            "leaves": events,
            "checkpoints": sorted(
                (dict(c) for c in checkpoints), key=lambda c: c["checkpoint"]["size"]
            ),
        },
        "totals": dict(totals),
        "decision": dict(decision),
    }
    if secret:
        if voters is not None:
            bundle["voters"] = sorted(voters)
    else:
        if choices is None:
            choices = {e["member"]: e["option"] for e in events if e.get("type") == "ballot"}
        bundle["choices"] = dict(choices)
    public_key = votelog.public_key_for(private_key)
    bundle["key"] = {
        "algorithm": "ed25519",
        "public_key": votelog.to_hex(public_key),
        "key_id": votelog.key_id(public_key),
    }
    bundle = plain(bundle)
    bundle["signature"] = sign_body(bundle, private_key)
    if check:
        problems = verify_bundle(serialize_bundle(bundle))
        if problems:
            raise BundleError(problems)
    return bundle
