import pytest
from django.conf import settings as django_settings

from besluit.associations.models import Role
from tests import factories

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_configure(config):
    """Hash test passwords fast, everywhere, unless a test asks for Argon2.

    Argon2 costs about half a second per password on purpose; tests make many people and
    never attack a hash. The product's own hashers stay the settings module's (checked by
    tests/security/test_password_hashing.py); a test that needs them is marked ``argon2``.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = [FAST_HASHER, *settings.PASSWORD_HASHERS]
    _hypothesis_profile()
    _static_files_listed_once()


def _static_files_listed_once() -> None:
    """WhiteNoise lists every static file through the finders when its middleware is made
    (WHITENOISE_USE_FINDERS): 15 to 30 ms. A server makes it once per process, but Django's
    test client makes the middleware again for every ``Client``: each test's ``client``,
    and the race tests' thousand clients, where it was half the cost of a request. The
    files do not change during a run, so they are listed once per process and every later
    middleware gets the same entries (WhiteNoise only reads them)."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    listed: dict[str, dict] = {}
    list_them = WhiteNoiseMiddleware.add_files_from_finders

    def add_files_from_finders(self) -> None:
        if self.static_prefix not in listed:
            before = dict(self.files)
            list_them(self)
            listed[self.static_prefix] = {
                url: found for url, found in self.files.items() if before.get(url) is not found
            }
        self.files.update(listed[self.static_prefix])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders


def _hypothesis_profile() -> None:
    """The same examples on a busy machine: no per-example deadline and no "too slow" check.

    Both measure the machine, not our code: on CI's two shared cores a property that
    generates whole documents failed them now and then. The number of examples and every
    other health check stay Hypothesis' defaults (or what a test asks for).
    """
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    hypothesis_settings.register_profile(
        "besluit", deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    hypothesis_settings.load_profile("besluit")


@pytest.fixture(autouse=True)
def _product_hashers(request):
    """For a test marked ``argon2``: the product's hashers, Argon2 first."""
    if request.node.get_closest_marker("argon2") is None:
        yield
        return
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:]):
        yield


@pytest.fixture
def association(db):
    return factories.make_association(12, networks={"G4": [0, 1], "K80": [5, 6, 7]})


@pytest.fixture
def secretariat(association):
    return factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)


@pytest.fixture
def chair(association):
    return factories.make_user("voorzitter", association, Role.Kind.CHAIR)


@pytest.fixture
def board(association):
    return factories.make_user("bestuurslid", association, Role.Kind.BOARD)


@pytest.fixture
def representative(association):
    return factories.make_user(
        "burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )


@pytest.fixture
def meeting(association):
    return factories.make_meeting(association)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the throttles count failures there (per
    address, per code space), the power analysis keeps results there, and the cache
    outlives a test (per process, or Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_kept_polls():
    """The edge's writer keeps open polls by primary key (voting.casting.kept.open_polls).
    A rolled-back test gives its keys to the next one on SQLite, so a kept poll would
    name another poll there: casting notices it under the locks and starts the batch
    again, which is right, but costs the statements of a second try that a test counting
    statements does not expect. In service an open poll is never deleted."""
    from besluit.voting.casting import kept

    kept.open_polls.clear()
    yield
    kept.open_polls.clear()


@pytest.fixture(autouse=True)
def _no_kept_exports():
    """Open-data exports are kept per process by association id and audit version
    (opendata.kept); a rolled-back test gives both to the next test on SQLite."""
    from besluit.opendata import kept

    kept.forget()
    yield
    kept.forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language (Dutch): a request served in English in
    one test must not leave English active in the thread for the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def en(client):
    """The test client, in English (for pages whose Dutch wording is checked elsewhere)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- the demo, loaded once per worker ------------------------------------------------------
# `load_demo` builds an association of 342 members through the services (ballots one by
# one, as people cast them): about half a minute of CPU. Tests that need the demo as their
# world (not the loading itself, which tests/web/test_demo.py checks) copy a snapshot of
# it into their own transaction instead: the same rows, in milliseconds, rolled back
# afterwards like any other test data.


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """(snapshot file, tables with rows before the demo, the accounts load_demo returned),
    or None on PostgreSQL (there each test loads the demo itself)."""
    import sqlite3

    from django.db import connection, transaction
    from django.db.backends.signals import connection_created

    from besluit.demo.data import load_demo

    if connection.vendor != "sqlite":
        yield None
        return
    folder = tmp_path_factory.mktemp("demo")
    pristine, snapshot = folder / "pristine.sqlite3", folder / "demo.sqlite3"
    name = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(pristine)])
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = [row[0] for row in cursor.fetchall() if not row[0].startswith("sqlite_")]
            seeded = set()
            for table in tables:
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
                if cursor.fetchone()[0]:
                    seeded.add(table)
        with transaction.atomic():
            accounts = load_demo()
            # As in a test's transaction: what waits for a commit (mail, jobs) never runs.
            connection.run_on_commit = []
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(snapshot)])
        connection.close()
        # Back to the empty database, byte for byte (ids of content types included).
        source, target = sqlite3.connect(pristine), sqlite3.connect(name)
        with target:
            source.backup(target)
        source.close()
        target.close()

    def attach(sender, connection, **kwargs):
        if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == name:
            connection.connection.execute("ATTACH DATABASE ? AS demo", [str(snapshot)])

    connection_created.connect(attach, weak=False)
    try:
        yield tables, seeded, accounts
    finally:
        connection_created.disconnect(attach)


def copy_demo(snapshot) -> list:
    """Copy the demo's rows into the test database (in the open transaction, if any)."""
    from django.db import connection

    tables, seeded, accounts = snapshot
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        if "demo" not in {row[1] for row in cursor.fetchall()}:
            pytest.fail("The demo snapshot is not attached to this connection.")
        for table in tables:
            # Rows every empty database has (content types, permissions) are there already.
            verb = "INSERT OR IGNORE" if table in seeded else "INSERT"
            cursor.execute(f'{verb} INTO main."{table}" SELECT * FROM demo."{table}"')
    return accounts


@pytest.fixture
def demo_world(db, _demo_snapshot):
    """The demo (`load_demo`), in this test's transaction; returns its accounts. Ask for it
    before any fixture that makes data of its own."""
    if _demo_snapshot is None:
        from besluit.demo.data import load_demo

        return load_demo()
    return copy_demo(_demo_snapshot)
