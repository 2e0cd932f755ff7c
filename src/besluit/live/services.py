"""Live meeting workflows: numbered events, current agenda item, speakers list."""

import logging
import threading
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from besluit import access
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.live.bus import get_bus
from besluit.live.models import LiveEvent, MeetingState, SpeakerRequest
from besluit.meetings.models import AgendaItem, Meeting


def emit(meeting_id: int, kind: str, data: dict) -> LiveEvent:
    """Number and store a durable event; it is sent to the streams after the commit.

    Must run inside the transaction of the change it announces.
    """
    state, _ = MeetingState.objects.select_for_update().get_or_create(meeting_id=meeting_id)
    state.last_seq += 1
    state.save(update_fields=["last_seq"])
    event = LiveEvent.objects.create(
        meeting_id=meeting_id, seq=state.last_seq, kind=kind, data=data
    )
    message = {"id": event.seq, "event": kind, "data": data}
    transaction.on_commit(lambda: get_bus().publish(meeting_id, message))
    return event


def publish_ephemeral(meeting_id: int, kind: str, data: dict) -> None:
    """A state message (e.g. participation): not numbered, not replayed, superseded by the next."""
    get_bus().publish(meeting_id, {"id": None, "event": kind, "data": data})


# --- agenda -----------------------------------------------------------------


def do_set_current_item(*, actor, meeting: Meeting, item: AgendaItem | None) -> MeetingState:
    access.require_chair(actor, meeting.association)
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationFailed(
            gettext("That agenda item belongs to another meeting."), field="item"
        )
    with transaction.atomic():
        state, _ = MeetingState.objects.select_for_update().get_or_create(meeting=meeting)
        state.current_item = item
        state.save(update_fields=["current_item"])
        emit(
            meeting.pk,
            "agenda-item",
            {
                "item": item.pk if item else None,
                "number": item.number if item else "",
                "title": item.title if item else "",
            },
        )
        record(
            "meeting.current_item",
            actor=actor,
            association=meeting.association,
            obj=meeting,
            item=item.number if item else None,
        )
    return state


# --- speakers list ----------------------------------------------------------


def speakers_snapshot(meeting: Meeting) -> list[dict]:
    return [
        {
            "id": s.pk,
            "name": s.name,
            "member": s.member.name if s.member else "",
            "state": s.state,
            "started_at": s.started_at.isoformat() if s.started_at else None,
            "time_limit": s.time_limit,
            "remote": s.remote,
            "point_of_order": s.point_of_order,
        }
        for s in SpeakerRequest.objects.filter(meeting=meeting, ended_at__isnull=True)
        .select_related("member")
        .order_by("position")
    ]


def _announce_speakers(meeting: Meeting) -> None:
    emit(meeting.pk, "speakers", {"speakers": speakers_snapshot(meeting)})


def do_request_to_speak(
    *,
    actor,
    meeting: Meeting,
    item: AgendaItem | None = None,
    name: str = "",
    remote: bool = False,
    point_of_order: bool = False,
    now=None,
) -> SpeakerRequest:
    """One queue for the room and those attending remotely (marked). A point of order goes
    before every ordinary request still waiting, after earlier points of order."""
    association = meeting.association
    access.require_view(actor, association)
    member = access.represented_member(actor, association)
    if member is None and not access.can_chair(actor, association):
        raise ValidationFailed(
            gettext("Only representatives (or the chair, for others) ask to speak.")
        )
    with transaction.atomic():
        MeetingState.objects.select_for_update().get_or_create(meeting=meeting)
        waiting = SpeakerRequest.objects.filter(meeting=meeting, ended_at__isnull=True)
        if member is not None and not name and waiting.filter(user=actor).exists():
            raise Conflict(gettext("You are on the speakers list already."))
        last = waiting.order_by("-position").values_list("position", flat=True).first() or 0
        position = last + 1
        if point_of_order:
            queue = list(
                waiting.filter(started_at__isnull=True)
                .order_by("position")
                .values_list("position", "point_of_order")
            )
            ahead = next((p for p, order in queue if not order), None)
            if ahead is not None:
                # make room: everyone from the first ordinary request on moves down one
                waiting.filter(position__gte=ahead).update(position=F("position") + 1)
                position = ahead
        speaker = SpeakerRequest.objects.create(
            meeting=meeting,
            agenda_item=item or _current_item(meeting),
            user=actor,
            member=member if not name else None,
            name=name.strip() or actor.get_full_name() or actor.username,
            position=position,
            requested_at=now or timezone.now(),
            remote=remote,
            point_of_order=point_of_order,
        )
        record(
            "speaker.requested",
            actor=actor,
            association=association,
            obj=speaker,
            name=speaker.name,
            member=speaker.member_id,
            remote=remote,
            point_of_order=point_of_order,
        )
        _announce_speakers(meeting)
    return speaker


def _current_item(meeting: Meeting) -> AgendaItem | None:
    state = MeetingState.objects.filter(meeting=meeting).select_related("current_item").first()
    return state.current_item if state else None


def do_speaker_action(*, actor, speaker: SpeakerRequest, action: str, now=None) -> SpeakerRequest:
    """Chair: start, stop, remove, up, down. A speaker may withdraw their own request."""
    meeting = speaker.meeting
    own = speaker.user_id == actor.pk and action == "remove"
    if not own:
        access.require_chair(actor, meeting.association)
    now = now or timezone.now()
    with transaction.atomic():
        MeetingState.objects.select_for_update().get_or_create(meeting=meeting)
        speaker.refresh_from_db()
        if speaker.ended_at:
            raise Conflict(gettext("This speaker is done already."))
        if action == "start":
            # One speaker at a time: whoever was speaking is done.
            SpeakerRequest.objects.filter(
                meeting=meeting, started_at__isnull=False, ended_at__isnull=True
            ).exclude(pk=speaker.pk).update(ended_at=now)
            speaker.started_at = now
        elif action in ("stop", "remove"):
            speaker.ended_at = now
        elif action in ("up", "down"):
            _swap(speaker, action)
        else:
            raise ValidationFailed(gettext("Unknown action '%(action)s'.") % {"action": action})
        speaker.save()
        record(
            f"speaker.{action}",
            actor=actor,
            association=meeting.association,
            obj=speaker,
            name=speaker.name,
        )
        _announce_speakers(meeting)
    return speaker


def _swap(speaker: SpeakerRequest, direction: str) -> None:
    waiting = SpeakerRequest.objects.filter(meeting=speaker.meeting, ended_at__isnull=True)
    neighbour = (
        waiting.filter(position__lt=speaker.position).order_by("-position").first()
        if direction == "up"
        else waiting.filter(position__gt=speaker.position).order_by("position").first()
    )
    if neighbour is None:
        return
    speaker.position, neighbour.position = neighbour.position, speaker.position
    neighbour.save(update_fields=["position"])


# --- the closing countdown ---------------------------------------------------


def schedule_close(poll_id: int, closes_at) -> threading.Timer:
    """Close the poll when its countdown ends, from this process (the one that took
    the chair's request). If the process stops first, nothing is lost: ballots are
    refused after ``closes_at`` anyway, and the chair's console offers the close.
    """

    def close() -> None:
        from django.db import close_old_connections

        from besluit.voting.services import close_if_due

        try:
            close_if_due(poll_id)
        except Exception:
            logging.getLogger("besluit.live").exception("closing poll %s failed", poll_id)
        finally:
            close_old_connections()

    delay = max(0.0, (closes_at - timezone.now()).total_seconds()) + 0.2
    timer = threading.Timer(delay, close)
    timer.daemon = True
    timer.start()
    return timer


# --- participation, coalesced ----------------------------------------------


class ParticipationNotifier:
    """Announces participation of polls that received ballots, at most every ``interval``.

    A batch of ballots only marks its poll; a background thread publishes one
    counter per poll per tick, so 1,000 ballots a second cost one message a
    second, not 1,000. With several worker processes (Redis), the first process
    to claim a poll's tick in Redis publishes it; the others keep it for their next
    tick, so the last ballots are always announced within two ticks. Each
    message reaches every open stream, so this rate is what the streams cost: a tick
    is ``interval`` long, or longer when this process has so many open streams that
    one message would cost more than BESLUIT_LIVE_WRITES_PER_SECOND stream writes a
    second (default 1,000: with 2,500 open streams, a message every 2.5 seconds).
    """

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._dirty: dict[int, int] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def mark(self, poll_id: int, meeting_id: int) -> None:
        with self._lock:
            self._dirty[poll_id] = meeting_id
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="besluit-participation", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _claim(self, poll_id: int) -> bool:
        """This process publishes this poll's tick (always, without Redis)."""
        from django.conf import settings

        if not settings.REDIS_URL:
            return True
        from besluit.live import presence

        key = f"besluit:participation:{poll_id}"
        return bool(presence._client().set(key, "1", nx=True, px=int(self.tick() * 900)))

    def tick(self) -> float:
        """Seconds between two messages of a poll: what the open streams can afford."""
        from django.conf import settings

        from besluit.live.bus import hub

        return max(self.interval, hub.count() / settings.BESLUIT_LIVE_WRITES_PER_SECOND)

    def flush(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        if not dirty:
            return
        from django.db import close_old_connections

        try:
            claimed = [poll_id for poll_id in dirty if self._claim(poll_id)]
            with self._lock:  # another process had this tick: publish on the next one
                for poll_id in dirty.keys() - set(claimed):
                    self._dirty.setdefault(poll_id, dirty[poll_id])
            if len(claimed) < len(dirty):
                self._wake.set()
            self.publish({pk: dirty[pk] for pk in claimed})
        finally:
            close_old_connections()

    def publish(self, claimed: dict[int, int]) -> None:
        """Announce the participation of the claimed polls (poll id: meeting id)."""
        from besluit.live.selectors import participation_message
        from besluit.voting.models import Poll

        for poll in Poll.objects.filter(pk__in=list(claimed)).select_related("meeting"):
            publish_ephemeral(poll.meeting_id, "participation", participation_message(poll))

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            started = time.monotonic()
            try:
                self.flush()
            except Exception:  # a Redis or database hiccup must not end the thread
                logging.getLogger("besluit.live").exception("participation update failed")
            time.sleep(max(0.0, self.tick() - (time.monotonic() - started)))


notifier = ParticipationNotifier()


class ElectionParticipationNotifier(ParticipationNotifier):
    """The same coalescing for election rounds: ``election-participation`` at most once a
    tick per round, with how many members voted of how many eligible."""

    def _claim(self, poll_id: int) -> bool:
        return super()._claim(-poll_id)  # a negative key: never a poll's

    def publish(self, claimed: dict[int, int]) -> None:
        """Announce the participation of the claimed rounds (round id: meeting id)."""
        from besluit.elections.selectors import participation_message

        for pk, meeting_id in claimed.items():
            message = participation_message(pk)
            if message is not None:
                publish_ephemeral(meeting_id, "election-participation", message)


election_notifier = ElectionParticipationNotifier()
