"""Benchmark data through the services, in a process of its own (one Django configuration).

    python bench/live/setup_data.py setup --reps N --out DIR [--sealed]
    python bench/live/setup_data.py verify --poll UUID
    python bench/live/setup_data.py profile --poll UUID --out DIR  (SQL and time per request)

The environment chooses the database exactly as for ``besluit serve`` (DATABASE_URL,
or SQLite in BESLUIT_DATA_DIR); BESLUIT_SECRET_KEY must be the server's, so that the
observer session made here is valid there.

``setup`` writes DIR/setup.json (ids, chair token, observer session) and
DIR/codes.txt (``member_code voting_code`` per line; the plain codes exist only there).
With ``--sealed`` it also makes the meeting's trustees (tests/voting/sealedkit.py, what
their browsers do), a secret poll on the same proposal (encrypted: sealed ballots) and
DIR/sealed.txt: per member ``member_code option_index request_key ballot_hex``, the
browsers' encryption done here, before anything is timed.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from besluit.accounts import codes as voting_codes  # noqa: E402
from besluit.accounts.models import ApiToken, User  # noqa: E402
from besluit.associations import services as assoc  # noqa: E402
from besluit.associations.models import Member, PopulationFigure, Role  # noqa: E402
from besluit.core import weights as core_weights  # noqa: E402
from besluit.meetings import services as meetings  # noqa: E402
from besluit.meetings.models import Meeting  # noqa: E402
from besluit.proposals import services as proposals  # noqa: E402
from besluit.voting import services as voting  # noqa: E402
from besluit.voting.models import Ballot, Poll  # noqa: E402

AMS = ZoneInfo("Europe/Amsterdam")
PROVINCES = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)
# Live events go over Redis channels named by meeting id, and pub/sub channels are
# shared by every Redis database: a meeting id far from the ids of the test suites
# keeps this benchmark's events away from other servers on the same Redis.
MEETING_ID_BASE = int(os.environ.get("BESLUIT_BENCH_MEETING_BASE", 7_700_000))
# The register importer takes CBS codes (GM and 4 digits): at most 9,000 of the form
# GM1000..GM9999. A larger register (a mass consultation) is bulk-inserted instead.
MAX_IMPORTED = 9_000


def register_csv(n: int, *, seed: int = 1, reference_date: str = "2026-01-01") -> bytes:
    """A members register of ``n`` fictional municipalities (as tests/factories.py)."""
    rng = random.Random(seed)
    lines = ["gemeentecode,naam,provincie,inwoners,peildatum"]
    for i in range(n):
        inhabitants = int(min(930_000, max(1_000, rng.lognormvariate(10.6, 0.9))))
        province = PROVINCES[i % len(PROVINCES)]
        name = f"Testgemeente {i:05d}"
        lines.append(f"GM{1000 + i:04d},{name},{province},{inhabitants},{reference_date}")
    return ("\n".join(lines) + "\n").encode()


def bulk_members(association, n: int, *, seed: int = 1) -> None:
    """Members beyond what the importer's code format allows: plain bulk inserts."""
    rng = random.Random(seed)
    members = Member.objects.bulk_create(
        Member(
            association=association,
            code=f"GM{10000 + i:05d}",
            name=f"Testgemeente {i:05d}",
            province=PROVINCES[i % len(PROVINCES)],
        )
        for i in range(n)
    )
    if not all(m.pk for m in members):  # SQLite before RETURNING: fetch the ids
        members = list(association.members.all())
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            member=m,
            reference_date=date(2026, 1, 1),
            inhabitants=int(min(930_000, max(1_000, rng.lognormvariate(10.6, 0.9)))),
        )
        for m in members
    )


def bump_meeting_ids() -> None:
    table = Meeting._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, MEETING_ID_BASE]
            )
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, MEETING_ID_BASE]
            )


def make_user(username: str, association, kind: str) -> User:
    user = User.objects.create_user(username=username, password="bench " + username)
    assoc.do_assign_role(actor=None, user=user, association=association, kind=kind)
    return user


def sealed_ballots(chair, meeting, proposal, out: Path) -> tuple[Poll, float]:
    """The secret (encrypted) poll and every member's sealed ballot, made beforehand."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ (sealedkit)
    from tests.voting import sealedkit

    users = [chair] + [
        User.objects.create_user(username=f"bench-trustee-{i}", first_name=f"Trustee {i}")
        for i in (2, 3)
    ]
    election, _ = sealedkit.ceremony(chair, meeting, users, 2)
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=proposal,
        is_secret=True,
        title="Resolutie benchmark (geheim)",
    )
    t = time.perf_counter()
    poll = Poll.objects.get(pk=poll.pk)
    poll.election = election  # the key its opening will take (voting.services)
    keys = [o.key for o in poll.options.all()]
    members = Member.objects.filter(association=meeting.association).order_by("code")
    with open(out / "sealed.txt", "w") as f:
        for i, member in enumerate(members):
            choice = i % len(keys)
            data, key = sealedkit.seal(poll, member, choice)
            f.write(f"{member.code} {keys[choice]} {key} {data.hex()}\n")
    return poll, time.perf_counter() - t


def setup(n: int, out: Path, sealed: bool = False) -> None:
    timings = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    bump_meeting_ids()
    timings["migrate"] = time.perf_counter() - started

    t = time.perf_counter()
    association = assoc.do_create_association(
        actor=None, name="Vereniging van Benchmarkgemeenten", slug="bench"
    )
    if n <= MAX_IMPORTED:
        assoc.do_import_members(actor=None, association=association, data=register_csv(n))
        members_path = "services (do_import_members, register CSV)"
    else:
        with transaction.atomic():
            bulk_members(association, n)
        members_path = "bulk insert (codes beyond the CBS format)"
    assoc.do_set_weight_rule(
        actor=None,
        association=association,
        valid_from=date(2000, 1, 1),
        kind="brackets",
        brackets=core_weights.EXAMPLE_BRACKETS,
        is_example=True,
    )
    timings["members"] = time.perf_counter() - t

    secretary = make_user("bench-secretary", association, Role.Kind.SECRETARIAT)
    chair = make_user("bench-chair", association, Role.Kind.CHAIR)
    observer = make_user("bench-observer", association, Role.Kind.OBSERVER)
    starts_at = datetime.now(AMS).replace(microsecond=0) + timedelta(days=1)
    meeting = meetings.do_create_meeting(
        actor=secretary,
        association=association,
        kind=Meeting.Kind.ALV,
        title="Algemene Ledenvergadering (benchmark)",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        location="Jaarbeurs Utrecht",
        standard_agenda=True,
    )
    proposal = proposals.do_set_proposal(
        actor=secretary,
        agenda_item=meeting.agenda_items.get(number="07"),
        title="Resolutie benchmark",
        text="De ALV besluit het fonds te herstellen.",
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=proposal
    )

    t = time.perf_counter()
    issued = voting_codes.do_issue_codes(actor=secretary, meeting=meeting)
    timings["voting_codes"] = time.perf_counter() - t
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "codes.txt", "w") as f:
        for member, code in sorted(issued, key=lambda mc: mc[0].code):
            f.write(f"{member.code} {code}\n")

    sealed_poll = None
    if sealed:
        sealed_poll, timings["sealed_ballots"] = sealed_ballots(chair, meeting, proposal, out)

    _, chair_token = ApiToken.issue(chair, "benchmark")
    from django.test import Client

    client = Client()
    client.force_login(observer)
    info = {
        "vendor": connection.vendor,
        "members": n,
        "members_path": members_path,
        "codes": len(issued),
        "association": association.slug,
        "meeting_id": meeting.pk,
        "poll_id": str(poll.public_id),
        "options": [o.key for o in poll.options.all()],
        "sealed_poll_id": str(sealed_poll.public_id) if sealed_poll else None,
        "chair_token": chair_token,
        "observer_session": client.cookies["sessionid"].value,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "total_s": round(time.perf_counter() - started, 2),
    }
    (out / "setup.json").write_text(json.dumps(info, indent=2))
    print(json.dumps({k: v for k, v in info.items() if "token" not in k and "session" not in k}))


def verify(poll_id: str) -> None:
    poll = Poll.objects.get(public_id=poll_id)
    ballots = Ballot.objects.filter(poll=poll)
    by_option: dict[str, int] = {}
    for key in ballots.values_list("option__key", flat=True):
        by_option[key] = by_option.get(key, 0) + 1
    members = dict(ballots.values_list("member__code", "option__key"))
    print(
        json.dumps(
            {
                "status": poll.status,
                "ballots": ballots.count(),
                "distinct_members": ballots.values("member").distinct().count(),
                # The ballots of one batch (one transaction) share their time of casting.
                "batches": ballots.values("cast_at").distinct().count(),
                "by_option": by_option,
                "member_option": members,
            }
        )
    )


def verify_sealed(poll_id: str, out: Path) -> None:
    """An encrypted poll after its ballots: one participation row per member, one sealed
    ballot per member, the stored trackers those of the ballots sent (sealed.txt)."""
    import hashlib

    from besluit.voting.models import SealedBallot

    poll = Poll.objects.get(public_id=poll_id)
    sent = {}
    for line in (out / "sealed.txt").read_text().splitlines():
        member, _, _, data = line.split()
        sent[member] = hashlib.sha256(bytes.fromhex(data)).hexdigest()
    stored = set(SealedBallot.objects.filter(poll=poll).values_list("tracker", flat=True))
    ballots = Ballot.objects.filter(poll=poll)
    print(
        json.dumps(
            {
                "status": poll.status,
                "ballots": ballots.count(),
                "distinct_members": ballots.values("member").distinct().count(),
                "sealed": len(stored),
                "members": sorted(ballots.values_list("member__code", flat=True)),
                "trackers": {m: t in stored for m, t in sent.items()},
                "choices_stored": Ballot.objects.filter(poll=poll, option__isnull=False).count(),
            }
        )
    )


def profile(poll_id: str, out: Path, count: int) -> None:
    """One process, one request at a time: SQL statements and time per login and ballot.

    Runs on its own copy of the data (the orchestrator gives it a fresh database): opens
    the poll as the chair, then for ``count`` representatives GET /stemcode/, POST the
    code and POST a ballot through Django's full middleware stack (the test client: no
    ASGI server, no concurrency, no lock waits). Reports statements per request and a
    cProfile breakdown of the ballot requests by layer, in ms per ballot.
    """
    import cProfile
    import pstats

    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from besluit.accounts.models import User

    poll = Poll.objects.get(public_id=poll_id)
    chair = User.objects.get(username="bench-chair")
    voting.do_open_poll(actor=chair, poll=poll)
    codes = [line.split() for line in (out / "codes.txt").read_text().splitlines()][:count]

    def statements(captured) -> list[str]:
        return [" ".join(x["sql"].split())[:110] for x in captured.captured_queries]

    clients, timings = [], {"form": [], "login": [], "ballot": []}
    first: dict = {}
    for member_code, code in codes:
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", SERVER_NAME="127.0.0.1")
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q_form:
            client.get("/stemcode/")
        timings["form"].append(time.perf_counter() - t)
        token = client.cookies["csrftoken"].value
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q_login:
            r = client.post("/stemcode/", {"code": code, "csrfmiddlewaretoken": token})
        timings["login"].append(time.perf_counter() - t)
        if r.status_code != 302:
            raise SystemExit(f"login: HTTP {r.status_code}")
        clients.append((member_code, client))
        if not first:
            first = {"form": statements(q_form), "login": statements(q_login)}
        else:
            first.setdefault("form_2nd", statements(q_form))
            first.setdefault("login_2nd", statements(q_login))

    # CPU time of this thread, not wall time: other work on the machine (and the database
    # server's own work) does not inflate it. Wall time per request is kept apart.
    profiler = cProfile.Profile(time.thread_time)
    cpu_ballot: list[float] = []
    ballot_sql = None
    for i, (member_code, client) in enumerate(clients):
        token = client.cookies["csrftoken"].value
        body = json.dumps({"option": "for", "requestKey": f"p-{member_code}"})
        t = time.perf_counter()
        c = time.thread_time()
        with CaptureQueriesContext(connection) as q_ballot:
            if i >= 2 and i % 2:  # every other ballot under the profiler
                profiler.enable()
            r = client.post(
                f"/api/v1/polls/{poll.public_id}/ballots",
                data=body,
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            profiler.disable()
        if i % 2 == 0:  # the others, unprofiled, for the plain times
            timings["ballot"].append(time.perf_counter() - t)
            cpu_ballot.append(time.thread_time() - c)
        if r.status_code != 201:
            raise SystemExit(f"ballot: HTTP {r.status_code} {r.content[:200]!r}")
        if i == 1:
            ballot_sql = statements(q_ballot)  # the second: caches warm
    profiled = len([i for i in range(2, len(clients)) if i % 2])
    stats = pstats.Stats(profiler)
    layers = {
        # label: (file fragment, function name) - cumulative time of that frame
        "whole request (test client)": ("django/test/client.py", "request"),
        "middleware chain + view": ("django/core/handlers/base.py", "_get_response"),
        "session load (SessionMiddleware/auth)": ("sessions/backends/db.py", "load"),
        "user load (auth.get_user)": ("django/contrib/auth/__init__.py", "get_user"),
        "CSRF check": ("django/middleware/csrf.py", "process_view"),
        "ninja: parse, auth, validate, run": ("ninja/operation.py", "run"),
        "API view cast_ballot": ("besluit/api/endpoints.py", "cast_ballot"),
        "service cast_ballot": ("besluit/voting/services.py", "cast_ballot"),
        "cast_batch (one ballot)": ("besluit/voting/casting/__init__.py", "cast_batch"),
        "vote log: sign checkpoint": ("besluit/voting/log.py", "_signed"),
        "audit record": ("besluit/audit/services.py", "record"),
        "transaction commit": ("django/db/backends/base/base.py", "commit"),
        "SQL execute (all)": ("django/db/backends/utils.py", "_execute"),
        "response (ninja renderer)": ("ninja/operation.py", "_result_to_response"),
    }
    breakdown = {}
    for label, (fragment, name) in layers.items():
        total = 0.0
        for (filename, _, function), row in stats.stats.items():
            if function == name and fragment in filename:
                total = max(total, row[3])  # cumulative time, the outermost frame
        breakdown[label] = round(total * 1000 / profiled, 3) if profiled else None
    top = sorted(
        (
            (row[3] * 1000 / profiled, f"{Path(f).name}:{line}({func})")
            for (f, line, func), row in stats.stats.items()
            if "besluit" in f or "/django/" in f or "/ninja/" in f or "/axes/" in f
        ),
        reverse=True,
    )[:40]

    def ms(values: list[float]) -> dict:
        ordered = sorted(v * 1000 for v in values[1:])
        return {
            "median_ms": round(ordered[len(ordered) // 2], 3) if ordered else None,
            "mean_ms": round(sum(ordered) / len(ordered), 3) if ordered else None,
        }

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "count": len(clients),
                "statements": {
                    "form": len(first["form_2nd"]),
                    "login": len(first["login_2nd"]),
                    "ballot": len(ballot_sql),
                },
                "sql": {
                    "form": first["form_2nd"],
                    "login": first["login_2nd"],
                    "ballot": ballot_sql,
                },
                "time": {k: ms(v) for k, v in timings.items()},
                "ballot_cpu": ms(cpu_ballot),
                "profiled_with": "cProfile, thread CPU time (cProfile itself adds overhead)",
                "ballot_breakdown_ms": breakdown,
                "ballot_top_cumulative_ms": [[round(t, 3), name] for t, name in top],
            },
            indent=1,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--sealed", action="store_true", help="also an encrypted poll and ballots")
    p = sub.add_parser("verify")
    p.add_argument("--poll", required=True)
    p = sub.add_parser("verify-sealed")
    p.add_argument("--poll", required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("profile")
    p.add_argument("--poll", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    if args.cmd == "setup":
        setup(args.reps, args.out, args.sealed)
    elif args.cmd == "verify":
        verify(args.poll)
    elif args.cmd == "verify-sealed":
        verify_sealed(args.poll, args.out)
    else:
        profile(args.poll, args.out, args.count)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
