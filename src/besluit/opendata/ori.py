"""Open Raadsinformatie: the association's meetings, agenda, motions, votes and decisions as
JSON-LD in the vocabulary the Dutch council information systems share (Popolo-ORI).

Built from the Popolo export (``popolo.export``), so it publishes exactly what that
publishes: convened meetings, closed polls, named votes only for named polls. Classes and
properties are those of Open Raadsinformatie's models: ``meeting:`` (Argu's meeting
ontology: Meeting, AgendaItem, Amendment, agenda, cocreator, amends), ``opengov:``
(Popolo's RDF: Motion, VoteEvent, Count, Vote, result, voteOption), ``schema:`` and
``org:``. What those have no term for (weights, shares) is under ``besluit:``.
docs/open-data.md has the mapping.
"""

from decimal import Decimal
from typing import Any

from besluit.associations.models import Association
from besluit.meetings.models import Meeting
from besluit.opendata import popolo
from besluit.voting.models import Decision

CONTEXT = {
    "schema": "http://schema.org/",
    "opengov": "http://www.w3.org/ns/opengov#",
    "meeting": "https://argu.co/ns/meeting/",
    "org": "http://www.w3.org/ns/org#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "besluit": "https://besluit.example/ns/open-data#",
}
RESULT = {"pass": "opengov:ResultPassed", "fail": "opengov:ResultFailed"}
OPTION = {
    "yes": "opengov:VoteOptionYes",
    "no": "opengov:VoteOptionNo",
    "abstain": "opengov:VoteOptionAbstain",
    "absent": "opengov:VoteOptionAbsent",
}
COUNT = {"yes": "opengov:YesCount", "no": "opengov:NoCount", "abstain": "opengov:AbstainCount"}
STATUS = {
    "convened": "meeting:EventConfirmed",
    "in_progress": "meeting:EventConfirmed",
    "closed": "meeting:EventCompleted",
}


def _ref(value: str | None) -> dict | None:
    return {"@id": value} if value else None


def _date(value: str | None, kind: str = "dateTime") -> dict | None:
    return {"@value": value, "@type": f"xsd:{kind}"} if value else None


def _decimal(value) -> dict | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f") if Decimal(value) else "0"
    return {"@value": text, "@type": "xsd:decimal"}


def _clean(node: dict) -> dict:
    return {k: v for k, v in node.items() if v not in (None, [], "")}


def _organizations(export: dict) -> list[dict]:
    slug = export["meta"]["association"]
    nodes = []
    for o in export["organizations"]:
        if o["classification"] == "association":
            nodes.append(
                _clean(
                    {
                        "@id": slug,
                        "@type": "org:Organization",
                        "schema:name": o["name"],
                        "org:classification": "association",
                    }
                )
            )
        else:
            nodes.append(
                _clean(
                    {
                        "@id": f"{slug}/organizations/{o['id']}",
                        "@type": "org:Organization",
                        "schema:name": o["name"],
                        "org:identifier": o["id"],
                        "org:classification": o["classification"],
                        "org:memberOf": _ref(slug),
                        "schema:areaServed": o.get("province"),
                    }
                )
            )
    return nodes


def _member(slug: str, code: str | None) -> dict | None:
    return _ref(f"{slug}/organizations/{code}") if code else None


def _events(export: dict) -> list[dict]:
    slug = export["meta"]["association"]
    items_of: dict[str, list[dict]] = {}
    for e in export["events"]:
        if e["classification"] == "agenda-item":
            items_of.setdefault(e["parent_id"], []).append(e)
    motions_of: dict[str, list[str]] = {}
    for m in export["motions"]:
        if m.get("agenda_item_id"):
            motions_of.setdefault(m["agenda_item_id"], []).append(m["id"])
    votes_of: dict[str, list[str]] = {}
    motion_item = {m["id"]: m.get("agenda_item_id") for m in export["motions"]}
    for v in export["vote_events"]:
        if item := motion_item.get(v["motion_id"]):
            votes_of.setdefault(item, []).append(v["id"])
    nodes = []
    for e in export["events"]:
        if e["classification"] == "agenda-item":
            nodes.append(
                _clean(
                    {
                        "@id": e["id"],
                        "@type": "meeting:AgendaItem",
                        "schema:name": e["name"],
                        "schema:position": e["position"],
                        "schema:superEvent": _ref(e["parent_id"]),
                        "schema:description": e.get("requested_decision"),
                        "schema:disambiguatingDescription": e.get("explanation"),
                        "opengov:motion": [_ref(i) for i in motions_of.get(e["id"], [])],
                        "opengov:voteEvent": [_ref(i) for i in votes_of.get(e["id"], [])],
                    }
                )
            )
            continue
        agenda = sorted(items_of.get(e["id"], []), key=lambda i: i["position"])
        nodes.append(
            _clean(
                {
                    "@id": e["id"],
                    "@type": "meeting:Meeting",
                    "schema:name": e["name"],
                    "schema:additionalType": e["classification"],
                    "schema:startDate": _date(e.get("start_date")),
                    "schema:endDate": _date(e.get("end_date")),
                    "schema:location": e.get("location"),
                    "schema:organizer": _ref(slug),
                    "schema:eventStatus": _ref(STATUS.get(e["status"])),
                    "meeting:agenda": {"@list": [_ref(i["id"]) for i in agenda]},
                }
            )
        )
    return nodes


def _motions(export: dict) -> list[dict]:
    slug = export["meta"]["association"]
    nodes = []
    for m in export["motions"]:
        types = ["opengov:Motion"]
        if m["classification"] == "amendment":
            types.append("meeting:Amendment")
        nodes.append(
            _clean(
                {
                    "@id": m["id"],
                    "@type": types,
                    "schema:name": m.get("title"),
                    "schema:text": m.get("text"),
                    "schema:additionalType": m["classification"],
                    "schema:identifier": m.get("identifier"),
                    "schema:creator": _member(slug, m.get("creator_id")),
                    "meeting:cocreator": [_member(slug, c) for c in m.get("co_creator_ids", [])],
                    "schema:dateSubmitted": _date(m.get("date")),
                    "schema:publisher": _ref(slug),
                    "opengov:legislativeSession": _ref(m.get("legislative_session_id")),
                    "opengov:requirement": m.get("requirement"),
                    "meeting:amends": _ref(m.get("amends_id")),
                    "besluit:status": m.get("status"),
                    "besluit:preAdvice": m.get("pre_advice"),
                    "besluit:result": _ref(RESULT.get(m.get("result") or "")),
                }
            )
        )
    return nodes


def _vote_events(export: dict) -> list[dict]:
    slug = export["meta"]["association"]
    nodes = []
    for v in export["vote_events"]:
        counts = [
            _clean(
                {
                    "@type": COUNT.get(c["option"], "opengov:Count"),
                    "rdf:value": c["value"],
                    "schema:name": c["label"],
                    "besluit:option": c["key"],
                    "besluit:weight": _decimal(c["weight"]),
                    "besluit:share": c.get("share"),
                }
            )
            for c in v["counts"]
        ]
        votes = [
            _clean(
                {
                    "@type": "opengov:Vote",
                    "schema:agent": _member(slug, vote["voter_id"]),
                    "opengov:voteOption": _ref(OPTION.get(vote["option"])) or vote["option"],
                    "besluit:weight": _decimal(vote.get("weight")),
                }
            )
            for vote in v.get("votes", [])
        ]
        turnout = v.get("turnout", {})
        nodes.append(
            _clean(
                {
                    "@id": v["id"],
                    "@type": "opengov:VoteEvent",
                    "schema:name": v.get("title"),
                    "opengov:motion": _ref(v["motion_id"]),
                    "opengov:result": _ref(RESULT.get(v["result"])),
                    "schema:organizer": _ref(slug),
                    "schema:superEvent": _ref(v["legislative_session_id"]),
                    "schema:startDate": _date(v.get("start_date")),
                    "schema:endDate": _date(v.get("end_date")),
                    "opengov:count": counts,
                    "opengov:vote": votes,
                    "besluit:secret": v.get("secret"),
                    "besluit:votedMembers": turnout.get("voted_members"),
                    "besluit:eligibleMembers": turnout.get("eligible_members"),
                    "besluit:eligibleWeight": _decimal(turnout.get("eligible_weight")),
                    "besluit:votedWeight": _decimal(turnout.get("voted_weight")),
                }
            )
        )
    return nodes


def _decisions(association: Association, meetings) -> list[dict]:
    """The decision list: every decision (by a vote or by acclamation) as opengov:Result."""
    nodes = []
    decisions = Decision.objects.filter(meeting__in=meetings).select_related("poll")
    for d in decisions.order_by("recorded_at", "pk"):
        vote_event = popolo.vote_event_id(association, d.poll) if d.poll_id else None
        nodes.append(
            _clean(
                {
                    "@id": f"{association.slug}/decisions/{d.pk}",
                    "@type": "opengov:Result",
                    "schema:name": d.subject,
                    "schema:text": d.text,
                    "opengov:voteEvent": _ref(vote_event),
                    "schema:about": _ref(popolo.agenda_item_id(association, d.agenda_item_id))
                    if d.agenda_item_id
                    else None,
                    "schema:superEvent": _ref(popolo.meeting_id(association, d.meeting_id)),
                    "besluit:method": d.method,
                    "besluit:outcome": d.outcome,
                    "dcterms:created": _date(popolo.when(d.recorded_at)),
                }
            )
        )
    return nodes


def document(
    association: Association,
    base: str,
    meeting: Meeting | None = None,
    *,
    export: dict[str, Any] | None = None,
) -> dict:
    """The JSON-LD document; ``base`` is the absolute URL that the "@id"s are relative to.
    ``export``: the Popolo export it is built from, when the caller has it already."""
    if export is None:
        export = popolo.export(association, meeting)
    meetings = popolo.public_meetings(association)
    if meeting is not None:
        meetings = meetings.filter(pk=meeting.pk)
    graph: list[dict[str, Any]] = [
        *_organizations(export),
        *_events(export),
        *_motions(export),
        *_vote_events(export),
        *_decisions(association, meetings),
    ]
    return {
        "@context": {**CONTEXT, "@base": base},
        "@id": f"{association.slug}/ori.jsonld",
        "dcterms:license": export["meta"]["license"],
        "dcterms:creator": export["meta"]["generator"],
        "@graph": graph,
    }
