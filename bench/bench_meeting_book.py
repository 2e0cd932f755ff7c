"""Benchmark: the meeting book as tagged PDF/UA-1, alone (for a quiet machine).

    .venv/bin/python bench/bench_meeting_book.py [--pages 220]

The same generated book as ``bench_texts.py`` (cover, letter, contents, agenda, 4 long
resolutions with line numbers, 40 amendments, 20 motions; about 214 pages for ``--pages 220``),
made once through ``texts.pdf.meeting_book`` (WeasyPrint, then ``texts.pdf_artifacts.fix``,
which turns the page header and footer into artifacts). Prints the wall time, the CPU time of
this process, the peak resident memory, and the share of the post-processing step in both.
Targets (issue 17): at most 30 s and 1 GB. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_texts  # sets Django up, and makes the book's data

TARGET_SECONDS = 30.0
TARGET_MB = 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=220, help="pages of resolution text")
    pages_wanted = parser.parse_args().pages

    from django.utils import translation

    from besluit.texts import pdf, pdf_artifacts

    translation.activate("nl")
    data = bench_texts.book(pages_wanted)
    fixing = {"wall": 0.0, "cpu": 0.0}
    original = pdf_artifacts.fix

    def timed_fix(content: bytes) -> bytes:
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return original(content)
        finally:
            fixing["wall"] += time.perf_counter() - w0
            fixing["cpu"] += time.process_time() - c0

    pdf_artifacts.fix = timed_fix
    out = io.BytesIO()
    w0, c0 = time.perf_counter(), time.process_time()
    pages = pdf.meeting_book(data, out)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"meeting book PDF/UA-1: {pages} pages, {len(out.getvalue()) / 1e6:.1f} MB")
    print(f"wall time:   {wall:.1f} s")
    print(f"CPU time:    {cpu:.1f} s (target {TARGET_SECONDS:.0f} s)")
    print(f"peak memory: {peak_mb:.0f} MB (target {TARGET_MB} MB)")
    print(
        f"of which header and footer as artifacts (pdf_artifacts.fix): "
        f"{fixing['wall']:.2f} s wall, {fixing['cpu']:.2f} s CPU"
    )
    ok = cpu <= TARGET_SECONDS and peak_mb <= TARGET_MB
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
