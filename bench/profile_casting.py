#!/usr/bin/env python
"""CPU of the edge's writer thread per ballot: ``voting.casting.cast_batch`` in one process.

    DATABASE_URL=postgresql://.../<a scratch database> \\
        .venv/bin/python bench/profile_casting.py [--members 800] [--batch 16] [--profile]

Makes an association of ``--members`` members with a representative each (through the
test factories), opens a poll per round and casts every member's ballot in batches of
``--batch`` (the live benchmark's batches hold about 16 ballots on PostgreSQL), as the
edge's writer thread calls it. Prints the CPU and wall time per ballot of each round
(the best round is the least disturbed by other processes) and, with ``--profile``, a
cProfile of the last round in CPU time. The database is migrated and written to: give
it a scratch database (without DATABASE_URL: a fresh SQLite file).
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))  # the tree this script is in (also under git archive)
os.environ.setdefault("BESLUIT_DATA_DIR", tempfile.mkdtemp(prefix="bench-casting-"))
os.environ.setdefault("BESLUIT_SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=800)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile the last round")
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from besluit.associations.models import Role
    from besluit.voting import casting
    from tests import factories

    n, tag = args.members, f"c{os.getpid()}"
    association = factories.make_association(n, slug=tag)
    meeting = factories.make_meeting(association)
    chair = factories.make_user(f"{tag}-vz", association, Role.Kind.CHAIR)
    reps = [
        factories.make_user(
            f"{tag}-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(n)
    ]
    profile = cProfile.Profile(time.process_time)
    best = None
    for r in range(args.rounds):
        poll = factories.open_poll(chair, meeting, title=f"round {r}")
        requests = [
            casting.BallotRequest(u.pk, "option-1" if i % 3 else "option-2", f"k{r}-{i}")
            for i, u in enumerate(reps)
        ]
        casting.cast_batch(poll.pk, requests[: args.batch])  # the poll's first batch
        counted = n - args.batch
        if args.profile and r == args.rounds - 1:
            profile.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(args.batch, n, args.batch):
            outcomes = casting.cast_batch(poll.pk, requests[i : i + args.batch])
            assert all(isinstance(o, casting.Receipt) for o in outcomes), outcomes
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        profile.disable()
        per = cpu * 1000 / counted
        best = per if best is None else min(best, per)
        print(
            f"round {r}: CPU {per:.3f} ms per ballot, wall {wall * 1000 / counted:.3f} ms "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
    print(f"best: CPU {best:.3f} ms per ballot, batches of {args.batch}")
    if args.profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
