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
