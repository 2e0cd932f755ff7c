"""besluit restore FILE [--force] [--no-verify]: put a `besluit backup` archive back.

Refuses a database that already has content unless --force. Afterwards every
closed poll's bundle is verified again (exit status 1 if one fails).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.security.backup import BackupError, restore_backup, verify_all_bundles


class Command(BaseCommand):
    help = "Restore a `besluit backup` archive (same database engine), then verify every poll."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `besluit backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that has content"
        )
        parser.add_argument(
            "--no-verify", action="store_true", help="skip verifying the poll bundles"
        )

    def handle(self, *args, **options):
        source = Path(options["file"])
        try:
            manifest = restore_backup(source, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the {manifest['engine']} backup of {manifest['created_at']} from {source}."
        )
        if options["no_verify"]:
            return
        count, problems = verify_all_bundles()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) in {count} poll bundle(s).")
        self.stdout.write(f"OK: {count} poll bundle(s) verified.")
