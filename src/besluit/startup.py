"""What every entry point does before Django starts: private files and a real secret key.

No Django import at module level: ``besluit.cli``, ``besluit.asgi``, ``besluit.wsgi`` and
the settings use this before Django is set up.
"""

import os
import secrets
import sys
from pathlib import Path

# Files this process creates (SQLite database and its -wal/-shm, uploads, backups, the
# signing key) are readable by the service account only: 0600 files, 0700 directories.
PRIVATE_UMASK = 0o077

SECRET_KEY_FILE_NAME = "secret-key"
MISSING_KEY = (
    "BESLUIT_SECRET_KEY is not set. Set it to a long random string, the same for every "
    "worker (python -c 'import secrets; print(secrets.token_urlsafe(50))'). Only "
    "`besluit demo` and the tests run without one."
)
# The fixed key earlier versions fell back to: anybody can forge sessions with it.
KNOWN_INSECURE_PREFIX = "insecure-demo-key"
# Commands that serve no request and sign no session or token: a throwaway key will do.
EPHEMERAL_KEY_COMMANDS = frozenset({"verify", "openapi", "makemigrations", "help", "version"})


def restrict_file_modes() -> None:
    os.umask(PRIVATE_UMASK)


def data_dir() -> Path:
    """settings.DATA_DIR, known before the settings are read."""
    return Path(os.environ.get("BESLUIT_DATA_DIR", Path.cwd() / "var")).resolve()


def under_pytest() -> bool:
    # pytest (8.2 and later) sets PYTEST_VERSION for the length of its session.
    return bool(os.environ.get("PYTEST_VERSION"))


def demo_secret_key(directory: Path) -> str:
    """The demo's key: random, made once and kept (0600) in its data directory, so that
    the demo's sessions survive a restart."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / SECRET_KEY_FILE_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        raise SystemExit(f"besluit demo: {path} is empty; delete it to make a new key.") from None
    with os.fdopen(fd, "w") as f:
        key = secrets.token_urlsafe(50)
        f.write(key + "\n")
    return key


def provide_secret_key(command: str) -> None:
    """Before Django starts for ``besluit COMMAND``: make sure a secret key is there, or stop.

    The demo keeps a generated key in its data directory; commands that never serve a
    request get a throwaway one; everything else needs BESLUIT_SECRET_KEY.
    """
    if os.environ.get("BESLUIT_SECRET_KEY") or under_pytest():
        return  # the settings check the configured key itself
    if command == "demo":
        os.environ["BESLUIT_SECRET_KEY"] = demo_secret_key(data_dir())
    elif command in EPHEMERAL_KEY_COMMANDS or command.startswith("-"):
        os.environ["BESLUIT_SECRET_KEY"] = secrets.token_urlsafe(50)
    else:
        print(f"besluit {command}: {MISSING_KEY}", file=sys.stderr)
        raise SystemExit(2)


def secret_key_from_environment() -> str:
    """settings.SECRET_KEY: the configured key, a random one under pytest, or a refusal."""
    from django.core.exceptions import ImproperlyConfigured

    key = os.environ.get("BESLUIT_SECRET_KEY", "")
    if key.startswith(KNOWN_INSECURE_PREFIX):
        raise ImproperlyConfigured(
            "BESLUIT_SECRET_KEY is the published demo key of earlier versions: " + MISSING_KEY
        )
    if key:
        return key
    if under_pytest():
        return secrets.token_urlsafe(50)
    raise ImproperlyConfigured(MISSING_KEY)
