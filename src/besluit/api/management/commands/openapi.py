"""besluit openapi [--output FILE]: write the /api/v1 OpenAPI document as JSON.

scripts/lint-openapi lints its output with the NL API Design Rules ruleset.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write the OpenAPI document of the REST API (JSON) to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, *args, output=None, **options):
        from besluit.api.router import api

        text = json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, default=str)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"OpenAPI document written to {output}")
        else:
            self.stdout.write(text)
