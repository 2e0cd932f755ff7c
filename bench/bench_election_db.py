"""Benchmark: an STV election of 342 weighted members through the services and the database.

Run from the repository root::

    python bench/bench_election_db.py [--members 342] [--secret | --named]

Builds a fresh SQLite database in a temporary folder (the migrations), an association of
``--members`` generated municipalities under the example bracket table, a board election
of 20 candidates for 7 seats, and one representative per member; then casts one ranked
ballot per member with ``do_cast`` (the web and API path: validation, locks, the pooled
secret tally) and closes the round with ``do_close_round`` (the lot's seed, the count from
the stored ballots, the seats, the decision). Prints the time per ballot and of the close;
the baseline is the pure count (``core.elections.record.count_round``: seed and Meek STV)
of the same stored ballots in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
os.environ["BESLUIT_DATA_DIR"] = tempfile.mkdtemp(prefix="besluit-bench-elections-")
os.environ.setdefault("BESLUIT_SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

CANDIDATES = 20
SEATS = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=342)
    parser.add_argument("--named", action="store_true", help="a named election (default secret)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from besluit.accounts.models import User
    from besluit.associations.models import Role
    from besluit.core.elections.record import count_round
    from besluit.elections import services as el
    from tests import factories
    from tests.elections import helpers as h

    association = factories.make_association(args.members, slug="bench")
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    board = factories.make_user("bestuur", association, Role.Kind.BOARD)
    sec = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    election = h.election(
        chair, meeting, h.body(sec, association), seats=SEATS, secret=not args.named
    )
    h.stand(election, [f"Kandidaat {i:02d}" for i in range(CANDIDATES)], by=board, secretariat=sec)
    members = list(association.members.order_by("code"))
    users = User.objects.bulk_create(User(username=f"rep{i}") for i in range(len(members)))
    Role.objects.bulk_create(
        Role(user=u, association=association, kind=Role.Kind.REPRESENTATIVE, member=m)
        for u, m in zip(users, members, strict=True)
    )
    users = list(User.objects.filter(username__startswith="rep").order_by("pk"))
    rnd = el.do_open_round(actor=chair, election=election)
    rng = random.Random(20261206)
    keys = [f"k{i + 1}" for i in range(CANDIDATES)]
    start = time.perf_counter()
    for user in users:
        ranking = rng.sample(keys[:8] if rng.random() < 0.6 else keys, rng.randint(1, 6))
        el.do_cast(actor=user, election=election, choice=ranking)
    cast_s = time.perf_counter() - start
    start = time.perf_counter()
    closed = el.do_close_round(actor=chair, election=election)
    close_s = time.perf_counter() - start
    ballots = el.round_ballots(closed)
    start = time.perf_counter()
    count_round(
        method="ranked", seats=SEATS, candidates=closed.candidates, ballots=ballots, nonce=rnd.nonce
    )
    pure_s = time.perf_counter() - start
    kind = "named" if args.named else "secret"
    print(f"Python {platform.python_version()} on {platform.machine()}, SQLite")
    print()
    print(
        "| members | ballot | stored ballots | cast, per ballot | close (count, seats, decision) "
        "| pure count (baseline) | close / baseline |"
    )
    print("|--:|:--|--:|--:|--:|--:|--:|")
    print(
        f"| {len(users):,} | {kind} | {len(ballots):,} | {cast_s / len(users) * 1000:.1f} ms | "
        f"{close_s:.3f} s | {pure_s:.3f} s | {close_s / pure_s:.1f}× |"
    )


if __name__ == "__main__":
    main()
