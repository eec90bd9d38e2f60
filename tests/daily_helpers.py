"""Helpers shared by the tests/test_daily_*.py files."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections

from academichub.papers.models import Paper
from tests.factories import make_papers

PASSWORD = "lattice-Boltzmann-42"


def make_user(name: str, staff: bool = False, password: str | None = None):
    """A user; without a password (hashing one costs ~0.3 s) unless the test signs in by form."""
    return get_user_model().objects.create_user(name, f"{name}@example.org", password, is_staff=staff)


def papers_on(day: date, count: int = 3, start: int = 1, **overrides) -> list[Paper]:
    ids = make_papers(day, count=count, start=start, **overrides)
    return list(Paper.objects.filter(arxiv_id__in=ids).order_by("id"))


def in_parallel(jobs) -> list:
    """Run the callables at the same moment (a barrier), each in its own thread with its own DB connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 — reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@contextmanager
def sqlite_file_database(path):
    """On SQLite, run the block on a fresh file database configured as in production (WAL,
    IMMEDIATE transactions, busy timeout); elsewhere, on the test database as it is.

    Why: Django's SQLite test database is in memory with a shared cache, where
    a second writer fails at once with "database table is locked" instead of
    waiting, so it cannot show how the hub behaves under concurrent writes.
    The in-memory database stays open meanwhile and is restored afterwards.
    """
    conn = connections["default"]
    if conn.vendor != "sqlite":
        yield
        return
    conn.ensure_connection()
    in_memory, name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None
    conn.settings_dict["NAME"] = str(path)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = name
        conn.connection = in_memory
