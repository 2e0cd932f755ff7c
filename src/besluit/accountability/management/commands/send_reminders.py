"""besluit send_reminders [--date YYYY-MM-DD] [--association SLUG] [--dry-run] [--base-url URL]

Daily job: reminds owners when an update is due or a commitment is overdue. Safe to
run twice: a reminder sent today is not sent again (see accountability.reminders).
E-mail goes through Django's configured backend (BESLUIT_EMAIL_BACKEND; the console
backend by default, which prints the messages).
"""

import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from besluit.accountability.reminders import send_reminders
from besluit.associations.models import Association


class Command(BaseCommand):
    help = "Remind owners of commitments whose update is due or that are overdue."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to act as today (default: today)")
        parser.add_argument("--association", help="only this association (slug)")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )
        parser.add_argument(
            "--base-url",
            default=os.environ.get("BESLUIT_BASE_URL", "http://127.0.0.1:8000"),
            help="the site's address for the links in the e-mails (env BESLUIT_BASE_URL)",
        )

    def handle(self, *args, date=None, association=None, dry_run=False, base_url="", **options):
        today = self._day(date)
        scope = None
        if association:
            scope = Association.objects.filter(slug=association).first()
            if scope is None:
                raise CommandError(f"No association '{association}'.")
        outcome, planned = send_reminders(
            today=today, base_url=base_url, dry_run=dry_run, association=scope
        )
        if dry_run:
            for to, items in planned:
                self.stdout.write(f"{', '.join(to)}:")
                for due in items:
                    self.stdout.write(f"  {due.kind}: {due.commitment.reference}")
            self.stdout.write(f"{outcome.reminders} reminders would be sent (dry run).")
            return
        self.stdout.write(
            f"{today:%Y-%m-%d}: {outcome.reminders} reminders in {outcome.sent} e-mails; "
            f"{outcome.already} sent already, {outcome.no_recipient} without recipient, "
            f"{outcome.failed} failed."
        )
        if outcome.failed:
            raise CommandError("Some reminders could not be sent; the next run retries them.")

    @staticmethod
    def _day(value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--date: '{value}' is not a date (YYYY-MM-DD).") from exc
