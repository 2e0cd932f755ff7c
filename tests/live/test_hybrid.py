"""The hybrid meeting: one speakers queue for the room and remote attendees, points of order
first, speaking time per speaker and network, and the meeting's livestream (CSP per meeting)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from besluit.associations.models import Role
from besluit.errors import PermissionDenied, ValidationFailed
from besluit.live import hybrid
from besluit.live import services as live
from besluit.live.models import SpeakerRequest
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]


def rep(association, index: int, name: str):
    return factories.make_user(
        name, association, Role.Kind.REPRESENTATIVE, member=factories.member(association, index)
    )


def queue(meeting) -> list[tuple[str, bool, bool]]:
    return [
        (s.name, s.remote, s.point_of_order)
        for s in SpeakerRequest.objects.filter(meeting=meeting, ended_at__isnull=True).order_by(
            "position"
        )
    ]


def test_one_queue_with_remote_marked_and_points_of_order_first(association, meeting, chair):
    a, b, c, d = (rep(association, i, f"rep{i}") for i in range(4))
    first = live.do_request_to_speak(actor=a, meeting=meeting)
    live.do_speaker_action(actor=chair, speaker=first, action="start")
    live.do_request_to_speak(actor=b, meeting=meeting, remote=True)
    live.do_request_to_speak(actor=c, meeting=meeting, point_of_order=True)
    live.do_request_to_speak(actor=d, meeting=meeting, point_of_order=True, remote=True)
    # the one speaking stays first; points of order, in their order, before the others
    assert queue(meeting) == [
        ("rep0", False, False),
        ("rep2", False, True),
        ("rep3", True, True),
        ("rep1", True, False),
    ]
    snapshot = live.speakers_snapshot(meeting)
    assert [s["remote"] for s in snapshot] == [False, False, True, True]


def test_speaking_time_per_speaker_and_network(association, meeting, chair):
    g4 = rep(association, 0, "g4")  # members 0 and 1 are in G4, 5-7 in K80
    k80 = rep(association, 5, "k80")
    now = timezone.now()
    s1 = live.do_request_to_speak(actor=g4, meeting=meeting)
    live.do_speaker_action(
        actor=chair, speaker=s1, action="start", now=now - timedelta(seconds=200)
    )
    live.do_speaker_action(actor=chair, speaker=s1, action="stop", now=now - timedelta(seconds=140))
    s2 = live.do_request_to_speak(actor=k80, meeting=meeting)
    live.do_speaker_action(actor=chair, speaker=s2, action="start", now=now - timedelta(seconds=30))
    s2.refresh_from_db()
    hybrid.do_set_stream(
        actor=factories.make_user("sec", association, Role.Kind.SECRETARIAT),
        meeting=meeting,
        url="",
        network_seconds=120,
    )
    t = hybrid.speaking_time(meeting, s2, now=now)
    by_code = {n.code: n for n in t["networks"]}
    assert by_code["G4"].used == 60 and by_code["G4"].left == 60 and not by_code["G4"].ends_at
    assert by_code["K80"].used == 30 and by_code["K80"].left == 90
    assert by_code["K80"].ends_at == (s2.started_at + timedelta(seconds=120)).isoformat()
    assert t["speaker_ends_at"] == (s2.started_at + timedelta(seconds=180)).isoformat()


def test_console_and_projector_show_the_countdown(client, association, meeting, chair):
    speaker = live.do_request_to_speak(actor=rep(association, 0, "g4"), meeting=meeting)
    live.do_speaker_action(actor=chair, speaker=speaker, action="start")
    client.force_login(chair)
    args = [association.slug, meeting.pk]
    for name in ("live:console", "live:projector"):
        page = client.get(reverse(name, args=args)).content.decode()
        assert 'class="live-speaking-time' in page and "data-ends-at=" in page, name
        assert "G4" in page


def test_the_livestream_and_its_origin_in_the_csp(client, association, meeting, secretariat):
    with pytest.raises(ValidationFailed):
        hybrid.do_set_stream(
            actor=secretariat, meeting=meeting, url="http://example.org/x", network_seconds=None
        )
    with pytest.raises(PermissionDenied):
        hybrid.do_set_stream(
            actor=rep(association, 0, "r"), meeting=meeting, url="", network_seconds=None
        )
    client.force_login(secretariat)
    url = reverse("live:stream_settings", args=[association.slug, meeting.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"stream_url": "javascript:alert(1)"})
    assert bad.status_code == 400
    ok = client.post(
        url, {"stream_url": "https://video.example.org/alv-2026", "network_seconds": "300"}
    )
    assert ok.status_code == 302
    page = client.get(reverse("live:participant", args=[association.slug, meeting.pk]))
    html = page.content.decode()
    assert 'src="https://video.example.org/alv-2026"' in html
    assert 'live-stream__link"' in html  # the phone's link
    csp = page["Content-Security-Policy"]
    assert "frame-src https://video.example.org" in csp
    # another meeting's live page does not frame it
    other = factories.make_meeting(association)
    page = client.get(reverse("live:participant", args=[association.slug, other.pk]))
    assert "video.example.org" not in page["Content-Security-Policy"]
    assert "live-stream__frame" not in page.content.decode()
