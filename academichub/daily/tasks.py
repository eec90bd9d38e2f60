"""Huey jobs of the daily page: trending scores every 30 minutes, the trending email on weekdays.

Times are UTC (``HUEY["utc"]``). arXiv's mailing goes out at 00:00 or 01:00
UTC, so the 07:00 UTC email carries the new day's papers with a night of votes.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

log = logging.getLogger("academichub.daily")


@db_periodic_task(crontab(minute="*/30"))
@lock_task("daily-trending")
def recompute_trending():
    """Rescore the window's papers (``academichub.core.trending``); old papers fall off."""
    from academichub.daily.scores import recompute

    result = recompute()
    log.info("trending: %d scored, %d fell off, %d signals", result.scored, result.fell_off, result.signals)
    return result.scored


@db_periodic_task(crontab(minute="0", hour="7", day_of_week="1-5"), retries=2, retry_delay=600)
@lock_task("daily-digest")
def send_daily_digest():
    """Monday to Friday: the top trending papers to confirmed subscribers (each at most once a day)."""
    from academichub.daily.scores import recompute
    from academichub.daily.subscriptions import send_digest

    recompute()
    run = send_digest()
    return {"sent": run.sent, "skipped": run.skipped, "failed": run.failed}
