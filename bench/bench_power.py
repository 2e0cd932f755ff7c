"""Benchmark: exact Banzhaf and Shapley-Shubik for the 342 Dutch municipalities.

Run from the repository root (or anywhere)::

    python bench/bench_power.py [--repeat 3] [--skip-slow] [--page-only]

Reads ``../shared/data/gemeenten.csv`` next to the checkout (CBS code, name, province,
inhabitants). Without it, a synthetic register is used instead (342 members, log-normal
spread between 1,000 and 930,000 inhabitants, 18 million in total, fixed seed) and the
output says so. Prints machine information and a markdown table: for each weight rule
the scale :func:`make_game` chose, the scaled total weight (after dividing by the
common factor) and the best of ``--repeat`` timings (a single run when the first one
takes longer than 20 s). The quota is a simple majority of the total weight.

A second table measures the rules as the voting power page and ``besluit weights
analyse`` compute them (:mod:`besluit.analysis.compute`): the example bracket table (the
demo's rule in force), one vote per inhabitant, the square root of inhabitants (2
decimals) and one member one vote, for both quotas. A rule whose exact total exceeds
20,000 units is rounded to the resolution shown (the page says so); each row gives the
wall-clock and CPU time of every index, the structure (dummies, minimum winning size,
smallest winning coalition), and the peak memory of Shapley-Shubik (tracemalloc, a
separate run).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import platform
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import besluit  # noqa: F401
except ImportError:  # not installed: use the checkout
    sys.path.insert(0, str(ROOT / "src"))

from besluit.analysis.compute import (  # noqa: E402
    ALTERNATIVES,
    MAX_INTERACTIVE_TOTAL,
    interactive_game,
)

from besluit.core.power import (  # noqa: E402
    PowerError,
    Quota,
    banzhaf,
    dummies,
    make_game,
    minimum_winning_size,
    shapley_shubik,
    smallest_winning_coalition,
)
from besluit.core.weights import weight_for  # noqa: E402

REGISTER = ROOT.parent / "shared" / "data" / "gemeenten.csv"
SLOW_RUN = 20.0  # seconds: above this, do not repeat

# An example table (from N inhabitants: V votes), not any association's statutes.
BRACKETS = [
    (0, 1),
    (10_000, 2),
    (20_000, 3),
    (30_000, 4),
    (50_000, 5),
    (75_000, 6),
    (100_000, 7),
    (150_000, 8),
    (200_000, 9),
    (250_000, 10),
    (300_000, 11),
    (400_000, 12),
    (500_000, 13),
    (750_000, 14),
]


def load_register() -> tuple[list[int], str]:
    if REGISTER.exists():
        with REGISTER.open(newline="", encoding="utf-8") as f:
            inhabitants = [int(row["inwoners"]) for row in csv.DictReader(f)]
        return inhabitants, f"{REGISTER} ({len(inhabitants)} municipalities)"
    rng = random.Random(20240101)
    z = sorted(rng.gauss(0.0, 1.0) for _ in range(342))
    # Log-normal, stretched so the smallest has 1,000 and the largest 930,000 inhabitants;
    # then the others are scaled so that the total is 18 million.
    lo, hi = math.log(1_000), math.log(930_000)
    values = [math.exp(lo + (x - z[0]) * (hi - lo) / (z[-1] - z[0])) for x in z]
    middle = sum(values[1:-1])
    values[1:-1] = [v * (18_000_000 - 931_000) / middle for v in values[1:-1]]
    inhabitants = [min(930_000, max(1_000, round(v))) for v in values]
    inhabitants[171] += 18_000_000 - sum(inhabitants)
    rng.shuffle(inhabitants)
    return inhabitants, (
        f"SYNTHETIC register: {REGISTER} not found; 342 members, log-normal spread "
        f"{min(inhabitants):,}..{max(inhabitants):,} inhabitants, {sum(inhabitants):,} "
        f"in total, seed 20240101"
    )


def bracket_votes(n: int) -> Decimal:
    return Decimal(max(votes for lower, votes in BRACKETS if n >= lower))


def per_thousand(decimals: int) -> Callable[[int], Decimal]:
    unit = Decimal(1).scaleb(-decimals)
    return lambda n: (Decimal(n) / 1000).quantize(unit, rounding=ROUND_HALF_UP)


def square_root_2(n: int) -> Decimal:
    # round half up of sqrt(n) to 2 decimals, with integers only: (isqrt(4 n 10^4) + 1) // 2
    return Decimal(f"{(math.isqrt(4 * n * 10**4) + 1) // 2}E-2")


RULES: list[tuple[str, Callable[[int], Decimal], Quota, bool]] = [
    ("bracket table (1..14 votes)", bracket_votes, Quota.SIMPLE, False),
    ("one member one vote", lambda n: Decimal(1), Quota.SIMPLE, False),
    ("per 1000 inhabitants, whole", per_thousand(0), Quota.SIMPLE, False),
    ("per 1000 inhabitants, 2 decimals", per_thousand(2), Quota.SIMPLE, False),
    ("per 1000 inhabitants, 2 decimals, 2/3", per_thousand(2), Quota.TWO_THIRDS, False),
    ("square root of inhabitants, 2 decimals", square_root_2, Quota.SIMPLE, True),
    ("inhabitants (exact)", Decimal, Quota.SIMPLE, True),
]


def best_time(run: Callable[[], object], repeat: int, notes: list[str]) -> str:
    """Best of `repeat` runs in seconds; a PowerError becomes a numbered note."""
    best = math.inf
    for attempt in range(repeat):
        start = time.perf_counter()
        try:
            run()
        except PowerError as error:
            notes.append(str(error))
            return f"refused [{len(notes)}]"
        best = min(best, time.perf_counter() - start)
        if attempt == 0 and best > SLOW_RUN and repeat > 1:
            return f"{best:.1f} (1 run)"
    return f"{best:.3f}"


def best_times(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of `repeat` runs."""
    wall = cpu = math.inf
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        run()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def peak_mb(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


PAGE_RULES = [
    ("example bracket table (1..17 votes)", "brackets"),
    ("one vote per inhabitant", "proportional"),
    ("square root of inhabitants, 2 decimals", "sqrt"),
    ("one member one vote", "equal"),
]


def structure(game) -> None:
    dummies(game)
    minimum_winning_size(game)
    smallest_winning_coalition(game)


def page_table(inhabitants: list[int], repeat: int) -> None:
    print()
    print(f"## As the page computes them (limit {MAX_INTERACTIVE_TOTAL:,} units)")
    print()
    print(
        "| rule | quota | exact total | resolution | computed total | max share error (pp) "
        "| Banzhaf s (CPU) | Shapley-Shubik s (CPU) | SS peak MB | structure s | all s (CPU) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, key in PAGE_RULES:
        weights = [weight_for(ALTERNATIVES[key], n) for n in inhabitants]
        for quota in (Quota.SIMPLE, Quota.TWO_THIRDS):
            ig = interactive_game(weights, quota)
            game = ig.game
            b = best_times(lambda game=game: banzhaf(game), repeat)
            s = best_times(lambda game=game: shapley_shubik(game), repeat)
            o = best_times(lambda game=game: structure(game), repeat)
            peak = peak_mb(lambda game=game: shapley_shubik(game))
            resolution = "exact" if ig.exact else f"{ig.resolution:,f}"
            error = f"{float(ig.max_share_error) * 100:.4f}"
            print(
                f"| {name} | {quota.value} | {ig.exact_total:,} | {resolution} | "
                f"{game.total:,} | {error} | {b[0]:.2f} ({b[1]:.2f}) | "
                f"{s[0]:.2f} ({s[1]:.2f}) | {peak:.0f} | {o[0]:.2f} | "
                f"{b[0] + s[0] + o[0]:.2f} ({b[1] + s[1] + o[1]:.2f}) |",
                flush=True,
            )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per cell (best is kept)")
    parser.add_argument(
        "--skip-slow", action="store_true", help="skip the rules that take ~30-60 s"
    )
    parser.add_argument(
        "--page-only", action="store_true", help="only the rules as the analysis page runs them"
    )
    args = parser.parse_args()

    inhabitants, source = load_register()
    print(f"# Voting power benchmark, {dt.datetime.now().isoformat(timespec='seconds')}")
    print()
    print(f"- machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"- Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"- register: {source}")
    print(f"- best of {args.repeat} (time.perf_counter); simple majority unless noted")
    print(f"- load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.page_only:
        page_table(inhabitants, args.repeat)
        return
    print()
    print("## Exact weights")
    print()
    print("| rule | members | scale | scaled total | Banzhaf s | Shapley-Shubik s |")
    print("|---|---|---|---|---|---|")
    notes: list[str] = []
    for name, weight, rule, slow in RULES:
        if slow and args.skip_slow:
            continue
        game = make_game([weight(n) for n in inhabitants], rule)
        scale = f"{game.scale}" + (f" ÷ {game.divisor}" if game.divisor > 1 else "")
        b = best_time(lambda game=game: banzhaf(game), args.repeat, notes)
        s = best_time(lambda game=game: shapley_shubik(game), args.repeat, notes)
        print(f"| {name} | {game.n} | {scale} | {game.total:,} | {b} | {s} |", flush=True)
    if notes:
        print()
    for number, note in enumerate(notes, 1):
        print(f"[{number}] PowerError: {note}")
    page_table(inhabitants, args.repeat)
    print()
    print(f"- load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
