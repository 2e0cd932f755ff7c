"""besluit people import FILE --association SLUG: many people with their roles, all or nothing."""

from django.core.management.base import BaseCommand

from besluit.accounts.management.people_file import import_people


class Command(BaseCommand):
    help = "Create representatives and officers from a CSV file (naam,e-mail,lidcode,functie,rol)."
    requires_system_checks: list[str] = []
    stealth_options = (
        "stdin",
    )  # call_command(..., stdin=stream) for "-" in tests  # a bulk tool: start quickly

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Create people from a CSV file; all or nothing.")
        imp.add_argument(
            "file", help="CSV: naam,e-mail,lidcode,functie,rol[,gebruikersnaam]; - for stdin"
        )
        imp.add_argument("--association", required=True, help="the association's slug")

    def handle(self, *args, action, **o):
        import_people(self, name=o["file"], slug=o["association"], stdin=o.get("stdin"))
