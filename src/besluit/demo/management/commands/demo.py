"""besluit demo [--port 8000] [--host 127.0.0.1] [--no-serve] [--reset]

Sets up a data directory with demo data and serves Besluit from it: the
quickest way to see the application. Without DATABASE_URL the database is a
SQLite file in BESLUIT_DATA_DIR (default: ./var).
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from besluit.associations.models import Association
from besluit.demo import trustees as demo_trustees
from besluit.demo.data import load_demo
from besluit.demo.texts import load_texts_demo
from besluit.letters.addresses import add_demo_addresses
from besluit.letters.worker import start_worker_thread


class Command(BaseCommand):
    help = "Load the demo data (once) and serve Besluit with it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the data, print the accounts, stop"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the SQLite database first and start afresh (SQLite only)",
        )

    def handle(self, *args, host, port, no_serve, reset, verbosity, **options):
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        # WhiteNoise warns at start-up when STATIC_ROOT is missing; finders serve the files.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        if reset:
            self._reset_sqlite()

        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        accounts = load_demo(stdout=self.stdout if verbosity > 1 else None)
        # Fictional secretariat mailboxes, so member letters reach every member.
        demo = Association.objects.filter(slug="vvvg").first()
        if demo is not None:
            add_demo_addresses(demo)
            load_texts_demo(demo)
        if verbosity > 1:
            self.stdout.write(f"Demo data ready in {time.perf_counter() - started:.1f} s.")
        # No collectstatic: WHITENOISE_USE_FINDERS serves the apps' static files directly.

        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(f"Besluit demo: {url}  (data in {data_dir})")
        self.stdout.write("All demo data is fictional; the weight table is an example.")
        self.stdout.write("")
        width_user = max(len("username"), *(len(a.username) for a in accounts))
        width_pass = max(len("password"), *(len(a.password) for a in accounts))
        self.stdout.write(f"{'username':<{width_user}}  {'password':<{width_pass}}  role")
        self.stdout.write(f"{'-' * width_user}  {'-' * width_pass}  {'-' * 4}")
        for a in accounts:
            self.stdout.write(f"{a.username:<{width_user}}  {a.password:<{width_pass}}  {a.role}")
        self.stdout.write("")
        folder = demo_trustees.key_folder()
        if folder.exists():
            self.stdout.write(
                "Trustees of the Najaars-ALV's secret votes (2 of 3 decrypt): key files in "
                f"{folder}"
            )
            for username, passphrase in demo_trustees.PASSPHRASES.items():
                files = sorted((folder / username).glob("*.json"))
                name = files[-1].name if files else "-"
                self.stdout.write(f"  {username:<13} {name}  passphrase: {passphrase}")
            self.stdout.write("")
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                f"Note: {host} is not in BESLUIT_ALLOWED_HOSTS; requests to it will be refused."
            )
        if no_serve:
            return

        import uvicorn

        connections.close_all()  # the server opens its own connections
        # Background jobs (member letters) run in this process in the demo; in
        # production `besluit db_worker` runs as its own process.
        start_worker_thread()
        uvicorn.run(
            "besluit.asgi:application",
            host=host,
            port=port,
            log_level="info",
            lifespan="off",
            # uvicorn would believe X-Forwarded-For from loopback, where anyone on this
            # machine can forge it: besluit.security.addresses decides (no proxy trusted).
            proxy_headers=False,
        )

    def _reset_sqlite(self) -> None:
        db = settings.DATABASES[DEFAULT_DB_ALIAS]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--reset only deletes a SQLite database; this one is not SQLite.")
        connections[DEFAULT_DB_ALIAS].close()
        path = Path(db["NAME"])
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            file.unlink(missing_ok=True)
        self.stdout.write(f"Deleted {path}.")
