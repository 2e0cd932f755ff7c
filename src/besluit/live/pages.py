"""What the live pages show, gathered once for the page and for the fragments htmx
re-fetches: the current item, open polls with participation, the latest result, the
speakers, and for the chair the voting queue and the connected screens."""

import uuid

from django.urls import reverse

from besluit import access
from besluit.associations.models import Role
from besluit.frame.shortcuts import context
from besluit.live import hybrid, presence
from besluit.live.models import MeetingState, SpeakerRequest
from besluit.live.queue import latest_closed, next_entry, vote_queue
from besluit.voting.models import Poll, RegisterEntry
from besluit.voting.selectors import ballot_of, participation

# The chair console's panels, in page order: one template each, so that a panel (the
# elections panel, presence figures) is added by adding its template here.
CONSOLE_PANELS = {
    "main": [
        "live/console/_current.html",
        "live/console/_votes.html",
        "elections/_console_panel.html",
    ],
    "side": [
        "live/console/_speakers.html",
        "attendance/_live_summary.html",
        "live/console/_connected.html",
    ],
}


def page_context(request, meeting, **extra) -> dict:
    state = MeetingState.objects.filter(meeting=meeting).select_related("current_item").first()
    open_polls = list(
        meeting.polls.filter(status=Poll.Status.OPEN)
        .prefetch_related("options")
        .order_by("opened_at")
    )
    member = access.represented_member(request.user, meeting.association)
    # Who votes for the member in each open poll when it gave a proxy (frozen at the
    # opening): its representative is told so and offered no vote form.
    holders = (
        dict(
            RegisterEntry.objects.filter(
                poll__in=open_polls, member=member, represented_by__isnull=False
            ).values_list("poll_id", "represented_by__name")
        )
        if member is not None and open_polls
        else {}
    )
    polls = [
        {
            "poll": p,
            "participation": participation(p),
            "my_ballot": ballot_of(p, member),
            "proxy_holder": holders.get(p.pk),
            # A fresh key per rendered form: a double tap or retry returns the same ballot.
            "request_key": uuid.uuid4().hex,
        }
        for p in open_polls
    ]
    speakers = list(
        SpeakerRequest.objects.filter(meeting=meeting, ended_at__isnull=True)
        .select_related("member")
        .order_by("position")
    )
    speaking = next((s for s in speakers if s.started_at), None)
    return context(
        request,
        meeting.association,
        meeting=meeting,
        current_item=state.current_item if state else None,
        open_polls=polls,
        last_closed=latest_closed(meeting),
        speakers=speakers,
        speaking=speaking,
        live_url=reverse("live:events", args=[meeting.pk]),
        can_administer=access.can_administer(request.user, meeting.association),
        **hybrid.page_extras(meeting, speaking),
        **extra,
    )


def connected_context(meeting) -> dict:
    """Members with at least one live page of this meeting open now: screens, not presence
    (a member can be in the hall without a screen, or follow from home)."""
    user_ids = presence.present(meeting.pk)
    roles = Role.objects.filter(
        association=meeting.association, user_id__in=user_ids, kind=Role.Kind.REPRESENTATIVE
    ).select_related("member")
    members = sorted({r.member for r in roles}, key=lambda m: m.name)
    eligible = meeting.association.members.filter(active=True).count()
    return {"connected_members": members, "connected_count": len(members), "eligible": eligible}


def console_context(request, meeting, **extra) -> dict:
    ctx = page_context(request, meeting, **extra)
    ctx.update(connected_context(meeting))
    queue = vote_queue(ctx["current_item"])
    ctx.update(
        panels=CONSOLE_PANELS,
        queue=queue,
        next_entry=next_entry(queue),
        draft_polls=meeting.polls.filter(status=Poll.Status.DRAFT).order_by("created_at"),
        late_motions=meeting.motions.filter(is_late=True, status="submitted"),
        agenda=meeting.agenda_items.all(),
        majority_choices=Poll.Majority.choices,
    )
    return ctx
