"""``{% similar_papers paper %}``: the "Similar papers" list on a paper's page."""

from __future__ import annotations

import logging

from django import template

register = template.Library()
log = logging.getLogger("academichub.search")


@register.inclusion_tag("search/_similar.html")
def similar_papers(paper, limit: int = 8) -> dict:
    """Rendered inline (no JavaScript needed); a failure leaves the list out instead of failing the page."""
    from academichub.search.engine import similar_cached

    try:
        items = similar_cached(paper, limit=limit)
    except Exception:  # noqa: BLE001 — the paper page must render even if search is broken
        log.exception("similar papers failed for paper %s", getattr(paper, "pk", None))
        items = []
    return {"items": items, "paper": paper}
