"""besluit members import FILE --association SLUG [--reference-date YYYY-MM-DD]"""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.associations.models import Association
from besluit.associations.services import do_import_members
from besluit.errors import ValidationFailed


class Command(BaseCommand):
    help = "Manage an association's members register."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import or update members from a CSV file.")
        imp.add_argument("file", help="CSV: gemeentecode,naam,provincie,inwoners[,peildatum]")
        imp.add_argument("--association", required=True, help="the association's slug")
        imp.add_argument(
            "--reference-date",
            type=date.fromisoformat,
            help="peildatum for rows without one (default: today)",
        )

    def handle(self, *args, action, **options):
        path = Path(options["file"])
        try:
            association = Association.objects.get(slug=options["association"])
        except Association.DoesNotExist:
            raise CommandError(f"No association with slug '{options['association']}'.") from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror}).") from None

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty() or options["verbosity"] > 1:
                self.stderr.write(f"\r{done}/{total} rows", ending="")

        try:
            report = do_import_members(
                actor=None,
                association=association,
                data=data,
                reference_date=options["reference_date"],
                progress=progress,
            )
        except ValidationFailed as exc:
            for problem in exc.problems or [exc.message]:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: nothing imported ({len(exc.problems) or 1} problems)."
            ) from None
        self.stderr.write("")
        for line in report.created:
            self.stdout.write(f"+ {line}")
        for line in report.updated:
            self.stdout.write(f"~ {line}")
        self.stdout.write(self.style.SUCCESS(f"{path}: {report.summary}."))
