"""besluit tokens create|list|revoke: API tokens from the command line.

besluit tokens create USERNAME --name NAME [--scopes read,write,vote] [--days 90]
besluit tokens list [--user USERNAME]
besluit tokens revoke ID
"""

from django.core.management.base import BaseCommand, CommandError

from besluit.accounts import tokens
from besluit.accounts.models import ApiToken, User
from besluit.errors import DomainError


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token; its secret is printed once.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--scopes", default="read", help="comma-separated: read,write,vote")
        create.add_argument(
            "--days", type=int, default=tokens.DEFAULT_DAYS, help="days until it expires"
        )
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", help="only this person's tokens")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **o):
        return getattr(self, f"_{action}")(o)

    def _create(self, o):
        user = User.objects.filter(username=o["username"], code_meeting__isnull=True).first()
        if user is None:
            raise CommandError(f"No person '{o['username']}'.")
        try:
            token, raw = tokens.do_issue_token(
                actor=None,
                user=user,
                name=o["name"],
                scopes=o["scopes"],
                expires_in_days=o["days"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'token'}: {exc.message}") from None
        self.stderr.write(
            f"Token {token.pk} for {user.username} ({token.scopes}), expires "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only this once:"
        )
        self.stdout.write(raw)

    def _list(self, o):
        qs = ApiToken.objects.select_related("user").order_by("pk")
        if o["user"]:
            qs = qs.filter(user__username=o["user"])
        for t in qs:
            expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(
                f"{t.pk}\t{t.user.username}\t{t.name}\t{t.scopes}\texpires {expires}\t"
                f"used {used}\t{tokens.status(t)}"
            )

    def _revoke(self, o):
        token = ApiToken.objects.select_related("user").filter(pk=o["id"]).first()
        if token is None:
            raise CommandError(f"No token {o['id']}.")
        tokens.do_revoke_token(actor=None, token=token)
        self.stdout.write(f"Revoked token {token.pk} ({token.user.username} / {token.name}).")
