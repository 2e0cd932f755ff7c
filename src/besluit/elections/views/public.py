"""An election's result as a public page (no login), beside the public decision list,
once the association publishes its decisions (``Association.publish_decisions``), as
a poll's public result. Meetings in preparation stay private; a secret election shows
its totals only (its ballots are pooled; there is nothing per member to show)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from besluit.associations.models import Association
from besluit.meetings.models import Meeting

from .. import chart, selectors
from ..models import Election


@require_safe
def public_result(request: HttpRequest, slug: str, election_id) -> HttpResponse:
    association = get_object_or_404(Association, slug=slug)
    if not association.publish_decisions:
        raise Http404("The association does not publish its decisions.")
    election = get_object_or_404(
        Election.objects.select_related("meeting", "body").exclude(
            meeting__status=Meeting.Status.DRAFT
        ),
        public_id=election_id,
        meeting__association=association,
        status=Election.Status.DECIDED,
    )
    table = selectors.count_table(election)
    ctx = {
        "organisation": association,
        "meeting": election.meeting,
        "election": election,
        "table": table,
        "chart": chart.count_chart(table),
        "rounds": list(election.rounds.order_by("number")),
        "named_ballots": selectors.named_ballots(election),
        "seats": list(election.memberships.order_by("name")),
        "record_url": reverse("opendata:election_bundle", args=[slug, election.public_id]),
    }
    return render(request, "elections/public_result.html", ctx)
