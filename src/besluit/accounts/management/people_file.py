"""One CSV of people from the command line, for ``besluit people import`` and
``besluit createuser --csv``: the file (or ``-``, standard input) goes through
accounts.people.do_import_people, all or nothing; every problem is one line on
standard error saying where (``FILE: line 4, field 'rol': ...``).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from besluit.accounts.people import do_import_people
from besluit.associations.models import Association
from besluit.errors import ValidationFailed

STDIN = "-"


def read_file(name: str, stdin=None) -> bytes:
    if name == STDIN:
        stream = stdin if stdin is not None else sys.stdin
        data = getattr(stream, "buffer", stream).read()
        return data.encode() if isinstance(data, str) else data
    try:
        with open(name, "rb") as f:
            return f.read()
    except OSError as exc:
        raise CommandError(f"{name}: cannot read the file ({exc.strerror}).") from None


def import_people(command: BaseCommand, *, name: str, slug: str, stdin=None) -> None:
    """Create everyone in the file ``name`` in association ``slug`` and report, or raise."""
    association = Association.objects.filter(slug=slug).first()
    if association is None:
        raise CommandError(f"No association with slug '{slug}'.")
    where = "stdin" if name == STDIN else name
    data = read_file(name, stdin)
    try:
        report = do_import_people(actor=None, association=association, data=data)
    except ValidationFailed as exc:
        for problem in exc.problems or [exc.message]:
            command.stderr.write(f"{where}: {problem}")
        n = len(exc.problems) or 1
        raise CommandError(
            f"{where}: nothing imported ({n} problem{'' if n == 1 else 's'})."
        ) from None
    for username in report.created:
        command.stdout.write(f"+ {username}")
    command.stdout.write(command.style.SUCCESS(f"{where}: {report.summary}."))
