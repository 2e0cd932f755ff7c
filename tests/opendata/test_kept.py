"""Open data needs no login: an export is made once and used again while nothing in its
association changed (opendata.kept), so that asking for it again and again costs the
server, and every other user, next to nothing."""

import threading
import time

import pytest

from besluit.associations.models import Role
from besluit.opendata import formats, kept, popolo
from tests import factories
from tests.opendata.test_popolo import closed_named_poll, meetings_service_convene

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(monkeypatch):
    """Every export made, as (association slug, meeting id or None)."""
    calls = []
    make = popolo.export

    def counted(association, meeting=None):
        calls.append((association.slug, meeting.pk if meeting else None))
        return make(association, meeting)

    monkeypatch.setattr(popolo, "export", counted)
    return calls


@pytest.fixture
def published(association, chair, meeting):
    meetings_service_convene(meeting, chair)
    closed_named_poll(association, meeting, chair, ["for", "against"])
    return association, meeting


def _downloads(slug: str, meeting_id: int) -> list[str]:
    whole, one = f"/open/{slug}/", f"/open/{slug}/vergaderingen/{meeting_id}/"
    return [
        whole + "popolo.json",
        whole + "open-data.zip",
        whole + "votes.csv",
        whole + "ori.jsonld",
        one + "popolo.json",
        one + "counts.csv",
        one + "ori.jsonld",
        f"/api/v1/open-data/associations/{slug}",
        f"/api/v1/open-data/meetings/{meeting_id}",
    ]


def test_every_download_of_an_unchanged_association_uses_one_export(
    client, published, made, django_assert_max_num_queries, monkeypatch
):
    association, meeting = published
    zipped, to_zip = [], formats.to_zip
    monkeypatch.setattr(formats, "to_zip", lambda *a, **k: zipped.append(a) or to_zip(*a, **k))
    urls = _downloads(association.slug, meeting.pk)
    first = {url: client.get(url) for url in urls}
    assert all(r.status_code == 200 for r in first.values()), first
    assert made == [(association.slug, None), (association.slug, meeting.pk)]
    # Again: the same bytes, and a download reads the association and its version only
    # (the ORI document also reads the decisions, which the export does not hold).
    with django_assert_max_num_queries(4):
        again = client.get(urls[0])
    assert again.content == first[urls[0]].content
    for url in urls[1:]:
        assert client.get(url).content == first[url].content, url
    assert len(made) == 2
    assert len(zipped) == 1  # the bytes of a download are kept with the export too


def test_an_audited_change_of_the_association_makes_a_new_export(client, published, chair, made):
    association, meeting = published
    url = f"/open/{association.slug}/popolo.json"
    before = client.get(url).json()
    closed_named_poll(association, meeting, chair, ["for", "for", "for"])  # audited
    after = client.get(url).json()
    assert len(after["vote_events"]) == len(before["vote_events"]) + 1
    assert len(made) == 2


def test_another_association_changing_keeps_this_export(client, published, made):
    association, _meeting = published
    url = f"/open/{association.slug}/popolo.json"
    client.get(url)
    other = factories.make_association(3, slug="elders")
    other_chair = factories.make_user("elders-chair", other, Role.Kind.CHAIR)
    other_meeting = factories.make_meeting(other)
    meetings_service_convene(other_meeting, other_chair)  # audited, for the other one
    client.get(url)
    assert made == [(association.slug, None)]


def test_an_export_older_than_the_announced_max_age_is_made_again(
    client, published, made, monkeypatch
):
    association, _meeting = published
    url = f"/open/{association.slug}/popolo.json"
    first = client.get(url)
    assert f"max-age={kept.KEPT_SECONDS}" in first["Cache-Control"]
    now = time.monotonic()
    monkeypatch.setattr(kept.time, "monotonic", lambda: now + kept.KEPT_SECONDS)
    client.get(url)
    assert len(made) == 2


def test_requests_at_the_same_moment_wait_for_one_export(published, monkeypatch):
    """Twelve threads ask at once: one makes the export, the others use it. (The version
    is fixed here: the threads have no database connection of the test's.)"""
    association, _meeting = published
    made = []

    def slow(association, meeting=None):
        made.append(association.pk)
        time.sleep(0.3)  # the others arrive while it is being made
        return {"made": len(made)}

    monkeypatch.setattr(popolo, "export", slow)
    monkeypatch.setattr(kept, "version", lambda association: 7)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(kept.export(association))) for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert made == [association.pk]
    assert results == [{"made": 1}] * 12


def test_what_is_made_of_one_export_is_kept_up_to_a_limit(published, monkeypatch):
    """An ORI document is kept per server address, which a wide ALLOWED_HOSTS leaves to
    the client's Host header: past the limit a download is made but not kept."""
    association, _meeting = published
    made_now = []

    def make(export):
        made_now.append(1)
        return b"x" * 1000

    for i in range(kept.OUTPUTS_LIMIT + 10):
        assert kept.made(association, None, f"ori:https://host-{i}.example/", make)
    outputs = kept._kept[(association.pk, None)][3]
    assert len(outputs) == kept.OUTPUTS_LIMIT
    kept.made(association, None, "ori:https://host-0.example/", make)  # kept: not made
    kept.made(association, None, f"ori:https://host-{kept.OUTPUTS_LIMIT}.example/", make)
    assert len(made_now) == kept.OUTPUTS_LIMIT + 10 + 1
