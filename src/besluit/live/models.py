"""Live meeting state: the event stream, the current agenda item, the speakers list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Member
from besluit.meetings.models import AgendaItem, Meeting


class MeetingState(models.Model):
    """Per meeting: the last event number and what the hall is looking at.

    Its row is locked while an event is numbered, so event numbers are handed
    out in commit order: a client that has seen event n has seen all before it.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="live_state")
    last_seq = models.PositiveBigIntegerField(default=0)
    current_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The hybrid meeting: a livestream or video conference (its origin is allowed as a frame
    # source on the live page only), and the speaking time each network has, if limited.
    stream_url = models.URLField(_("livestream or video conference"), blank=True)
    network_seconds = models.PositiveIntegerField(
        _("speaking time per network (seconds)"), null=True, blank=True
    )


class LiveEvent(models.Model):
    """A durable event of a meeting's stream, kept for replay after a reconnect."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="live_events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="live_event_seq_unique"),
        ]


class SpeakerRequest(models.Model):
    """A request to speak on an agenda item (sprekerslijst)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speakers")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="speakers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField()
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.PositiveIntegerField(_("speaking time (seconds)"), default=180)
    remote = models.BooleanField(_("attends remotely"), default=False)
    point_of_order = models.BooleanField(_("point of order"), default=False)

    class Meta:
        ordering = ["meeting", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        if self.ended_at:
            return "done"
        return "speaking" if self.started_at else "waiting"
