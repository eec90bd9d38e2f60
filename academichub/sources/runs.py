"""Recording source runs, so nothing fails silently.

Every run of every source goes through `recorded_run`: it is stored before
the first request, updated after each committed batch, and closed with a
status. A run that fetched nothing on an announcement day is a *warning*,
visible in `academichub status`, the admin and the log — the failure mode
other tools hide (an empty feed that nobody notices for a week).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.utils import timezone

from academichub.papers.storage import WriteStats
from academichub.sources.models import SourceRun

log = logging.getLogger("academichub.sources")


@contextmanager
def recorded_run(source: str, scheduled: bool = False):
    """Yield a SourceRun; close it as ok, warning or failed."""
    run = SourceRun.objects.create(source=source, scheduled=scheduled)
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
