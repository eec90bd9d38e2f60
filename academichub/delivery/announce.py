"""Webhook messages for radars and briefings, posted through ``delivery.webhooks.enqueue``.

* A radar's new papers for a period: posted by the digest job
  (``digests.deliver``) to the webhook chosen on the radar's edit page, keyed
  ``radar:<id>:<period>`` so a rerun never posts twice.
* A finished briefing: posted to each webhook the owner chose for it on the
  briefing page, keyed ``briefing:<id>``; :func:`briefing_finished` is called
  when the briefing job ends, and :func:`post_finished_briefings` (hourly)
  catches any that a crashed job missed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from academichub.core import tldr
from academichub.core import webhooks as core
from academichub.delivery import webhooks
from academichub.delivery.digest_models import BriefingWebhook

SUMMARY_CHARS = 1200
CITATIONS_POSTED = 10
_MARKERS = re.compile(r"\s*\[\d+(?:[,\s–-]+\d+)*\]")


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _authors(names: list[str]) -> str:
    return ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")


def radar_message(radar, period, page) -> core.Message:
    from academichub.delivery.digests import window_text

    items = tuple(core.Item(title=item.paper.title_text or item.paper.title,
                            url=_absolute(reverse("web:paper", args=[item.paper.arxiv_id or str(item.paper.pk)])),
                            authors=_authors(item.paper.author_list), summary=tldr.extract(item.paper.abstract_text),
                            reason="; ".join(item.reasons)) for item in page.items)  # fmt: skip
    title = _("“%(radar)s”: %(n)d new papers · %(window)s") % {"radar": radar.name, "n": len(items),
                                                                 "window": window_text(period)}  # fmt: skip
    return core.Message(title=title, url=_absolute(reverse("radar:feed", args=[radar.pk])), items=items, event="radar")


def radar_period(radar, webhook, period, page):
    """Post the period's papers to the radar's webhook (once per period)."""
    return webhooks.enqueue(webhook, radar_message(radar, period, page), key=f"radar:{radar.pk}:{period.label}")


# -- briefings ---------------------------------------------------------------------------------


def briefing_summary(briefing) -> str:
    """The overview section's sentences as plain text (citation markers dropped), clipped."""
    sections = (briefing.document or {}).get("sections", [])
    overview = next((s for s in sections if s.get("kind") == "overview"), sections[0] if sections else None)
    if not overview:
        return ""
    text = " ".join(_MARKERS.sub("", s.get("text", "")).strip() for s in overview.get("sentences", []))
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def briefing_url(briefing) -> str:
    """The share link when there is one (others in the chat can open it), else the owner's page."""
    if briefing.share_token:
        return _absolute(reverse("briefings:shared", args=[briefing.share_token]))
    return _absolute(reverse("briefings:detail", args=[briefing.pk]))


def briefing_message(briefing) -> core.Message:
    """In the briefing's own language: its title, overview and first citations."""
    from academichub.briefings.services import scope_label, window_label

    with translation.override(briefing.language or settings.LANGUAGE_CODE):
        title = _("Briefing: %(scope)s · %(window)s") % {"scope": scope_label(briefing), "window": window_label(briefing)}
    items = tuple(_citation_item(c) for c in briefing.citations[:CITATIONS_POSTED])
    return core.Message(title=title, url=briefing_url(briefing), intro=briefing_summary(briefing), items=items,
                        event="briefing")  # fmt: skip


def _citation_item(citation: dict) -> core.Item:
    url = str(citation.get("url") or "")
    return core.Item(title=f"[{citation.get('n')}] {citation.get('title', '')}",
                     url=_absolute(url) if url.startswith("/") else url)  # fmt: skip


def post_briefing(briefing, webhook):
    return webhooks.enqueue(webhook, briefing_message(briefing), key=f"briefing:{briefing.pk}")


def briefing_finished(briefing) -> int:
    """Post a briefing that just finished to the webhooks chosen for it (and for its weekly scope)."""
    from academichub.briefings.models import Briefing

    if briefing.status != Briefing.Status.DONE:
        return 0
    hooks = {row.webhook for row in BriefingWebhook.objects.filter(briefing=briefing).select_related("webhook")}
    if briefing.repeat_weekly:  # a weekly repeat goes where the scope's earlier briefings went
        earlier = BriefingWebhook.objects.filter(
            briefing__owner_id=briefing.owner_id, briefing__scope_kind=briefing.scope_kind,
            briefing__scope_value=briefing.scope_value, briefing__repeat_weekly=True).select_related("webhook")
        hooks |= {row.webhook for row in earlier}
    for webhook in hooks:
        if webhook.owner_id == briefing.owner_id:
            post_briefing(briefing, webhook)
    return len(hooks)


def post_finished_briefings(now: datetime | None = None, within: timedelta = timedelta(days=2)) -> int:
    """Catch up: recently finished briefings with webhooks (enqueue skips those already posted)."""
    from academichub.briefings.models import Briefing

    since = (now or timezone.now()) - within
    recent = Briefing.objects.filter(status=Briefing.Status.DONE, finished_at__gte=since)
    with_hooks = recent.filter(pk__in=BriefingWebhook.objects.values("briefing_id")) | recent.filter(repeat_weekly=True)
    return sum(briefing_finished(b) for b in with_hooks.distinct()[:500])
