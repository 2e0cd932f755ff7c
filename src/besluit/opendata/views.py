"""Public open-data pages and downloads under /open/: no login, read-only.

Every download has an ETag (a hash of its bytes) and may be cached publicly for a
few minutes; a matching If-None-Match gets 304 Not Modified.
"""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.views.decorators.http import require_safe

from besluit.associations.models import Association
from besluit.meetings.models import Meeting
from besluit.opendata import elections as election_data
from besluit.opendata import formats, kept, ori, popolo

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8; header=present",
    "zip": "application/zip",
    "jsonld": "application/ld+json; charset=utf-8",
}


def _download(request: HttpRequest, content: bytes, kind: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    disposition = "inline" if kind in ("json", "jsonld") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    set_response_etag(response)
    patch_cache_control(response, public=True, max_age=300)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def _association(slug: str) -> Association:
    return get_object_or_404(Association, slug=slug)


def _meeting(association: Association, meeting_id: int) -> Meeting:
    return get_object_or_404(popolo.public_meetings(association), pk=meeting_id)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    from besluit.voting import log as vote_log

    return render(
        request,
        "opendata/index.html",
        {
            "associations": Association.objects.order_by("name"),
            "key_id": vote_log.public_key_id(),
        },
    )


@require_safe
def association_page(request: HttpRequest, slug: str) -> HttpResponse:
    association = _association(slug)
    return render(
        request,
        "opendata/association.html",
        {
            "organisation": association,
            "meetings": popolo.public_meetings(association).order_by("-starts_at", "-id"),
            "tables": list(formats.TABLES),
            "elections": election_data.page(association),
        },
    )


@require_safe
def association_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    association = _association(slug)
    if fmt == "json":
        content = kept.made(association, None, "json", formats.to_json)
        return _download(request, content, "json", f"{slug}-popolo.json")
    content = kept.made(
        association, None, "zip", lambda e: formats.to_zip(e, name=association.name)
    )
    return _download(request, content, "zip", f"{slug}-open-data.zip")


@require_safe
def association_table(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    if table not in formats.TABLES:
        raise Http404("No such table.")
    content = kept.made(
        _association(slug), None, f"csv:{table}", lambda e: formats.to_csv(e, table)
    )
    return _download(request, content, "csv", f"{slug}-{table}.csv")


@require_safe
def meeting_download(request: HttpRequest, slug: str, meeting_id: int, fmt: str) -> HttpResponse:
    association = _association(slug)
    meeting = _meeting(association, meeting_id)
    stem = f"{slug}-meeting-{meeting.pk}"
    if fmt == "json":
        content = kept.made(association, meeting, "json", formats.to_json)
        return _download(request, content, "json", f"{stem}-popolo.json")
    content = kept.made(
        association,
        meeting,
        "zip",
        lambda e: formats.to_zip(e, name=association.name, scope=f" — {meeting.title}"),
    )
    return _download(request, content, "zip", f"{stem}-open-data.zip")


@require_safe
def meeting_table(request: HttpRequest, slug: str, meeting_id: int, table: str) -> HttpResponse:
    if table not in formats.TABLES:
        raise Http404("No such table.")
    association = _association(slug)
    meeting = _meeting(association, meeting_id)
    content = kept.made(association, meeting, f"csv:{table}", lambda e: formats.to_csv(e, table))
    return _download(request, content, "csv", f"{slug}-meeting-{meeting_id}-{table}.csv")


@require_safe
def election_bundle(request: HttpRequest, slug: str, election_id) -> HttpResponse:
    """A decided election's signed record, byte for byte as stored (`besluit verify`).

    Public as a poll's bundle: a secret election's record holds pooled choices and random
    receipt codes only, never a member beside a choice."""
    from besluit.elections import publish

    association = _association(slug)
    election = get_object_or_404(
        election_data.decided(popolo.public_meetings(association)), public_id=election_id
    )
    return _download(
        request, publish.bundle_bytes(election), "json", f"verkiezing-{election_id}.json"
    )


# --- the vote logs: bundles and signed checkpoints, for outside witnesses ------------------


@require_safe
def poll_bundle(request: HttpRequest, slug: str, poll_id) -> HttpResponse:
    """A decided poll's signed bundle, byte for byte as stored: check it with `besluit verify`.

    Public: a bundle never links a member to a secret choice (a named poll's choices are
    published anyway).
    """
    from besluit.voting import log as vote_log
    from besluit.voting.models import Poll

    association = _association(slug)
    poll = get_object_or_404(
        Poll,
        public_id=poll_id,
        meeting__in=popolo.public_meetings(association),
        status=Poll.Status.CLOSED,
        result__isnull=False,
    )
    return _download(request, vote_log.bundle_bytes(poll), "json", f"bundel-{poll_id}.json")


@require_safe
def poll_checkpoint(request: HttpRequest, poll_id) -> HttpResponse:
    """A poll's signed closing checkpoint with the consistency proof from ``?van=SIZE`` (the
    size of a receipt's tree) to it, for "Controleer uw stem" and outside witnesses.

    Public for every poll, like the checkpoint feed: hashes and sizes only. 404 while the
    poll has no closing checkpoint (open, or awaiting its trustees)."""
    import json

    from besluit.core import votelog as vl
    from besluit.voting import log as vote_log
    from besluit.voting.models import Poll

    poll = get_object_or_404(Poll, public_id=poll_id)
    try:
        found = vote_log.closing_consistency(poll, int(request.GET.get("van", "")))
    except ValueError as exc:
        return _json_problem(400, f"'van' must be the size of a receipt's tree: {exc}")
    if found is None:
        return _json_problem(404, "this poll has no closing checkpoint yet")
    public = vl.public_key_for(vote_log.private_key())
    body = {
        "poll": str(poll.public_id),
        "key": {"algorithm": "ed25519", "public_key": public.hex(), "key_id": vl.key_id(public)},
        **found,
    }
    return _download(request, json.dumps(body).encode(), "json", f"controlepunt-{poll_id}.json")


def _json_problem(status: int, detail: str) -> HttpResponse:
    import json

    response = HttpResponse(
        json.dumps({"status": status, "detail": detail}),
        status=status,
        content_type="application/problem+json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _checkpoints(limit: int = 500) -> list[dict]:
    from besluit.voting.models import PollLog

    out = []
    logs = (
        PollLog.objects.exclude(opening_checkpoint=None)
        .select_related("poll__meeting__association")
        .order_by("-id")[:limit]
    )
    for log in logs:
        for kind in ("opening", "closing"):
            signed = getattr(log, f"{kind}_checkpoint")
            if signed:
                out.append(
                    {
                        "association": log.poll.meeting.association.slug,
                        "title": log.poll.title,
                        "kind": kind,
                        "signed": signed,
                    }
                )
    out.sort(key=lambda c: c["signed"]["checkpoint"]["at"], reverse=True)
    return out


@require_safe
def checkpoints(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every poll's signed opening and closing checkpoint (JSON, or an Atom feed), newest
    first: outside witnesses keep copies, so a log rewritten later cannot go unnoticed."""
    import json

    from django.utils.feedgenerator import Atom1Feed

    from besluit.core import votelog as vl
    from besluit.voting import log as vote_log

    items = _checkpoints()
    public = vl.public_key_for(vote_log.private_key())
    if fmt == "json":
        body = {
            "key": {
                "algorithm": "ed25519",
                "public_key": public.hex(),
                "key_id": vl.key_id(public),
            },
            "checkpoints": items,
        }
        return _download(
            request, json.dumps(body, indent=1).encode(), "json", "controlepunten.json"
        )
    feed = Atom1Feed(
        title="Besluit: ondertekende controlepunten",
        link=request.build_absolute_uri("/open/"),
        description=f"Ed25519-sleutel {vl.key_id(public)}",
        feed_url=request.build_absolute_uri(),
    )
    for item in items:
        cp = item["signed"]["checkpoint"]
        feed.add_item(
            title=f"{item['title']} ({item['kind']}, {cp['size']})",
            link=request.build_absolute_uri("/open/controlepunten.json"),
            description=json.dumps(item["signed"], sort_keys=True),
            unique_id=f"urn:besluit:checkpoint:{cp['poll']}:{cp['size']}:{item['kind']}",
            updateddate=datetime.fromisoformat(cp["at"].replace("Z", "+00:00")),
        )
    response = HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml")
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=300)
    return response


def _ori(request: HttpRequest, association: Association, meeting: Meeting | None, name: str):
    base = request.build_absolute_uri("/open/")
    content = kept.made(
        association,
        meeting,
        f"ori:{base}",
        lambda e: formats.to_json(ori.document(association, base, meeting, export=e)),
    )
    return _download(request, content, "jsonld", name)


@require_safe
def association_ori(request: HttpRequest, slug: str) -> HttpResponse:
    """Open Raadsinformatie (Popolo-ORI JSON-LD) of all public meetings."""
    return _ori(request, _association(slug), None, f"{slug}-ori.jsonld")


@require_safe
def meeting_ori(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    association = _association(slug)
    meeting = _meeting(association, meeting_id)
    return _ori(request, association, meeting, f"{slug}-meeting-{meeting.pk}-ori.jsonld")
