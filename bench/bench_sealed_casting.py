#!/usr/bin/env python
"""Ballots per second through the service layer: plaintext (named) ballots against sealed
(encrypted) ones, in the same run, on a fresh SQLite database.

    .venv/bin/python bench/bench_sealed_casting.py [--members 300] [--batch 100]

Twice: batches of one (the web form's path) and batches of ``--batch`` (the live ballot
edge's path: the functions its writer thread calls, ``voting.casting.cast_batch`` and
``voting.encrypted.cast_sealed_batch``; the sealed one checks every proof, before the
locks). A third sealed column is the edge's own arrangement (edge.ballots): a first
stage in a thread of its own checks a batch's proofs (``encrypted.proof_contexts`` and
``encrypted.prove``, the compiled check running without the GIL) while this thread writes
the batch before it (the writer then skips the multiplications). The encryption is
the browsers' and is done before the clock starts. There is
no plaintext secret path any more: a secret poll is always sealed. Wall-clock time on
one thread; the target is sealed >= 50 % of plaintext ballots/s.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BESLUIT_DATA_DIR", tempfile.mkdtemp(prefix="bench-sealed-"))
os.environ.setdefault("BESLUIT_SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=300)
    ap.add_argument("--batch", type=int, default=100, help="the edge's batch size")
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("x")
    call_command("migrate", verbosity=0)

    from besluit.associations.models import Role
    from besluit.voting import encrypted
    from tests import factories
    from tests.voting import sealedkit

    n = args.members
    association = factories.make_association(n, slug="bench")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    reps = [
        (
            factories.make_user(
                f"r{i}",
                association,
                Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            factories.member(association, i),
        )
        for i in range(n)
    ]
    from besluit.voting import casting

    def plaintext(batch: int) -> float:
        poll = factories.open_poll(chair, meeting, title=f"named {batch}")
        requests = [
            casting.BallotRequest(user.pk, "option-1", f"k{batch}-{i}")
            for i, (user, _) in enumerate(reps)
        ]
        start = time.perf_counter()
        for i in range(0, n, batch):
            outcomes = casting.cast_batch(poll.pk, requests[i : i + batch])
            assert all(isinstance(o, casting.Receipt) for o in outcomes)
        return time.perf_counter() - start

    def sealed(batch: int) -> float:
        poll = factories.open_poll(chair, meeting, is_secret=True, title=f"sealed {batch}")
        # The browsers' work, done before the clock starts.
        requests = [
            encrypted.SealedRequest(user.pk, *sealedkit.seal(poll, m, i % 3))
            for i, (user, m) in enumerate(reps)
        ]
        start = time.perf_counter()
        for i in range(0, n, batch):
            outcomes = encrypted.cast_sealed_batch(poll.pk, requests[i : i + batch])
            assert all(isinstance(o, encrypted.SealedReceipt) for o in outcomes)
        return time.perf_counter() - start

    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    stage = ThreadPoolExecutor(1, thread_name_prefix="first-stage")

    def staged(batch: int) -> float:
        """The edge's arrangement: a batch's proofs checked in the first stage's thread
        while this thread writes the batch before it."""
        poll = factories.open_poll(chair, meeting, is_secret=True, title=f"staged {batch}")
        requests = [
            encrypted.SealedRequest(user.pk, *sealedkit.seal(poll, m, i % 3))
            for i, (user, m) in enumerate(reps)
        ]

        def first_stage(part):
            contexts = encrypted.proof_contexts(poll.public_id, [(r.user_id, "") for r in part])
            return [
                replace(r, proven=encrypted.prove(poll.public_id, c, r.request_key, r.ballot))
                for c, r in zip(contexts, part, strict=True)
            ]

        start = time.perf_counter()
        parts = [requests[i : i + batch] for i in range(0, n, batch)]
        checking = stage.submit(first_stage, parts[0])
        for k in range(len(parts)):
            ready = checking.result()
            if k + 1 < len(parts):
                checking = stage.submit(first_stage, parts[k + 1])
            outcomes = encrypted.cast_sealed_batch(poll.pk, ready)
            assert all(isinstance(o, encrypted.SealedReceipt) for o in outcomes)
        return time.perf_counter() - start

    factories.trustees_for(chair, meeting)
    rows = []
    for batch in (1, args.batch):
        # Interleaved in one run, so all see the same machine.
        rows.append((batch, plaintext(batch), sealed(batch), staged(batch)))
    print(
        f"load {os.getloadavg()[0]:.1f}, {n} ballots each, SQLite, one writer thread; "
        "the edge's arrangement with one first-stage thread"
    )
    print()
    print(
        "| batch | plaintext named (cast_batch) | sealed (cast_sealed_batch) | ratio "
        "| sealed, proofs in a first stage (the edge) | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for batch, t_plain, t_sealed, t_staged in rows:
        print(
            f"| {batch} | {n / t_plain:.0f} ballots/s ({t_plain / n * 1000:.1f} ms) | "
            f"{n / t_sealed:.0f} ballots/s ({t_sealed / n * 1000:.1f} ms) | "
            f"{t_plain / t_sealed:.2f} | "
            f"{n / t_staged:.0f} ballots/s ({t_staged / n * 1000:.1f} ms) | "
            f"{t_plain / t_staged:.2f} (target >= 0.5) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
