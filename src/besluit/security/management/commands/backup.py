"""besluit backup FILE: a consistent snapshot of the database, signing key and media.

See besluit.security.backup for the archive format.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.security.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot (database, vote-log signing key, media) to a .tar.gz "
        "archive. SQLite: the online backup API; PostgreSQL: pg_dump (one snapshot)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. besluit-2026-12-10.tar.gz")

    def handle(self, *args, **options):
        target = Path(options["file"])
        try:
            manifest = create_backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        media = sum(1 for name in files if name.startswith("media/"))
        key = "included" if manifest["key_id"] else "absent"
        self.stdout.write(
            f"Backup of the {manifest['engine']} database written to {target} "
            f"({media} media file(s), signing key {key})."
        )
