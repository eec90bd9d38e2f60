"""Huey job: write one briefing in the background (the page polls its progress)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def generate_briefing(briefing_id: int) -> str:
    """Write the briefing if it is still waiting; returns its final status."""
    from academichub.briefings import services
    from academichub.briefings.models import Briefing

    briefing = Briefing.objects.filter(pk=briefing_id).first()
    if briefing is None or briefing.finished:
        return "gone" if briefing is None else briefing.status
    return services.generate(briefing).status
