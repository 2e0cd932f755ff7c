#!/usr/bin/env python
"""Attendance benchmark: check-ins through the API, and the door's phone page.

    .venv/bin/python bench/bench_attendance.py [--members 2000] [--door 342]
        [--mode sqlite|postgres|both]

For each database (SQLite in a temporary data directory; PostgreSQL in the database of
BESLUIT_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/besluit_attend,
migrated first) it makes, through the services, an association of --members members, a
weight rule, a secretariat with an API token and a meeting, and then times, in one
process through Django's whole request cycle (middleware, API, service, audit):

- baseline: --members API reads of the meeting (GET /api/v1/meetings/<id>), the cheapest
  authenticated request, so that the check-ins' throughput is a ratio to it in the same run;
- --members check-ins (POST /api/v1/meetings/<id>/check-ins), one per member; each must
  answer 201, and a second check-in of one member 409;
- the attendance list of all members (GET /api/v1/meetings/<id>/attendance);
- at the door (a new meeting, the first --door members): for each member, the search the
  phone page sends (GET …/aanwezigheid/inchecken/?q=<code> from htmx) and the tap
  (POST …/aanwezigheid/inchecken/), the time per member.

Prints a markdown table (the figures go in docs/benchmarks.md, "Attendance"); exits
non-zero when 2,000 check-ins take more than 20 s or a check-in at the door more than 1 s.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "BESLUIT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/besluit_attend"
)


def register_csv(n: int) -> bytes:
    lines = ["gemeentecode,naam,provincie,inwoners,peildatum"]
    for i in range(n):
        lines.append(f"GM{i:04d},Benchgemeente {i:04d},Utrecht,{1000 + 37 * i},2026-01-01")
    return ("\n".join(lines) + "\n").encode()


def setup_django(mode: str, data_dir: str) -> None:
    os.environ["BESLUIT_SECRET_KEY"] = "bench-" + "x" * 60
    os.environ["BESLUIT_DATA_DIR"] = data_dir
    os.environ["BESLUIT_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "besluit.settings"
    if mode == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world(n: int, tag: str):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from besluit.accounts.models import ApiToken, User
    from besluit.associations import services as assoc
    from besluit.core import weights
    from besluit.meetings import services as meetings

    association = assoc.do_create_association(actor=None, name=f"Bench {tag}", slug=f"bench-{tag}")
    assoc.do_import_members(actor=None, association=association, data=register_csv(n))
    assoc.do_set_weight_rule(
        actor=None,
        association=association,
        valid_from=date(2000, 1, 1),
        kind="brackets",
        brackets=weights.EXAMPLE_BRACKETS,
    )
    user = User.objects.create_user(username=f"sec-{tag}", password="x" * 20)
    assoc.do_assign_role(actor=None, user=user, association=association, kind="secretariat")
    token = ApiToken.issue(user, "bench")[1]
    starts = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=1)

    def meeting():
        return meetings.do_create_meeting(
            actor=None,
            association=association,
            kind="alv",
            title="Bench-ALV",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            standard_agenda=False,
            location="Jaarbeurs",
        )

    return association, user, token, meeting


CPU: dict[str, float] = {}


def timed(calls, name: str = "") -> tuple[float, list[float]]:
    """Wall-clock seconds of all calls and of each; the process's CPU seconds in CPU[name]
    (the machine is shared: CPU time is what an otherwise idle machine would take)."""
    each = []
    start, cpu = time.perf_counter(), time.process_time()
    for call in calls:
        t = time.perf_counter()
        call()
        each.append(time.perf_counter() - t)
    CPU[name] = time.process_time() - cpu
    return time.perf_counter() - start, each


def run(mode: str, n: int, door: int) -> list[tuple[str, str, str, str]]:
    from django.db import connection
    from django.test import Client

    tag = f"{mode}-{int(time.time())}"
    association, user, token, new_meeting = world(n, tag)
    meeting = new_meeting()
    codes = list(association.members.order_by("code").values_list("code", flat=True))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/meetings/{meeting.pk}"
    rows = []

    def read():
        assert api.get(base).status_code == 200

    base_s, _ = timed([read] * n, "base")

    def check_in(code):
        def call():
            answer = api.post(
                f"{base}/check-ins", {"member": code}, content_type="application/json"
            )
            assert answer.status_code == 201, answer.content

        return call

    checkin_s, each = timed([check_in(c) for c in codes], "checkin")
    again = api.post(f"{base}/check-ins", {"member": codes[0]}, content_type="application/json")
    assert again.status_code == 409
    rows.append(
        (
            f"{n:,} API reads of the meeting (baseline)",
            f"{base_s:.1f} s (CPU {CPU['base']:.1f} s)",
            f"{n / base_s:,.0f}/s",
            "1.00",
        )
    )
    rows.append(
        (
            f"{n:,} check-ins via the API",
            f"{checkin_s:.1f} s (CPU {CPU['checkin']:.1f} s)",
            f"{n / checkin_s:,.0f}/s (median {statistics.median(each) * 1000:.1f} ms)",
            f"{(n / checkin_s) / (n / base_s):.2f}",
        )
    )
    list_s, _ = timed([lambda: api.get(f"{base}/attendance")])
    rows.append((f"attendance list of {n:,} members (API)", f"{list_s * 1000:.0f} ms", "", ""))

    page = Client()
    page.force_login(user)
    door_meeting = new_meeting()
    url = f"/{association.slug}/vergaderingen/{door_meeting.pk}/aanwezigheid/inchecken/"

    def at_the_door(code):
        def call():
            found = page.get(url, {"q": code}, HTTP_HX_REQUEST="true")
            assert found.status_code == 200 and code in found.content.decode()
            tapped = page.post(url, {"member": code})
            assert tapped.status_code == 302, tapped.status_code

        return call

    door_s, each = timed([at_the_door(c) for c in codes[:door]], "door")
    rows.append(
        (
            f"{door} members at the door (search + tap on the phone page)",
            f"{door_s:.1f} s (CPU {CPU['door']:.1f} s)",
            f"median {statistics.median(each) * 1000:.0f} ms, max {max(each) * 1000:.0f} ms "
            "per member",
            "",
        )
    )
    connection.close()
    return rows, checkin_s, max(each)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--door", type=int, default=342)
    parser.add_argument("--mode", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="bench-attendance-") as data_dir:
        setup_django(args.mode, data_dir)
        rows, checkin_s, door_max = run(args.mode, args.members, args.door)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    print(
        f"Attendance benchmark, {args.mode}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {when}, load {load:.1f}\n"
    )
    print("| what | time | throughput | ratio to baseline |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    ok = checkin_s * 2000 / args.members <= 20 and door_max <= 1
    verdict = "met" if ok else "MISSED"
    print(f"\ntargets: 2,000 check-ins ≤ 20 s, a check-in at the door ≤ 1 s: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
