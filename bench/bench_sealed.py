#!/usr/bin/env python
"""Encrypted secret polls end to end: browser, server check, close, public verification.

    .venv/bin/python bench/bench_sealed.py [--ballots 20000] [--verify-ballots 2000]
                                           [--browser-runs 20] [--no-browser]

Rows (targets from issue 14):
- the browser (Debian's Chromium, headless, via Playwright): encrypt + prove one
  3-option ballot with ballotcrypto.js, median of --browser-runs, without throttling and
  with 4x CPU throttling (CDP Emulation.setCPUThrottlingRate); target <= 200 ms throttled;
- the server's check of one sealed ballot (decode + verify against the voter binding,
  what voting.encrypted does before any lock), CPU time; target <= 2 ms;
- the close of --ballots weighted ballots with 2 of 3 trustees, as voting.trustees does
  it: the weighted and the unweighted aggregate at the close, then, after the last share,
  verify both trustees' shares for both tallies, combine and take the bounded logs;
  target <= 5 s after the last share;
- `besluit verify` of a --verify-ballots sealed bundle (every proof, both aggregates,
  every share, totals); target <= 30 s.
CPU time is process time (time.process_time) except in the browser (performance.now).
"""

import argparse
import functools
import http.server
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from besluit.core import votelog as vl
from besluit.core.ballotcrypto import trustees as kt
from besluit.core.ballotcrypto.ballot import encrypt_ballot
from besluit.core.ballotcrypto.elgamal import choose_decimals, weight_units
from besluit.core.ballotcrypto.group import Scalar
from besluit.core.ballotcrypto.sealed import (
    context_for,
    sealed_event,
    tracker,
    verify_sealed,
    voter_binding,
)
from besluit.core.ballotcrypto.tally import aggregate, decrypt_tally
from besluit.core.ballotcrypto.threshold import make_decryption_share
from besluit.core.bundle import serialize_bundle
from besluit.core.merkle import MerkleLog
from besluit.core.sealedbundle import build_sealed_bundle, verify_sealed_bundle
from besluit.core.voting import YES_NO, Rule, decide

ROOT = Path(__file__).resolve().parent.parent
POLL = "6f1c7a52-3c1e-4b0e-9d55-0d3e2f1a9b7c"


def cpu(fn, repeat=1):
    start = time.process_time()
    for _ in range(repeat):
        out = fn()
    return (time.process_time() - start) / repeat, out


def ceremony(n=3, k=2, election="bench"):
    params = kt.ElectionParams(election, n, k)
    ids = range(1, n + 1)
    polys = {i: kt.Polynomial.from_seed(params, i, os.urandom(32)) for i in ids}
    commits = [polys[i].commit(params, Scalar.random()) for i in ids]
    xs = {j: functools.reduce(lambda a, b: a + b, (polys[i](j) for i in ids)) for j in ids}
    vks = {j: kt.verification_key(params, commits, j) for j in ids}
    return params, kt.joint_public_key(params, commits), commits, xs, vks


def browser_rows(runs: int) -> list:
    from playwright.sync_api import sync_playwright

    site = Path(tempfile.mkdtemp())
    (site / "voting").symlink_to(ROOT / "src/besluit/voting/static/voting")
    (site / "vendor").symlink_to(ROOT / "src/besluit/static/vendor")
    (site / "index.html").write_text("<!doctype html><title>bench</title>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _, y, *_ = ceremony()
    script = """async ([y, runs, poll]) => {
        const m = await import('/voting/ballotcrypto.js');
        const voter = m.voterBinding(poll, 'GM0363', m.newRequestKey());
        const ctx = {pollId: poll, memberId: voter, publicKey: y, options: 3};
        m.encryptBallot(ctx, 1);  // warm: module compiled, tables built
        const times = [];
        for (let i = 0; i < runs; i++) {
            const t = performance.now();
            m.encryptBallot(ctx, i % 3);
            times.push(performance.now() - t);
        }
        return times;
    }"""
    rows = []
    executable = os.environ.get("BESLUIT_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for rate in (1, 4):
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            times = page.evaluate(script, [y.encoding.hex(), runs, POLL])
            note = "target <= 200 ms" if rate == 4 else "baseline"
            rows.append(
                (
                    f"browser: encrypt + prove a 3-option ballot, CPU throttled {rate}x",
                    statistics.median(times) / 1000,
                    f"median of {runs}; {note}",
                )
            )
            page.close()
        browser.close()
    server.shutdown()
    return rows


def sealed_bundle(n_ballots: int, rng: random.Random):
    """A decided sealed poll of n ballots over a 342-member register, as core data."""
    params, y, commits, xs, vks = ceremony(election="bench-election")
    register = [
        {"member": f"GM{1000 + i}", "name": f"M{i}", "weight": Decimal(rng.randint(1, 25))}
        for i in range(342)
    ]
    d = choose_decimals([r["weight"] for r in register])
    voters = register[: min(n_ballots, 342)]
    options = YES_NO
    at = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    opened = vl.opened_event(
        poll=POLL,
        title="bench",
        register=register,
        options=options,
        rule=Rule(),
        secret=True,
        at=at,
        changes=False,
    )
    events, choices = [opened], []
    for i in range(n_ballots):
        member = voters[i % len(voters)]
        voter = voter_binding(POLL, member["member"] + f"-{i}", "k" * 22)
        choice = rng.randrange(3)
        data = encrypt_ballot(context_for(POLL, voter, y, 3), choice).to_bytes()
        units = weight_units(member["weight"], d)
        events.append(
            sealed_event(
                poll=POLL,
                tracker_hex=tracker(data),
                voter=voter,
                weight_units=units,
                data=data,
            )
        )
        choices.append((choice, units))
    return params, y, commits, xs, vks, register, d, events, choices, at, options


def verify_rows(n_ballots: int, rng: random.Random) -> list:
    # Each of the n ballots needs a distinct voter: a register as large as the ballots.
    params, y, commits, xs, _, register, d, events, choices, at, options = sealed_bundle(
        n_ballots, rng
    )
    register = [
        {"member": f"V{i:05d}", "name": "", "weight": Decimal(choices[i][1]).scaleb(-d)}
        for i in range(n_ballots)
    ]
    events[0] = vl.opened_event(
        poll=POLL,
        title="bench",
        register=register,
        options=options,
        rule=Rule(),
        secret=True,
        at=at,
        changes=False,
    )
    from besluit.core.ballotcrypto.ballot import EncryptedBallot

    ballots = [
        (EncryptedBallot.decode(bytes.fromhex(e["ballot"])), e["weight_units"]) for e in events[1:]
    ]
    weighted = aggregate(ballots, 3)
    counts = aggregate(((b, 1) for b, _ in ballots), 3)
    shares = []
    for j in (1, 2):
        w = make_decryption_share(params, j, xs[j], weighted, seed=os.urandom(32))
        c = make_decryption_share(params, j, xs[j], counts, seed=os.urandom(32))
        shares.append({"trustee": j, "weights": w.to_bytes().hex(), "counts": c.to_bytes().hex()})
    total = sum(u for _, u in choices)
    wt = [0, 0, 0]
    ct = [0, 0, 0]
    for c, u in choices:
        wt[c] += u
        ct[c] += 1
    result = decide(
        options=options,
        totals={o.key: (Decimal(wt[i]).scaleb(-d), ct[i]) for i, o in enumerate(options)},
        eligible_members=len(register),
        eligible_weight=sum((r["weight"] for r in register), Decimal(0)),
        rule=Rule(),
    )
    events.append(vl.closed_event(poll=POLL, totals=result, at=at))
    leaves = [vl.encode_event(e) for e in events]
    key = vl.generate_private_key()
    tree = MerkleLog.from_data(leaves)
    checkpoints = [
        vl.sign_checkpoint(vl.checkpoint(poll=POLL, size=s, root=tree.root_at(s), at=at), key)
        for s in (1, tree.size)
    ]
    bundle = build_sealed_bundle(
        register=register,
        voters=[r["member"] for r in register],
        leaves=leaves,
        checkpoints=checkpoints,
        election={
            "id": params.election_id,
            "trustees": 3,
            "threshold": 2,
            "public_key": y.encoding.hex(),
            "commitments": [c.to_bytes().hex() for c in commits],
        },
        tally={
            "decimals": d,
            "weighted": [c.to_bytes().hex() for c in weighted],
            "counts": [c.to_bytes().hex() for c in counts],
            "total_units": total,
            "ballots": n_ballots,
        },
        shares=shares,
        private_key=key,
    )
    data = serialize_bundle(bundle)
    t, problems = cpu(lambda: verify_sealed_bundle(data))
    assert problems == [], problems
    return [
        (
            f"besluit verify: sealed bundle of {n_ballots:,} ballots ({len(data) / 1e6:.1f} MB)",
            t,
            "target <= 30 s",
        )
    ]


def close_rows(n_ballots: int, rng: random.Random, distinct: int = 500) -> list:
    params, y, _, xs, vks = ceremony()
    weights = [Decimal(rng.randint(100, 10_000)).scaleb(-2) for _ in range(342)]
    d = choose_decimals(weights)
    pool = []
    for i in range(distinct):
        voter = voter_binding(POLL, f"M{i}", "k" * 22)
        pool.append(encrypt_ballot(context_for(POLL, voter, y, 3), rng.randrange(3)))
    items = [(pool[i % distinct], weight_units(rng.choice(weights), d)) for i in range(n_ballots)]
    total = sum(u for _, u in items)
    t_agg, (weighted, counts) = cpu(
        lambda: (aggregate(items, 3), aggregate(((b, 1) for b, _ in items), 3))
    )
    shares_w = [
        make_decryption_share(params, j, xs[j], weighted, seed=os.urandom(32)) for j in (1, 3)
    ]
    shares_c = [
        make_decryption_share(params, j, xs[j], counts, seed=os.urandom(32)) for j in (1, 3)
    ]

    def after_last_share():
        decrypt_tally(params, weighted, shares_w, vks, total_units=total, decimals=d)
        decrypt_tally(params, counts, shares_c, vks, total_units=n_ballots, decimals=0)

    from besluit.core.ballotcrypto import elgamal

    elgamal._baby_steps.cache_clear()
    t_dec, _ = cpu(after_last_share)
    return [
        (
            f"close: weighted + count aggregates of {n_ballots:,} ballots",
            t_agg,
            "at the close, before any trustee answers",
        ),
        (
            f"after the last of 2-of-3 shares: verify, combine, logs (total {total:,} units)",
            t_dec,
            "cold baby-step table; target <= 5 s",
        ),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=20_000)
    ap.add_argument("--verify-ballots", type=int, default=2_000)
    ap.add_argument("--browser-runs", type=int, default=20)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    rng = random.Random(2026)
    rows = [] if args.no_browser else browser_rows(args.browser_runs)

    _, y, *_ = ceremony()
    voter = voter_binding(POLL, "GM0363", "k" * 22)
    data = encrypt_ballot(context_for(POLL, voter, y, 3), 1).to_bytes()
    t, _ = cpu(lambda: verify_sealed(POLL, voter, y, 3, data), 300)
    rows.append(("server: decode + verify one sealed 3-option ballot", t, "target <= 2 ms"))
    rows += close_rows(args.ballots, rng)
    rows += verify_rows(args.verify_ballots, rng)

    print(f"Python {sys.version.split()[0]}, {platform.machine()}, load {os.getloadavg()[0]:.1f}")
    print()
    print("| operation | time | note |")
    print("|---|---:|---|")
    for name, seconds, note in rows:
        shown = f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
        print(f"| {name} | {shown} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
