"""Open data: the Popolo export, its CSV tables and the public endpoints."""

import copy
import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest

from besluit.associations.models import Association, Role
from besluit.meetings.models import Meeting
from besluit.opendata import formats, popolo
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories
from tests.opendata import validation

pytestmark = pytest.mark.django_db


def exported(association, meeting=None) -> dict:
    """The export as a client gets it: through JSON."""
    return json.loads(formats.to_json(popolo.export(association, meeting)))


@pytest.fixture
def demo(demo_world):
    return Association.objects.get(slug="vvvg")


def closed_named_poll(association, meeting, chair, choices):
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
    )
    return _vote_and_close(association, poll, chair, choices)


def _vote_and_close(association, poll, chair, choices):
    if poll.is_secret:
        factories.trustees_for(chair, poll.meeting)
    voting.do_open_poll(actor=chair, poll=poll)
    for i, choice in enumerate(choices):
        rep = factories.make_user(
            f"rep-{poll.pk}-{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        if poll.is_secret:
            factories.sealed_vote(poll, rep, choice)
        else:
            voting.cast_ballot(actor=rep, poll=poll, option_key=choice)
    if poll.is_secret:
        return factories.close_secret(chair, poll)
    return voting.do_close_poll(actor=chair, poll=poll)


def test_demo_alv_export_validates_against_the_popolo_schemas(demo):
    alv = demo.meetings.get(title="Najaars-ALV 2026")
    for export in (exported(demo), exported(demo, alv)):
        assert validation.errors(export) == []
        assert export["vote_events"], "the demo ALV has a closed poll"
        kinds = {m["classification"] for m in export["motions"]}
        assert {"motion", "amendment", "proposal"} <= kinds
    # The schemas are used when they are there (in CI and on developer machines).
    assert validation.SHARED_SCHEMAS.is_dir() == (validation.popolo_validators() is not None)


def test_the_validation_catches_a_broken_export(demo):
    export = exported(demo)
    broken = copy.deepcopy(export)
    broken["vote_events"][0]["counts"][0]["value"] = 1.5  # Popolo: an integer
    broken["vote_events"][0]["votes"][0]["weight"] = "heavy"
    found = validation.errors(broken)
    assert any("own constraints" in e for e in found)
    if validation.popolo_validators() is not None:
        assert any(e.startswith("popolo count") for e in found)
        assert any(e.startswith("popolo vote") for e in found)


def test_named_poll_lists_every_member_with_its_weight_and_matches_the_results(client, demo):
    poll = Poll.objects.get(
        meeting__association=demo,
        meeting__title="Najaars-ALV 2026",
        status=Poll.Status.CLOSED,
        is_secret=False,
    )
    event = next(e for e in exported(demo)["vote_events"] if e["identifier"] == str(poll.public_id))
    register = {e.member.code: e.weight for e in poll.register.select_related("member")}
    assert len(register) == 342
    votes = {v["voter_id"]: v for v in event["votes"]}
    assert set(votes) == set(register)
    assert all(Decimal(str(votes[c]["weight"])) == w for c, w in register.items())

    # The totals are the results page's: the stored result, and the API's results.
    result = poll.outcome
    secretariat = factories.User.objects.get(username="secretariaat")
    client.force_login(secretariat)
    api = client.get(f"/api/v1/polls/{poll.public_id}/results").json()
    api_options = {o["key"]: o for o in api["options"]}
    for count in event["counts"]:
        total = result.option(count["key"])
        assert count["value"] == total.members == api_options[count["key"]]["members"]
        assert (
            Decimal(str(count["weight"]))
            == total.weight
            == Decimal(api_options[count["key"]]["weight"])
        )
        # ... and the votes add up to the counts.
        voted = [v for v in event["votes"] if v["option"] == count["option"]]
        assert len(voted) == count["value"]
        assert sum(Decimal(str(v["weight"])) for v in voted) == total.weight
    absent = [v for v in event["votes"] if v["option"] == popolo.NOT_VOTED]
    assert len(absent) == result.eligible_members - result.voted_members == 42
    assert event["result"] == ("pass" if result.outcome == "adopted" else "fail")
    assert event["turnout"]["voted_members"] == api["votedMembers"] == 300
    assert "more than half of the weighted votes cast" in event["requirement"]

    groups = {g["group_id"]: g for g in event["group_results"]}
    assert {"province:Zeeland", "network:G4", "network:K80"} <= set(groups)
    g4 = groups["network:G4"]
    assert g4["eligible_members"] == 4 and g4["result"] in ("pass", "fail")
    assert sum(c["value"] for c in g4["counts"]) == g4["voted_members"]


def test_secret_poll_publishes_only_its_totals(association, chair, meeting):
    meetings_service_convene(meeting, chair)
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject=Poll.Subject.PROPOSAL,
        proposal=proposal,
        is_secret=True,
    )
    _vote_and_close(association, poll, chair, ["for", "against", "for", "abstain"])
    export = exported(association)
    assert validation.errors(export) == []
    (event,) = export["vote_events"]
    assert event["secret"] is True
    assert "votes" not in event and "group_results" not in event
    assert {c["option"]: c["value"] for c in event["counts"]} == {"yes": 2, "no": 1, "abstain": 1}
    text = json.dumps(event)
    voters = [factories.member(association, i).code for i in range(4)]
    assert not any(code in text for code in voters)
    _columns, rows = formats.table_rows(export, "votes")
    assert rows == []


def meetings_service_convene(meeting, actor):
    from besluit.meetings.services import do_set_meeting_status

    do_set_meeting_status(actor=actor, meeting=meeting, status=Meeting.Status.CONVENED)


def test_drafts_and_open_polls_are_not_published(association, chair, meeting):
    assert exported(association)["events"] == []  # the meeting is a draft
    meetings_service_convene(meeting, chair)
    proposal = factories.make_proposal(meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
    )
    voting.do_open_poll(actor=chair, poll=poll)
    export = exported(association)
    assert export["events"] and export["vote_events"] == []


def test_csv_tables_and_the_bulk_zip(association, chair, meeting):
    meetings_service_convene(meeting, chair)
    closed_named_poll(association, meeting, chair, ["for", "for", "against"])
    export = popolo.export(association)
    votes = list(csv.DictReader(io.StringIO(formats.to_csv(export, "votes").decode())))
    assert len(votes) == 12
    poll = Poll.objects.get()
    weights = {e.member.code: e.weight for e in poll.register.select_related("member")}
    for row in votes:
        assert Decimal(row["weight"]) == weights[row["voter_id"]]  # exact decimals
    counts = list(csv.DictReader(io.StringIO(formats.to_csv(export, "counts").decode())))
    totals = {r["option"]: int(r["members"]) for r in counts if r["group_id"] == ""}
    assert totals == {"yes": 2, "no": 1, "abstain": 0}
    archive = zipfile.ZipFile(io.BytesIO(formats.to_zip(export, name=association.name)))
    names = set(archive.namelist())
    assert {
        "popolo.json",
        "README.txt",
        "meetings.csv",
        "agenda-items.csv",
        "motions.csv",
        "amendments.csv",
        "vote-events.csv",
        "counts.csv",
        "votes.csv",
    } <= names
    assert json.loads(archive.read("popolo.json"))["vote_events"][0]["result"] in ("pass", "fail")
    # The same data gives the same bytes: downloads can be cached by ETag.
    assert formats.to_zip(export, name=association.name) == formats.to_zip(
        popolo.export(association), name=association.name
    )


def test_public_downloads_need_no_login_and_have_etags(client, association, chair, meeting):
    meetings_service_convene(meeting, chair)
    closed_named_poll(association, meeting, chair, ["for", "against"])
    slug = association.slug
    for url, kind in [
        (f"/open/{slug}/popolo.json", "application/json"),
        (f"/open/{slug}/open-data.zip", "application/zip"),
        (f"/open/{slug}/votes.csv", "text/csv"),
        (f"/open/{slug}/vergaderingen/{meeting.pk}/popolo.json", "application/json"),
        (f"/open/{slug}/vergaderingen/{meeting.pk}/open-data.zip", "application/zip"),
        (f"/open/{slug}/vergaderingen/{meeting.pk}/counts.csv", "text/csv"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(kind)
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    assert client.get(f"/open/{slug}/nonsense.csv").status_code == 404
    page = client.get("/open/")
    assert page.status_code == 200 and association.name in page.content.decode()
    assert client.get(f"/open/{slug}/").status_code == 200


def test_public_api_endpoints(client, association, chair, meeting):
    meetings_service_convene(meeting, chair)
    poll = closed_named_poll(association, meeting, chair, ["for", "against", "for"])
    listed = client.get("/api/v1/open-data/associations")
    assert listed.status_code == 200 and listed["API-Version"]
    assert listed.json()[0]["popoloUrl"].endswith(f"/open/{association.slug}/popolo.json")
    whole = client.get(f"/api/v1/open-data/associations/{association.slug}")
    assert whole.status_code == 200 and validation.errors(whole.json()) == []
    one = client.get(f"/api/v1/open-data/meetings/{meeting.pk}").json()
    assert one["meta"]["meeting"] == popolo.meeting_id(association, meeting.pk)
    events = client.get(f"/api/v1/open-data/vote-events?association={association.slug}&pageSize=1")
    assert events.status_code == 200 and events["X-Total-Count"] == "1"
    (event,) = events.json()
    assert isinstance(event["counts"][0]["weight"], int | float)  # a number, not a string
    single = client.get(f"/api/v1/open-data/vote-events/{poll.public_id}")
    assert single.json()["id"] == event["id"]
    missing = client.get("/api/v1/open-data/associations/nope")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_a_named_choice_between_alternatives_validates(association, chair, meeting):
    """A free poll's options are its own keys ("option-1"); Popolo's vote option is a free
    string (its vocabulary is a recommendation), so the export stays valid."""
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="free",
        title="Keuze van de vergaderlocatie",
        alternatives=["Utrecht", "Zwolle"],
    )
    _vote_and_close(association, poll, chair, ["option-1", "option-2", "option-1"])
    export = exported(association, meeting)
    assert validation.errors(export) == []
    (event,) = export["vote_events"]
    assert {v["option"] for v in event["votes"]} >= {"option-1", "option-2"}
    assert {c["option"] for c in event["counts"]} >= {"option-1", "option-2"}
