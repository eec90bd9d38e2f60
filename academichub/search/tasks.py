"""Huey jobs: embed new papers in the background, a few minutes at a time.

Every ``EVERY_MINUTES`` the periodic task queues ``embed_new_papers``,
which embeds pending papers (newest first) for at most ``BUDGET_SECONDS``
and then saves this node's vector index; a backlog (the first 75k papers
take about an hour on 2 cores) is worked off over successive runs, so
source harvests queued on the same worker wait at most one budget.

One run at a time, cluster-wide: the job holds a Huey lock. With Redis it
expires by itself; the SQLite queue's locks do not, so a lock whose
heartbeat file has not been touched for ``STALE_SECONDS`` (a worker killed
mid-run) is released, as ``sources.tasks`` does for sources.
"""

from __future__ import annotations

import logging
import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from academichub.ops.worker_start import at_worker_start

log = logging.getLogger("academichub.search")

EVERY_MINUTES = 5
BUDGET_SECONDS = 240
STALE_SECONDS = 3 * BUDGET_SECONDS
LOCK = "search-embed"


def _heartbeat_path():
    from academichub.search.index import index_root

    return index_root() / "embed.heartbeat"


def _lock():
    redis = "redis" in type(HUEY.storage).__name__.lower()
    return HUEY.lock_task(LOCK, ttl=STALE_SECONDS if redis else None)


def _release_stale_lock() -> None:
    """Free a lock left by a dead worker (SQLite queue: locks never expire)."""
    path = _heartbeat_path()
    if HUEY.is_locked(LOCK) and (not path.exists() or time.time() - path.stat().st_mtime > STALE_SECONDS):
        log.warning("releasing an embedding lock left by a worker that stopped")
        HUEY.lock_task(LOCK).clear()  # not flush_locks(LOCK): that also clears every other lock this process knows


def embed_for_a_while(max_seconds: float | None = BUDGET_SECONDS, limit: int | None = None):
    """Embed under the lock, touching the heartbeat after every batch; None when another run holds it."""
    from academichub.search.embedding import embed_pending

    _release_stale_lock()
    path = _heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _lock():
            path.touch()
            stats = embed_pending(limit=limit, max_seconds=max_seconds, on_progress=lambda done, planned: path.touch())
    except TaskLockedException:
        log.info("embedding is already running; skipped")
        return None
    if stats.embedded:
        log.info("embedded %s papers in %.0fs (%s planned)", stats.embedded, stats.seconds, stats.planned)
    return stats


@db_task()
def embed_new_papers(limit: int | None = None) -> int:
    """Embed pending papers for one time budget; returns how many were embedded."""
    stats = embed_for_a_while(limit=limit)
    return stats.embedded if stats else 0


@db_periodic_task(crontab(minute=f"*/{EVERY_MINUTES}"))
def embed_periodically() -> None:
    embed_new_papers()


@db_periodic_task(crontab(minute="*/30"))
@HUEY.lock_task("search-top-lists")
def refresh_keyword_lists() -> int:
    """Fold newly written papers into the keyword top lists (the fast path for common words, both databases).

    More than ``keyword.MAX_PENDING`` unlisted papers (after a bulk import)
    switch the fast path off until this runs; a rebuild takes seconds."""
    from academichub.search import keyword

    if not keyword.list_status()["pending"]:
        return 0
    rebuilt = keyword.rebuild_top_lists()
    log.info("keyword top lists rebuilt: %d lists", rebuilt)
    return rebuilt


@db_periodic_task(crontab(minute="7", hour="*/6"))
def refresh_word_shares() -> int:
    """Re-estimate how common each word is (``keyword.word_shares``) in the worker, so no web request
    pays for it; returns the number of common words found."""
    from django.core.cache import cache

    from academichub.search import keyword

    shares = keyword.estimate_shares(keyword.SHARE_SAMPLE)
    cache.set(keyword.SHARES_KEY, shares, keyword.SHARES_SECONDS)
    return len(shares)



@at_worker_start("the word-share estimate")
def queue_word_shares() -> None:
    """A worker that starts estimates the word shares at once if no process has them (web processes
    never wait for them: without them similar papers just use every title word)."""
    from django.core.cache import cache

    from academichub.search import keyword

    if cache.get(keyword.SHARES_KEY) is None:
        refresh_word_shares()


@db_task()
def warm_similar_papers() -> int:
    """Cache the similar papers of the newest papers (see `engine.warm_similar`); a no-op when all are cached.

    Only where the web processes share the worker's cache (Redis): a per-process cache would keep them here."""
    from academichub.ops.shared_cache import is_shared
    from academichub.search.engine import warm_similar

    if not is_shared():
        return 0
    computed = warm_similar()
    log.info("similar papers warm: %d computed", computed)
    return computed


@db_periodic_task(crontab(minute="*/15"))
def warm_similar_periodically() -> None:
    """New papers, and entries older than the cache's lifetime, get their similar papers before a reader asks.

    No Huey lock (one left by a killed worker would stop this for good): two
    workers at once only compute some lists twice."""
    warm_similar_papers.call_local()


@at_worker_start("the similar-papers warm-up")
def queue_similar_warm_up() -> None:
    warm_similar_papers()
