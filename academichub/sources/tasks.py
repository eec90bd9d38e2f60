"""Huey jobs: every enabled source on its own interval or schedule, and ingests on demand.

A periodic task looks every five minutes at which sources are due (their
interval has passed since their last run, or their schedule fired since
then) and queues one job per due source. Each job holds a lock named after
its source, so a slow harvest is never run twice at once, while different
sources run side by side. arXiv RSS keeps its announcement schedule
(``ARXIV_SCHEDULE``) as its default.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import RetryTask, TaskLockedException

from academichub.core.schedule import Schedule, parse_schedule

log = logging.getLogger("academichub.sources")

CHECK_MINUTES = 5  # how often due sources are looked for
STALE_RUN = timedelta(hours=6)  # Redis lets a source's lock expire after this, whatever happened
LOCK_RETRY_SECONDS = 60  # how soon a requested run tries again while its source is busy
LOCK_GRACE = timedelta(minutes=10)  # a lock held this long after the source's last run ended is left over


def announcement_due(moment: datetime) -> bool:
    """True during the minute arXiv's announcement schedule fires (UTC, naive or aware)."""
    aware = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return parse_schedule(settings.ARXIV_SCHEDULE).is_due(aware)


def last_firing(schedule: Schedule, now: datetime) -> datetime | None:
    """The latest time at or before `now` the schedule fired (looking back a week)."""
    local = now.astimezone(schedule.zone)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        if day.weekday() not in schedule.weekdays:
            continue
        fired = datetime.combine(day, schedule.at, tzinfo=schedule.zone)
        if fired <= local:
            return fired
    return None


def is_due(conf, last_started: datetime | None, now: datetime) -> bool:
    """Whether an enabled source should run now, given when its last run started."""
    if not conf.enabled:
        return False
    if conf.schedule:
        fired = last_firing(parse_schedule(conf.schedule), now)
        return fired is not None and (last_started is None or last_started < fired)
    if conf.interval_minutes:
        return last_started is None or now - last_started >= timedelta(minutes=conf.interval_minutes)
    return False  # on demand only


def due_sources(now: datetime) -> list[str]:
    """Enabled sources whose time has come and that are not running already."""
    from academichub.sources.config import load_settings
    from academichub.sources.models import SourceRun
    from academichub.sources.runs import is_dead

    loaded = load_settings()
    if loaded.errors:
        log.error("source settings unusable, nothing scheduled: %s", "; ".join(loaded.errors))
        return []
    due = []
    for name in loaded.enabled():
        last = SourceRun.objects.filter(source=name).order_by("-started").first()
        if last and last.status == SourceRun.Status.RUNNING and not is_dead(last, now):
            continue
        if is_due(loaded.sources[name], last.started if last else None, now):
            due.append(name)
    return due


def lock_name(source: str) -> str:
    return f"source-{source}"


def source_lock(source: str):
    """Huey's lock for one source; with Redis it expires by itself after `STALE_RUN`."""
    redis = "redis" in type(HUEY.storage).__name__.lower()
    return HUEY.lock_task(lock_name(source), ttl=int(STALE_RUN.total_seconds()) if redis else None)


def lock_is_stale(source: str, now: datetime) -> bool:
    """A lock left by a worker that died: its source's last run stopped beating, or ended long ago.

    The SQLite queue's locks never expire on their own and Redis keeps them
    for `STALE_RUN`, so without this a crash during a run would stop that
    source for hours or for good.
    """
    from academichub.sources.models import SourceRun
    from academichub.sources.runs import is_dead

    last = SourceRun.objects.filter(source=source).order_by("-started").first()
    if last is None:
        return False
    if last.status == SourceRun.Status.RUNNING:
        return is_dead(last, now)
    return now - (last.finished or last.started) > LOCK_GRACE


def release_if_stale(source: str, now: datetime) -> bool:
    """Free the source's lock when the worker holding it is gone; True when it was freed."""
    if not lock_is_stale(source, now):
        return False
    log.warning("%s: releasing a lock left by a worker that stopped", source)
    release_lock(source)
    return True


def release_lock(source: str) -> None:
    """Delete the source's lock, and only it: `HUEY.flush_locks(name)` also clears every lock this process knows."""
    HUEY.lock_task(lock_name(source)).clear()


def run_locked(source: str, run, wait: bool):
    """`run()` under the source's lock, taking over the lock of a dead worker.

    While a live run holds the lock, a scheduled job (``wait=False``) is
    skipped, since that run covers it; a job someone asked for (``wait=True``)
    is retried in a minute, so a backfill is never dropped, and a job put back
    on the queue after its worker was killed waits until the dead run is
    noticed instead of being skipped by its own leftover lock.
    """
    from django.utils import timezone as dj_timezone

    for attempt in (1, 2):
        try:
            with source_lock(source):
                return run()
        except TaskLockedException:
            if attempt == 1 and release_if_stale(source, dj_timezone.now()):
                continue
            if wait:
                raise RetryTask(f"{source} is running; trying again in {LOCK_RETRY_SECONDS} s", delay=LOCK_RETRY_SECONDS)
            log.info("%s is already running; skipped", source)
    return None


@db_periodic_task(crontab(minute=f"*/{CHECK_MINUTES}"))
def dispatch_due_sources():
    """Queue a run for every due source that is not locked by a run in progress."""
    from django.utils import timezone as dj_timezone

    from academichub.sources.runs import close_dead_runs

    now = dj_timezone.now()
    restarted = set()
    for dead in close_dead_runs(now):
        release_lock(dead.source)  # the dead run held it
        if dead.scheduled and dead.source not in restarted:  # one-off jobs come back through the queue
            restarted.add(dead.source)
            run_configured_source(dead.source)
    for name in due_sources(now):
        if name in restarted or (HUEY.is_locked(lock_name(name)) and not release_if_stale(name, now)):
            continue
        run_configured_source(name)


@db_task(retries=2, retry_delay=300)
def run_configured_source(name: str):
    """One scheduled run of one source, under that source's lock."""
    from academichub.sources.registry import run_sources

    for run in run_locked(name, lambda: run_sources([name], {}, scheduled=True), wait=False) or []:
        log.info("scheduled %s: %s, %s new, %s merged", run.source, run.status, run.new, run.merged)


@db_task()
def ping(seconds: float = 0.0) -> str:
    """A no-op job: checks that the queue (SQLite or Redis) and a worker are connected.

    ``seconds`` makes it last that long (at most 10 s), so queue tests can kill a worker while it runs one."""
    if seconds > 0:
        time.sleep(min(seconds, 10.0))
    return "pong"


@db_task(retries=2, retry_delay=60)
def ingest_now(names: list[str] | None = None, options: dict | None = None):
    """Run sources now (default: the enabled ones), each under its lock; returns the run ids."""
    from academichub.sources.config import load_settings
    from academichub.sources.registry import run_sources

    runs = []
    for name in names or load_settings().enabled():
        runs += run_locked(name, lambda name=name: run_sources([name], options or {}), wait=True) or []
    return [run.pk for run in runs if run is not None]
