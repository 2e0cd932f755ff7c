"""The bundle's one byte form: its constants, reading, writing, hashing and signing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .. import votelog

BUNDLE_FORMAT = "besluit-poll-bundle/1"
BUNDLE_CONTEXT = b"besluit bundle v1\n"
REQUIRED = {"format", "poll", "register", "log", "totals", "decision", "key", "signature"}
OPTIONAL = {"choices", "voters"}
POLL_FIELDS = ("title", "secret", "options", "rule", "yes_no")


class BundleError(ValueError):
    """``build_bundle`` produced a bundle that does not verify."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class UnreadableBundle(ValueError):
    """The bytes are not UTF-8 JSON at all (the position is in the message)."""


# --- reading and writing ----------------------------------------------------------


def serialize_bundle(bundle: Mapping[str, Any]) -> bytes:
    """The one published byte form: canonical JSON and a final newline."""
    return votelog.canonical_json(bundle) + b"\n"


def bundle_hash(bundle: Mapping[str, Any] | bytes) -> str:
    """Hex SHA-256 of the published bytes: quote it in minutes and letters."""
    data = bytes(bundle) if isinstance(bundle, bytes | bytearray) else serialize_bundle(bundle)
    return hashlib.sha256(data).hexdigest()


def load_bundle(data: bytes) -> Any:
    """Parse bundle bytes; ``UnreadableBundle`` (with the position) when not UTF-8 JSON."""
    return load_with_problems(data)[0]


def load_with_problems(data: bytes) -> tuple[Any, list[str]]:
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableBundle(f"not valid UTF-8 at byte {exc.start}") from exc
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(f"duplicate key {key!r} in one JSON object")
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise UnreadableBundle(f"not valid JSON: {name} is not a JSON value")

    def fraction(token: str) -> Decimal:
        if not floats:
            floats.append(
                f"not in canonical form: the number {token} has a fraction or exponent "
                "(decimals are written as strings)"
            )
        return Decimal(token)

    floats: list[str] = []
    try:
        value = json.loads(
            text, object_pairs_hook=pairs, parse_constant=constant, parse_float=fraction
        )
    except json.JSONDecodeError as exc:
        byte = len(text[: exc.pos].encode("utf-8"))
        raise UnreadableBundle(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (byte {byte})"
        ) from exc
    except RecursionError as exc:
        raise UnreadableBundle("not valid JSON: nested too deeply") from exc
    return value, duplicates + floats


def body(bundle: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bundle.items() if k != "signature"}


def plain(value: Any) -> Any:
    return json.loads(votelog.canonical_json(value))


def sign_body(bundle: Mapping[str, Any], private_key: bytes) -> str:
    message = BUNDLE_CONTEXT + votelog.canonical_json(body(bundle))
    return votelog.to_hex(votelog.sign(private_key, message))
