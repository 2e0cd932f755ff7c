"""besluit verify BUNDLE [--key-id HEX] [--receipt FILE]: check a published poll bundle.

The same check runs without Django as `python -m besluit.verify` or as the plain
script src/besluit/verify.py.
"""

import sys

from django.core.management.base import BaseCommand

from besluit import verify


class Command(BaseCommand):
    help = "Verify a poll bundle: Merkle tree, signatures, register, recount of the totals."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="+", metavar="BUNDLE [--key-id HEX] [--receipt FILE]")

    def run_from_argv(self, argv):
        # Hand the arguments to the stand-alone verifier as they are.
        sys.exit(verify.main(argv[2:]))

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv handles it
        sys.exit(verify.main(list(args)))
