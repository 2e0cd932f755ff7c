#!/usr/bin/env python
"""What an anonymous request costs the server: the public downloads and pages of the demo.

    .venv/bin/python bench/bench_anonymous.py [--repeat 5]

Loads the demo into a fresh SQLite database (schema from the models, as bench/demo_load.py)
and asks for each public download and page without a login through Django's test client:
once to warm the process up (fonts, templates), once with nothing kept (what every
request cost before: the export, PDF or OpenAPI document is made), then ``--repeat``
times more. Prints the CPU time of this process per request (median of the repeats) and
the ratio of the first to the repeats, both measured in the same run. The open-data
exports are kept per process (besluit.opendata.kept), the minutes PDF in the cache while
their association does not change, the OpenAPI document once per process; the public
decision list and result pages are not kept (their ratio shows it). An audited change is
measured last: the next download pays for a new export, the one after it no longer.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_load import _fresh_database


def _cpu_ms(client, url: str) -> tuple[float, int, int]:
    start = time.process_time()
    response = client.get(url)
    return (time.process_time() - start) * 1000, response.status_code, len(response.content)


def _forget_all() -> None:
    """Nothing kept: no export, no cached PDF, no OpenAPI document."""
    from django.core.cache import cache

    from besluit.api.router import api
    from besluit.opendata import kept

    kept.forget()
    cache.clear()
    api.__dict__.pop("_schemas", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _fresh_database()
    from django.db.models import Count
    from django.test import Client

    from besluit.associations.models import Association
    from besluit.demo.data import load_demo
    from besluit.meetings.models import Meeting
    from besluit.minutes.models import Minutes
    from besluit.texts.services.pdfs import do_set_branding
    from besluit.voting.models import Poll

    accounts = load_demo()
    association = Association.objects.get(slug="vvvg")
    adopted = Minutes.objects.filter(meeting__association=association, status="adopted").first()
    meeting = Meeting.objects.get(association=association, title="Najaars-ALV 2026")
    # The public decision list and result pages (when the association publishes them):
    # not kept, measured to show what such a page costs. The named poll with the most
    # ballots has the longest list of members.
    Association.objects.filter(pk=association.pk).update(publish_decisions=True)
    named = (
        Poll.objects.filter(meeting__association=association, status=Poll.Status.CLOSED)
        .exclude(is_secret=True)
        .annotate(n=Count("ballots"))
        .order_by("-n")
        .first()
    )
    whole, one = "/open/vvvg/", f"/open/vvvg/vergaderingen/{meeting.pk}/"
    urls = [
        whole + "popolo.json",
        whole + "open-data.zip",
        whole + "ori.jsonld",
        whole + "votes.csv",
        one + "popolo.json",
        one + "open-data.zip",
        "/api/v1/open-data/associations/vvvg",
        f"/vvvg/vergaderingen/{adopted.meeting_id}/notulen/notulen.pdf",
        "/api/v1/openapi.json",
        one + "besluitenlijst/",
        f"/open/vvvg/stemmingen/{named.public_id}/uitslag/",
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/open/")  # the middleware and templates loaded before anything is timed
    print(f"{'request (no login)':<52} {'bytes':>9} {'first':>9} {'again':>9} {'ratio':>6}")
    for url in urls:
        # Once to load what any process loads once (fonts, templates), then with
        # nothing kept: the cost every request paid before.
        _forget_all()
        client.get(url)
        _forget_all()
        first, status, size = _cpu_ms(client, url)
        if status != 200:
            print(f"{url}: {status}", file=sys.stderr)
            return 1
        again = statistics.median(_cpu_ms(client, url)[0] for _ in range(args.repeat))
        print(f"{url:<52} {size:>9,} {first:>7.0f}ms {again:>7.1f}ms {first / again:>6.0f}")
    # An audited change of the association (its letters' branding): the next download
    # pays for a new export, the one after it no longer.
    from django.contrib.auth import get_user_model

    names = [a.username for a in accounts if "secretar" in a.username]
    secretariat = get_user_model().objects.get(username=names[0])
    do_set_branding(actor=secretariat, association=association, sender="Bureau", signature="B.")
    url = whole + "popolo.json"
    after, _status, _size = _cpu_ms(client, url)
    again = statistics.median(_cpu_ms(client, url)[0] for _ in range(args.repeat))
    print(f"{'after an audited change: ' + url:<52} {'':>9} {after:>7.0f}ms {again:>7.1f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
