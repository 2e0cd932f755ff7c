#!/usr/bin/env python
"""CPU and wall time of ``load_demo`` on a fresh SQLite database, and what it made.

    .venv/bin/python bench/demo_load.py [--profile] [--fingerprint out.json] [--rounds 1]

Builds the schema from the models (as the tests' SQLite pass does), loads the demo in one
process and prints its CPU (user + system of this process) and wall time. With
``--profile``, a cProfile of the load in CPU time; with ``--fingerprint``, a JSON
summary of the demo's content (every poll's register, ballots and result, the rows per
table, the audit actions) to compare two trees: ballot times are given relative to
their poll's opening, and what is random on each load (ids, keys, ciphertexts, the
day it is loaded) is left out.
"""

import argparse
import atexit
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # the tree this script is in (also under git archive)
os.environ.setdefault("BESLUIT_SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")


def _fresh_database() -> None:
    """A new data folder and a schema built from the models, without migrations."""
    folder = tempfile.mkdtemp(prefix="bench-demo-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # 3.4 MB a run otherwise
    os.environ["BESLUIT_DATA_DIR"] = folder
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _fingerprint() -> dict:
    from django.apps import apps

    from besluit.audit.models import AuditEvent
    from besluit.voting.models import Ballot, Poll, PollLog, RegisterEntry

    out: dict = {"rows": {}, "polls": {}}
    for model in apps.get_models():
        out["rows"][model._meta.label] = model.objects.count()
    actions: dict[str, int] = {}
    for action in AuditEvent.objects.values_list("action", flat=True):
        actions[action] = actions.get(action, 0) + 1
    out["audit"] = dict(sorted(actions.items()))
    for poll in Poll.objects.select_related("meeting").order_by("meeting__title", "title"):
        name = f"{poll.meeting.title} / {poll.title}"
        opened = poll.opened_at
        ballots = Ballot.objects.filter(poll=poll).select_related(
            "member", "option", "proxy", "cast_by"
        )
        log = PollLog.objects.filter(poll=poll).first()
        out["polls"][name] = {
            "status": poll.status,
            "eligible": [poll.eligible_members, str(poll.eligible_weight)],
            "result": poll.result,
            "log_size": log.size if log else None,
            "register": sorted(
                (e.member.code, str(e.weight), e.represented_by.code if e.represented_by else "")
                for e in RegisterEntry.objects.filter(poll=poll).select_related(
                    "member", "represented_by"
                )
            ),
            "ballots": sorted(
                (
                    b.member.code,
                    b.option.key if b.option else None,
                    b.proxy.code if b.proxy else "",
                    b.on_paper,
                    b.cast_by.username if b.cast_by else "",
                )
                for b in ballots
            ),
            "cast_at": sorted(
                (b.member.code, (b.cast_at - opened).total_seconds() if opened else None)
                for b in ballots
            ),
        }
    from besluit.attendance.models import Attendance, Proxy

    out["attendance"] = sorted(
        (
            a.meeting.title,
            a.member.code,
            a.how,
            (a.arrived_at - a.meeting.starts_at).total_seconds() // 60,
            (a.departed_at - a.meeting.starts_at).total_seconds() // 60 if a.departed_at else None,
        )
        for a in Attendance.objects.select_related("meeting", "member")
    )
    out["proxies"] = sorted(
        (p.meeting.title, p.grantor.code, p.holder.code, p.status)
        for p in Proxy.objects.select_related("meeting", "grantor", "holder")
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", action="store_true", help="cProfile the load (CPU time)")
    ap.add_argument("--fingerprint", help="write a JSON summary of the demo's content here")
    args = ap.parse_args()
    _fresh_database()
    from django.db import transaction

    from besluit.demo.data import load_demo

    profile = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    with transaction.atomic():
        load_demo()
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"load_demo: CPU {cpu:.2f} s, wall {wall:.2f} s "
        f"(load average {os.getloadavg()[0]:.1f}{', profiled' if profile else ''})"
    )
    if args.fingerprint:
        Path(args.fingerprint).write_text(json.dumps(_fingerprint(), indent=1, default=str))
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
