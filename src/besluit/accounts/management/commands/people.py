"""besluit people import FILE --association SLUG: many people with their roles, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.accounts.people import do_import_people
from besluit.associations.models import Association
from besluit.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create representatives and officers from a CSV file (naam,e-mail,lidcode,functie,rol)."
    requires_system_checks: list[str] = []  # a bulk tool: start quickly

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Create people from a CSV file; all or nothing.")
        imp.add_argument("file", help="CSV: naam,e-mail,lidcode,functie,rol[,gebruikersnaam]")
        imp.add_argument("--association", required=True, help="the association's slug")

    def handle(self, *args, action, **o):
        path = Path(o["file"])
        association = Association.objects.filter(slug=o["association"]).first()
        if association is None:
            raise CommandError(f"No association with slug '{o['association']}'.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror}).") from None
        try:
            report = do_import_people(actor=None, association=association, data=data)
        except ValidationFailed as exc:
            for problem in exc.problems or [exc.message]:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: nothing imported ({len(exc.problems) or 1} problems)."
            ) from None
        for username in report.created:
            self.stdout.write(f"+ {username}")
        self.stdout.write(self.style.SUCCESS(f"{path}: {report.summary}."))
