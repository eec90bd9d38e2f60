"""Recording source runs, so nothing fails silently.

Every run of every source goes through `recorded_run`: it is stored before
the first request, updated after each committed batch, and closed with a
status. A run that fetched nothing on an announcement day is a *warning*,
visible in `academichub status`, the admin and the log — the failure mode
other tools hide (an empty feed that nobody notices for a week).

While it runs, a thread of its own writes a heartbeat every minute, also
while the source waits out a 429 or a slow page. A worker killed with -9
stops beating: after `DEAD_AFTER` its run is closed as failed and its lock
taken over (see `sources.tasks`), so the source runs again within minutes,
not hours.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from academichub.papers.storage import WriteStats
from academichub.sources.models import SourceRun

log = logging.getLogger("academichub.sources")

HEARTBEAT_SECONDS = 60
DEAD_AFTER = timedelta(minutes=5)  # a "running" run silent this long lost its worker
STOPPED = "the worker running it stopped (no heartbeat); the source runs again"


class Heartbeat(threading.Thread):
    """Marks one run alive every `HEARTBEAT_SECONDS` until stopped."""

    def __init__(self, run_pk: int):
        super().__init__(name=f"source-run-{run_pk}-heartbeat", daemon=True)
        self.run_pk, self.stopped = run_pk, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                SourceRun.objects.filter(pk=self.run_pk).update(heartbeat=timezone.now())
        except DatabaseError as exc:  # the run itself will meet the same database and report it
            log.warning("source run %s: heartbeat stopped: %s", self.run_pk, exc)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def is_dead(run: SourceRun, now: datetime) -> bool:
    """A run still marked "running" whose worker has stopped beating."""
    return run.status == SourceRun.Status.RUNNING and now - (run.heartbeat or run.started) > DEAD_AFTER


def close_dead_runs(now: datetime) -> list[SourceRun]:
    """Close as failed every run whose worker died, so status pages and schedules see the truth; returns them."""
    closed = []
    running = SourceRun.objects.filter(status=SourceRun.Status.RUNNING)  # a handful: one per busy source at most
    for run in (run for run in running if is_dead(run, now)):
        still_running = SourceRun.objects.filter(pk=run.pk, status=SourceRun.Status.RUNNING)  # another closer may win
        if still_running.update(status=SourceRun.Status.FAILED, finished=now, error=STOPPED):
            log.warning("source %s: run %s lost its worker (no heartbeat since %s)", run.source, run.pk,
                        run.heartbeat or run.started)  # fmt: skip
            closed.append(run)
    return closed


@contextmanager
def recorded_run(source: str, scheduled: bool = False):
    """Yield a SourceRun, alive by its heartbeat while it runs; close it as ok, warning or failed."""
    run = SourceRun.objects.create(source=source, scheduled=scheduled, heartbeat=timezone.now())
    heartbeat = Heartbeat(run.pk)
    heartbeat.start()
    try:
        yield run
    except Exception as exc:
        run.status = SourceRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        log.error("source %s failed: %s", source, run.error)
        raise
    else:
        if run.status == SourceRun.Status.RUNNING:
            run.status = SourceRun.Status.WARNING if run.warning else SourceRun.Status.OK
        if run.warning:
            log.warning("source %s: %s", source, run.warning)
    finally:
        heartbeat.stop()
        run.finished = timezone.now()
        run.save()


def add_stats(run: SourceRun, stats: WriteStats, fetched: int) -> None:
    """Fold one committed batch into the run's counters and save them."""
    run.fetched += fetched
    run.new += stats.new
    run.updated += stats.updated
    run.merged += stats.merged
    run.unchanged += stats.unchanged
    run.failed += stats.failed
    room = max(0, 200 - len(run.failures))
    run.failures = run.failures + stats.failures[:room]
    run.save(update_fields=["fetched", "new", "updated", "merged", "unchanged", "failed", "failures"])
