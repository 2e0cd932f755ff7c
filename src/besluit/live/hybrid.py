"""The hybrid meeting: a livestream or video-conference link per meeting, and speaking time
per speaker and per network (services and reads of the live pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.errors import ValidationFailed
from besluit.live.models import MeetingState, SpeakerRequest
from besluit.meetings.models import Meeting

MAX_NETWORK_SECONDS = 24 * 3600


def origin_of(url: str) -> str:
    """scheme://host[:port] of an https URL ('' for anything else)."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.hostname:
        return ""
    return f"https://{parts.netloc.rsplit('@', 1)[-1]}"


def do_set_stream(
    *, actor, meeting: Meeting, url: str, network_seconds: int | None
) -> MeetingState:
    """The secretariat sets the meeting's livestream or video-conference link (https only:
    its origin becomes a frame source of the live page) and the speaking time per network."""
    access.require_administer(actor, meeting.association)
    url = (url or "").strip()
    if url and not origin_of(url):
        raise ValidationFailed(_("The link must be an https address."), field="stream_url")
    if network_seconds is not None and not 0 < network_seconds <= MAX_NETWORK_SECONDS:
        raise ValidationFailed(
            _("The speaking time per network must be between 1 second and 24 hours."),
            field="network_seconds",
        )
    with transaction.atomic():
        state, _created = MeetingState.objects.select_for_update().get_or_create(meeting=meeting)
        state.stream_url = url
        state.network_seconds = network_seconds
        state.save(update_fields=["stream_url", "network_seconds"])
        record(
            "meeting.stream",
            actor=actor,
            association=meeting.association,
            obj=meeting,
            origin=origin_of(url),
            network_seconds=network_seconds,
        )
    return state


@dataclass
class NetworkTime:
    code: str
    used: int  # seconds spoken by members of the network, the current speaker up to now
    limit: int | None
    used_before: int = 0  # the same, without the current speaker
    running_since: datetime | None = None  # the current speaker of this network started

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def ends_at(self) -> str:
        """When the network's time runs out if its speaker goes on (for the countdown)."""
        if self.running_since is None or self.limit is None:
            return ""
        return (self.running_since + timedelta(seconds=self.limit - self.used_before)).isoformat()


def speaking_time(meeting: Meeting, speaking: SpeakerRequest | None, now=None) -> dict:
    """The current speaker's countdown and per network the time used (and left)."""
    now = now or timezone.now()
    state = MeetingState.objects.filter(meeting=meeting).first()
    limit = state.network_seconds if state else None
    spoken = SpeakerRequest.objects.filter(
        meeting=meeting, started_at__isnull=False, member__isnull=False
    ).values_list("pk", "member_id", "started_at", "ended_at")
    member_ids = {m for _pk, m, _s, _e in spoken}
    networks: dict[int, list[str]] = {}
    links = Member.networks.through.objects.filter(member_id__in=member_ids)
    for member_id, code in links.values_list("member_id", "network__code"):
        networks.setdefault(member_id, []).append(code)
    totals: dict[str, NetworkTime] = {}
    for pk, member_id, started, ended in spoken:
        seconds = int(((ended or now) - started).total_seconds())
        for code in networks.get(member_id, []):
            entry = totals.setdefault(code, NetworkTime(code, 0, limit))
            entry.used += seconds
            if ended is None and speaking is not None and pk == speaking.pk:
                entry.running_since = started
            else:
                entry.used_before += seconds
    ends_at = ""
    if speaking is not None and speaking.started_at:
        ends_at = (speaking.started_at + timedelta(seconds=speaking.time_limit)).isoformat()
    return {
        "speaker_ends_at": ends_at,
        "networks": sorted(totals.values(), key=lambda n: n.code),
        "network_limit": limit,
    }


def page_extras(meeting: Meeting, speaking: SpeakerRequest | None) -> dict:
    state = MeetingState.objects.filter(meeting=meeting).first()
    url = state.stream_url if state else ""
    return {
        "stream_url": url,
        "stream_origin": origin_of(url),
        "speaking_time": speaking_time(meeting, speaking),
    }


def allow_stream(response, extras: dict):
    """Let the live page frame the meeting's stream: its origin only, this response only."""
    if extras.get("stream_origin"):
        response._csp_update = {"frame-src": [extras["stream_origin"]]}
    return response
