"""The public overview of commitments, its CSV and JSON exports and its Atom feed."""

import json

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from besluit import csvsafe
from besluit.accountability import selectors
from besluit.accountability.forms import FilterForm
from besluit.accountability.selectors import change_lines
from besluit.accountability.views.common import (
    STATUS_CSS,
    context,
    labels,
    public_association,
)
from besluit.frame.shortcuts import is_htmx

PAGE_SIZE = 50


def _filtered(request, association):
    form = FilterForm(request.GET or None, association=association)
    filters = form.filters() if request.GET else selectors.Filters()
    return form, filters, selectors.filtered(association, filters)


def _query(request, **changes) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@require_GET
def overview(request, slug):
    association = public_association(slug)
    form, filters, qs = _filtered(request, association)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = context(
        request,
        association,
        form=form,
        filters=filters,
        page=page,
        rows=list(page.object_list),
        summary=selectors.summary(qs),
        status_css=STATUS_CSS,
        query=_query(request),
        filtered=bool(filters.as_dict()),
    )
    ctx["crumbs"] = [*ctx["crumbs"][:-1], (_("Motions and commitments"), request.path)]
    template = (
        "accountability/_results.html" if is_htmx(request) else "accountability/overview.html"
    )
    return render(request, template, ctx)


def _filename(association, ext: str) -> str:
    return f"toezeggingen-{association.slug}-{timezone.localdate():%Y%m%d}.{ext}"


@require_GET
def export_csv(request, slug):
    association = public_association(slug)
    _form, _filters, qs = _filtered(request, association)
    rows = selectors.export_rows(qs)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(association, "csv")}"'
    writer = csvsafe.writer(response)
    writer.writerow([*selectors.EXPORT_FIELDS, "url"])
    for row in rows:
        url = request.build_absolute_uri(
            reverse("accountability:commitment", args=[association.slug, row["id"]])
        )
        writer.writerow(
            [
                " ".join(v)
                if isinstance(v, list)
                else ("true" if v is True else "false" if v is False else v)
                for v in (row[k] for k in selectors.EXPORT_FIELDS)
            ]
            + [url]
        )
    return response


@require_GET
def export_json(request, slug):
    association = public_association(slug)
    _form, filters, qs = _filtered(request, association)
    rows = selectors.export_rows(qs)
    for row in rows:
        row["url"] = request.build_absolute_uri(
            reverse("accountability:commitment", args=[association.slug, row["id"]])
        )
    body = {
        "association": {"slug": association.slug, "name": association.name},
        "generated_at": timezone.now(),
        "filters": filters.as_dict(),
        "count": len(rows),
        "commitments": rows,
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{_filename(association, "json")}"'
    return response


@require_GET
def feed(request, slug):
    """Atom feed of new commitments, updates, reports and decisions (with the page's filters)."""
    association = public_association(slug)
    _form, _filters, qs = _filtered(request, association)
    overview_url = request.build_absolute_uri(
        reverse("accountability:overview", args=[association.slug])
    )
    atom = Atom1Feed(
        title=_("%(name)s: motions and commitments") % {"name": association.name},
        link=overview_url,
        description=_("What the board does with the motions and resolutions the members adopted."),
        language=get_language(),
        feed_url=request.build_absolute_uri(),
        feed_guid=f"{overview_url}#feed",
        author_name=association.name,  # Atom wants an author; the association reports
    )
    host = request.get_host().split(":")[0]
    for event in selectors.feed_events(qs):
        c = event.commitment
        kind = event.kind
        status = (event.changes.get("status") or event.changes.get("closed") or [None, None])[1]
        if kind == "decided" and status in c.CLOSED_STATUSES:
            kind = "closed"
        parts = [c.reference]
        if event.note:
            parts.append(event.note)
        if event.update_id:
            if event.update.done:
                parts.append(f"{labels['done']}: {event.update.done}")
            if event.update.planned:
                parts.append(f"{labels['planned']}: {event.update.planned}")
        parts += change_lines(event.changes, labels)
        link = request.build_absolute_uri(
            reverse("accountability:commitment", args=[association.slug, c.pk])
        )
        atom.add_item(
            title=f"{labels[f'event:{kind}']}: {c.title}",
            link=f"{link}#event-{event.pk}",
            description="<br>".join(escape(p) for p in parts),  # Atom1Feed: type="html"
            unique_id=f"tag:{host},{event.at:%Y-%m-%d}:besluit/commitment-event/{event.pk}",
            unique_id_is_permalink=False,
            pubdate=event.at,
            updateddate=event.at,
            categories=[c.theme.name] if c.theme_id else None,
        )
    return HttpResponse(
        atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )
