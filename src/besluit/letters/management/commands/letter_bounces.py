"""besluit letter_bounces FILE...: mark deliveries bounced from bounce reports.

Each FILE is one e-mail (.eml) or an mbox of them: the delivery status notifications
(RFC 3464) that came back to the sender address. The original message's Message-ID
(in the returned headers) identifies the delivery; the diagnostic becomes its error.
"""

import email
import mailbox
from email import policy
from pathlib import Path

from django.core.management.base import BaseCommand

from besluit.letters.services import do_record_bounce


def _reports(path: Path):
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        for message in mailbox.mbox(str(path)):
            yield email.message_from_bytes(message.as_bytes(), policy=policy.default)
    else:
        yield email.message_from_bytes(raw, policy=policy.default)


def bounce_details(report) -> tuple[str | None, str]:
    """(the bounced message's Message-ID, the reason) from a DSN, or (None, '')."""
    message_id, reason = None, ""
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload():
                for key in ("Diagnostic-Code", "Status", "Action"):
                    if block.get(key) and not reason:
                        reason = f"{key}: {block.get(key)}"
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            original = (
                payload[0]
                if isinstance(payload, list)
                else email.message_from_string(str(payload), policy=policy.default)
            )
            message_id = message_id or original.get("Message-ID")
    return (message_id.strip() if message_id else None), reason


class Command(BaseCommand):
    help = "Mark member-letter deliveries as bounced from bounce reports (.eml or mbox)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")

    def handle(self, *args, files, **options):
        marked = unknown = 0
        for name in files:
            for report in _reports(Path(name)):
                message_id, reason = bounce_details(report)
                delivery = (
                    do_record_bounce(message_id=message_id, reason=reason) if message_id else None
                )
                if delivery is None:
                    unknown += 1
                else:
                    marked += 1
                    self.stdout.write(f"bounced: {delivery.letter.number} {delivery.email}")
        self.stdout.write(f"{marked} bounce(s) recorded, {unknown} report(s) not matched.")
