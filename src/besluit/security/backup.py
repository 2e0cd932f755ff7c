"""Consistent snapshots of an installation: the database, the signing key and the media.

The archive (``besluit backup FILE``) is a gzipped tar with::

    manifest.json          {"format": "besluit-backup/1", "created_at", "engine",
                            "besluit_version", "migrations": {app: [names]},
                            "files": {name: sha256}, "key_id"}
    database.sqlite3       SQLite: a copy made with SQLite's online backup API
                           (``sqlite3.Connection.backup``): one consistent snapshot,
                           taken while the server keeps running and writing
    database.pgdump        PostgreSQL: ``pg_dump --format=custom``: pg_dump reads all
                           tables in one REPEATABLE READ (serializable, read-only)
                           transaction, so the dump is one consistent snapshot too
    signing-key.ed25519    the key that signed the vote logs (absent if never created)
    media/...              uploaded files (attachments, logos)

The database snapshot comes first and the files after it, so a file referenced
by the snapshot exists in the archive (media files are never changed in place,
only added). ``besluit restore FILE`` puts it all back on the same engine and
then re-verifies every closed poll's bundle (``--no-verify`` skips that).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from besluit import __version__
from besluit.security import filemodes

FORMAT = "besluit-backup/1"
KEY_NAME = "signing-key.ed25519"
# Tables that, when they hold any row, make a database "not empty" for restore.
CONTENT_TABLES = ("accounts_user", "associations_association", "voting_poll", "audit_auditevent")


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        raise BackupError(f"{name} is not installed (the PostgreSQL client tools are needed).")
    return path


def _migrations(alias: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[alias])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def create_backup(target: Path, *, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the archive to ``target``; returns its manifest."""
    connection = connections[alias]
    vendor = connection.vendor
    db = connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="besluit-backup-") as tmp:
        work = Path(tmp)
        migrations = _migrations(alias)
        if vendor == "sqlite":
            db_file = work / "database.sqlite3"
            source = sqlite3.connect(str(db["NAME"]))
            dest = sqlite3.connect(str(db_file))
            try:
                with dest:
                    source.backup(dest)
            finally:
                dest.close()
                source.close()
        elif vendor == "postgresql":
            db_file = work / "database.pgdump"
            args, env = _pg_env(db)
            subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(db_file), *args],
                check=True,
                env=env,
                capture_output=True,
            )
        else:
            raise BackupError(f"No backup for the {vendor} database engine.")
        files = {db_file.name: _sha256(db_file)}
        key_file = Path(settings.BESLUIT_SIGNING_KEY_FILE)
        key_id = None
        if key_file.exists():
            from besluit.core import votelog

            files[KEY_NAME] = _sha256(key_file)
            key_id = votelog.key_id(
                votelog.public_key_for(votelog.load_or_create_private_key(key_file))
            )
        media_root = Path(settings.MEDIA_ROOT)
        media = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        )
        for p in media:
            files["media/" + p.relative_to(media_root).as_posix()] = _sha256(p)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": vendor,
            "besluit_version": __version__,
            "migrations": migrations,
            "files": files,
            "key_id": key_id,
        }
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        # 0600 from the first byte: the archive holds the database and the signing key.
        partial.unlink(missing_ok=True)
        with (
            os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz") as tar,
        ):
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            if key_id is not None:
                tar.add(key_file, arcname=KEY_NAME)
            for p in media:
                tar.add(p, arcname="media/" + p.relative_to(media_root).as_posix())
        partial.replace(target)
    return manifest


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in CONTENT_TABLES:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return False
    return True


def _read_archive(source: Path, work: Path) -> dict:
    try:
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(work, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source}: not a Besluit backup ({exc}).") from exc
    try:
        manifest = json.loads((work / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source}: no readable manifest.json.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown format {manifest.get('format')!r}.")
    for name, digest in manifest["files"].items():
        path = work / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{source}: {name} is missing or damaged (checksum differs).")
    return manifest


def restore_backup(source: Path, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Put the archive back. Refuses a database with content unless ``force``."""
    connection = connections[alias]
    vendor = connection.vendor
    db = connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="besluit-restore-") as tmp:
        work = Path(tmp)
        manifest = _read_archive(source, work)
        if manifest["engine"] != vendor:
            raise BackupError(
                f"The backup is of a {manifest['engine']} database; this installation uses "
                f"{vendor}. Restore it on the same engine."
            )
        if not force and not database_is_empty(alias):
            raise BackupError(
                "The database is not empty: restoring would replace its content. "
                "Use --force to replace it."
            )
        key_file = Path(settings.BESLUIT_SIGNING_KEY_FILE)
        archived_key = work / KEY_NAME
        if (
            archived_key.exists()
            and key_file.exists()
            and not force
            and key_file.read_bytes() != archived_key.read_bytes()
        ):
            raise BackupError(f"{key_file} holds another signing key; use --force to replace it.")
        connections.close_all()
        if vendor == "sqlite":
            source_db = sqlite3.connect(str(work / "database.sqlite3"))
            dest = sqlite3.connect(str(db["NAME"]), timeout=30)
            try:
                with dest:
                    source_db.backup(dest)
            finally:
                dest.close()
                source_db.close()
        else:
            args, env = _pg_env(db)
            result = subprocess.run(
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    *args,
                    str(work / "database.pgdump"),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
        if archived_key.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(archived_key, key_file)
            with contextlib.suppress(OSError):
                key_file.chmod(0o600)
            from besluit.voting import log as vote_log

            vote_log.private_key.cache_clear()
        media_root = Path(settings.MEDIA_ROOT)
        media_dir = work / "media"
        if media_dir.exists():
            shutil.copytree(media_dir, media_root, dirs_exist_ok=True)
            filemodes.make_tree_private(media_root)
    return manifest


def verify_all_bundles() -> tuple[int, list[str]]:
    """Check every closed poll's published bundle against this installation's key."""
    from besluit.core import bundle as core_bundle
    from besluit.voting import log as vote_log
    from besluit.voting.models import Poll

    problems: list[str] = []
    from besluit.core import sealedbundle

    polls = Poll.objects.filter(
        status=Poll.Status.CLOSED, log__isnull=False, result__isnull=False
    ).order_by("pk")
    count = 0
    for poll in polls:
        count += 1
        check = (
            sealedbundle.verify_sealed_bundle
            if poll.election_id is not None
            else core_bundle.verify_bundle
        )
        found = check(vote_log.bundle_bytes(poll), expected_key_id=vote_log.public_key_id())
        problems += [f"poll {poll.public_id} ({poll.title}): {p}" for p in found]
    return count, problems
