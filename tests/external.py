"""A real database outside the test database, for tests that run `academichub`
in subprocesses (kill -9, resume). SQLite in a temp data directory, or a
throwaway PostgreSQL database created next to the test one.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import dj_database_url


@contextmanager
def external_hub(tmp_path: Path, vendor: str):
    """Yield an environment for `python -m academichub …` with a migrated database."""
    env = dict(os.environ, ACADEMICHUB_HOME=str(tmp_path / "home"), DATABASE_URL="")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    name = None
    if vendor == "postgresql":
        name = f"ahext_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = _pg_url(name)
    try:
        hub(env, "migrate")
        yield env
    finally:
        if name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def hub(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "academichub", *args], env=env, check=check,
                          capture_output=True, text=True, timeout=600)  # fmt: skip


def hub_popen(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "academichub", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def query(env: dict, sql: str) -> list[tuple]:
    """Run one read-only query against the external hub's database."""
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute(sql).fetchall()
    path = Path(env["ACADEMICHUB_HOME"]) / "academichub.sqlite3"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def _pg_url(name: str) -> str:
    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    user, host, port = base["USER"] or "postgres", base["HOST"] or "127.0.0.1", base["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    url = _pg_url("postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)
