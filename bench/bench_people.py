#!/usr/bin/env python
"""People in bulk: 343 representatives by ``besluit createuser --csv`` and ``besluit people
import`` against one ``createuser`` call per person.

    .venv/bin/python bench/bench_people.py [--calls 5]

In a fresh SQLite data directory (``besluit migrate``; the 342 municipalities of
../shared/data/gemeenten.csv imported) it times, as whole processes, what an operator runs:

1. ``besluit createuser --csv FILE`` and ``besluit people import FILE`` of 343
   representatives (one process each; no password hashes);
2. ``besluit createuser`` one person per call, ``--calls`` times, with ``--no-password``
   and with a password (Argon2), and what 343 such calls would take;
3. the baseline: the old way's cost for 343 people, from the per-call time of
   ``createuser --password`` (one process and one Argon2 hash per person).

Each row gives the wall time and the CPU time of the process (user + system, from
``getrusage``): on a shared machine the wall time waits for other work, the CPU time
does not. Bytecode is cached under a temporary PYTHONPYCACHEPREFIX and warmed by the
set-up commands, as an installed wheel has it, even where PYTHONDONTWRITEBYTECODE is
set (an editable install compiles every module of src/ at every start otherwise).

Prints a markdown table; the ratio is the baseline over the one-call import, in the same run.
"""

import argparse
import os
import platform
import resource
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


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict, *, timings: list | None = None) -> float:
    """The command's wall time; (wall, cpu) appended to ``timings`` when given."""
    start, start_cpu = time.perf_counter(), cpu()
    subprocess.run(BESLUIT + args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    if timings is not None:
        timings.append((wall, cpu() - start_cpu))
    return wall


def med(timings: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5, help="createuser calls to time")
    parser.add_argument(
        "--src",
        help="run another source tree's besluit (PYTHONPATH), e.g. an earlier commit's "
        "src/ from `git archive`, to compare start-up before and after a change",
    )
    o = parser.parse_args()
    if o.src:
        BESLUIT[:] = [sys.executable, "-m", "besluit.cli"]
        os.environ["PYTHONPATH"] = str(Path(o.src).resolve())
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "BESLUIT_DATA_DIR": data,
            "BESLUIT_SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONPYCACHEPREFIX": str(Path(data) / "pycache"),
        }
        env.pop("BESLUIT_DATABASE_URL", None)
        env.pop("DATABASE_URL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        run(["migrate", "-v0"], env)
        subprocess.run(
            [sys.executable, "-c", "import django"], check=True
        )  # warm the file cache for what every process imports
        run(
            [
                "shell",
                "-c",
                "from besluit.associations.services import do_create_association as c;"
                "c(actor=None, name='VNG', slug='vng')",
            ],
            env,
        )
        run(["members", "import", str(GEMEENTEN), "--association", "vng"], env)
        codes = [line.split(",")[0] for line in GEMEENTEN.read_text().splitlines()[1:]]
        rows = ["naam,e-mail,lidcode,functie,rol"]
        rows += [
            f"Burgemeester {c},b@{c.lower()}.nl,{c},burgemeester,vertegenwoordiger" for c in codes
        ]
        rows.append(
            f"Griffier {codes[0]},g@{codes[0].lower()}.nl,{codes[0]},griffier,vertegenwoordiger"
        )
        csv_path = Path(data) / "mensen.csv"
        csv_path.write_text("\n".join(rows) + "\n")
        one_call: list = []
        try:
            run(
                ["createuser", "--csv", str(csv_path), "--association", "vng"],
                env,
                timings=one_call,
            )
        except subprocess.CalledProcessError:  # a tree from before --csv (--src)
            one_call.append((float("nan"), float("nan")))
        # The same people again under another association: the import's own run.
        run(
            [
                "shell",
                "-c",
                "from besluit.associations.services import do_create_association as c;"
                "c(actor=None, name='VNG 2', slug='vng2')",
            ],
            env,
        )
        run(["members", "import", str(GEMEENTEN), "--association", "vng2"], env)
        imported: list = []
        run(["people", "import", str(csv_path), "--association", "vng2"], env, timings=imported)
        with_password, without = [], []
        for i in range(o.calls):
            run(
                [
                    "createuser",
                    f"pw{i}",
                    "--password",
                    "correct horse battery staple",
                    "--association",
                    "vng",
                    "--role",
                    "observer",
                ],
                env,
                timings=with_password,
            )
            run(
                [
                    "createuser",
                    f"np{i}",
                    "--no-password",
                    "--association",
                    "vng",
                    "--role",
                    "representative",
                    "--member",
                    codes[i],
                    "--function",
                    "alderman",
                ],
                env,
                timings=without,
            )
    (csv_wall, csv_cpu), (imp_wall, imp_cpu) = one_call[0], imported[0]
    (pw_wall, pw_cpu), (np_wall, np_cpu) = med(with_password), med(without)
    baseline = pw_wall * 343
    print(
        f"Date: {datetime.now(UTC):%d %B %Y}. Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python "
        f"{platform.python_version()}. Command: `.venv/bin/python bench/bench_people.py "
        f"--calls {o.calls}{' --src ' + o.src if o.src else ''}`.\n"
    )
    print("| what | wall | CPU | per person (wall) |")
    print("|---|---|---|---|")
    print(
        f"| `besluit createuser --csv` of 343 representatives (one call) | {csv_wall:.2f} s "
        f"| {csv_cpu:.2f} s | {csv_wall / 343 * 1000:.1f} ms |"
    )
    print(
        f"| `besluit people import` of the same 343 (one call) | {imp_wall:.2f} s "
        f"| {imp_cpu:.2f} s | {imp_wall / 343 * 1000:.1f} ms |"
    )
    print(
        f"| `besluit createuser --no-password`, one person per call (median of {o.calls}) "
        f"| {np_wall:.2f} s | {np_cpu:.2f} s | – |"
    )
    print(
        f"| `besluit createuser --password` (Argon2), one per call (median of {o.calls}) "
        f"| {pw_wall:.2f} s | {pw_cpu:.2f} s | – |"
    )
    print(
        f"| 343 × `createuser --no-password` (from the median) | {np_wall * 343:.0f} s "
        f"| {np_cpu * 343:.0f} s | {np_wall:.2f} s |"
    )
    print(
        f"| baseline: 343 × `createuser --password` | {baseline:.0f} s | {pw_cpu * 343:.0f} s "
        f"| {pw_wall:.2f} s |"
    )
    if csv_wall == csv_wall:  # not NaN
        print(
            f"\nOne `createuser --csv` call is {baseline / csv_wall:.0f}× the baseline's "
            f"speed; target ≤ 10 s: {'met' if csv_wall <= 10 else 'MISSED'}."
        )


if __name__ == "__main__":
    main()
