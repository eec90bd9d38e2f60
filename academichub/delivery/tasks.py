"""Huey jobs of delivery: one webhook attempt per task, and a sweeper for due retries.

Retries are scheduled by ``academichub.delivery.webhooks`` itself with the
backoff of ``core.webhooks.backoff`` (``deliver_webhook.schedule(delay=…)``):
Huey's own ``retries`` wait a fixed delay and would not record each attempt.
The sweeper runs every minute and sends anything due whose task was lost (a
worker restart, a queue flush); claiming makes running both harmless.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def deliver_webhook(delivery_id: int):
    from academichub.delivery import webhooks

    delivery = webhooks.run(delivery_id)
    return delivery.status if delivery is not None else None


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks():
    from academichub.delivery import webhooks

    return webhooks.run_due()


@db_periodic_task(crontab(minute="5"))
def send_radar_digests():
    """Hourly: radars whose daily/weekly moment (the owner's local hour) has come, and due retries."""
    from academichub.delivery import announce, digests

    run = digests.send_due()
    announce.post_finished_briefings()
    return {"sent": run.sent, "empty": run.empty, "failed": run.failed, "skipped": run.skipped}


@db_task()
def retry_radar_digest(digest_id: int):
    """A failed digest's next attempt, scheduled with backoff by ``digests`` (the hourly run is the safety net)."""
    from academichub.delivery import digests

    digest = digests.retry(digest_id)
    return digest.status if digest is not None else None
