#!/usr/bin/env python
"""People in bulk: 343 representatives by ``besluit people import`` against the old way.

    .venv/bin/python bench/bench_people.py [--calls 5]

In a fresh SQLite data directory (``besluit migrate``; the 342 municipalities of
../shared/data/gemeenten.csv imported) it times, as whole processes, what an operator runs:

1. ``besluit people import`` of 343 representatives (one CSV; no password hashes);
2. ``besluit createuser`` with a password (Argon2), per call, and with ``--no-password``;
3. the baseline: the old way's cost for 343 people, from the per-call time of
   ``createuser --password`` (one process and one Argon2 hash per person).

Prints a markdown table; the ratio is the baseline over the import, in the same run.
"""

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEMEENTEN = ROOT.parent / "shared" / "data" / "gemeenten.csv"
BESLUIT = [str(ROOT / ".venv" / "bin" / "besluit")]


def run(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(BESLUIT + args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5, help="createuser calls to time")
    o = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "BESLUIT_DATA_DIR": data,
            "BESLUIT_SECRET_KEY": secrets.token_urlsafe(50),
        }
        env.pop("BESLUIT_DATABASE_URL", None)
        run(["migrate", "-v0"], env)
        subprocess.run(
            [sys.executable, "-c", "import django"], check=True
        )  # warm the file cache for what every process imports
        run(["shell", "-c", "from besluit.associations.services import do_create_association as c;"
             "c(actor=None, name='VNG', slug='vng')"], env)  # fmt: skip
        run(["members", "import", str(GEMEENTEN), "--association", "vng"], env)
        codes = [line.split(",")[0] for line in GEMEENTEN.read_text().splitlines()[1:]]
        rows = ["naam,e-mail,lidcode,functie,rol"]
        rows += [f"Burgemeester {c},b@{c.lower()}.nl,{c},burgemeester,vertegenwoordiger"
                 for c in codes]  # fmt: skip
        rows.append(f"Griffier {codes[0]},g@{codes[0].lower()}.nl,{codes[0]},griffier,"
                    "vertegenwoordiger")  # fmt: skip
        csv_path = Path(data) / "mensen.csv"
        csv_path.write_text("\n".join(rows) + "\n")
        imported = run(["people", "import", str(csv_path), "--association", "vng"], env)
        with_password, without = [], []
        for i in range(o.calls):
            with_password.append(run(["createuser", f"pw{i}", "--password",
                                       "correct horse battery staple", "--association", "vng",
                                       "--role", "observer"], env))  # fmt: skip
            without.append(run(["createuser", f"np{i}", "--no-password", "--association", "vng",
                                "--role", "observer"], env))  # fmt: skip
    per_call = statistics.median(with_password)
    baseline = per_call * 343
    print(f"Date: {datetime.now(UTC):%d %B %Y}. Machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}. "
          f"Command: `.venv/bin/python bench/bench_people.py --calls {o.calls}`.\n")  # fmt: skip
    print("| what | time | per person |")
    print("|---|---|---|")
    print(f"| `besluit people import` of 343 representatives (one process) | {imported:.2f} s "
          f"| {imported / 343 * 1000:.1f} ms |")  # fmt: skip
    print(f"| `besluit createuser --password` (median of {o.calls}) | {per_call:.2f} s | – |")
    print(f"| `besluit createuser --no-password` (median of {o.calls}) | "
          f"{statistics.median(without):.2f} s | – |")  # fmt: skip
    print(f"| baseline: 343 × `createuser --password` | {baseline:.0f} s | {per_call:.2f} s |")
    print(f"\nThe import is {baseline / imported:.0f}× the baseline's speed; target ≤ 10 s: "
          f"{'met' if imported <= 10 else 'MISSED'}.")  # fmt: skip


if __name__ == "__main__":
    main()
