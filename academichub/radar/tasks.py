"""Huey jobs of the radars: keep the feed windows' candidate blocks warm.

Building a window's block (papers, authors, categories, vectors, inverted
indexes) takes over a second on a large catalogue; a reader should never
wait for it. The worker builds the blocks of every window when it starts and
then every minute (a no-op while the catalogue is unchanged: the block's key
is the catalogue state), and shares them through the Django cache (Redis in
a scale-out deployment), where the web processes find them.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from academichub.ops.worker_start import at_worker_start

log = logging.getLogger("academichub.radar")


def _warm() -> list[str]:
    """No Huey lock (one left by a killed worker would stop the warm-up for good): two workers
    warming at once meet at the feed's own build marker, which expires by itself."""
    from academichub.radar.feed import warm_candidates

    return warm_candidates()


@db_task()
def warm_feed_candidates() -> list[str]:
    """Build or load the candidate blocks of the day, week and month windows."""
    warmed = _warm()
    log.info("radar candidates warm: %s", ", ".join(warmed) or "nothing to do")
    return warmed


@db_periodic_task(crontab(minute="*"))
def warm_feed_candidates_periodically() -> None:
    """New papers change the blocks' keys: rebuild them before a reader asks."""
    _warm()


@at_worker_start("the radar warm-up")
def queue_warm_up() -> None:
    """A worker that starts (a deployment, a restart after a crash) warms the feeds at once."""
    warm_feed_candidates()
