"""Check a published poll bundle, without Django.

    python -m besluit.verify BUNDLE.json [--key-id HEX] [--receipt RECEIPT.json]
    python path/to/besluit/verify.py BUNDLE.json ...     (a plain script: needs only
                                                          Python 3.11+ and cryptography)

Recomputes the Merkle tree of the poll's log, checks every signature, the
register fingerprint, the recount of the ballots and the stated totals and
decision. ``--key-id`` is the installation's key fingerprint as the
association publishes it (without it a bundle re-signed with another key is
only self-consistent). ``--receipt`` also checks that a member's receipt is
in the closed log, and notes when that vote was changed later (in a poll that
allows changes the last leaf of a ballot counts; the earlier receipt still verifies).

An election's record (``"kind": "besluit-election"``) is recognised and recounted:
the signature, each round's vote log (its signed checkpoints, one leaf per ballot,
the closed leaf naming the published ballots), each round's lot seed from its nonce
and ballots, and each round's result counted again from the ballots
(core.elections.record, core.elections.log). ``--receipt`` checks a voter's election
receipt against its round's closed log.

Prints ``OK: poll <title>, <n> ballots, root <hex>, signed by key <id>`` and
exits 0; otherwise prints each problem and exits 1. An unreadable file or one
that is not JSON exits 2, with the file name and the position.

A sealed bundle (an encrypted secret poll, ``core.sealedbundle``) is recognised by its
format: every ballot proof, the weighted aggregate, every decryption share's proof,
the totals and the decision are checked as well.

This module imports only the standard library, cryptography (and for sealed bundles
rbcl and PyNaCl, libsodium) and ``besluit.core``, which never imports Django.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if not __package__:  # run as a file: make ``besluit`` importable from the source tree
    _here = Path(__file__).resolve().parent
    if sys.path and Path(sys.path[0] or ".").resolve() == _here:
        sys.path.pop(0)  # the script's own folder would shadow top-level modules
    sys.path.insert(0, str(_here.parent))

from besluit.core import bundle as _bundle
from besluit.core import sealedbundle as _sealed_bundle
from besluit.core import votelog as _votelog
from besluit.core.elections import log as _election_log
from besluit.core.elections import record as _election

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="besluit verify",
        description="Check a published Besluit poll bundle: log, signatures, totals.",
    )
    parser.add_argument("bundle", help="the bundle file (JSON), as published")
    parser.add_argument(
        "--key-id", help="the expected key fingerprint (hex SHA-256 of the public key)"
    )
    parser.add_argument("--receipt", help="also check this ballot receipt (JSON)")
    args = parser.parse_args(argv)

    path = args.bundle
    try:
        data = Path(path).read_bytes()
        _bundle.load_bundle(data)
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=err)
        return EXIT_UNREADABLE
    except _bundle.UnreadableBundle as exc:
        print(f"{path}: {exc}", file=err)
        return EXIT_UNREADABLE

    receipt = None
    if args.receipt:
        try:
            receipt = _bundle.load_bundle(Path(args.receipt).read_bytes())
        except OSError as exc:
            print(f"{args.receipt}: cannot read: {exc.strerror or exc}", file=err)
            return EXIT_UNREADABLE
        except _bundle.UnreadableBundle as exc:
            print(f"{args.receipt}: {exc}", file=err)
            return EXIT_UNREADABLE

    loaded = _bundle.load_bundle(data)
    if isinstance(loaded, dict) and loaded.get("kind") == _election.BUNDLE_KIND:
        return _verify_election(path, data, loaded, args.key_id, out, receipt)

    if _is_sealed(data):
        return _sealed(path, data, args.key_id, out, receipt)
    try:
        problems = _bundle.verify_bundle(data, expected_key_id=args.key_id)
        if not problems and receipt is not None:
            problems = _bundle.verify_receipt_in_bundle(receipt, data)
    except Exception as exc:  # a verifier fails closed, whatever the input did to it
        problems = [f"cannot be checked: {type(exc).__name__}: {exc}"]
    if problems:
        return _failed(path, problems, out)

    summary = _bundle.bundle_summary(_bundle.load_bundle(data))
    print(
        f"OK: poll {summary['title']}, {summary['ballots']} ballots, root {summary['root']}, "
        f"signed by key {summary['key_id']}",
        file=out,
    )
    if receipt is not None:
        print(
            f"OK: receipt {receipt['ballot']} is leaf {receipt['index']} of the closed log",
            file=out,
        )
        later = _bundle.changed_later(receipt, _bundle.load_bundle(data))
        if later is not None:
            print(
                f"note: the vote was changed later: leaf {later} of the same ballot counts",
                file=out,
            )
    print(f"bundle sha256 {_bundle.bundle_hash(data)}", file=out)
    return EXIT_OK


def _failed(path: str, problems: list[str], out) -> int:
    for problem in problems:
        print(f"{path}: {problem}", file=out)
    print(f"{path}: FAILED, {len(problems)} problem(s)", file=out)
    return EXIT_INVALID


def _verify_election(
    path: str, data: bytes, bundle: dict, key_id: str | None, out, receipt=None
) -> int:
    """An election's record: canonical bytes, signature, every round's vote log, seed
    and recount; with ``receipt``, that the voter's ballot leaf is in its round's log."""
    try:
        problems = []
        if _votelog.canonical_json(bundle) + b"\n" != bytes(data):
            problems.append("not in canonical form: a published record is kept byte for byte")
        problems += _election.verify_election_bundle(bundle, expected_key_id=key_id)
        if not problems and receipt is not None:
            problems = _election_log.verify_receipt_in_record(receipt, bundle)
    except Exception as exc:  # fail closed
        problems = [f"cannot be checked: {type(exc).__name__}: {exc}"]
    if problems:
        return _failed(path, problems, out)
    summary = _election.bundle_summary(bundle)
    print(
        f"OK: election {summary['title']}, {summary['rounds']} round(s) recounted from the "
        f"ballots, elected {', '.join(summary['elected']) or 'nobody'}, "
        f"signed by key {summary['key_id']}",
        file=out,
    )
    if receipt is not None:
        print(
            f"OK: receipt {receipt['ballot']} is leaf {receipt['index']} of the closed log "
            f"of round {receipt['poll'].rsplit('/', 1)[-1]}",
            file=out,
        )
    print(f"bundle sha256 {_bundle.bundle_hash(data)}", file=out)
    return EXIT_OK


def _is_sealed(data: bytes) -> bool:
    bundle = _bundle.load_bundle(data)
    return isinstance(bundle, dict) and bundle.get("format") == _sealed_bundle.SEALED_FORMAT


def _sealed(path: str, data: bytes, key_id: str | None, out, receipt=None) -> int:
    """An encrypted poll: every ballot proof, the aggregate, every share, totals, decision;
    with a receipt (sealed, or its log receipt) also its tracker's leaf in the closed log."""
    try:
        if receipt is None:
            problems = _sealed_bundle.verify_sealed_bundle(data, expected_key_id=key_id)
        else:
            problems = _sealed_bundle.verify_sealed_receipt_in_bundle(
                receipt, data, expected_key_id=key_id
            )
    except Exception as exc:  # fails closed, as above
        problems = [f"cannot be checked: {type(exc).__name__}: {exc}"]
    if problems:
        return _failed(path, problems, out)
    print(f"OK: {_sealed_bundle.summary(_bundle.load_bundle(data))}", file=out)
    if receipt is not None:
        log_receipt = receipt.get("log", receipt)
        print(
            f"OK: receipt with tracker {log_receipt['event']['tracker']} is leaf "
            f"{log_receipt['index']} of the closed log",
            file=out,
        )
    print(f"bundle sha256 {_bundle.bundle_hash(data)}", file=out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
