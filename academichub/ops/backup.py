"""Consistent backups of the catalogue and users, and restore from them.

SQLite: the online backup API copies a consistent snapshot while the hub keeps
running (readers and the one writer are not stopped; WAL pages are included).
PostgreSQL: ``pg_dump --format=custom``, restored with ``pg_restore --clean``.
The file's first bytes say which kind it is, so restoring a SQLite backup into
PostgreSQL (or the reverse) is refused with a message instead of half-working.

What is not in a backup, on purpose: the Huey queue (jobs are re-planned by the
schedule) and the vector index (rebuilt from the stored embeddings by
``academichub embed --index-only``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message names the fix."""


@dataclass(frozen=True)
class Database:
    """The parts of Django's connection settings a backup needs."""

    vendor: str  # "sqlite" | "postgresql"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict, vendor: str) -> "Database":
        return cls(vendor=vendor, name=str(settings_dict["NAME"]), host=settings_dict.get("HOST") or "",
                   port=str(settings_dict.get("PORT") or ""), user=settings_dict.get("USER") or "",
                   password=settings_dict.get("PASSWORD") or "")  # fmt: skip


def kind_of(path: Path) -> str:
    """'sqlite' or 'postgresql', from the file's magic bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not an AcademicHub backup (neither a SQLite file nor a pg_dump archive)")


def backup(db: Database, target: Path) -> Path:
    """Write a consistent copy of the database to target (atomically)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".backup-")
    os.close(handle)
    try:
        _sqlite_backup(db, Path(temporary)) if db.vendor == "sqlite" else _pg_dump(db, Path(temporary))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def restore(db: Database, source: Path) -> None:
    """Replace the database's contents with the backup's."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    kind = kind_of(source)
    if kind != db.vendor:
        raise BackupError(f"{source} is a {kind} backup but this hub uses {db.vendor}; "
                          "set DATABASE_URL to match the backup, or restore it on a hub of that kind")  # fmt: skip
    _sqlite_restore(db, source) if kind == "sqlite" else _pg_restore(db, source)


def _sqlite_backup(db: Database, target: Path) -> None:
    source = sqlite3.connect(db.name, timeout=30)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination, pages=4096)
        destination.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
    finally:
        destination.close()
        source.close()


def _sqlite_restore(db: Database, source: Path) -> None:
    """Check the backup, then copy it page by page into the live database.

    Using the backup API in reverse (instead of swapping files) keeps the file
    that running processes have open, and takes the write lock while it copies."""
    _check_sqlite(source)
    backup_db = sqlite3.connect(source)
    live = sqlite3.connect(db.name, timeout=60)
    try:
        backup_db.backup(live, pages=4096)
    finally:
        live.close()
        backup_db.close()


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        has_schema = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'").fetchone()  # fmt: skip
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged ({exc}); pick another backup") from exc
    finally:
        connection.close()
    if verdict != "ok" or not has_schema:
        raise BackupError(f"{path} is not a usable AcademicHub backup (check: {verdict}, schema: {bool(has_schema)})")


def _pg_env(db: Database) -> dict:
    env = dict(os.environ)
    env.update({key: value for key, value in (("PGHOST", db.host), ("PGPORT", db.port), ("PGUSER", db.user),
                                               ("PGPASSWORD", db.password)) if value})  # fmt: skip
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client (apt-get install postgresql-client)")
    return found


def _run(command: list[str], db: Database) -> None:
    done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:500]}")


def _pg_dump(db: Database, target: Path) -> None:
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), db.name], db)


def _pg_restore(db: Database, source: Path) -> None:
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--dbname", db.name, str(source)], db)  # fmt: skip
