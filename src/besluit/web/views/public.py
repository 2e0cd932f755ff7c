"""A meeting's decision list and its results as public pages (no login), once the
association publishes them (``Association.publish_decisions``, on its settings page).

They live beside the open data (/open/...) and are linked from its pages. Meetings in
preparation stay private (the same rule as the open data); a secret vote shows only its
totals, as everywhere.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_safe

from besluit.associations.models import Association
from besluit.meetings.models import Meeting
from besluit.voting.models import Poll
from besluit.web.presenting import decision_groups, describe, named_context


def _published(slug: str) -> Association:
    association = get_object_or_404(Association, slug=slug)
    if not association.publish_decisions:
        raise Http404("The association does not publish its decisions.")
    return association


def _public_meetings(association: Association):
    return association.meetings.exclude(status=Meeting.Status.DRAFT)


@require_safe
def public_decisions(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    association = _published(slug)
    meeting = get_object_or_404(_public_meetings(association), pk=meeting_id)
    groups = decision_groups(meeting)
    return render(
        request,
        "web/public/decisions.html",
        {"organisation": association, "meeting": meeting, "groups": groups},
    )


@require_safe
def public_result(request: HttpRequest, slug: str, poll_id) -> HttpResponse:
    association = _published(slug)
    poll = get_object_or_404(
        Poll.objects.select_related("meeting", "closed_by").prefetch_related("options"),
        public_id=poll_id,
        status=Poll.Status.CLOSED,
        meeting__in=_public_meetings(association),
    )
    if not poll.result:
        raise Http404("No result.")
    view = describe(poll.outcome)
    ctx = {"organisation": association, "meeting": poll.meeting, "poll": poll, "view": view}
    if not poll.is_secret:
        ctx.update(named_context(request, poll, view))
    return render(request, "web/public/result.html", ctx)


PUBLIC = "open/<slug:slug>/"

urlpatterns = [
    path(
        PUBLIC + "vergaderingen/<id:meeting_id>/besluitenlijst/",
        public_decisions,
        name="public_decisions",
    ),
    path(PUBLIC + "stemmingen/<uuid:poll_id>/uitslag/", public_result, name="public_result"),
]
