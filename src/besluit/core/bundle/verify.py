"""Verifying a published bundle, and what a member's receipt shows in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import votelog
from .check import Checker
from .form import UnreadableBundle, load_with_problems, plain


def verify_bundle(
    data: bytes | Mapping[str, Any], *, expected_key_id: str | None = None
) -> list[str]:
    """Everything wrong with a bundle, as sentences; an empty list means it verifies.

    Give the published bytes: only then is the canonical form checked too.
    """
    problems: list[str] = []
    if isinstance(data, bytes | bytearray):
        try:
            bundle, duplicates = load_with_problems(data)
        except UnreadableBundle as exc:
            return [str(exc)]
        if duplicates:  # or floats: the checks below need plain, float-free JSON
            return duplicates
        try:
            canonical = votelog.canonical_json(bundle, trusted=True) + b"\n"
        except votelog.CanonicalError as exc:
            # A lone surrogate: nothing in it can be hashed or signed as written.
            return [f"not in canonical form: {exc}"]
        else:
            if canonical != bytes(data):
                at = next(
                    (i for i, (a, b) in enumerate(zip(canonical, data, strict=False)) if a != b),
                    min(len(canonical), len(data)),
                )
                problems.append(
                    f"not in canonical form (first difference at byte {at}): a published "
                    "bundle must be kept byte for byte as it was written"
                )
    else:
        try:
            bundle = plain(data)
        except votelog.CanonicalError as exc:
            return [f"not in canonical form: {exc}"]
    return problems + Checker(bundle, expected_key_id).run()


def verify_receipt_in_bundle(
    receipt: Any, data: bytes | Mapping[str, Any], *, expected_key_id: str | None = None
) -> list[str]:
    """Check a member's receipt against a published bundle (problems of both, or [])."""
    problems = verify_bundle(data, expected_key_id=expected_key_id)
    if problems:
        return [*problems, "the bundle does not verify, so no receipt can be checked against it"]
    bundle = load_with_problems(data)[0] if isinstance(data, bytes | bytearray) else plain(data)
    leaves = [votelog.canonical_json(e, trusted=True) for e in bundle["log"]["leaves"]]
    closing = bundle["log"]["checkpoints"][-1]
    public_key = votelog.from_hex(bundle["key"]["public_key"], 32)
    return votelog.verify_receipt(receipt, closing, public_key, leaves=leaves)


def bundle_summary(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Title, number of ballots, closing root and key id of a bundle that verified."""
    leaves = bundle["log"]["leaves"]
    return {
        "title": bundle["poll"]["title"],
        "ballots": sum(1 for e in leaves if e.get("type") == "ballot"),
        "root": bundle["log"]["checkpoints"][-1]["checkpoint"]["root"],
        "key_id": bundle["key"]["key_id"],
    }


def changed_later(receipt: Mapping[str, Any], bundle: Mapping[str, Any]) -> int | None:
    """The last leaf of the same ballot after the receipt's leaf, if the vote was changed.

    A receipt proves that its leaf is in the log; after a change it is a later leaf of
    the same ballot that counts, which the member should be told.
    """
    later = [
        i
        for i, e in enumerate(bundle["log"]["leaves"])
        if i > receipt["index"]
        and e.get("type") == "ballot"
        and e.get("ballot") == receipt["ballot"]
    ]
    return later[-1] if later else None
