"""Decided elections in the open data (/open/): the Popolo export (seats as memberships,
rounds as vote events, validated against the Popolo schemas next to the checkout), the
signed record for download, and a public result page when the association publishes
its decisions, linked from the public decision list."""

import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from besluit import verify
from besluit.associations import services as associations
from besluit.elections import popolo as election_popolo
from besluit.elections import services as el
from besluit.meetings.models import Meeting
from besluit.opendata import formats, popolo
from tests import factories
from tests.opendata import validation

from . import helpers as h

pytestmark = pytest.mark.django_db


_voters: dict = {}


@pytest.fixture(autouse=True)
def _fresh_voters():
    _voters.clear()


@pytest.fixture
def meeting(meeting, secretariat):
    """The meeting convened: a meeting in preparation publishes nothing."""
    from besluit.meetings.services import do_set_meeting_status

    do_set_meeting_status(actor=secretariat, meeting=meeting, status=Meeting.Status.CONVENED)
    meeting.refresh_from_db()
    return meeting


def _decided(chair, board, secretariat, meeting, *, secret, title, body=None):
    body = body or h.body(secretariat, meeting.association, name=f"Commissie {title}")
    e = h.election(chair, meeting, body, seats=2, secret=secret, title=title)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    rankings = [["k1", "k2"], ["k2", "k1"], ["k3", "k1"], ["k1"], ["k2"]]
    voters = _voters.get(meeting.association.pk) or h.reps(meeting.association, 5)
    _voters[meeting.association.pk] = voters
    for rep, ranking in zip(voters, rankings, strict=True):
        el.do_cast(actor=rep, election=e, choice=ranking)
    el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    return e


def exported(association, meeting=None) -> dict:
    return json.loads(formats.to_json(popolo.export(association, meeting)))


def test_the_export_holds_seats_and_rounds_and_validates(chair, board, secretariat, meeting):
    assert validation.popolo_validators() is not None, "../shared/data/popolo-schemas"
    named = _decided(chair, board, secretariat, meeting, secret=False, title="Benoemd")
    secret = _decided(chair, board, secretariat, meeting, secret=True, title="Geheim")
    association = meeting.association
    for export in (exported(association), exported(association, meeting)):
        assert validation.errors(export) == []
        by_title = {e["title"]: e for e in export["elections"]}
        assert set(by_title) == {"Benoemd", "Geheim"}
        event = by_title["Benoemd"]["vote_events"][0]
        # First preferences: Anna 2, Bert 2, Cor 1 (members), with their weights.
        assert [(c["option"], c["value"]) for c in event["counts"]] == [
            ("Anna", 2),
            ("Bert", 2),
            ("Cor", 1),
        ]
        assert {v["voter_id"] for v in event["votes"]} == {
            m.code for m in association.members.order_by("code")[:5]
        }
        assert "votes" not in by_title["Geheim"]["vote_events"][0]
        hidden = json.dumps(by_title["Geheim"])
        assert not any(m.code in hidden for m in association.members.all())
        assert by_title["Benoemd"]["term"] == {"start_date": "2027-01-01", "end_date": "2030-12-31"}
        counts = by_title["Benoemd"]["rounds"][0]["counts"]
        assert counts[0]["quota"] is not None and any(c["elected"] for c in counts)
        assert by_title["Benoemd"]["record"] == reverse(
            "opendata:election_bundle", args=[association.slug, named.public_id]
        )
        seats = {(m["person"]["name"], m["organization_id"]) for m in export["memberships"]}
        assert len(seats) == 4
        bodies = {o["id"] for o in export["organizations"] if o.get("parent_id")}
        assert {m["organization_id"] for m in export["memberships"]} == bodies
    assert secret.decision is not None and named.decision is not None
    export = popolo.export(association)
    _columns, seats = formats.table_rows(export, "seats")
    assert len(seats) == 4 and all(row[5] == "2027-01-01" for row in seats)
    columns, counts = formats.table_rows(export, "election-counts")
    rows = [dict(zip(columns, row, strict=True)) for row in counts]
    assert {r["candidate"] for r in rows} == {"Anna", "Bert", "Cor"}
    assert all(r["quota"] for r in rows) and any(r["elected"] == "true" for r in rows)


def test_the_per_election_popolo_download_validates(client, chair, board, secretariat, meeting):
    e = _decided(chair, board, secretariat, meeting, secret=False, title="Benoemd")
    client.force_login(chair)
    url = reverse("elections:popolo", args=[meeting.association.slug, e.public_id])
    got = client.get(url).json()
    assert validation.errors({**_empty(), **got}) == []
    assert got["elections"][0]["vote_events"][0]["votes"][0]["choices"]
    assert got == json.loads(formats.to_json(election_popolo.parts(e)))


def _empty() -> dict:
    return {"meta": {}, "organizations": [], "events": [], "motions": [], "vote_events": []}


def test_the_signed_record_is_public_and_verifies(
    tmp_path, client, chair, board, secretariat, meeting
):
    e = _decided(chair, board, secretariat, meeting, secret=True, title="Geheim")
    url = reverse("opendata:election_bundle", args=[meeting.association.slug, e.public_id])
    answer = client.get(url)  # no login
    assert answer.status_code == 200 and answer["ETag"]
    path = Path(tmp_path / "v.json")
    path.write_bytes(answer.content)
    assert verify.main([str(path)], out=io.StringIO()) == 0
    page = client.get(reverse("opendata:association", args=[meeting.association.slug]))
    text = page.content.decode()
    assert url in text and 'id="seats-heading"' in text and "Anna" in text
    # Not yet published as a decision list: no public result page, and none linked.
    public = reverse("elections:public_result", args=[meeting.association.slug, e.public_id])
    assert public not in text
    assert client.get(public).status_code == 404


def test_a_meeting_in_preparation_publishes_no_election(chair, board, secretariat, meeting):
    e = _decided(chair, board, secretariat, meeting, secret=False, title="Benoemd")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.DRAFT)
    export = exported(meeting.association)
    assert export["elections"] == [] and export["memberships"] == []
    from django.test import Client

    url = reverse("opendata:election_bundle", args=[meeting.association.slug, e.public_id])
    assert Client().get(url).status_code == 404


def test_published_decisions_link_the_public_result(client, chair, board, secretariat, meeting):
    association = meeting.association
    e = _decided(chair, board, secretariat, meeting, secret=False, title="Benoemd")
    associations.do_update_settings(
        actor=secretariat, association=association, language="nl", publish_decisions=True
    )
    slug = association.slug
    listing = client.get(reverse("web:public_decisions", args=[slug, meeting.pk]))
    public = reverse("elections:public_result", args=[slug, e.public_id])
    assert public in listing.content.decode()
    page = client.get(public)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hoe elk lid heeft gestemd" in text  # a named election: per member
    assert "zittingstermijn 1 januari 2027 – 31 december 2030" in text
    assert reverse("opendata:election_bundle", args=[slug, e.public_id]) in text
    other = factories.make_association(3, slug="ander")
    assert (
        client.get(reverse("elections:public_result", args=[other.slug, e.public_id])).status_code
        == 404
    )
