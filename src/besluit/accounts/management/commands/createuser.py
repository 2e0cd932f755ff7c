"""besluit createuser USERNAME --association SLUG --role ROLE [--member CODE] ...

Many people in one call: ``besluit createuser --csv FILE --association SLUG`` (``-`` reads
standard input), the columns and the all-or-nothing checks of ``besluit people import``
(accounts.people), so 343 representatives cost one process start, not 343.
"""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from besluit.accounts.management.people_file import import_people
from besluit.accounts.models import User
from besluit.accounts.services import check_username
from besluit.associations.models import Association, Role
from besluit.associations.services import do_assign_role
from besluit.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create a user (or update one) and give them a role in an association."
    # The checks cost a second per call and say nothing new to a user-creating script
    # (``besluit check`` runs them).
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)  # call_command(..., stdin=stream) for "-" in tests

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument(
            "--csv",
            metavar="FILE",
            help="many people at once, no passwords: naam,e-mail,lidcode,functie,rol"
            "[,gebruikersnaam] (- reads standard input); needs --association",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="default: asked for on the terminal")
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="no password (single sign-on, voting codes or API tokens only); no hash made",
        )
        parser.add_argument("--association", help="slug of the association for --role")
        parser.add_argument("--role", choices=Role.Kind.values)
        parser.add_argument("--member", help="member code (GM0363) for a representative")
        parser.add_argument("--function", choices=Role.Function.values, default="")
        parser.add_argument("--superuser", action="store_true")

    def handle(self, *args, **o):
        if o["csv"] is not None:
            return self._many(o)
        if not o["username"]:
            raise CommandError("Give a username, or --csv FILE for many people.")
        if o["role"] and not o["association"]:
            raise CommandError("--role needs --association.")
        try:
            o["username"] = check_username(o["username"])
        except ValidationFailed as exc:
            raise CommandError(f"username '{o['username']}': {exc.message}") from None
        password = o["password"]
        if o["no_password"]:
            if password is not None:
                raise CommandError("--password and --no-password exclude each other.")
        elif password is None:
            password = getpass.getpass(f"Password for {o['username']}: ")
        if password is not None and len(password) < 8:
            raise CommandError("The password must have at least 8 characters.")
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=o["username"])
            if user.is_code_account:  # not reachable by name today; never give one a password
                raise CommandError(f"'{user.username}' is a voting code's account.")
            user.email = o["email"] or user.email
            user.first_name = o["first_name"] or user.first_name
            user.last_name = o["last_name"] or user.last_name
            user.is_superuser = user.is_staff = o["superuser"] or user.is_superuser
            if password is not None:
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            user.save()
            if o["role"]:
                try:
                    association = Association.objects.get(slug=o["association"])
                except Association.DoesNotExist:
                    raise CommandError(f"No association '{o['association']}'.") from None
                member = None
                if o["member"]:
                    member = association.members.filter(code=o["member"].upper()).first()
                    if member is None:
                        raise CommandError(f"No member '{o['member']}' in {association}.")
                try:
                    do_assign_role(
                        actor=None,
                        user=user,
                        association=association,
                        kind=o["role"],
                        member=member,
                        function=o["function"],
                    )
                except ValidationFailed as exc:
                    raise CommandError(exc.message) from None
        self.stdout.write(f"{'Created' if created else 'Updated'} user {user.username}.")

    def _many(self, o) -> None:
        single = (
            "username",
            "password",
            "role",
            "member",
            "function",
            "email",
            "first_name",
            "last_name",
            "superuser",
        )
        given = [name for name in single if o[name]]
        if given:
            flags = ", ".join(n if n == "username" else "--" + n.replace("_", "-") for n in given)
            raise CommandError(f"--csv takes names and roles from the file, not {flags}.")
        if not o["association"]:
            raise CommandError("--csv needs --association.")
        import_people(self, name=o["csv"], slug=o["association"], stdin=o.get("stdin"))
