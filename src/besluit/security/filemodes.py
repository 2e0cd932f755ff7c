"""Private file modes for what Besluit keeps on disk: 0600 files, 0700 directories.

The entry points set a umask (besluit.startup); these helpers make the same hold where a
file is made some other way (a process started without them, an older installation's
database, a restored backup).
"""

import contextlib
import os
from pathlib import Path

from django.db.backends.signals import connection_created

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def make_private(path: Path | str) -> None:
    """Take group and others' access away from ``path`` (a file or a directory)."""
    with contextlib.suppress(OSError):  # gone already, or not ours to change
        mode = os.stat(path).st_mode
        if mode & 0o077:
            os.chmod(path, DIRECTORY_MODE if os.path.isdir(path) else FILE_MODE)


def make_tree_private(root: Path) -> None:
    for path in (root, *root.rglob("*")):
        make_private(path)


def private_sqlite_files(sender, connection, **kwargs) -> None:
    """The SQLite database and its -wal/-shm files (SQLite gives those the database's mode)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    for path in (name, name + "-wal", name + "-shm"):
        make_private(path)


def connect() -> None:
    connection_created.connect(private_sqlite_files, dispatch_uid="besluit-private-sqlite")
