"""The e-mail of a member letter: the text, its attachments and the meeting's invitation.

Everything the same for all recipients (attachments, the .ics) is read once per job.
Each message gets its own Message-ID, stored with the delivery, so that a bounce
report (DSN) can be traced back to the delivery it concerns.
"""

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid

from besluit.letters import ics
from besluit.letters.models import Letter, LetterDelivery

ICS_MIMETYPE = "text/calendar; method=PUBLISH; charset=UTF-8"


def invitation_sequence(letter: Letter) -> int:
    """How many invitations for this meeting went out before this letter."""
    return (
        Letter.objects.filter(
            meeting=letter.meeting,
            include_invitation=True,
            status__in=[Letter.Status.SENDING, Letter.Status.SENT],
            send_requested_at__lt=letter.send_requested_at,
        )
        .exclude(pk=letter.pk)
        .count()
        if letter.send_requested_at
        else 0
    )


def site_url() -> str:
    return getattr(settings, "BESLUIT_SITE_URL", "").rstrip("/")


class LetterMessage:
    def __init__(self, letter: Letter) -> None:
        self.letter = letter
        self.files = [
            (a.original_name, a.file.open("rb").read(), a.content_type)
            for a in letter.attachments.all()
        ]
        for a in letter.attachments.all():
            a.file.close()
        self.calendar = (
            ics.meeting_calendar(letter.meeting, sequence=invitation_sequence(letter))
            if letter.include_invitation and letter.meeting
            else None
        )

    @property
    def subject(self) -> str:
        return f"{self.letter.number} {self.letter.subject}"

    def body(self) -> str:
        text = self.letter.body.rstrip() + "\n"
        base = site_url()
        if base:
            from django.urls import reverse

            path = reverse("letters:detail", args=[self.letter.association.slug, self.letter.pk])
            text += f"\n--\nDeze ledenbrief staat ook in het archief: {base}{path}\n"
        return text

    def for_delivery(self, delivery: LetterDelivery, *, connection=None) -> EmailMessage:
        domain = getattr(settings, "BESLUIT_MAIL_DOMAIN", "besluit.invalid")
        message = EmailMessage(
            subject=self.subject,
            body=self.body(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.email],
            connection=connection,
            headers={
                "Message-ID": make_msgid(idstring=f"lbr{delivery.pk}", domain=domain),
                "X-Besluit-Letter": self.letter.number,
                "X-Besluit-Member": delivery.member.code,
                "Auto-Submitted": "auto-generated",
            },
        )
        for name, content, mimetype in self.files:
            message.attach(name, content, mimetype)
        if self.calendar is not None:
            message.attach("uitnodiging.ics", self.calendar, ICS_MIMETYPE)
        return message
