"""What the election views share: finding an election the user may see, its crumbs."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from besluit.frame.shortcuts import association_for, crumbs

from ..models import Candidacy, Election


def election_for(request, slug: str, election_id) -> Election:
    association = association_for(request, slug)
    try:
        return Election.objects.select_related("meeting__association", "body").get(
            public_id=election_id, meeting__association=association
        )
    except (Election.DoesNotExist, ValueError) as exc:
        raise Http404("No such election.") from exc


def candidacy_for(election: Election, number: int) -> Candidacy:
    return get_object_or_404(Candidacy, election=election, number=number)


def election_crumbs(election: Election, *more):
    meeting = election.meeting
    association = meeting.association
    return crumbs(
        association,
        (_("Meetings"), reverse("web:meetings", args=[association.slug])),
        (meeting.title, reverse("web:meeting", args=[association.slug, meeting.pk])),
        (_("Elections"), reverse("elections:list", args=[association.slug, meeting.pk])),
        *more,
    )


def election_url(election: Election) -> str:
    return reverse("elections:detail", args=[election.meeting.association.slug, election.public_id])
