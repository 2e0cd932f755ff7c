"""The published bundle of an encrypted (sealed) secret poll, and its verifier. No Django.

Format ``besluit-sealed-bundle/1``: canonical JSON plus a newline, signed like the poll
bundle (``core.bundle``: ``"besluit bundle v1\\n"`` + canonical JSON without
``signature``)::

    {"format", "poll": {id, title, secret: true, options, rule, yes_no, changes: false},
     "register": [{member, name, weight, groups}],     (sorted by member)
     "voters": [member code, ...],                     (who voted, sorted: public anyway)
     "log": {"leaves": [opened, sealed_ballot..., closed], "checkpoints": [opening, closing]},
     "election": {"id", "trustees": n, "threshold": k, "public_key": hex,
                  "commitments": [hex DealerCommitment, ... by trustee 1..n]},
     "tally": {"decimals", "weighted": [hex], "counts": [hex], "total_units", "ballots",
               "paper"?: {option key: [weight, members]}},  (a paper round's tellers' totals)
     "shares": [{"trustee", "weights": hex, "counts": hex}, ...],   (k or more)
     "totals": Result.to_dict(), "decision": {outcome, winner},
     "key": {algorithm, public_key, key_id}, "signature": hex}

``verify_sealed_bundle`` checks, each with its own message naming the place: the byte
form, the signature and key, the log (Merkle roots against both signed checkpoints,
opened first, closed last, sealed ballots between, each well-formed, and the paper
round's ballots, one leaf each, counted by the tellers: ``tally.paper``), the register
against the opened event's fingerprint, the trustees' commitments (each proof) and
the election key they give, **every ballot's proofs** against its voter binding and
the election key, the ballots' weights against the weights of the members who voted
(the same multiset), the **weighted aggregate and the count aggregate** recomputed
from the ballots, **every decryption share's proofs** against the trustee's
verification key, the totals decrypted from k shares (bounded discrete logarithm,
summing to the total weight and to the number of ballots), plus the paper totals, equal
to the closed event's
and the bundle's totals, and the decision re-decided under the rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from . import votelog
from .ballotcrypto import BallotCryptoError
from .ballotcrypto import trustees as kt
from .ballotcrypto.ballot import EncryptedBallot
from .ballotcrypto.elgamal import weight_units
from .ballotcrypto.group import Point
from .ballotcrypto.sealed import sealed_event_problems, tracker, verify_sealed
from .ballotcrypto.tally import aggregate, decrypt_tally
from .ballotcrypto.threshold import DecryptionShare, verify_decryption_share
from .bundle.form import load_with_problems, plain, serialize_bundle, sign_body
from .merkle import MerkleLog
from .voting import Result, TallyError, decide

__all__ = [
    "SEALED_FORMAT",
    "SEALED_RECEIPT_FORMAT",
    "build_sealed_bundle",
    "verify_sealed_bundle",
    "verify_sealed_receipt_in_bundle",
]

SEALED_FORMAT = "besluit-sealed-bundle/1"
SEALED_RECEIPT_FORMAT = "besluit-sealed-receipt/1"
_KEYS = {
    "format",
    "poll",
    "register",
    "voters",
    "log",
    "election",
    "tally",
    "shares",
    "totals",
    "decision",
    "key",
    "signature",
}


def build_sealed_bundle(
    *,
    register: Sequence[Mapping[str, Any]],
    voters: Sequence[str],
    leaves: Sequence[bytes],
    checkpoints: Sequence[Mapping[str, Any]],
    election: Mapping[str, Any],
    tally: Mapping[str, Any],
    shares: Sequence[Mapping[str, Any]],
    private_key: bytes,
) -> dict[str, Any]:
    events = [votelog.decode_event(leaf) for leaf in leaves]
    opened, closed = events[0], events[-1]
    totals = closed["totals"]
    bundle: dict[str, Any] = {
        "format": SEALED_FORMAT,
        "poll": {
            "id": opened["poll"],
            **{f: opened[f] for f in ("title", "secret", "options", "rule", "yes_no")},
            "changes": False,
        },
        "register": sorted(
            (
                {
                    "member": r["member"],
                    "name": r.get("name", ""),
                    "weight": votelog.canonical_decimal(r["weight"]),
                    "groups": sorted(r.get("groups", ())),
                }
                for r in register
            ),
            key=lambda r: r["member"],
        ),
        "voters": sorted(voters),
        "log": {"leaves": events, "checkpoints": [dict(c) for c in checkpoints]},
        "election": dict(election),
        "tally": dict(tally),
        "shares": sorted((dict(s) for s in shares), key=lambda s: s["trustee"]),
        "totals": totals,
        "decision": {"outcome": totals["outcome"], "winner": totals["winner"]},
    }
    public = votelog.public_key_for(private_key)
    bundle["key"] = {
        "algorithm": "ed25519",
        "public_key": public.hex(),
        "key_id": votelog.key_id(public),
    }
    bundle = plain(bundle)
    bundle["signature"] = sign_body(bundle, private_key)
    problems = verify_sealed_bundle(serialize_bundle(bundle))
    if problems:
        raise ValueError("; ".join(problems))
    return bundle


def verify_sealed_bundle(data: bytes, *, expected_key_id: str | None = None) -> list[str]:
    """Everything wrong with a sealed bundle, as sentences; empty when it verifies."""
    try:
        bundle, duplicates = load_with_problems(data)
    except ValueError as exc:
        return [str(exc)]
    if duplicates:
        return duplicates
    try:
        if votelog.canonical_json(bundle, trusted=True) + b"\n" != bytes(data):
            return ["not in canonical form (the bundle is published in exactly one byte form)"]
    except votelog.CanonicalError as exc:
        return [f"not in canonical form: {exc}"]
    if not isinstance(bundle, dict) or set(bundle) != _KEYS:
        return [f"a sealed bundle has exactly the fields {', '.join(sorted(_KEYS))}"]
    try:
        return _Check(bundle, expected_key_id).run()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        return [f"malformed sealed bundle: {type(exc).__name__}: {exc}"]


class _Check:
    def __init__(self, bundle: dict[str, Any], expected_key_id: str | None):
        self.b, self.expected, self.problems = bundle, expected_key_id, []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def run(self) -> list[str]:
        self._signature()
        events = self._log()
        if self.problems:
            return self.problems
        opened, closed = events[0], events[-1]
        units_by_member = self._register(opened)
        params, y, vks = self._election()
        if self.problems:
            return self.problems
        middle = events[1:-1]
        paper = self._paper([e for e in middle if _is_paper(e)])
        sealed = [e for e in middle if not _is_paper(e)]
        ballots = self._ballots(sealed, y, units_by_member, paper)
        if self.problems:
            return self.problems
        result = self._decrypt(ballots, params, vks)
        if result is not None:
            self._totals(result, closed, paper)
        return self.problems

    def _paper(self, leaves) -> dict[str, tuple[Decimal, int]]:
        """The tellers' totals of a paper round (``tally.paper``): one paper leaf each."""
        stated = self.b["tally"].get("paper", {})
        keys = {o["key"] for o in self.b["poll"]["options"]}
        out = {}
        try:
            for key, (weight, members) in stated.items():
                if key not in keys or not isinstance(members, int) or members < 1:
                    raise ValueError(key)
                out[key] = (Decimal(votelog.canonical_decimal(weight)), members)
        except (ValueError, TypeError, ArithmeticError):
            self.fail("tally: the paper totals are not per option a weight and a count")
            return {}
        if sum(m for _w, m in out.values()) != len(leaves):
            self.fail(
                f"tally: the paper totals count {sum(m for _w, m in out.values())} ballots, "
                f"but the log has {len(leaves)} paper ballots"
            )
        return out

    def _signature(self) -> None:
        key = self.b["key"]
        public = votelog.from_hex(key["public_key"], 32)
        if key["key_id"] != votelog.key_id(public):
            self.fail("key: key_id is not the SHA-256 of the public key")
        if self.expected and key["key_id"] != self.expected:
            self.fail(f"key: signed by key {key['key_id']}, expected {self.expected}")
        body = {k: v for k, v in self.b.items() if k != "signature"}
        message = b"besluit bundle v1\n" + votelog.canonical_json(body, trusted=True)
        signature = votelog.from_hex(self.b["signature"], 64)
        if not votelog.verify_signature(public, message, signature):
            self.fail("bundle signature is not valid for the published key")
        self.public = public

    def _log(self) -> list[dict[str, Any]]:
        poll = self.b["poll"]["id"]
        events = self.b["log"]["leaves"]
        tree = MerkleLog()
        for event in events:
            tree.append_data(votelog.canonical_json(event, trusted=True))
        if len(events) < 2 or events[0].get("type") != "opened":
            self.fail("leaf 0 must be the opened event")
        elif events[-1].get("type") != "closed":
            self.fail(f"the last leaf ({len(events) - 1}) must be the closed event")
        for i, event in enumerate(events[1:-1], start=1):
            if _is_paper(event):  # a paper round's ballot: counted by the tellers
                self.problems += votelog.event_problems(
                    event, poll=poll, secret=True, where=f"leaf {i}"
                )
            elif event.get("type") != "sealed_ballot" or event.get("poll") != poll:
                self.fail(f"leaf {i}: not a sealed ballot of this poll")
            else:
                self.problems += sealed_event_problems(event, f"leaf {i}")
        checkpoints = self.b["log"]["checkpoints"]
        if not checkpoints:
            self.fail("log: no signed checkpoints")
        for i, signed in enumerate(checkpoints):
            self.problems += votelog.verify_checkpoint(signed, self.public, what=f"checkpoint {i}")
            cp = signed.get("checkpoint", {}) if isinstance(signed, dict) else {}
            size = cp.get("size")
            if cp.get("poll") != poll or not isinstance(size, int) or not 0 < size <= tree.size:
                self.fail(f"checkpoint {i}: not a checkpoint of this log")
            elif cp.get("root") != tree.root_at(size).hex():
                self.fail(f"checkpoint {i} (size {size}): root does not match the leaves")
        if checkpoints and checkpoints[-1].get("checkpoint", {}).get("size") != tree.size:
            self.fail(f"the last checkpoint must sign the whole log of {tree.size} leaves")
        return events

    def _register(self, opened: dict[str, Any]) -> dict[str, int]:
        poll = self.b["poll"]
        for field in ("title", "secret", "options", "rule", "yes_no"):
            if poll[field] != opened[field]:
                self.fail(f"poll: {field} differs from the opened event (leaf 0)")
        if votelog.register_fingerprint(self.b["register"]) != opened["register_fingerprint"]:
            self.fail("register: does not match the fingerprint frozen when the poll opened")
        d = self.b["tally"]["decimals"]
        units = {r["member"]: weight_units(Decimal(r["weight"]), d) for r in self.b["register"]}
        voters = self.b["voters"]
        if len(set(voters)) != len(voters) or not set(voters) <= set(units):
            self.fail("voters: each voter must be on the register, once")
        return units

    def _election(self):
        e = self.b["election"]
        params = kt.ElectionParams(e["id"], e["trustees"], e["threshold"])
        commitments = []
        for i, hexed in enumerate(e["commitments"], start=1):
            try:
                c = kt.DealerCommitment.decode(votelog.from_hex(hexed))
                if c.dealer != i:
                    raise BallotCryptoError("dealer_set", "out of order")
                c.verify(params)
                commitments.append(c)
            except BallotCryptoError as exc:
                self.fail(f"election: trustee {i}'s commitment: {exc.message} ({exc.code})")
        if self.problems:
            return params, None, {}
        y = kt.joint_public_key(params, commitments)
        if y.encoding.hex() != e["public_key"]:
            self.fail("election: the public key is not the sum of the trustees' commitments")
        vks = {
            j: kt.verification_key(params, commitments, j) for j in range(1, params.trustees + 1)
        }
        return params, y, vks

    def _ballots(self, leaves, y: Point, units_by_member: dict[str, int], paper):
        poll = self.b["poll"]
        n = len(poll["options"])
        out = []
        for i, event in enumerate(leaves, start=1):
            try:
                ballot = verify_sealed(
                    poll["id"], event["voter"], y, n, votelog.from_hex(event["ballot"])
                )
            except BallotCryptoError as exc:
                self.fail(
                    f"leaf {i} (tracker {event['tracker'][:16]}...): {exc.message} ({exc.code})"
                )
                continue
            out.append((ballot, event["weight_units"]))
        trackers = [e["tracker"] for e in leaves]
        voters = [e["voter"] for e in leaves]
        if len(set(trackers)) != len(trackers) or len(set(voters)) != len(voters):
            self.fail("ballots: a tracker or a voter binding appears twice")
        on_paper = sum(m for _w, m in paper.values())
        if len(leaves) + on_paper != len(self.b["voters"]):
            self.fail(
                f"ballots: {len(leaves)} sealed and {on_paper} paper ballots but "
                f"{len(self.b['voters'])} voters"
            )
        expected = Counter(units_by_member[v] for v in self.b["voters"] if v in units_by_member)
        got = Counter(e["weight_units"] for e in leaves)
        # With a paper round the sealed weights are some of the voters' weights, and the
        # paper weight is the rest (the tellers' totals do not say whose paper is whose).
        d = self.b["tally"]["decimals"]
        rest = sum((expected - got).elements()) if paper else 0
        paper_units = weight_units(sum((w for w, _m in paper.values()), Decimal(0)), d)
        if (got - expected) or (not paper and got != expected) or rest != paper_units:
            self.fail("ballots: their weights are not the weights of the members who voted")
        return out

    def _decrypt(self, ballots: list[tuple[EncryptedBallot, int]], params, vks):
        tally = self.b["tally"]
        n = len(self.b["poll"]["options"])
        weighted = aggregate(ballots, n)
        counts = aggregate(((b, 1) for b, _ in ballots), n)
        for name, cts in (("weighted", weighted), ("counts", counts)):
            if [ct.to_bytes().hex() for ct in cts] != tally[name]:
                self.fail(f"tally: the {name} aggregate is not the sum of the ballots")
        total = sum(u for _, u in ballots)
        if tally["total_units"] != total or tally["ballots"] != len(ballots):
            self.fail("tally: total weight or number of ballots does not match the ballots")
        if self.problems:
            return None
        shares_w, shares_c = [], []
        for s in self.b["shares"]:
            j = s["trustee"]
            for name, cts, into in (("weights", weighted, shares_w), ("counts", counts, shares_c)):
                try:
                    share = DecryptionShare.decode(votelog.from_hex(s[name]))
                    if share.trustee != j or j not in vks:
                        raise BallotCryptoError("trustee_unknown", "not this trustee's share")
                    verify_decryption_share(params, vks[j], cts, share)
                    into.append(share)
                except BallotCryptoError as exc:
                    self.fail(f"share of trustee {j} ({name}): {exc.message} ({exc.code})")
        if self.problems:
            return None
        try:
            w = decrypt_tally(
                params,
                weighted,
                shares_w,
                vks,
                total_units=total,
                decimals=tally["decimals"],
            )
            c = decrypt_tally(params, counts, shares_c, vks, total_units=len(ballots), decimals=0)
        except BallotCryptoError as exc:
            self.fail(f"decryption: {exc.message} ({exc.code})")
            return None
        return w, c

    def _totals(self, decrypted, closed, paper) -> None:
        w, c = decrypted
        nothing = (Decimal(0), 0)
        poll = self.b["poll"]
        options = votelog.options_from_json(poll["options"])
        register = self.b["register"]
        eligible = sum((Decimal(r["weight"]) for r in register), Decimal(0))
        try:
            mine = decide(
                options=options,
                totals={
                    o.key: (
                        weight + paper.get(o.key, nothing)[0],
                        count + paper.get(o.key, nothing)[1],
                    )
                    for o, weight, count in zip(options, w.weights, c.units, strict=True)
                },
                eligible_members=len(register),
                eligible_weight=eligible,
                rule=votelog.rule_from_json(poll["rule"]),
                yes_no=poll["yes_no"],
            )
        except TallyError as exc:
            self.fail(f"totals: cannot be decided: {exc}")
            return
        # Compared as Results: exact Decimals, whatever trailing zeros a writer kept.
        if Result.from_dict(closed["totals"]) != mine:
            self.fail("totals: the closed event's totals are not the decrypted totals")
        if Result.from_dict(self.b["totals"]) != mine:
            self.fail("totals: the bundle's totals are not the decrypted totals")
        stated = Result.from_dict(self.b["totals"])
        if self.b["decision"] != {"outcome": stated.outcome.value, "winner": stated.winner}:
            self.fail("decision: does not follow from the totals")


def verify_sealed_receipt_in_bundle(
    receipt: Any, data: bytes, *, expected_key_id: str | None = None
) -> list[str]:
    """Is a voter's sealed receipt in the closed log of this (verified) sealed bundle?

    ``receipt`` is the downloaded ``besluit-sealed-receipt/1`` (tracker, voter binding and
    the log receipt) or its log receipt alone. Checks the bundle first, then: the
    wrapper's tracker is the SHA-256 of the ballot in its leaf and names the same voter
    binding, the receipt's checkpoint is signed by the bundle's key, the leaf is at its
    index under that checkpoint's root (inclusion proof), and the closed log at that
    size is the tree the receipt was signed for (the bundle's leaves).
    """
    problems = verify_sealed_bundle(data, expected_key_id=expected_key_id)
    if problems:
        return [*problems, "the bundle does not verify, so no receipt can be checked against it"]
    bundle = load_with_problems(data)[0]
    log_receipt = receipt
    if isinstance(receipt, dict) and receipt.get("format") == SEALED_RECEIPT_FORMAT:
        if set(receipt) != {"format", "poll", "tracker", "voter", "log"}:
            return ["receipt: expected the fields format, log, poll, tracker, voter"]
        log_receipt = receipt["log"]
        event = log_receipt.get("event") if isinstance(log_receipt, dict) else None
        if receipt["poll"] != bundle["poll"]["id"]:
            return [f"receipt: for poll {receipt['poll']!r}, the bundle is {bundle['poll']['id']}"]
        if not isinstance(event, dict) or event.get("type") != "sealed_ballot":
            return ["receipt: its log event is not a sealed ballot"]
        try:
            ballot = votelog.from_hex(event.get("ballot"))
        except ValueError:
            return ["receipt: the ballot in its event is not hex"]
        if tracker(ballot) != receipt["tracker"] or event.get("tracker") != receipt["tracker"]:
            return ["receipt: the tracker is not the SHA-256 of the ballot in its event"]
        if event.get("voter") != receipt["voter"]:
            return ["receipt: the voter binding differs from its event's"]
    leaves = [votelog.canonical_json(e, trusted=True) for e in bundle["log"]["leaves"]]
    closing = bundle["log"]["checkpoints"][-1]
    public_key = votelog.from_hex(bundle["key"]["public_key"], 32)
    return votelog.verify_receipt(log_receipt, closing, public_key, leaves=leaves)


def _is_paper(event: Any) -> bool:
    return isinstance(event, dict) and event.get("type") == "ballot" and "paper" in event


def summary(bundle: Mapping[str, Any]) -> str:
    return (
        f"poll {bundle['poll']['title']}, {bundle['tally']['ballots']} sealed ballots, "
        f"{len(bundle['shares'])} trustee shares, signed by key {bundle['key']['key_id']}"
    )
