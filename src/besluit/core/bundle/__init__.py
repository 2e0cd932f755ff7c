"""The published poll bundle and its verifier (a package: ``form`` the byte form,
``build``, ``verify`` and its ``check``s).

No Django: ``besluit/verify.py`` runs this without the web application.

A bundle is one JSON document that lets anyone re-check a poll::

    {
      "format": "besluit-poll-bundle/1",
      "poll": {"id", "title", "secret", "options", "rule", "yes_no", "changes"?},
                                                  (as in the opened event, see below)
      "register": [{"member": "GM0014", "name": "Groningen", "weight": "5",
                    "groups": ["network:G40", "province:Groningen"]}, ...],     (sorted by member)
      "log": {"leaves": [<event>, ...],                 (the events, see core.votelog)
              "checkpoints": [<signed checkpoint>, ...]},  (by size; the last signs all leaves)
      "choices": {"GM0014": "for", ...},          (named polls only: each voter's option)
      "voters": ["GM0014", ...],                  (secret polls, optional: who voted, sorted)
      "totals": Result.to_dict(),                 (equal to the closed event's totals)
      "decision": {"outcome": "adopted", "winner": "for"},
      "key": {"algorithm": "ed25519", "public_key": <hex>, "key_id": <hex SHA-256 of it>},
      "signature": <hex Ed25519 signature of the rest>
    }

It is published in exactly one byte form, ``serialize_bundle()``: canonical
JSON plus one newline. ``verify_bundle(bytes)`` first checks that the bytes are
that form, so no byte is "just formatting": every byte either breaks the JSON,
breaks the canonical form, or changes a value, and every value is covered by
the bundle signature and most also by the signed log and the recount. So
changing any single byte makes verification fail.

What ``verify_bundle`` checks, each with its own message:

* the canonical form, the structure, the key id (and an expected key id when
  given: without one a bundle re-signed with another key is self-consistent,
  so the key id must be compared with the one the association publishes);
* the bundle signature, and every checkpoint signature;
* the log: leaf hashes and the Merkle root recomputed and compared with every
  signed checkpoint, the last of which must cover the whole log; opened first,
  closed last, ballots between, times never going back;
* the register against the fingerprint frozen in the opened event, and the
  poll description against the opened event;
* named polls: each ballot's member on the register and voting once, a known
  option, a proxy (the member whose representatives cast it) another member on the
  register, the listed choices equal to the ballots, and a recount with
  ``core.voting.tally`` equal to the closed event's totals. A vote changed
  while open is a later leaf with the same ballot id and member, and the last
  one counts; that is accepted only when the poll allows changes. Refused as
  duplicates: a ballot id repeated for another member, a ballot id repeated in
  a poll that does not allow changes, and two ballot ids for one member;
* whether the poll allows changes: ``poll.changes``, equal to the opened
  event's ``changes``. A log opened before that field existed lacks it; its
  bundle then states it (signed with the bundle), and without it none is allowed;
* secret polls: ballot leaves without member, option or time; their number
  equal to the members counted in the totals (and to the listed voters, whose
  weight must equal the voted weight); the totals re-decided with
  ``core.voting.decide`` against the register;
* the bundle's own totals and decision equal to the closed event's.
"""

from .build import build_bundle
from .form import (
    BUNDLE_CONTEXT,
    BUNDLE_FORMAT,
    BundleError,
    UnreadableBundle,
    bundle_hash,
    load_bundle,
    serialize_bundle,
)
from .verify import bundle_summary, changed_later, verify_bundle, verify_receipt_in_bundle

__all__ = [
    "BUNDLE_CONTEXT",
    "BUNDLE_FORMAT",
    "BundleError",
    "UnreadableBundle",
    "build_bundle",
    "bundle_hash",
    "bundle_summary",
    "changed_later",
    "load_bundle",
    "serialize_bundle",
    "verify_bundle",
    "verify_receipt_in_bundle",
]
