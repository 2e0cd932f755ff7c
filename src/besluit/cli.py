"""The ``besluit`` command: Django's management commands under one name.

``besluit demo``, ``besluit serve``, ``besluit members import FILE --association SLUG``,
``besluit createuser ...`` and every other management command (``besluit migrate``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["besluit", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
