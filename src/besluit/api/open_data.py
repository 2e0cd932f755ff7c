"""Public open-data endpoints: no login, read-only, Popolo JSON.

The bodies are Popolo documents with Popolo's own (snake_case) property names;
see docs/open-data.md. Bulk downloads (ZIP with JSON and CSV tables) are at
/open/<slug>/open-data.zip and /open/<slug>/vergaderingen/<id>/open-data.zip.
"""

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from ninja import Query

from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.router import api
from besluit.associations.models import Association
from besluit.errors import NotFound
from besluit.opendata import formats, kept, popolo
from besluit.voting.models import Poll

TAGS = ["open data"]
JSON = "application/json"


def _json(data: Any, response: HttpResponse | None = None) -> HttpResponse:
    return _json_bytes(formats.to_json(data, indent=None), response)


def _json_bytes(content: bytes, response: HttpResponse | None = None) -> HttpResponse:
    out = HttpResponse(content, content_type=JSON)
    if response is not None:
        for header in ("Link", "X-Total-Count"):
            if response.has_header(header):
                out[header] = response[header]
    out["Access-Control-Allow-Origin"] = "*"
    out["Cache-Control"] = "public, max-age=300"
    return out


def _compact(export: dict[str, Any]) -> bytes:
    return formats.to_json(export, indent=None)


def _association(slug: str) -> Association:
    association = Association.objects.filter(slug=slug).first()
    if association is None:
        raise NotFound(f"No association '{slug}'.")
    return association


OPEN_ASSOCIATION_SORT = Sorting(
    fields={"name": lambda a: a.name, "slug": lambda a: a.slug},
    default="name",
    unique=lambda a: a.slug,
)


@api.get(
    "/open-data/associations",
    auth=None,
    response=list[s.OpenAssociationOut],
    tags=TAGS,
    summary="Associations that publish open data",
    description=OPEN_ASSOCIATION_SORT.describe(),
)
def list_open_associations(request, response: HttpResponse, params: Query[ListParams]):
    items = [
        s.OpenAssociationOut(
            slug=a.slug,
            name=a.name,
            short_name=a.short_name,
            popolo_url=request.build_absolute_uri(reverse("opendata:popolo", args=[a.slug])),
            bulk_url=request.build_absolute_uri(reverse("opendata:zip", args=[a.slug])),
        )
        for a in Association.objects.all()
    ]
    return paginate(request, response, items, params, OPEN_ASSOCIATION_SORT)


@api.get(
    "/open-data/associations/{slug}",
    auth=None,
    response=dict[str, Any],
    tags=TAGS,
    summary="Popolo export of an association",
    description="Organizations (the association and its members), events (public meetings "
    "and agenda items), motions (motions, amendments, proposals, questions) and vote events "
    "(closed polls) in Popolo JSON.",
)
def get_open_association(request, slug: str):
    association = _association(slug)
    return _json_bytes(kept.made(association, None, "api", _compact))


@api.get(
    "/open-data/meetings/{meeting_id}",
    auth=None,
    response=dict[str, Any],
    tags=TAGS,
    summary="Popolo export of one meeting",
)
def get_open_meeting(request, meeting_id: s.Id):
    for association in Association.objects.filter(meetings__pk=meeting_id):
        meeting = popolo.public_meetings(association).filter(pk=meeting_id).first()
        if meeting is not None:
            return _json_bytes(kept.made(association, meeting, "api", _compact))
    raise NotFound(f"No public meeting {meeting_id}.")


VOTE_EVENT_SORT = Sorting(
    fields={
        "startDate": lambda v: v["start_date"],
        "endDate": lambda v: v["end_date"],
        "title": lambda v: v["title"],
    },
    default="endDate",
    unique=lambda v: v["id"],
)


@api.get(
    "/open-data/vote-events",
    auth=None,
    response=list[dict[str, Any]],
    tags=TAGS,
    summary="Vote events (closed polls) of an association, in Popolo JSON",
    description="Filter with meeting (id), result (pass, fail) and classification (motion, "
    "amendment, proposal, pre-advice, agenda-item, question). " + VOTE_EVENT_SORT.describe(),
    # An unknown association answers 404; no path parameter implies it (see api/openapi.py).
    openapi_extra={"responses": {404: {"$ref": "#/components/responses/NotFound"}}},
)
def list_open_vote_events(
    request,
    response: HttpResponse,
    association: str,
    params: Query[ListParams],
    meeting: s.Id | None = None,
    result: str | None = None,
    classification: str | None = None,
):
    found = _association(association)
    events = kept.export(found)["vote_events"]
    if meeting is not None:
        wanted = popolo.meeting_id(found, meeting)
        events = [e for e in events if e["legislative_session_id"] == wanted]
    if result:
        events = [e for e in events if e["result"] == result]
    if classification:
        events = [e for e in events if e["classification"] == classification]
    page = paginate(request, response, events, params, VOTE_EVENT_SORT)
    return _json(page, response)


@api.get(
    "/open-data/vote-events/{vote_event_id}",
    auth=None,
    response=dict[str, Any],
    tags=TAGS,
    summary="One vote event in Popolo JSON",
    description="The id is the poll's public id (the last part of a vote event's Popolo id).",
)
def get_open_vote_event(request, vote_event_id: UUID):
    poll = (
        Poll.objects.select_related("meeting__association")
        .filter(public_id=vote_event_id, status=Poll.Status.CLOSED)
        .first()
    )
    if poll is None:
        raise NotFound("No closed poll with that id.")
    association = poll.meeting.association
    export = kept.export(association, poll.meeting)
    wanted = popolo.vote_event_id(association, poll)
    for event in export["vote_events"]:
        if event["id"] == wanted:
            return _json(event)
    raise NotFound("No closed poll with that id.")
