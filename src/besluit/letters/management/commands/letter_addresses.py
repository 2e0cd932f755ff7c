"""besluit letter_addresses --association SLUG (FILE.csv | --demo)

Import the members' own mailboxes for member letters (CSV: gemeentecode,email,label),
or give every member a fictional demo mailbox (--demo).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.associations.models import Association
from besluit.errors import DomainError
from besluit.letters.addresses import add_demo_addresses, do_import_addresses


class Command(BaseCommand):
    help = "Import members' mailboxes for member letters, or add demo mailboxes."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV file: gemeentecode,email,label")
        parser.add_argument("--association", required=True)
        parser.add_argument("--demo", action="store_true", help="fictional demo mailboxes")

    def handle(self, *args, file, association, demo, **options):
        found = Association.objects.filter(slug=association).first()
        if found is None:
            raise CommandError(f"No association '{association}'.")
        if demo:
            total = add_demo_addresses(found)
            self.stdout.write(f"{total} member mailboxes in {found}.")
            return
        if not file:
            raise CommandError("Give a CSV file or --demo.")
        try:
            added = do_import_addresses(actor=None, association=found, data=Path(file).read_bytes())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{added} addresses added.")
