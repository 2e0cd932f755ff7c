"""besluit serve: the production server (uvicorn, several worker processes)."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from besluit.edge import workers as edge_workers

APPLICATION = "besluit.asgi:application"


class Command(BaseCommand):
    help = "Run Besluit in production: an ASGI server with several worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("BESLUIT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("BESLUIT_PORT", 8000)))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BESLUIT_WORKERS", os.cpu_count() or 2)),
        )
        parser.add_argument("--migrate", action="store_true", help="apply migrations first")
        parser.add_argument(
            "--access-log",
            action="store_true",
            help="log every request (off by default: the reverse proxy logs them, and a "
            "line per ballot costs CPU in a burst)",
        )

    def handle(self, *args, host, port, workers, migrate, access_log, **options):
        import uvicorn

        # Without BESLUIT_SECRET_KEY the settings refuse to load (besluit.startup): the
        # workers would otherwise each make up their own key.
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        engine = settings.DATABASES["default"]["ENGINE"]
        if workers > 1 and engine.endswith("sqlite3"):
            self.stderr.write(
                "Note: several workers on SQLite share one writer; use PostgreSQL "
                "(DATABASE_URL) for production."
            )
        if workers > 1 and not settings.REDIS_URL:
            self.stderr.write(
                "Note: without REDIS_URL a live event reaches only the pages served by the "
                "worker that publishes it; set REDIS_URL, or use --workers 1."
            )
        if migrate:
            call_command("migrate", interactive=False, verbosity=1)
        self.stdout.write(
            f"Besluit on http://{host}:{port}/ with {workers} worker(s), "
            f"database {engine.rsplit('.', 1)[-1]}, "
            f"events {'Redis' if settings.REDIS_URL else 'in-process'}."
        )
        if os.environ.get("BESLUIT_FORWARDED_ALLOW_IPS"):
            self.stderr.write(
                "Note: BESLUIT_FORWARDED_ALLOW_IPS is no longer read; set "
                "BESLUIT_TRUSTED_PROXIES to the addresses of your reverse proxies."
            )
        options = {
            "host": host,
            "port": port,
            "workers": workers,
            "lifespan": "off",
            # Forwarded headers are ours to judge (besluit.security.addresses, with
            # BESLUIT_TRUSTED_PROXIES): uvicorn would replace the peer's address first.
            "proxy_headers": False,
            "log_level": "info",
            "access_log": access_log,
            # The first minutes of a meeting: thousands of phones connect at once.
            "backlog": 4096,
            # A worker busy with a burst of ballots answers the supervisor late; five
            # seconds (the default) is too eager to kill it.
            "timeout_worker_healthcheck": 30,
        }
        if workers > 1 and edge_workers.can_spread():
            # A listening socket per worker, so that a burst of connections reaches every
            # worker (besluit.edge.workers says why uvicorn's shared socket does not).
            try:
                status = edge_workers.run(uvicorn.Config(APPLICATION, **options), workers)
            except edge_workers.CannotListen as exc:
                raise CommandError(f"Cannot listen on {exc}.") from exc
            if status:
                raise CommandError(f"The workers could not start (exit status {status}).")
            return
        uvicorn.run(APPLICATION, **options)
