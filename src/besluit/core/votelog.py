"""The event log of a poll: leaf format, signed checkpoints and receipts.

No Django: the stand-alone verifier imports this module without the web app.

Every poll has an append-only log whose leaves are events, encoded as
*canonical JSON* (``canonical_json``: keys sorted by code point, no whitespace,
UTF-8 without ``\\u`` escapes for printable text, no floats; Decimals are written
as strings, exactly as ``Result.to_dict()`` writes them). The leaf data is that
byte string; the log is an RFC 9162 Merkle tree over it (``core.merkle``).

Events, in log order::

    leaf 0     {"type": "opened", "poll": <uuid>, "title": str, "secret": bool,
                "register_fingerprint": <hex SHA-256 of the canonical register>,
                "options": [{"key", "label", "is_abstention"}...],
                "rule": {"majority", "abstentions", "quorum"}, "yes_no": bool|null,
                "changes": bool, "at": <UTC time>}
    named      {"type": "ballot", "poll", "ballot": <ballot id>, "member": <code>,
                "option": <key>, "at": <UTC time>, "proxy"?: <code>, "paper"?: true}
    secret     {"type": "ballot", "poll", "ballot": <random receipt code>, "paper"?: true}

``proxy`` (named polls) is the member whose representatives cast the ballot for
``member`` (a volmacht); ``paper`` marks a ballot handed in on paper. Both are absent
otherwise, so logs written before them verify as they did.
    last leaf  {"type": "closed", "poll", "totals": Result.to_dict(), "at": <UTC time>}

``changes`` says whether a cast vote may be changed while the poll is open (logs
written before it was added lack it: the bundle then says so, see core.bundle). A
change is a later leaf with the same ballot id and member: the last one counts.

A secret ballot leaf holds only a random receipt code: no member, option or
weight, and deliberately no time. It proves that *a* ballot was recorded, and
that is all it can verify; a timestamp would add nothing a verifier can check
while it would let anyone who knows when a representative voted (a meeting
room, an access log, the who-voted table) tie that member to a leaf and its
receipt code. The leaf *order* still follows the order of voting, so whoever
stores who voted must not keep a precise voting time or an ordered id next to
it either.

The register fingerprint is SHA-256 over
``canonical_json([{"member": code, "weight": canonical_decimal(w)}, ...])``
sorted by member code: it freezes who may vote with what weight when the poll
opens.

Checkpoints ``{"poll", "size", "root": hex, "at"}`` are signed with the
installation's Ed25519 key. The signed message is a context line followed by
the canonical checkpoint (``CHECKPOINT_CONTEXT + canonical_json(checkpoint)``),
so a checkpoint signature can never be passed off as a bundle signature. A
signed checkpoint is ``{"checkpoint": {...}, "key_id": hex, "signature": hex}``;
the key id is the SHA-256 of the raw 32-byte public key. All hashes, keys and
signatures are lower-case hex, and only lower-case hex is accepted, so each
value has one spelling.

A receipt, returned for each accepted ballot, is ``{"format", "poll", "ballot",
"index", "event", "proof": [hex...], "checkpoint": signed checkpoint}``: the
member's own leaf, its position and an inclusion proof in the signed tree of
that moment. After close, ``verify_receipt`` checks it against the signed
closing checkpoint, using either all leaves (the published bundle has them) or
a consistency proof from the receipt's tree to the closing tree.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import itertools
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .merkle import MerkleError, MerkleLog, leaf_hash, verify_consistency, verify_inclusion
from .voting import Option, Result, Rule

__all__ = [
    "CHECKPOINT_CONTEXT",
    "RECEIPT_FORMAT",
    "CanonicalError",
    "PollLog",
    "ballot_event",
    "canonical_decimal",
    "canonical_json",
    "checkpoint",
    "closed_event",
    "decode_event",
    "encode_event",
    "event_problems",
    "format_time",
    "from_hex",
    "generate_private_key",
    "is_time",
    "key_id",
    "load_or_create_private_key",
    "loads_canonical",
    "make_receipt",
    "new_receipt_code",
    "opened_event",
    "options_from_json",
    "options_to_json",
    "public_key_for",
    "register_entries",
    "register_fingerprint",
    "rule_from_json",
    "rule_to_json",
    "secret_ballot_event",
    "sign",
    "sign_checkpoint",
    "to_hex",
    "verify_checkpoint",
    "verify_receipt",
    "verify_signature",
]

CHECKPOINT_CONTEXT = b"besluit checkpoint v1\n"
RECEIPT_FORMAT = "besluit-receipt/1"
_HEX = re.compile(r"[0-9a-f]*")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_RECEIPT_CODE = re.compile(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){5}")


class CanonicalError(ValueError):
    """A value cannot be written as canonical JSON, or bytes are not canonical JSON."""


# --- canonical JSON ----------------------------------------------------------


def canonical_json(value: Any, *, trusted: bool = False) -> bytes:
    """The one byte string for ``value``: sorted keys, no whitespace, UTF-8.

    Accepts dicts with str keys, lists/tuples, str, int, bool, None, finite
    Decimals (written as strings, ``str(d)``), enums (their value) and UUIDs
    (their string). Floats are refused: they are not exact.

    ``trusted`` skips the conversion and its checks, for speed, when the value
    is known to hold only str-keyed dicts, lists, str, int, bool and None (it
    came from ``json.loads`` with floats and constants refused).
    """
    try:
        text = json.dumps(
            value if trusted else _plain(value),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return text.encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise CanonicalError(str(exc)) from exc


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CanonicalError(f"not a finite decimal: {value}")
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"object keys must be strings, got {key!r}")
            out[key] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise CanonicalError(f"{type(value).__name__} has no canonical JSON form: {value!r}")


def loads_canonical(data: bytes) -> Any:
    """Parse bytes that must be canonical JSON (as written by ``canonical_json``)."""
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CanonicalError(f"not valid JSON: {exc}") from exc
    if canonical_json(value) != bytes(data):
        raise CanonicalError("not in canonical form")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def canonical_decimal(value: Decimal | int | str) -> str:
    """A weight as its shortest fixed-point string: 12.000 -> "12", 0.50 -> "0.5"."""
    if isinstance(value, bool | float):
        raise CanonicalError(f"not an exact decimal: {value!r}")
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise CanonicalError(f"not a decimal: {value!r}") from exc
    if not d.is_finite():
        raise CanonicalError(f"not a finite decimal: {value!r}")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def format_time(at: datetime) -> str:
    """UTC, whole seconds: ``2025-06-04T10:15:00Z``. Naive datetimes are refused."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is needed, got {at!r}")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_time(value: object) -> bool:
    """Is it a time as ``format_time`` writes it?"""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value[:-1])
    except ValueError:
        return False
    return True


def to_hex(data: bytes) -> str:
    return bytes(data).hex()


def from_hex(text: object, size: int | None = None) -> bytes:
    """Strict lower-case hex (one spelling per value), optionally of ``size`` bytes."""
    if not isinstance(text, str) or len(text) % 2 or not _HEX.fullmatch(text):
        raise ValueError("not lower-case hex")
    data = bytes.fromhex(text)
    if size is not None and len(data) != size:
        raise ValueError(f"expected {size} bytes, got {len(data)}")
    return data


# --- register, options, rule --------------------------------------------------


def register_entries(register: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """``[{"member", "weight"}]`` sorted by member, weights as canonical decimals."""
    entries = []
    for entry in register:
        member = entry["member"]
        if not isinstance(member, str) or not member:
            raise ValueError(f"member codes are non-empty strings, got {member!r}")
        weight = canonical_decimal(entry["weight"])
        if Decimal(weight) < 0:
            raise ValueError(f"weight of {member} is negative")
        entries.append({"member": member, "weight": weight})
    entries.sort(key=lambda e: e["member"])
    for a, b in itertools.pairwise(entries):
        if a["member"] == b["member"]:
            raise ValueError(f"member {a['member']} is on the register twice")
    return entries


def register_fingerprint(register: Iterable[Mapping[str, Any]]) -> str:
    """Hex SHA-256 of the canonical ``[{member, weight}]`` list (other keys ignored)."""
    return hashlib.sha256(canonical_json(register_entries(register))).hexdigest()


def options_to_json(options: Sequence[Option]) -> list[dict[str, Any]]:
    return [{"key": o.key, "label": o.label, "is_abstention": o.is_abstention} for o in options]


def options_from_json(data: Sequence[Mapping[str, Any]]) -> tuple[Option, ...]:
    """The options as an opened event lists them; TypeError for a value of another type
    (a bundle's verifier reports it instead of failing on it later)."""
    options = tuple(Option(o["key"], o["label"], o["is_abstention"]) for o in data)
    for o in options:
        if not (isinstance(o.key, str) and isinstance(o.label, str)):
            raise TypeError("an option's key and label are strings")
        if not isinstance(o.is_abstention, bool):
            raise TypeError("an option's is_abstention is true or false")
    return options


def rule_to_json(rule: Rule) -> dict[str, str]:
    return {
        "majority": rule.majority.value,
        "abstentions": rule.abstentions.value,
        "quorum": str(rule.quorum),
    }


def rule_from_json(data: Mapping[str, Any]) -> Rule:
    return Rule(
        majority=data["majority"],
        abstentions=data["abstentions"],
        quorum=Decimal(data["quorum"]),
    )


# --- events ------------------------------------------------------------------


def opened_event(
    *,
    poll: UUID | str,
    title: str,
    register: Iterable[Mapping[str, Any]],
    options: Sequence[Option],
    rule: Rule,
    secret: bool,
    at: datetime,
    yes_no: bool | None = None,
    changes: bool | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "opened",
        "poll": str(poll),
        "title": title,
        "secret": bool(secret),
        "register_fingerprint": register_fingerprint(register),
        "options": options_to_json(options),
        "rule": rule_to_json(rule),
        "yes_no": yes_no,
        "at": format_time(at),
    }
    if changes is not None:  # None: the event as before the field existed
        event["changes"] = bool(changes)
    return event


def ballot_event(
    *,
    poll: UUID | str,
    ballot: str,
    member: str,
    option: str,
    at: datetime,
    proxy: str = "",
    paper: bool = False,
) -> dict[str, Any]:
    """A named ballot: who chose what, and when.

    ``proxy``: the code of the member whose representatives cast it (volmacht);
    ``paper``: handed in on paper and entered by the secretariat. Both are left out
    when not so, so a ballot as before keeps its bytes.
    """
    event = {
        "type": "ballot",
        "poll": str(poll),
        "ballot": str(ballot),
        "member": member,
        "option": option,
        "at": format_time(at),
    }
    if proxy:
        event["proxy"] = proxy
    if paper:
        event["paper"] = True
    return event


def secret_ballot_event(
    *, poll: UUID | str, receipt_code: str, paper: bool = False
) -> dict[str, Any]:
    """A secret ballot: only a random code (``new_receipt_code()``), see the module doc.
    ``paper``: one of a paper round's ballots (counted by the tellers)."""
    if not _RECEIPT_CODE.fullmatch(receipt_code):
        raise ValueError("use new_receipt_code() for the receipt code of a secret ballot")
    event: dict[str, Any] = {"type": "ballot", "poll": str(poll), "ballot": receipt_code}
    if paper:
        event["paper"] = True
    return event


def closed_event(
    *, poll: UUID | str, totals: Result | Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    totals_json = totals.to_dict() if isinstance(totals, Result) else dict(totals)
    return {"type": "closed", "poll": str(poll), "totals": totals_json, "at": format_time(at)}


def new_receipt_code() -> str:
    """120 random bits as six groups of four base32 letters: ``K7QF-3M2X-...``."""
    text = base64.b32encode(secrets.token_bytes(15)).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 24, 4))


def encode_event(event: Mapping[str, Any]) -> bytes:
    """The leaf data of an event. Store these bytes as they are."""
    return canonical_json(event)


def decode_event(data: bytes) -> dict[str, Any]:
    """Parse leaf data; raises ``CanonicalError`` unless it is a canonical JSON object."""
    value = loads_canonical(data)
    if not isinstance(value, dict):
        raise CanonicalError("an event is a JSON object")
    return value


def event_problems(event: Any, *, poll: str, secret: bool, where: str) -> list[str]:
    """What is wrong with the shape of one event (empty when nothing)."""
    if not isinstance(event, dict):
        return [f"{where}: not a JSON object"]
    kind = event.get("type")
    if event.get("poll") != poll:
        return [f"{where}: belongs to poll {event.get('poll')!r}, not {poll!r}"]
    if kind == "opened":
        want = {
            "type",
            "poll",
            "title",
            "secret",
            "register_fingerprint",
            "options",
            "rule",
            "yes_no",
            "at",
        }
    elif kind == "ballot" and secret:
        want = {"type", "poll", "ballot"}
    elif kind == "ballot":
        want = {"type", "poll", "ballot", "member", "option", "at"}
    elif kind == "closed":
        want = {"type", "poll", "totals", "at"}
    else:
        return [f"{where}: unknown event type {kind!r}"]
    problems = []
    if kind == "ballot":
        # Optional: a ballot on paper; a named ballot cast by a proxy (volmacht).
        if "paper" in event:
            want.add("paper")
            if event["paper"] is not True:
                problems.append(f"{where}: 'paper' is true when present")
        if "proxy" in event and not secret:
            want.add("proxy")
            if not isinstance(event["proxy"], str) or not event["proxy"]:
                problems.append(f"{where}: 'proxy' must be a member code")
    if kind == "opened" and "changes" in event:
        want.add("changes")  # optional: logs opened before it existed lack it
        if not isinstance(event["changes"], bool):
            problems.append(f"{where}: 'changes' must be true or false")
    if set(event) != want:
        extra, missing = sorted(set(event) - want), sorted(want - set(event))
        label = "secret ballot" if kind == "ballot" and secret else f"{kind} event"
        if extra:
            problems.append(f"{where}: {label} must not contain {', '.join(extra)}")
        if missing:
            problems.append(f"{where}: {label} lacks {', '.join(missing)}")
        return problems
    if "at" in event and not is_time(event["at"]):
        problems.append(f"{where}: 'at' is not a UTC time like 2025-06-04T10:15:00Z")
    if kind == "ballot":
        if not isinstance(event["ballot"], str) or not event["ballot"]:
            problems.append(f"{where}: ballot id must be a non-empty string")
        elif secret and not _RECEIPT_CODE.fullmatch(event["ballot"]):
            problems.append(f"{where}: secret ballot id is not a random receipt code")
        if not secret:
            for key in ("member", "option"):
                if not isinstance(event[key], str):
                    problems.append(f"{where}: {key} must be a string")
    return problems


# --- keys and signatures -------------------------------------------------------


def generate_private_key() -> bytes:
    """A new Ed25519 private key as its raw 32 bytes."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


@functools.lru_cache(maxsize=8)
def _signing_key(private_key: bytes) -> tuple[Ed25519PrivateKey, bytes]:
    """The key object and its raw public key, made once per key (every batch of ballots
    signs a checkpoint)."""
    key = Ed25519PrivateKey.from_private_bytes(private_key)
    return key, key.public_key().public_bytes_raw()


def public_key_for(private_key: bytes) -> bytes:
    return _signing_key(bytes(private_key))[1]


def key_id(public_key: bytes) -> str:
    """Hex SHA-256 of the raw public key: the fingerprint members compare."""
    return hashlib.sha256(bytes(public_key)).hexdigest()


def sign(private_key: bytes, message: bytes) -> bytes:
    return _signing_key(bytes(private_key))[0].sign(message)


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(signature), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def load_or_create_private_key(path: str | os.PathLike[str]) -> bytes:
    """The installation key from a PEM (PKCS#8) file, created (mode 0600) on first use.

    Creation is atomic: the key is written to a temporary file and hard-linked
    into place, so two processes starting at once end up with the same key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # somebody else was first: use theirs
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key.private_bytes_raw()


# --- checkpoints ---------------------------------------------------------------


def checkpoint(*, poll: UUID | str, size: int, root: bytes, at: datetime) -> dict[str, Any]:
    return {"poll": str(poll), "size": size, "root": to_hex(root), "at": format_time(at)}


def sign_checkpoint(cp: Mapping[str, Any], private_key: bytes) -> dict[str, Any]:
    signature = sign(private_key, CHECKPOINT_CONTEXT + canonical_json(cp))
    return {
        "checkpoint": dict(cp),
        "key_id": key_id(public_key_for(private_key)),
        "signature": to_hex(signature),
    }


def verify_checkpoint(signed: Any, public_key: bytes, *, what: str = "checkpoint") -> list[str]:
    """Problems with a signed checkpoint's shape, key id or signature (empty = fine)."""
    if not isinstance(signed, dict) or set(signed) != {"checkpoint", "key_id", "signature"}:
        return [f"{what}: not a signed checkpoint {{checkpoint, key_id, signature}}"]
    cp = signed["checkpoint"]
    if not isinstance(cp, dict) or set(cp) != {"poll", "size", "root", "at"}:
        return [f"{what}: checkpoint must have exactly poll, size, root, at"]
    problems = []
    size = cp["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problems.append(f"{what}: size is not a non-negative integer")
    try:
        from_hex(cp["root"], 32)
    except ValueError:
        problems.append(f"{what}: root is not 32 bytes of lower-case hex")
    if not isinstance(cp["poll"], str) or not is_time(cp["at"]):
        problems.append(f"{what}: poll or at malformed")
    if signed["key_id"] != key_id(public_key):
        problems.append(
            f"{what}: signed by key {str(signed['key_id'])[:16]}..., "
            f"not by the published key {key_id(public_key)[:16]}..."
        )
    try:
        signature = from_hex(signed["signature"], 64)
    except ValueError:
        problems.append(f"{what}: signature is not 64 bytes of lower-case hex")
        return problems
    try:
        message = CHECKPOINT_CONTEXT + canonical_json(cp)
    except CanonicalError:
        return [*problems, f"{what}: cannot be encoded canonically"]
    if not verify_signature(public_key, message, signature):
        problems.append(f"{what}: signature is not valid")
    return problems


# --- receipts ------------------------------------------------------------------


def make_receipt(
    *,
    event: Mapping[str, Any] | bytes,
    index: int,
    proof: Sequence[bytes],
    signed_checkpoint: Mapping[str, Any],
) -> dict[str, Any]:
    """A member's receipt for the ballot leaf ``event`` at ``index``."""
    event = decode_event(event) if isinstance(event, bytes | bytearray) else dict(event)
    return {
        "format": RECEIPT_FORMAT,
        "poll": event["poll"],
        "ballot": event["ballot"],
        "index": index,
        "event": event,
        "proof": [to_hex(h) for h in proof],
        "checkpoint": dict(signed_checkpoint),
    }


_RECEIPT_KEYS = {"format", "poll", "ballot", "index", "event", "proof", "checkpoint"}


def verify_receipt(
    receipt: Any,
    closing: Any,
    public_key: bytes,
    *,
    leaves: Sequence[bytes] | None = None,
    consistency_proof: Sequence[bytes] | None = None,
) -> list[str]:
    """Is the receipt's ballot in the tree of the signed closing checkpoint? Problems, or [].

    Checks the receipt's own signed checkpoint, the inclusion proof of its leaf
    in that tree, the closing checkpoint's signature, and then links the two
    trees: with ``leaves`` (leaf data of the whole closed log, as in the
    bundle) by recomputing both roots and the leaf at ``index``; otherwise with
    ``consistency_proof`` from the receipt's size to the closing size.
    """
    if not isinstance(receipt, dict) or set(receipt) != _RECEIPT_KEYS:
        return [f"receipt: expected the fields {', '.join(sorted(_RECEIPT_KEYS))}"]
    if receipt["format"] != RECEIPT_FORMAT:
        return [f"receipt: unknown format {receipt['format']!r}"]
    problems = verify_checkpoint(receipt["checkpoint"], public_key, what="receipt checkpoint")
    problems += verify_checkpoint(closing, public_key, what="closing checkpoint")
    if problems:
        return problems
    cp, final = receipt["checkpoint"]["checkpoint"], closing["checkpoint"]
    poll, index, event = receipt["poll"], receipt["index"], receipt["event"]
    # A sealed ballot's leaf (core.ballotcrypto.sealed) carries its ciphertext as "ballot".
    if not isinstance(event, dict) or event.get("type") not in ("ballot", "sealed_ballot"):
        return ["receipt: the event is not a ballot"]
    if event.get("poll") != poll or event.get("ballot") != receipt["ballot"]:
        return ["receipt: the event is for another poll or ballot than the receipt says"]
    if cp["poll"] != poll or final["poll"] != poll:
        return ["receipt: the checkpoints are for another poll"]
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < cp["size"]:
        return [f"receipt: leaf index {index!r} is not in its checkpoint's tree"]
    try:
        leaf = leaf_hash(canonical_json(event))
        proof = [from_hex(h, 32) for h in receipt["proof"]]
    except (CanonicalError, ValueError, TypeError):
        return ["receipt: the event or proof is malformed"]
    if not verify_inclusion(leaf, index, cp["size"], proof, from_hex(cp["root"])):
        problems.append(
            f"receipt: the inclusion proof does not put ballot {receipt['ballot']} at leaf "
            f"{index} of the signed tree of size {cp['size']}"
        )
    if cp["size"] > final["size"]:
        return [*problems, "receipt: its tree is larger than the closing tree"]
    if leaves is not None:
        log = MerkleLog()
        for data in leaves:
            log.append_data(data)
        if log.size != final["size"] or log.root() != from_hex(final["root"]):
            problems.append("receipt: the leaves do not make the signed closing tree")
        elif log.root_at(cp["size"]) != from_hex(cp["root"]):
            problems.append(
                f"receipt: the closed log at size {cp['size']} differs from the tree the "
                "receipt was signed for"
            )
        elif log.leaf_hash(index) != leaf:
            problems.append(f"receipt: leaf {index} of the closed log is not this ballot")
    elif consistency_proof is not None:
        try:
            ok = verify_consistency(
                cp["size"],
                final["size"],
                from_hex(cp["root"]),
                from_hex(final["root"]),
                list(consistency_proof),
            )
        except (ValueError, MerkleError, TypeError):
            ok = False
        if not ok:
            problems.append("receipt: the closing tree is not an extension of the receipt's tree")
    else:
        problems.append("receipt: give the closed log's leaves or a consistency proof")
    return problems


# --- a poll's log, for the code that accepts ballots ---------------------------


class PollLog:
    """One poll's log in memory: append events, sign checkpoints, issue receipts.

    ``leaves`` are the stored leaf bytes (as returned by ``append``) in order.
    """

    def __init__(self, poll: UUID | str, private_key: bytes, leaves: Iterable[bytes] = ()):
        self.poll = str(poll)
        self._private_key = private_key
        self.leaves: list[bytes] = []
        self.tree = MerkleLog()
        for data in leaves:
            self.leaves.append(bytes(data))
            self.tree.append_data(data)

    def __len__(self) -> int:
        return len(self.leaves)

    def append(self, event: Mapping[str, Any]) -> tuple[int, bytes]:
        """Append an event; returns its leaf index and the leaf bytes to store."""
        if event.get("poll") != self.poll:
            raise ValueError("the event is for another poll")
        data = encode_event(event)
        self.leaves.append(data)
        return self.tree.append_data(data), data

    def signed_checkpoint(self, at: datetime, size: int | None = None) -> dict[str, Any]:
        size = self.tree.size if size is None else size
        cp = checkpoint(poll=self.poll, size=size, root=self.tree.root_at(size), at=at)
        return sign_checkpoint(cp, self._private_key)

    def receipt(self, index: int, at: datetime) -> dict[str, Any]:
        """A receipt for the ballot leaf at ``index``, against a new checkpoint of the whole log."""
        size = self.tree.size
        return make_receipt(
            event=self.leaves[index],
            index=index,
            proof=self.tree.inclusion_proof(index, size),
            signed_checkpoint=self.signed_checkpoint(at, size),
        )

    def consistency_proof(self, old_size: int) -> list[bytes]:
        return self.tree.consistency_proof(old_size)
