"""Public open-data pages and downloads under /open/: no login, read-only.

Every download has an ETag (a hash of its bytes) and may be cached publicly for a
few minutes; a matching If-None-Match gets 304 Not Modified.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.views.decorators.http import require_safe

from besluit.associations.models import Association
from besluit.meetings.models import Meeting
from besluit.opendata import formats, ori, popolo

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
    return render(
        request, "opendata/index.html", {"associations": Association.objects.order_by("name")}
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
        },
    )


@require_safe
def association_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    association = _association(slug)
    export = popolo.export(association)
    if fmt == "json":
        return _download(request, formats.to_json(export), "json", f"{slug}-popolo.json")
    return _download(
        request, formats.to_zip(export, name=association.name), "zip", f"{slug}-open-data.zip"
    )


@require_safe
def association_table(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    if table not in formats.TABLES:
        raise Http404("No such table.")
    export = popolo.export(_association(slug))
    return _download(request, formats.to_csv(export, table), "csv", f"{slug}-{table}.csv")


@require_safe
def meeting_download(request: HttpRequest, slug: str, meeting_id: int, fmt: str) -> HttpResponse:
    association = _association(slug)
    meeting = _meeting(association, meeting_id)
    export = popolo.export(association, meeting)
    stem = f"{slug}-meeting-{meeting.pk}"
    if fmt == "json":
        return _download(request, formats.to_json(export), "json", f"{stem}-popolo.json")
    content = formats.to_zip(export, name=association.name, scope=f" — {meeting.title}")
    return _download(request, content, "zip", f"{stem}-open-data.zip")


@require_safe
def meeting_table(request: HttpRequest, slug: str, meeting_id: int, table: str) -> HttpResponse:
    if table not in formats.TABLES:
        raise Http404("No such table.")
    association = _association(slug)
    export = popolo.export(association, _meeting(association, meeting_id))
    name = f"{slug}-meeting-{meeting_id}-{table}.csv"
    return _download(request, formats.to_csv(export, table), "csv", name)


def _ori(request: HttpRequest, association: Association, meeting: Meeting | None, name: str):
    base = request.build_absolute_uri("/open/")
    content = formats.to_json(ori.document(association, base, meeting))
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
