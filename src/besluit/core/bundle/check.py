"""The checks of a bundle, each with its own message (``verify_bundle`` runs them after
the byte form). What they check is listed in the package's docstring."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import votelog
from ..merkle import MerkleLog
from ..voting import Ballot, Result, TallyError, Voter, decide, tally
from .form import BUNDLE_CONTEXT, BUNDLE_FORMAT, OPTIONAL, POLL_FIELDS, REQUIRED, body


def _checkpoint_fields(signed: Any) -> dict[str, Any] | None:
    """The checkpoint inside a signed checkpoint, if it has the right shape."""
    if not isinstance(signed, dict) or not isinstance(signed.get("checkpoint"), dict):
        return None
    cp = signed["checkpoint"]
    if set(cp) != {"poll", "size", "root", "at"}:
        return None
    size = cp["size"]
    if not isinstance(size, int) or isinstance(size, bool) or not isinstance(cp["root"], str):
        return None
    return cp


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class Checker:
    def __init__(self, bundle: Any, expected_key_id: str | None):
        self.bundle = bundle
        self.expected_key_id = expected_key_id
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def run(self) -> list[str]:
        if not self._shape():
            return self.problems
        self.public_key = b""
        self.events_ok = False
        self._key_and_signature()
        tree = self._log()
        if tree is not None:
            self._checkpoints(tree)
        events = self.bundle["log"]["leaves"]
        if self._log_order(events):
            self._poll(events[0])
            register = self._register(events[0])
            self._ballots_and_totals(events, register)
        return self.problems

    # structure ------------------------------------------------------------------

    def _shape(self) -> bool:
        b = self.bundle
        if not isinstance(b, dict):
            self.fail("a bundle is a JSON object")
            return False
        for key in sorted(REQUIRED - set(b)):
            self.fail(f"missing field {key!r}")
        for key in sorted(set(b) - REQUIRED - OPTIONAL):
            self.fail(f"unexpected field {key!r}")
        if self.problems:
            return False
        if b["format"] != BUNDLE_FORMAT:
            self.fail(f"unknown format {b['format']!r} (expected {BUNDLE_FORMAT!r})")
        poll = b["poll"]
        if not (
            isinstance(poll, dict)
            and set(poll) - {"changes"} == {"id", *POLL_FIELDS}
            and isinstance(poll.get("changes", False), bool)
            and isinstance(poll["id"], str)
            and isinstance(poll["title"], str)
            and isinstance(poll["secret"], bool)
            and isinstance(poll["options"], list)
            and all(
                isinstance(o, dict)
                and set(o) == {"key", "label", "is_abstention"}
                and isinstance(o["key"], str)
                and isinstance(o["label"], str)
                and isinstance(o["is_abstention"], bool)
                for o in poll["options"]
            )
            and isinstance(poll["rule"], dict)
            and set(poll["rule"]) == {"majority", "abstentions", "quorum"}
            and all(isinstance(v, str) for v in poll["rule"].values())
            and poll["yes_no"] in (None, True, False)
        ):
            self.fail(
                "poll: expected {id, title, secret, options, rule, yes_no, changes?} of the "
                "right types"
            )
        reg = b["register"]
        if not (
            isinstance(reg, list)
            and all(
                isinstance(r, dict)
                and set(r) == {"member", "name", "weight", "groups"}
                and isinstance(r["member"], str)
                and isinstance(r["name"], str)
                and isinstance(r["weight"], str)
                and _is_str_list(r["groups"])
                for r in reg
            )
        ):
            self.fail("register: expected a list of {member, name, weight, groups}")
        log = b["log"]
        if not (
            isinstance(log, dict)
            and set(log) == {"leaves", "checkpoints"}
            and isinstance(log["leaves"], list)
            and isinstance(log["checkpoints"], list)
        ):
            self.fail("log: expected {leaves: [...], checkpoints: [...]}")
        if not isinstance(b["totals"], dict):
            self.fail("totals: expected an object")
        dec = b["decision"]
        if not (
            isinstance(dec, dict)
            and set(dec) == {"outcome", "winner"}
            and isinstance(dec["outcome"], str)
            and (dec["winner"] is None or isinstance(dec["winner"], str))
        ):
            self.fail("decision: expected {outcome, winner}")
        key = b["key"]
        if not (
            isinstance(key, dict)
            and set(key) == {"algorithm", "public_key", "key_id"}
            and key["algorithm"] == "ed25519"
        ):
            self.fail("key: expected {algorithm: ed25519, public_key, key_id}")
        if not isinstance(b["signature"], str):
            self.fail("signature: expected a hex string")
        if "choices" in b and not (
            isinstance(b["choices"], dict)
            and all(isinstance(v, str) for v in b["choices"].values())
        ):
            self.fail("choices: expected an object of member: option")
        if "voters" in b and not _is_str_list(b["voters"]):
            self.fail("voters: expected a list of member codes")
        if not self.problems and isinstance(poll["secret"], bool):
            if poll["secret"] and "choices" in b:
                self.fail("a secret poll's bundle must not list choices")
            if not poll["secret"] and "voters" in b:
                self.fail("a named poll's bundle lists choices, not 'voters'")
            if not poll["secret"] and "choices" not in b:
                self.fail("missing field 'choices' (each member's choice in a named poll)")
        return not self.problems

    # key and signatures ----------------------------------------------------------

    def _key_and_signature(self) -> None:
        key = self.bundle["key"]
        try:
            self.public_key = votelog.from_hex(key["public_key"], 32)
        except ValueError:
            self.public_key = b""
            self.fail("key: public_key is not 32 bytes of lower-case hex")
            return
        kid = votelog.key_id(self.public_key)
        if key["key_id"] != kid:
            self.fail(f"key: key_id {key['key_id']!r} is not the SHA-256 of the public key ({kid})")
        if self.expected_key_id is not None and kid != self.expected_key_id.strip().lower():
            self.fail(
                f"signed by key {kid}, but the expected key is {self.expected_key_id.strip()}"
            )
        try:
            signature = votelog.from_hex(self.bundle["signature"], 64)
        except ValueError:
            self.fail("bundle signature is not 64 bytes of lower-case hex")
            return
        message = BUNDLE_CONTEXT + votelog.canonical_json(body(self.bundle), trusted=True)
        if not votelog.verify_signature(self.public_key, message, signature):
            self.fail("bundle signature is not valid for the published key")

    # the log -------------------------------------------------------------------------

    def _log(self) -> MerkleLog | None:
        poll = self.bundle["poll"]
        tree = MerkleLog()
        self.events_ok = True
        for i, event in enumerate(self.bundle["log"]["leaves"]):
            found = votelog.event_problems(
                event, poll=poll["id"], secret=poll["secret"], where=f"leaf {i}"
            )
            self.problems += found
            self.events_ok = self.events_ok and not found
            tree.append_data(votelog.canonical_json(event, trusted=True))
        if not self.bundle["log"]["leaves"]:
            self.fail("log: no leaves")
            return None
        return tree  # even with malformed events the roots are worth comparing

    def _checkpoints(self, tree: MerkleLog) -> None:
        checkpoints = self.bundle["log"]["checkpoints"]
        n = tree.size
        if not checkpoints:
            self.fail("log: no signed checkpoints")
            return
        last = -1
        for i, signed in enumerate(checkpoints):
            what = f"checkpoint {i}"
            if self.public_key:
                self.problems += votelog.verify_checkpoint(signed, self.public_key, what=what)
            cp = _checkpoint_fields(signed)
            if cp is None:
                if not self.public_key:
                    self.fail(f"{what}: not a signed checkpoint")
                continue
            size = cp["size"]
            if cp["poll"] != self.bundle["poll"]["id"]:
                self.fail(f"{what}: signs poll {cp['poll']!r}, not this poll")
            if size <= last:
                self.fail(f"{what}: checkpoints must be in order of size")
            last = size
            if size > n or size < 0:
                self.fail(f"{what}: signs a log of {size} leaves, but the bundle has {n}")
                continue
            root = tree.root_at(size).hex()
            if cp["root"] != root:
                self.fail(
                    f"{what} (size {size}): signed root {cp['root'][:16]}... does not match the "
                    f"root {root[:16]}... recomputed from the leaves"
                )
        closing = _checkpoint_fields(checkpoints[-1])
        if closing is None or closing["size"] != n:
            self.fail(f"the last checkpoint must sign the whole log of {n} leaves (closing tree)")

    def _log_order(self, events: list[Any]) -> bool:
        if not all(isinstance(e, dict) for e in events) or len(events) < 2:
            self.fail("log: needs at least the opened and the closed event")
            return False
        ok = True
        if events[0].get("type") != "opened":
            self.fail("leaf 0 must be the opened event")
            ok = False
        if events[-1].get("type") != "closed":
            self.fail(f"the last leaf ({len(events) - 1}) must be the closed event")
            ok = False
        for i, event in enumerate(events[1:-1], start=1):
            if event.get("type") != "ballot":
                self.fail(f"leaf {i}: a {event.get('type')!r} event between opened and closed")
                ok = False
        previous = None
        for i, event in enumerate(events):
            at = event.get("at")
            if isinstance(at, str) and votelog.is_time(at):
                if previous is not None and at < previous:
                    self.fail(f"leaf {i}: time {at} is before the time of an earlier leaf")
                previous = at
        return ok and self.events_ok

    # poll and register ------------------------------------------------------------

    def _poll(self, opened: dict[str, Any]) -> None:
        poll = self.bundle["poll"]
        for field in POLL_FIELDS:
            if poll[field] != opened[field]:
                self.fail(f"poll: {field} differs from the opened event (leaf 0)")
        if "changes" in opened and poll.get("changes") != opened["changes"]:
            self.fail("poll: changes differs from the opened event (leaf 0)")
        if poll["secret"] and poll.get("changes"):
            self.fail("poll: a secret poll cannot allow a vote to be changed")

    def _register(self, opened: dict[str, Any]) -> list[dict[str, Any]] | None:
        rows = self.bundle["register"]
        members = [r["member"] for r in rows]
        ok = True
        if members != sorted(set(members)):
            self.fail("register: members must be sorted and appear once")
            ok = False
        for r in rows:
            try:
                canonical = votelog.canonical_decimal(r["weight"])
            except votelog.CanonicalError:
                canonical = None
            if canonical != r["weight"] or Decimal(canonical) < 0:
                self.fail(
                    f"register: weight {r['weight']!r} of {r['member']} is not a plain decimal"
                )
                ok = False
            if r["groups"] != sorted(set(r["groups"])):
                self.fail(f"register: groups of {r['member']} must be sorted and appear once")
        if not ok:
            return None
        try:
            fingerprint = votelog.register_fingerprint(rows)
        except ValueError as exc:
            self.fail(f"register: {exc}")
            return None
        if fingerprint != opened["register_fingerprint"]:
            self.fail(
                f"register fingerprint {fingerprint[:16]}... does not match the one frozen in "
                f"the opened event ({str(opened['register_fingerprint'])[:16]}...): members or "
                "weights were changed"
            )
        return rows

    # ballots and totals --------------------------------------------------------------

    def _ballots_and_totals(
        self, events: list[dict[str, Any]], register: list[dict[str, Any]] | None
    ) -> None:
        b = self.bundle
        opened, closed = events[0], events[-1]
        ballots = [(i, e) for i, e in enumerate(events) if e["type"] == "ballot"]
        secret = b["poll"]["secret"]
        self._repeated_ids(ballots, secret=secret, changes=b["poll"].get("changes") is True)

        if b["totals"] != closed["totals"]:
            self.fail("totals differ from the totals in the closed event of the signed log")
        totals = closed["totals"]
        try:
            stated = Result.from_dict(totals)
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            self.fail("closed event: totals are not a valid result")
            return
        if not _same_keys(totals, stated.to_dict()):
            self.fail("closed event: totals have other fields than a result (Result.to_dict())")
        want = {"outcome": totals["outcome"], "winner": totals["winner"]}
        if b["decision"] != want:
            self.fail(
                f"decision {b['decision']['outcome']}/{b['decision']['winner']} is not what the "
                f"closed event says ({want['outcome']}/{want['winner']})"
            )
        try:
            options = votelog.options_from_json(opened["options"])
            rule = votelog.rule_from_json(opened["rule"])
        except (KeyError, TypeError, ValueError, InvalidOperation, TallyError) as exc:
            self.fail(f"opened event: options or rule are not valid ({exc})")
            return
        if register is None:
            return
        weights = {r["member"]: Decimal(r["weight"]) for r in register}
        if secret:
            self._secret(ballots, register, weights, options, rule, stated, opened)
        else:
            self._named(ballots, register, options, rule, stated, opened)

    def _repeated_ids(self, ballots, *, secret: bool, changes: bool) -> None:
        """A repeated ballot id is a change (same member, a poll that allows it), or a
        duplicate."""
        first: dict[str, tuple[int, Any]] = {}
        for i, e in ballots:
            ballot_id, member = e["ballot"], e.get("member")
            if ballot_id not in first:
                first[ballot_id] = (i, member)
                continue
            j, first_member = first[ballot_id]
            if secret:
                self.fail(f"leaf {i}: ballot id {ballot_id} also at leaf {j}")
            elif member != first_member:
                self.fail(
                    f"leaf {i}: ballot id {ballot_id} also at leaf {j}, where it is the ballot "
                    f"of {first_member}, not of {member}"
                )
            elif not changes:
                self.fail(
                    f"leaf {i}: ballot id {ballot_id} also at leaf {j}: a second ballot of "
                    f"{member}, but this poll does not allow a vote to be changed"
                )

    def _named(self, ballots, register, options, rule, stated: Result, opened) -> None:
        keys = {o.key for o in options}
        index = {r["member"]: n for n, r in enumerate(register)}
        voted: dict[str, tuple[int, str]] = {}
        ballot_ids: dict[str, str] = {}
        for i, e in ballots:
            member, option = e["member"], e["option"]
            if member not in index:
                self.fail(f"leaf {i}: member {member} is not on the register")
                continue
            if member in voted and ballot_ids[member] != e["ballot"]:
                self.fail(f"leaf {i}: member {member} voted twice (also leaf {voted[member][0]})")
                continue
            if option not in keys:
                self.fail(f"leaf {i}: unknown option {option!r}")
                continue
            proxy = e.get("proxy")
            if proxy is not None and (proxy not in index or proxy == member):
                self.fail(f"leaf {i}: proxy {proxy} is not another member on the register")
                continue
            # A later leaf with the same ballot id is a changed vote (polls that allow
            # changes while open): the last one counts, and the log keeps them all.
            voted[member] = (i, option)
            ballot_ids[member] = e["ballot"]
        counted = [Ballot(index[member], option) for member, (_, option) in voted.items()]
        choices = self.bundle["choices"]
        for member in sorted(set(choices) | set(voted)):
            if member not in voted:
                self.fail(f"choices: {member} is listed as {choices[member]!r} but cast no ballot")
            elif member not in choices:
                self.fail(
                    f"choices: the ballot of {member} (leaf {voted[member][0]}) is not listed"
                )
            elif choices[member] != voted[member][1]:
                self.fail(
                    f"choices: {member} is listed as {choices[member]!r} but its ballot "
                    f"(leaf {voted[member][0]}) says {voted[member][1]!r}"
                )
        voters = [
            Voter(n, Decimal(r["weight"]), frozenset(r["groups"])) for n, r in enumerate(register)
        ]
        try:
            recount = tally(
                register=voters,
                ballots=counted,
                options=options,
                rule=rule,
                by_group=bool(stated.groups),
                yes_no=opened["yes_no"],
            )
        except TallyError as exc:
            self.fail(f"the ballots cannot be counted: {exc}")
            return
        self._compare(recount, stated, "the recount of the ballots")

    def _secret(self, ballots, register, weights, options, rule, stated: Result, opened) -> None:
        n = len(ballots)
        if stated.voted_members != n:
            self.fail(
                f"the closed event counts {stated.voted_members} members who voted, but the log "
                f"has {n} ballots"
            )
        eligible = sum(weights.values(), Decimal(0))
        if stated.voted_weight > eligible:
            self.fail(f"voted weight {stated.voted_weight} exceeds the eligible weight {eligible}")
        if "voters" in self.bundle:
            voters = self.bundle["voters"]
            if voters != sorted(set(voters)):
                self.fail("voters: must be sorted and appear once")
            unknown = [m for m in voters if m not in weights]
            for m in unknown:
                self.fail(f"voters: {m} is not on the register")
            if len(voters) != n:
                self.fail(f"voters: lists {len(voters)} members, but the log has {n} ballots")
            if not unknown:
                weight = sum((weights[m] for m in set(voters)), Decimal(0))
                if weight != stated.voted_weight:
                    self.fail(
                        f"voters: the listed members weigh {weight}, the totals say "
                        f"{stated.voted_weight} voted"
                    )
        try:
            redecided = decide(
                options=options,
                totals={o.key: (o.weight, o.members) for o in stated.options},
                eligible_members=len(register),
                eligible_weight=eligible,
                rule=rule,
                yes_no=opened["yes_no"],
            )
        except TallyError as exc:
            self.fail(f"the totals cannot be right: {exc}")
            return
        self._compare(redecided, replace(stated, groups=()), "deciding the totals again")

    def _compare(self, mine: Result, stated: Result, how: str) -> None:
        if mine == stated:
            return
        prefix = f"totals: {how} gives"
        for field in (
            "eligible_members",
            "eligible_weight",
            "voted_members",
            "voted_weight",
            "cast_weight",
            "quorum_required_weight",
            "quorum_met",
            "outcome",
            "winner",
        ):
            a, b = getattr(mine, field), getattr(stated, field)
            if a != b:
                self.fail(f"{prefix} {field} {_show(a)}, the closed event says {_show(b)}")
        mine_opts = {o.key: o for o in mine.options}
        stated_opts = {o.key: o for o in stated.options}
        if list(mine_opts) != list(stated_opts):
            self.fail(
                f"{prefix} options {list(mine_opts)}, the closed event has {list(stated_opts)}"
            )
        for key in mine_opts.keys() & stated_opts.keys():
            a, b = mine_opts[key], stated_opts[key]
            if a != b:
                self.fail(
                    f"{prefix} option {key!r} weight {a.weight} from {a.members} members "
                    f"(share {_show(a.share)}), the closed event says {b.weight} from "
                    f"{b.members} (share {_show(b.share)})"
                )
        if mine.groups != stated.groups:
            self.fail(f"{prefix} other group breakdowns than the closed event")


def _same_keys(a: Any, b: Any) -> bool:
    """Do two JSON values have the same shape: the same keys, the same list lengths?"""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_keys(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_keys(x, y) for x, y in zip(a, b, strict=True))
    return isinstance(a, dict | list) == isinstance(b, dict | list)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):
        return str(value.value)
    return repr(value)
