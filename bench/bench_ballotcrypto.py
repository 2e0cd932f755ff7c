#!/usr/bin/env python
"""Ballot cryptography benchmark: CPU time of the operations that matter for a poll.

    .venv/bin/python bench/bench_ballotcrypto.py [--ballots 20000] [--distinct 500]

Rows: encrypt+prove one 3-option ballot; verify one (decode included, the ballot edge's
cost); aggregate N weighted ballots (weights from 342 distinct municipal values with two
decimals, so d = 2); the 2-of-3 threshold decryption after the last share arrives (verify
both shares, combine, bounded log) with a cold and a warm baby-step table; the same
for a total of 10**10 units; one worst-case search. Targets: verify <= 2 ms,
decryption after the last share <= 5 s. CPU time is process time (time.process_time), averaged where
repeated. To keep the run short the N ballots reuse --distinct encrypted ballots
(aggregation cost does not depend on their being distinct).
"""

import argparse
import os
import platform
import random
import sys
import time
from decimal import Decimal

from besluit.core.ballotcrypto import elgamal
from besluit.core.ballotcrypto.ballot import (
    BallotContext,
    EncryptedBallot,
    encrypt_ballot,
    verify_ballot,
)
from besluit.core.ballotcrypto.elgamal import choose_decimals, discrete_log, encrypt
from besluit.core.ballotcrypto.group import Point, Scalar
from besluit.core.ballotcrypto.tally import aggregate, decrypt_tally
from besluit.core.ballotcrypto.threshold import make_decryption_share
from besluit.core.ballotcrypto.trustees import (
    CommKey,
    ElectionParams,
    Polynomial,
    decrypt_share,
    encrypt_share,
    joint_public_key,
    verification_key,
    verify_share,
)


def cpu(fn, repeat=1):
    start = time.process_time()
    for _ in range(repeat):
        out = fn()
    return (time.process_time() - start) / repeat, out


def ceremony(n=3, k=2):
    params = ElectionParams("bench", n, k)
    ids = range(1, n + 1)
    comm = {i: Scalar.random() for i in ids}
    keys = {i: CommKey.create(params, i, comm[i], Scalar.random()) for i in ids}
    polys = {i: Polynomial.from_seed(params, i, os.urandom(32)) for i in ids}
    commits = [polys[i].commit(params, Scalar.random()) for i in ids]
    shares = {}
    for j in ids:
        x = polys[j](j)
        for i in ids:
            if i != j:
                msg = encrypt_share(params, i, keys[j], polys[i](j), Scalar.random())
                s = decrypt_share(params, comm[j], msg)
                verify_share(commits[i - 1], j, s)
                x = x + s
        shares[j] = x
    vks = {j: verification_key(params, commits, j) for j in ids}
    return params, joint_public_key(params, commits), shares, vks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=20_000)
    ap.add_argument("--distinct", type=int, default=500)
    args = ap.parse_args()
    rows = []
    s, p = Scalar.random(), Point.base_times(Scalar.random())
    t, _ = cpu(lambda: p * s, 2000)
    rows.append(("calibration: one variable-base scalar multiplication", t, "libsodium"))
    t, _ = cpu(lambda: Point.base_times(s), 2000)
    rows.append(("calibration: one fixed-base scalar multiplication", t, "libsodium"))
    t, _ = cpu(lambda: p + p, 2000)
    rows.append(("calibration: one point addition (decode + add + encode)", t, "libsodium"))
    t, (params, y, xs, vks) = cpu(ceremony)
    rows.append(("key ceremony, 3 trustees, k = 2 (all parties)", t, ""))
    ctx = BallotContext("poll", "GM0363", "rk", y, 3)
    t, ballot = cpu(lambda: encrypt_ballot(ctx, 1), 200)
    rows.append(("encrypt + prove one 3-option ballot", t, "per ballot"))
    raw = ballot.to_bytes()
    t, _ = cpu(lambda: verify_ballot(ctx, EncryptedBallot.decode(raw)), 200)
    rows.append(
        ("decode + verify one ballot's proofs", t, "7 fixed + 21 variable mults; target <= 2 ms")
    )

    rng = random.Random(2026)
    weight_values = [Decimal(rng.randint(100, 10_000)).scaleb(-2) for _ in range(342)]
    d = choose_decimals(weight_values)
    pool = []
    choices = []
    for i in range(args.distinct):
        c = rng.randrange(3)
        bctx = BallotContext("poll", f"M{i}", "rk", y, 3)
        pool.append(encrypt_ballot(bctx, c))
        choices.append(c)
    items, expected, total = [], [0, 0, 0], 0
    for n in range(args.ballots):
        units = elgamal.weight_units(rng.choice(weight_values), d)
        items.append((pool[n % args.distinct], units))
        expected[choices[n % args.distinct]] += units
        total += units
    t, tally = cpu(lambda: aggregate(items, 3))
    rows.append((f"aggregate {args.ballots:,} weighted ballots (342 weights, d = {d})", t, ""))

    shares = []
    for j in (1, 3):
        t, share = cpu(
            lambda j=j: make_decryption_share(params, j, xs[j], tally, seed=os.urandom(32))
        )
        shares.append(share)
        rows.append((f"trustee {j}: decryption share with proofs", t, "each trustee"))
    elgamal._baby_steps.cache_clear()
    run = lambda: decrypt_tally(params, tally, shares, vks, total_units=total, decimals=d)  # noqa: E731
    t, result = cpu(run)
    assert list(result.units) == expected, (result, expected)
    rows.append(
        (
            f"after last share: verify, combine, log (total {total:,} units), cold",
            t,
            "target <= 5 s",
        )
    )
    t, _ = cpu(run)
    rows.append(("the same with the baby-step table warm", t, ""))

    big = 10**10
    parts = (big // 2, big // 3, big - big // 2 - big // 3)
    big_tally = tuple(encrypt(y, v, Scalar.random()) for v in parts)
    big_shares = [
        make_decryption_share(params, j, xs[j], big_tally, seed=os.urandom(32)) for j in (1, 3)
    ]
    elgamal._baby_steps.cache_clear()
    run = lambda: decrypt_tally(params, big_tally, big_shares, vks, total_units=big, decimals=0)  # noqa: E731
    t, result = cpu(run)
    assert result.units == parts
    rows.append(("after last share, total 10**10 units, cold", t, "table 2**17; target <= 5 s"))
    t, _ = cpu(run)
    rows.append(("the same, warm table", t, ""))
    t, _ = cpu(lambda: discrete_log(Point.base_times(Scalar.of(big)), big))
    rows.append(("one bounded log at its worst case (m = 10**10), warm", t, "76,294 steps"))

    print(f"Python {sys.version.split()[0]}, {platform.machine()}, load {os.getloadavg()[0]:.1f}")
    print()
    print("| operation | CPU time | note |")
    print("|---|---:|---|")
    for name, seconds, note in rows:
        if seconds < 0.001:
            shown = f"{seconds * 1e6:.0f} µs"
        elif seconds < 1:
            shown = f"{seconds * 1000:.2f} ms"
        else:
            shown = f"{seconds:.2f} s"
        print(f"| {name} | {shown} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
