"""The vote log of each poll in the database: append events, sign checkpoints, publish.

The rules of the log (event format, Merkle tree, signatures, bundle checks) are
in the Django-free core (core.merkle, core.votelog, core.bundle); this module only
stores and loads. Called from voting.services inside their transactions.
"""

import functools
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from besluit.core import bundle as core_bundle
from besluit.core import merkle
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


def _append(poll: Poll, event: dict) -> tuple[int, list[bytes], bytes, int]:
    state = PollLog.objects.select_for_update().get(poll=poll)
    frontier = merkle.MerkleFrontier(state.size, [bytes.fromhex(h) for h in state.frontier])
    data = vl.encode_event(event)
    index = state.size
    proof = frontier.append_data(data)
    LogLeaf.objects.create(poll=poll, index=index, data=data.decode())
    state.size = frontier.size
    state.frontier = [h.hex() for h in frontier.hashes]
    state.save(update_fields=["size", "frontier"])
    return index, proof, frontier.root(), frontier.size


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
    _, _, root, size = _append(poll, event)
    PollLog.objects.filter(poll=poll).update(opening_checkpoint=_signed(poll, size, root, at))


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
    log_pk, size, hashes = state
    frontier = merkle.MerkleFrontier(size, [bytes.fromhex(h) for h in hashes])
    first = size
    datas = [vl.encode_event(e) for e in events]
    proofs = frontier.extend([merkle.leaf_hash(d) for d in datas])
    LogLeaf.objects.bulk_create(
        LogLeaf(poll=poll, index=first + i, data=d.decode()) for i, d in enumerate(datas)
    )
    PollLog.objects.filter(pk=log_pk).update(
        size=frontier.size, frontier=[h.hex() for h in frontier.hashes]
    )
    signed = _signed(poll, frontier.size, frontier.root(), at)
    return [
        vl.make_receipt(event=e, index=first + i, proof=proof, signed_checkpoint=signed)
        for i, (e, proof) in enumerate(zip(events, proofs, strict=True))
    ]


def receipt_again(poll: Poll, index: int, at: datetime) -> dict:
    """The receipt of an earlier ballot (a retried request), proven at the current size."""
    leaves = list(poll.log_leaves.order_by("index").values_list("data", flat=True))
    tree = merkle.MerkleLog.from_data([leaf.encode() for leaf in leaves])
    return vl.make_receipt(
        event=leaves[index].encode(),
        index=index,
        proof=tree.inclusion_proof(index, tree.size),
        signed_checkpoint=_signed(poll, tree.size, tree.root(), at),
    )


def finish(poll: Poll, result, at: datetime) -> dict:
    """The last leaf: the totals as closed; returns the signed closing checkpoint."""
    _, _, root, size = _append(poll, vl.closed_event(poll=poll.public_id, totals=result, at=at))
    closing = _signed(poll, size, root, at)
    PollLog.objects.filter(poll=poll).update(closing_checkpoint=closing)
    return closing


def bundle_bytes(poll: Poll) -> bytes:
    """The published bundle of a closed poll, built once and then served as stored."""
    state = PollLog.objects.get(poll=poll)
    if state.bundle:
        return state.bundle.encode()
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
