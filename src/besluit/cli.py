"""The ``besluit`` command: Django's management commands under one name.

``besluit demo``, ``besluit serve``, ``besluit members import FILE --association SLUG``,
``besluit createuser ...`` and every other management command (``besluit migrate``).
"""

import os
import sys

from besluit import startup


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    startup.restrict_file_modes()
    startup.provide_secret_key(args[0] if args else "help")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["besluit", *args])


if __name__ == "__main__":
    main()
