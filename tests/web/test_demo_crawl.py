"""The demo serves every page without error for each demo role.

Loads the demo, then for each role follows the links of the site (GET only,
same site, breadth first) from the home page, and requires that no page fails.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.db import transaction
from django.test import Client

from besluit.accounts.models import User
from besluit.demo.data import load_demo
from tests.conftest import copy_demo

pytestmark = pytest.mark.django_db

ROLES = [
    "secretariaat",
    "voorzitter",
    "bestuur",
    "waarnemer",
    "burgemeester-grachtenburg",
    "gemeentesecretaris-kwelderoog",
]
PAGE_LIMIT = 140
HREF = re.compile(r'href="([^"#][^"]*)"')
# Downloads and feeds are checked for their status only, not parsed for links.
NOT_PARSED = (".csv", ".json", ".zip", ".ics", ".pdf", "/feed", "format=csv", "format=json")
SKIP = ("/accounts/logout", "/static/", "/i18n/", "/live/meetings/")  # the SSE stream never ends


def crawl(client: Client, start: str = "/") -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or any(m in url for m in NOT_PARSED):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/"):
                continue
            if any(href.startswith(s) for s in SKIP) or href in seen:
                continue
            queue.append(href)
    return seen


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _demo_snapshot):
    with django_db_blocker.unblock():
        if _demo_snapshot is None:
            load_demo()
        else:
            with transaction.atomic():
                copy_demo(_demo_snapshot)
    yield
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def _power_computed_once():
    """The roles share the power analysis of the demo's games, as its users do in service.

    Its results are cached by the game alone (quota and weights: analysis.power), but the
    tests' cache is emptied before each test (the throttles count there), so each role's
    crawl computed the Shapley-Shubik indices of 342 members again: seconds per role.
    Here a game is computed once per worker; every role still renders every page."""
    from functools import cache

    from besluit.core import power_analysis

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(power_analysis, "compute", cache(power_analysis.compute))
        yield


@pytest.mark.parametrize("username", ROLES)
def test_every_linked_page_works_for(username, demo):
    client = Client()
    client.force_login(User.objects.get(username=username))
    statuses = crawl(client)
    failures = {url: s for url, s in statuses.items() if s >= 500}
    assert not failures, failures
    ok = sum(1 for s in statuses.values() if s == 200)
    print(f"{username}: {len(statuses)} pages visited, {ok} OK, none failed")
    assert ok >= 30, statuses
