"""A mail backend for tests: fails for addresses containing 'fail', records the rest."""

from smtplib import SMTPRecipientsRefused

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            if any("fail" in address for address in message.to):
                raise SMTPRecipientsRefused({message.to[0]: (450, b"mailbox busy")})
        return super().send_messages(messages)


def outbox():
    return getattr(mail, "outbox", [])
