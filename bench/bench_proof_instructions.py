#!/usr/bin/env python
"""Instructions per sealed-ballot check, counted by valgrind: two revisions compared
exactly, whatever else the machine is doing.

    .venv/bin/python bench/bench_proof_instructions.py [--source REV] [--options 3] [--checks 10]

Timings of one check move by half within an hour on a shared machine (docs/benchmarks.md);
the number of instructions it executes does not. For the work tree, and with ``--source``
for a git revision (its ``src``, ``native`` and ``setup.py``, built apart as bench_live.py
builds one), a child process checks ``--checks`` ballots of ``--options`` options as the
server does (``core.ballotcrypto.sealed.verify_sealed``: decode the bytes, check every
proof) under ``valgrind --tool=callgrind``, and once more checking none; the difference
divided by the checks is what one check costs, with the same ballots (fixed seeds) in
both trees. Needs valgrind (Debian's package).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

CHILD = """
import os, sys
from besluit.core.ballotcrypto import group
from besluit.core.ballotcrypto.ballot import BallotContext, encrypt_ballot
from besluit.core.ballotcrypto.group import Point, Scalar
from besluit.core.ballotcrypto.sealed import verify_sealed
options, checks = int(sys.argv[1]), int(sys.argv[2])
assert group.NATIVE_COMBINATIONS, "the compiled combinations are not built"
key = Point.base_times(Scalar.of(1234567))
ctx = BallotContext("poll", "voter", "", key, options)
data = [encrypt_ballot(ctx, i % options, seed=bytes([i + 1]) * 32).to_bytes() for i in range(10)]
verify_sealed("poll", "voter", key, options, data[0])  # what a process does once (tables)
for i in range(checks):
    verify_sealed("poll", "voter", key, options, data[i % len(data)])
"""


def instructions(src: Path, options: int, checks: int, work: Path) -> int:
    out = work / f"callgrind.{os.getpid()}.{checks}"
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            PY,
            "-c",
            CHILD,
            str(options),
            str(checks),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"refs:\s+([\d,]+)", result.stderr)
    if not found:
        raise SystemExit(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def tree_of(ref: str, target: Path) -> Path:
    paths = ["src", "native", "setup.py"]
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, *paths], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    subprocess.run(
        [PY, "setup.py", "-q", "build_ext", "--build-lib", "src"],
        cwd=target,
        check=True,
        capture_output=True,
    )
    return target / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="a git revision to compare with the work tree")
    parser.add_argument("--options", type=int, default=3)
    parser.add_argument("--checks", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="bench-proof-instr-") as tmp:
        work = Path(tmp)
        trees = [("work tree", ROOT / "src")]
        if args.source:
            commit = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", args.source],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            (work / "tree").mkdir()
            trees.insert(0, (f"{args.source} ({commit})", tree_of(args.source, work / "tree")))
        rows = []
        for label, src in trees:
            base = instructions(src, args.options, 0, work)
            total = instructions(src, args.options, args.checks, work)
            rows.append((label, (total - base) / args.checks))
    print(
        f"# instructions per check of one {args.options}-option sealed ballot "
        f"(verify_sealed: decode and every proof), valgrind --tool=callgrind, "
        f"{args.checks} checks"
    )
    print("| code | instructions per check | against the first |")
    print("|---|--:|--:|")
    for label, per in rows:
        print(f"| {label} | {per:,.0f} | {per / rows[0][1]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
