"""Huey job: write one briefing in the background (the page polls its progress)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from academichub.ops.worker_start import at_worker_start

log = logging.getLogger("academichub.briefings")


@db_task()
def generate_briefing(briefing_id: int) -> str:
    """Write the briefing if it is still waiting; returns its final status."""
    from academichub.briefings import services
    from academichub.briefings.models import Briefing

    briefing = Briefing.objects.filter(pk=briefing_id).first()
    if briefing is None or briefing.finished:
        return "gone" if briefing is None else briefing.status
    briefing = services.generate(briefing)
    from academichub.delivery.announce import (
        briefing_finished,  # post it to the webhooks chosen for it
    )

    briefing_finished(briefing)
    return briefing.status


@db_periodic_task(crontab(day_of_week="1", hour="6", minute="0"))
def weekly_briefings() -> int:
    """Every Monday: the week's briefing again for each scope its owner asked to repeat."""
    from academichub.briefings import services

    created = services.repeat_weekly()
    for briefing in created:
        generate_briefing(briefing.pk)
    return len(created)


@db_periodic_task(crontab(minute="*/5"))
def recover_briefings() -> int:
    """Queue again the briefings whose job died with its worker (kill -9, a crash, a lost queued job)."""
    from academichub.briefings import services

    stale = services.requeue_stale()
    for briefing_id in stale:
        generate_briefing(briefing_id)
    if stale:
        log.warning("re-queued %d briefings whose job had died", len(stale))
    return len(stale)


@at_worker_start("the briefing recovery")
def recover_briefings_at_start() -> None:
    """A worker that starts after a crash picks up what the dead one was writing."""
    recover_briefings()

