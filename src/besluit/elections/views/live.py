"""The elections' parts of the live pages (projector, chair console, participant page),
fetched again by live.js when an ``election-opened`` or ``election-closed`` event
arrives on the meeting's stream; participation counts change in place
(``election-participation``), so none of these is fetched on a timer."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from besluit.frame.shortcuts import meeting_for


def _render(request, meeting, template: str, **extra):
    ctx = {"association": meeting.association, "meeting": meeting, **extra}
    return render(request, template, ctx)


@login_required
@require_GET
def projector_panel(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    return _render(request, meeting, "elections/_projector.html")


@login_required
@require_GET
def console_panel(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "chair")
    back = reverse("live:console", args=[slug, meeting.pk])
    return _render(request, meeting, "elections/_console_panel.html", console_back=back)


@login_required
@require_GET
def participant_panel(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    return _render(request, meeting, "elections/_participant.html")
