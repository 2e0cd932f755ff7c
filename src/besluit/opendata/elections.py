"""Elections of persons in the open data: the decided elections of an association's
public meetings (elections.popolo says what each holds), and every seat held from them.

The same rule as polls: a meeting in preparation publishes nothing; a secret
election publishes its totals and pooled ballots only (its record never names a member
on a ballot); a named one also how each member voted.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from besluit.associations.models import Association
from besluit.elections import popolo as election_popolo
from besluit.elections.models import Body, Election, Membership
from besluit.meetings.models import Meeting


def decided(meetings: QuerySet[Meeting]) -> QuerySet[Election]:
    return (
        Election.objects.filter(meeting__in=meetings, status=Election.Status.DECIDED)
        .select_related("meeting__association", "body")
        .prefetch_related("candidacies")
        .order_by("decided_at", "pk")
    )


def record_url(association: Association, election: Election) -> str:
    return reverse("opendata:election_bundle", args=[association.slug, election.public_id])


def parts(
    association: Association, meetings: QuerySet[Meeting], *, whole: bool
) -> dict[str, list[dict]]:
    """Bodies (organizations), seats (memberships) and the decided elections of these
    meetings; ``whole`` (the association's export) adds the seats recorded by hand."""
    out: dict[str, list[dict[str, Any]]] = {"organizations": [], "memberships": [], "elections": []}
    for election in decided(meetings):
        got = election_popolo.parts(election, record_url=record_url(association, election))
        out["elections"] += got["elections"]
    by_election = Q(election__meeting__in=meetings, election__status=Election.Status.DECIDED)
    which = by_election | Q(election__isnull=True) if whole else by_election
    seats = Membership.objects.filter(Q(body__association=association) & which)
    seats = seats.select_related("member", "body")
    for m in seats.order_by("body__name", "starts_on", "name"):
        out["memberships"].append(election_popolo.membership(association.slug, m))
    body_ids = {m.body_id for m in seats} | set(decided(meetings).values_list("body_id", flat=True))
    out["organizations"] = [
        election_popolo.organization(association.slug, b)
        for b in Body.objects.filter(pk__in=body_ids).order_by("name")
    ]
    return out


def page(association: Association) -> dict[str, Any]:
    """For the association's /open/ page: the seats held (today and coming) and the
    decided elections, newest first."""
    from besluit.elections.selectors import bodies_with_seats
    from besluit.opendata.popolo import public_meetings

    elections = list(decided(public_meetings(association)).order_by("-decided_at", "-pk"))
    return {
        "bodies": [b for b in bodies_with_seats(association) if b["seats"]],
        "decided": elections,
    }
