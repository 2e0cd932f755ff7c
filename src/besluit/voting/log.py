"""The vote log of each poll in the database: append events, sign checkpoints, publish.

The rules of the log (event format, Merkle tree, signatures, bundle checks) are
in the Django-free core (core.merkle, core.votelog, core.bundle); this module only
stores and loads. Called from voting.services inside their transactions.
"""

import functools
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from besluit.core import bundle as core_bundle
from besluit.core import merkle
from besluit.core import sealedbundle as core_sealed
from besluit.core import votelog as vl
from besluit.voting.models import LogLeaf, Poll, PollLog


@functools.cache
def private_key() -> bytes:
    """The installation's Ed25519 key; created on first use (back it up with the data)."""
    return vl.load_or_create_private_key(settings.BESLUIT_SIGNING_KEY_FILE)


def public_key_id() -> str:
    return vl.key_id(vl.public_key_for(private_key()))


def register_rows(poll: Poll) -> list[dict]:
    rows = [
        {
            "member": e.member.code,
            "name": e.member.name,
            "weight": vl.canonical_decimal(Decimal(e.weight)),
            "groups": sorted(e.groups()),
        }
        for e in poll.register.select_related("member")
    ]
    return sorted(rows, key=lambda r: r["member"])


def _append(poll: Poll, event: dict, *, sign_as: str, at: datetime) -> dict:
    """Append the opening or the closing leaf and store the signed checkpoint of the new
    size in ``sign_as`` (its field), in the same UPDATE; return that checkpoint."""
    state = PollLog.objects.select_for_update().get(poll=poll)
    frontier = merkle.MerkleFrontier(state.size, [bytes.fromhex(h) for h in state.frontier])
    data = vl.encode_event(event)
    index = state.size
    frontier.append_data(data)
    LogLeaf.objects.create(poll=poll, index=index, data=data.decode())
    _on_commit(poll, index, [data.decode()])
    state.size = frontier.size
    state.frontier = [h.hex() for h in frontier.hashes]
    signed = _signed(poll, frontier.size, frontier.root(), at)
    setattr(state, sign_as, signed)
    state.save(update_fields=["size", "frontier", sign_as])
    return signed


def _signed(poll: Poll, size: int, root: bytes, at: datetime) -> dict:
    cp = vl.checkpoint(poll=poll.public_id, size=size, root=root, at=at)
    return vl.sign_checkpoint(cp, private_key())


def start(poll: Poll, at: datetime) -> None:
    """The first leaf: the poll as opened, with a fingerprint of its frozen register."""
    PollLog.objects.create(poll=poll)
    event = vl.opened_event(
        poll=poll.public_id,
        title=poll.title,
        register=register_rows(poll),
        options=poll.core_options(),
        rule=poll.rule,
        secret=poll.is_secret,
        at=at,
        changes=poll.allow_change,
    )
    _append(poll, event, sign_as="opening_checkpoint", at=at)


def ballot_event(
    poll: Poll,
    *,
    ballot_id,
    member_code: str,
    option_key: str,
    at: datetime,
    proxy: str = "",
    paper: bool = False,
) -> dict:
    if poll.is_secret:
        # No member, no option, no time: only a random code that the voter alone gets.
        return vl.secret_ballot_event(
            poll=poll.public_id, receipt_code=vl.new_receipt_code(), paper=paper
        )
    return vl.ballot_event(
        poll=poll.public_id,
        ballot=str(ballot_id),
        member=member_code,
        option=option_key,
        at=at,
        proxy=proxy,
        paper=paper,
    )


@dataclass(frozen=True)
class Appended:
    """A batch of events as the log will hold them: what to store and the receipts."""

    log_pk: int
    leaves: list[tuple[int, str]]  # (index, data) of each new leaf
    size: int
    frontier: list[str]
    receipts: list[dict]


def plan_batch(
    poll: Poll, events: list[dict], at: datetime, state: tuple[int, int, list]
) -> Appended:
    """The leaves, the log's new state and the receipts of a batch (one signature); stores
    nothing: ``append_batch`` stores it with the ORM, voting.casting in one statement."""
    log_pk, size, hashes = state
    frontier = merkle.MerkleFrontier(size, [bytes.fromhex(h) for h in hashes])
    datas = [vl.encode_event(e) for e in events]
    proofs = frontier.extend([merkle.leaf_hash(d) for d in datas])
    signed = _signed(poll, frontier.size, frontier.root(), at)
    return Appended(
        log_pk,
        [(size + i, d.decode()) for i, d in enumerate(datas)],
        frontier.size,
        [h.hex() for h in frontier.hashes],
        [
            vl.make_receipt(event=e, index=size + i, proof=proof, signed_checkpoint=signed)
            for i, (e, proof) in enumerate(zip(events, proofs, strict=True))
        ],
    )


def append_batch(
    poll: Poll, events: list[dict], at: datetime, *, state: tuple[int, int, list] | None = None
) -> list[dict]:
    """Log a batch of ballot events under one signed checkpoint; return their receipts.

    The caller holds the log row's lock (see voting.casting) and may pass the row as
    it read it then (id, size, frontier). Two statements whatever the batch's size
    (three without ``state``), and one signature.
    """
    if state is None:
        row = PollLog.objects.select_for_update().get(poll=poll)
        state = (row.pk, row.size, row.frontier)
    planned = plan_batch(poll, events, at, state)
    store_batch(poll, planned)
    return planned.receipts


def store_batch(poll: Poll, planned: Appended) -> None:
    """The planned leaves and the log's new state, with the ORM (two statements)."""
    LogLeaf.objects.bulk_create(LogLeaf(poll=poll, index=i, data=d) for i, d in planned.leaves)
    PollLog.objects.filter(pk=planned.log_pk).update(size=planned.size, frontier=planned.frontier)
    if planned.leaves:
        _on_commit(poll, planned.leaves[0][0], [d for _, d in planned.leaves])


def receipt_again(
    poll: Poll,
    index: int | None,
    at: datetime,
    *,
    committed_size: int,
    tracker: str = "",
) -> dict:
    """The receipt of an earlier ballot (a retried request), proven at the current size:
    the leaf at ``index``, or the sealed ballot leaf whose tracker is ``tracker``.

    The caller holds the log row's lock, read the log's size under it
    (``committed_size``: those leaves are committed and never change) and may have
    appended leaves of its own since. The tree of the committed leaves is kept per
    process (``_trees``), with each sealed leaf's index by tracker; this process's own
    appends extend it when they commit (``_committed``). So a retry reads only the
    leaves other processes appended since this one last looked (none with one writer),
    the leaf it proves, and the own uncommitted leaves; the whole log only the first
    time after the process started.
    """
    with _trees_lock:
        cached = _trees.pop(poll.public_id, None)
        if cached is None or cached.tree.size > committed_size:  # unknown here, or not this log
            cached = _Cached(merkle.MerkleLog(), {})
        rows = (
            poll.log_leaves.filter(index__gte=cached.tree.size)
            .order_by("index")
            .values_list("index", "data")
        )
        own: list[bytes] = []  # this transaction's leaves: not committed, not kept
        own_trackers: dict[str, int] = {}
        read: dict[int, str] = {}  # the leaves read now, by index
        for leaf_index, data in rows:
            read[leaf_index] = data
            if leaf_index < committed_size:
                cached.add(data)
            else:
                own.append(data.encode())
                _track(own_trackers, leaf_index, data)
        _remember(poll.public_id, cached)
        if index is None:
            index = cached.trackers.get(tracker, own_trackers.get(tracker))
            if index is None:
                raise LookupError(f"no sealed ballot leaf with tracker {tracker}")
        data = read.get(index)
        if data is None:  # kept in the tree, not read now: the one leaf
            data = poll.log_leaves.values_list("data", flat=True).get(index=index)
        event = data.encode()
        tree = cached.tree
        if own:
            tree = tree.copy()
            for data in own:
                tree.append_data(data)
        return vl.make_receipt(
            event=event,
            index=index,
            proof=tree.inclusion_proof(index, tree.size),
            signed_checkpoint=_signed(poll, tree.size, tree.root(), at),
        )


@dataclass
class _Cached:
    """A poll's committed leaves in this process: the Merkle tree, and the index of each
    sealed ballot's leaf by its tracker (what a retried sealed ballot looks up)."""

    tree: merkle.MerkleLog
    trackers: dict[str, int]

    def add(self, data: str) -> None:
        _track(self.trackers, self.tree.size, data)
        self.tree.append_data(data.encode())


_TRACKER = '"tracker":"'


def _track(trackers: dict[str, int], index: int, data: str) -> None:
    """Note a sealed ballot leaf's tracker (canonical JSON: the key is written exactly so;
    a leaf of another type has no tracker key)."""
    at = data.find(_TRACKER)
    if at >= 0 and '"type":"sealed_ballot"' in data:
        trackers[data[at + len(_TRACKER) : at + len(_TRACKER) + 64]] = index


def _remember(poll_id, cached: _Cached) -> None:
    """Keep ``cached`` as the most recently used (the caller holds ``_trees_lock``)."""
    _trees[poll_id] = cached
    while len(_trees) > MAX_TREES:
        _trees.pop(next(iter(_trees)))


def _on_commit(poll: Poll, start: int, datas: list[str]) -> None:
    """After the transaction that appends ``datas`` at ``start`` commits, extend this
    process's tree with them, if it holds the poll's log up to ``start`` (or ``start`` is
    the first leaf); otherwise a later retry reads them (``receipt_again``)."""
    poll_id = poll.public_id

    def committed() -> None:
        with _trees_lock:
            cached = _trees.pop(poll_id, None)
            if cached is None and start == 0:
                cached = _Cached(merkle.MerkleLog(), {})
            if cached is None:
                return
            if cached.tree.size == start:
                for data in datas:
                    cached.add(data)
            _remember(poll_id, cached)

    transaction.on_commit(committed)


# Per process: each poll's committed leaves (_Cached), by the poll's public id (random,
# never reused, unlike a primary key after a rolled-back test), the most recently used
# last. 20,000 leaves take about 2.5 MB, their trackers as much again.
MAX_TREES = 8
_trees: dict = {}
_trees_lock = threading.Lock()


def finish(poll: Poll, result, at: datetime) -> dict:
    """The last leaf: the totals as closed; returns the signed closing checkpoint."""
    event = vl.closed_event(poll=poll.public_id, totals=result, at=at)
    return _append(poll, event, sign_as="closing_checkpoint", at=at)


def bundle_bytes(poll: Poll) -> bytes:
    """The published bundle of a closed poll, built once and then served as stored."""
    state = PollLog.objects.get(poll=poll)
    if state.bundle:
        return state.bundle.encode()
    if poll.election_id is not None:
        return _sealed_bundle(poll, state)
    leaves = [
        leaf.encode() for leaf in poll.log_leaves.order_by("index").values_list("data", flat=True)
    ]
    # Only the opening and closing checkpoints: those handed out with receipts would
    # date each ballot, which a secret poll must not publish.
    checkpoints = [state.opening_checkpoint, state.closing_checkpoint]
    bundle = core_bundle.build_bundle(
        register=register_rows(poll),
        leaves=leaves,
        checkpoints=checkpoints,
        private_key=private_key(),
        changes=poll.allow_change,  # for logs opened before the opened event said so
    )
    data = core_bundle.serialize_bundle(bundle)
    PollLog.objects.filter(pk=state.pk, bundle="").update(bundle=data.decode())
    return data


def _sealed_bundle(poll: Poll, state: PollLog) -> bytes:
    """The bundle of an encrypted poll (core.sealedbundle): ballots, tally, trustees' shares."""
    from besluit.voting.models import Ballot, TallyShare

    election = poll.election
    leaves = [d.encode() for d in poll.log_leaves.order_by("index").values_list("data", flat=True)]
    bundle = core_sealed.build_sealed_bundle(
        register=register_rows(poll),
        voters=list(Ballot.objects.filter(poll=poll).values_list("member__code", flat=True)),
        leaves=leaves,
        checkpoints=[state.opening_checkpoint, state.closing_checkpoint],
        election={
            "id": str(election.public_id),
            "trustees": election.trustee_count,
            "threshold": election.threshold,
            "public_key": election.public_key,
            "commitments": list(
                election.trustees.order_by("index").values_list("commitment", flat=True)
            ),
        },
        tally={
            k: poll.sealed[k]
            for k in ("decimals", "weighted", "counts", "total_units", "ballots", "paper")
            if k in poll.sealed
        },
        shares=[
            {"trustee": s.trustee.index, "weights": s.weights, "counts": s.counts}
            for s in TallyShare.objects.filter(poll=poll).select_related("trustee")
        ],
        private_key=private_key(),
    )
    data = core_bundle.serialize_bundle(bundle)
    PollLog.objects.filter(pk=state.pk, bundle="").update(bundle=data.decode())
    return data


def closing_consistency(poll: Poll, old_size: int) -> dict | None:
    """The poll's signed closing checkpoint and the consistency proof from a receipt's
    tree (``old_size`` leaves) to it: with them a voter's browser checks that the tree
    its receipt was signed for is a prefix of the closed log (RFC 9162 2.1.4), without
    trusting the server. None while the poll has no closing checkpoint (open, or an
    encrypted poll awaiting its trustees); ValueError for a size outside the log."""
    state = PollLog.objects.filter(poll=poll).values_list("closing_checkpoint", flat=True).first()
    if not state:
        return None
    size = state["checkpoint"]["size"]
    if not 0 < old_size <= size:
        raise ValueError(f"the closed log has {size} leaves")
    tree = merkle.MerkleLog.from_data(
        d.encode()
        for d in poll.log_leaves.filter(index__lt=size)
        .order_by("index")
        .values_list("data", flat=True)
    )
    return {
        "checkpoint": state,
        "consistency": {
            "from": old_size,
            "to": size,
            "proof": [h.hex() for h in tree.consistency_proof(old_size, size)],
        },
    }
