"""besluit sso configure --association SLUG --issuer URL --client-id ID --client-secret S"""

import json

from django.core.management.base import BaseCommand, CommandError

from besluit.associations.models import Association
from besluit.errors import DomainError
from besluit.sso import services


class Command(BaseCommand):
    help = "Single sign-on (OpenID Connect) for an association."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("configure", help="Set the association's identity provider.")
        c.add_argument("--association", required=True)
        c.add_argument("--issuer", required=True, help="its discovery document is read")
        c.add_argument("--client-id", required=True)
        c.add_argument("--client-secret", required=True)
        c.add_argument("--name", default="", help="shown on the login page")
        c.add_argument("--scopes", default="openid email profile", help="space-separated")
        c.add_argument("--role-claim", default="besluit_roles")
        c.add_argument(
            "--role-map",
            default="{}",
            help='JSON: claim value -> role, e.g. {"griffie": "secretariat"}',
        )
        c.add_argument("--member-claim", default="gemeentecode")
        c.add_argument("--function-claim", default="functie")
        c.add_argument(
            "--no-accept-amr",
            action="store_true",
            help="always ask Besluit's own second factor where the policy requires one",
        )

    def handle(self, *args, action, **o):
        association = Association.objects.filter(slug=o["association"]).first()
        if association is None:
            raise CommandError(f"No association '{o['association']}'.")
        try:
            role_map = json.loads(o["role_map"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--role-map: not JSON ({exc}).") from None
        if not isinstance(role_map, dict):
            raise CommandError("--role-map: a JSON object, claim value -> role.")
        try:
            provider = services.do_configure_provider(
                actor=None,
                association=association,
                issuer=o["issuer"],
                client_id=o["client_id"],
                client_secret=o["client_secret"],
                name=o["name"],
                role_claim=o["role_claim"],
                role_map=role_map,
                member_claim=o["member_claim"],
                function_claim=o["function_claim"],
                accept_amr=not o["no_accept_amr"],
                scopes=o["scopes"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'sso'}: {exc.message}") from None
        self.stdout.write(f"Single sign-on for {association.slug}: {provider.issuer}")
