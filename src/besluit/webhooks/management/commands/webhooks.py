"""besluit webhooks recover: send the deliveries a stopped worker left behind.

Every delivery job does this after its own attempt; run it from a timer (every few
minutes) so that a delivery is taken over even when nothing else happens.
"""

from django.core.management.base import BaseCommand

from besluit.webhooks import services


class Command(BaseCommand):
    help = "Webhook deliveries: send those left behind by a stopped worker."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "recover",
            help="send deliveries whose worker stopped while sending (lease expired)",
        )
        # (one run sends at most 100; the timer's next run goes on)

    def handle(self, *args, action, **o):
        ids = services.recover_expired(limit=100)
        self.stdout.write(f"{len(ids)} webhook deliveries left behind were sent again.")
