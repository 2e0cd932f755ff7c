"""Open Raadsinformatie (Popolo-ORI JSON-LD): the meetings, agenda, motions, votes and
decisions of public meetings, every reference resolving inside the document, secret
polls as totals only, drafts absent."""

import json
import re
from decimal import Decimal

import pytest

from besluit.meetings import services as meetings
from besluit.proposals import services as proposals
from besluit.voting import services as voting
from tests import factories

pytestmark = pytest.mark.django_db
PREFIXES = {"schema", "opengov", "meeting", "org", "rdf", "xsd", "dcterms", "besluit"}


@pytest.fixture
def decided(association, secretariat, chair, representative, meeting):
    meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status="convened")
    proposal = factories.make_proposal(meeting)
    motion = proposals.do_submit_motion(
        actor=representative, meeting=meeting, title="Jeugdzorg", considerations="- x", request="y"
    )
    named = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=proposal
    )
    voting.do_open_poll(actor=chair, poll=named)
    voting.cast_ballot(actor=representative, poll=named, option_key="for")
    voting.do_close_poll(actor=chair, poll=named)
    secret = factories.open_poll(chair, meeting, is_secret=True, title="Geheim")
    factories.sealed_vote(secret, representative, "option-1")
    secret = factories.close_secret(chair, secret)
    voting.do_record_acclamation(
        actor=chair,
        meeting=meeting,
        subject="Notulen vastgesteld",
        agenda_item=meeting.agenda_items.get(number="04"),
    )
    draft = factories.make_meeting(association)
    return meeting, named, secret, motion, draft


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def by_type(doc, kind):
    return [n for n in doc["@graph"] if kind == n["@type"] or kind in n["@type"]]


def test_the_association_feed_maps_onto_ori(client, association, decided):
    meeting, named, secret, motion, _draft = decided
    doc = get(client, f"/open/{association.slug}/ori.jsonld")
    assert doc["@context"]["@base"] == "http://testserver/open/"
    assert doc["@context"]["meeting"] == "https://argu.co/ns/meeting/"
    (m,) = by_type(doc, "meeting:Meeting")  # the draft meeting is not published
    assert m["@id"] == f"vvg/meetings/{meeting.pk}" and m["schema:organizer"] == {"@id": "vvg"}
    agenda = [i["@id"] for i in m["meeting:agenda"]["@list"]]
    items = {n["@id"]: n for n in by_type(doc, "meeting:AgendaItem")}
    assert agenda == sorted(items, key=lambda i: items[i]["schema:position"])
    assert all(i["schema:superEvent"] == {"@id": m["@id"]} for i in items.values())
    (motion_node,) = [
        n for n in by_type(doc, "opengov:Motion") if n["@id"].endswith(f"/motions/{motion.pk}")
    ]
    assert motion_node["schema:creator"]["@id"] == f"vvg/organizations/{motion.submitter.code}"

    events = {n["@id"]: n for n in by_type(doc, "opengov:VoteEvent")}
    named_event = events[f"vvg/vote-events/{named.public_id}"]
    assert named_event["opengov:result"] == {"@id": "opengov:ResultPassed"}
    yes = next(c for c in named_event["opengov:count"] if c["@type"] == "opengov:YesCount")
    assert yes["rdf:value"] == 1
    (vote,) = [
        v
        for v in named_event["opengov:vote"]
        if v["opengov:voteOption"] == {"@id": "opengov:VoteOptionYes"}
    ]
    assert Decimal(vote["besluit:weight"]["@value"]) > 0
    # A secret poll: totals only, no votes.
    assert "opengov:vote" not in events[f"vvg/vote-events/{secret.public_id}"]
    # The decision list, votes and acclamations.
    results = by_type(doc, "opengov:Result")
    assert {r["besluit:method"] for r in results} == {"poll", "acclamation"}
    assert len(results) == 3


def test_every_reference_resolves_and_every_prefix_is_declared(client, association, decided):
    doc = get(client, f"/open/{association.slug}/ori.jsonld")
    ids = {n["@id"] for n in doc["@graph"] if "@id" in n}
    text = json.dumps(doc["@graph"])
    vocab = {
        "opengov:ResultPassed",
        "opengov:ResultFailed",
        "meeting:EventConfirmed",
        "meeting:EventCompleted",
    } | {f"opengov:VoteOption{o}" for o in ("Yes", "No", "Abstain", "Absent")}
    for ref in re.findall(r'\{"@id": "([^"]+)"\}', text):
        assert ref in ids or ref in vocab, ref
    keys = set(re.findall(r'"([a-zA-Z]+):[A-Za-z]+":', text))
    assert keys <= PREFIXES and set(doc["@context"]) - {"@base"} == PREFIXES


def test_a_meeting_feed_and_caching(client, association, decided):
    meeting, *_, draft = decided
    url = f"/open/{association.slug}/vergaderingen/{meeting.pk}/ori.jsonld"
    doc = get(client, url)
    assert [n["@id"] for n in by_type(doc, "meeting:Meeting")] == [f"vvg/meetings/{meeting.pk}"]
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    missing = f"/open/{association.slug}/vergaderingen/{draft.pk}/ori.jsonld"
    assert client.get(missing).status_code == 404
    page = client.get(f"/open/{association.slug}/").content.decode()
    assert f"/open/{association.slug}/ori.jsonld" in page
