"""Benchmark: counting board elections by Meek STV (and IRV) with weighted members.

Run from the repository root (or anywhere)::

    python bench/bench_elections.py [--repeat 3]

Generates two elections deterministically (fixed seed, no data files): 342 members
(the Dutch municipalities) and 20,000 members, each with 20 candidates and 7 seats.
A member's weight is the square root of a log-normal population in thousands,
rounded to 2 decimals, so weights are exact but not integers. Each member ranks
between 1 and 20 candidates (most rank a few), drawn from a Plackett-Luce model
over three blocs of candidates with their own favourites, so rankings repeat as they
do in a real meeting. Prints a markdown table: members, distinct rankings, rounds
of the count, and the best of ``--repeat`` wall-clock timings of ``count_meek``
(9-decimal fixed point) and of ``count_irv`` on the same ballots. The targets are
1 s for 342 members and 10 s for 20,000.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from besluit.core import merkle, votelog
from besluit.core.elections import (
    LotTieBreaker,
    RankedBallot,
    count_irv,
    count_meek,
)
from besluit.core.elections import log as election_log
from besluit.core.elections import record as election_record

CANDIDATES = tuple(f"c{i:02d}" for i in range(20))
SEATS = 7
SEED = 20261206


def make_election(members: int, seed: int = SEED) -> list[RankedBallot]:
    rng = random.Random(seed + members)
    blocs = [CANDIDATES[0:8], CANDIDATES[8:14], CANDIDATES[14:20]]
    base = {c: 1.0 / (1 + i % 7) for i, c in enumerate(CANDIDATES)}
    ballots = []
    for _ in range(members):
        inhabitants = min(max(rng.lognormvariate(math.log(30_000), 1.0), 1_000), 930_000)
        weight = Decimal(math.sqrt(inhabitants / 1000)).quantize(Decimal("0.01"))
        bloc = rng.choices(blocs, weights=[5, 3, 2])[0]
        score = {c: base[c] * (6.0 if c in bloc else 1.0) for c in CANDIDATES}
        length = min(20, 1 + int(rng.expovariate(1 / 3)))
        ranking: list[str] = []
        for _ in range(length):
            pool = [c for c in CANDIDATES if c not in ranking]
            ranking.append(rng.choices(pool, weights=[score[c] for c in pool])[0])
        ballots.append(RankedBallot.of(weight, *ranking))
    return ballots


def best_of(repeat: int, run) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--log", action="store_true", help="also time each round's vote log and its check"
    )
    args = parser.parse_args()
    lot = LotTieBreaker(bytes(32))
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print()
    print("| members | distinct rankings | Meek rounds | Meek s | IRV rounds | IRV s | elected |")
    print("|--:|--:|--:|--:|--:|--:|:--|")
    for members in (342, 20_000):
        ballots = make_election(members)
        meek_s, meek = best_of(
            args.repeat, lambda b=ballots: count_meek(CANDIDATES, SEATS, b, tie_breaker=lot)
        )
        irv_s, irv = best_of(
            args.repeat, lambda b=ballots: count_irv(CANDIDATES, b, tie_breaker=lot)
        )
        print(
            f"| {members:,} | {meek.distinct_rankings:,} | {len(meek.rounds) - 1} | "
            f"{meek_s:.3f} | {len(irv.rounds)} | {irv_s:.3f} | {' '.join(meek.elected)} |"
        )
    if args.log:
        main_log()


def log_round(ballots: list[RankedBallot], *, secret: bool) -> tuple[float, float]:
    """A round's vote log as the server keeps it (elections.log): per ballot one leaf on
    the Merkle frontier and one signed checkpoint for the voter's receipt; then the
    record's log check (``verify_round_log``) as ``besluit verify`` runs it. Returns
    (seconds per ballot logged, seconds to verify the whole log)."""
    key = votelog.generate_private_key()
    name, at = "00000000-0000-4000-8000-000000000000/1", election_record_time()
    frontier = merkle.MerkleFrontier()
    leaves: list[str] = []

    def append(event):
        data = votelog.encode_event(event)
        frontier.append_data(data)
        leaves.append(data.decode())
        cp = votelog.checkpoint(poll=name, size=frontier.size, root=frontier.root(), at=at)
        return votelog.sign_checkpoint(cp, key)

    published = [
        {"member": f"GM{i:05d}", "choice": [c for (c,) in b.ranking], "weight": str(b.weight)}
        for i, b in enumerate(ballots)
    ]
    if secret:  # pooled: one row per distinct ranking
        pooled: dict[str, dict] = {}
        for p in published:
            key_ = votelog.canonical_json(p["choice"]).decode()
            row = pooled.setdefault(key_, {"choice": p["choice"], "weight": "0", "members": 0})
            row["weight"] = str(Decimal(row["weight"]) + Decimal(p["weight"]))
            row["members"] += 1
        published = list(pooled.values())
    cands = list(CANDIDATES)
    opening = append(
        election_log.opened_event(
            log=name,
            election=name.split("/")[0],
            round_number=1,
            method="ranked",
            seats=SEATS,
            secret=secret,
            candidates=cands,
            eligible_members=len(ballots),
            eligible_weight=sum((b.weight for b in ballots), Decimal(0)),
            at=at,
        )
    )
    start = time.perf_counter()
    for i, b in enumerate(ballots):
        append(
            election_log.ballot_event(
                log=name,
                secret=secret,
                ballot=f"b{i}",
                member=f"GM{i:05d}",
                choice=[c for (c,) in b.ranking],
                at=at,
            )
        )
    per_ballot = (time.perf_counter() - start) / len(ballots)
    digest = election_record.ballots_digest(published)
    closing = append(
        election_log.closed_event(log=name, ballots=len(ballots), ballots_digest=digest, at=at)
    )
    election = {"id": name.split("/")[0], "method": "ranked", "seats": SEATS, "secret": secret}
    start = time.perf_counter()
    problems = election_log.verify_round_log(
        log={"leaves": leaves, "opening": opening, "closing": closing},
        log_name=name,
        election=election,
        round_number=1,
        candidates=cands,
        ballots=published,
        ballots_digest=digest,
        public_key=votelog.public_key_for(key),
    )
    verify_s = time.perf_counter() - start
    assert problems == [], problems
    return per_ballot, verify_s


def election_record_time():
    from datetime import UTC, datetime

    return datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


def main_log() -> None:
    print()
    print("| members | ballot | log + receipt per ballot (ms) | verify the round's log (s) |")
    print("|--:|:--|--:|--:|")
    for members in (342, 20_000):
        ballots = make_election(members)
        for secret in (True, False):
            per_ballot, verify_s = log_round(ballots, secret=secret)
            kind = "secret" if secret else "named"
            print(f"| {members:,} | {kind} | {per_ballot * 1000:.3f} | {verify_s:.3f} |")


if __name__ == "__main__":
    main()
