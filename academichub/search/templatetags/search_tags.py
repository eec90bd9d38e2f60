"""``{% similar_papers paper %}``: the "Similar papers" list on a paper's page."""

from __future__ import annotations

import logging

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: The "alike in" choices above the list; "" is the whole paper.
FACET_LABELS = [("", _("Overall")), ("background", _("Same problem")), ("method", _("Same method")),
                ("result", _("Similar results"))]
log = logging.getLogger("academichub.search")


@register.inclusion_tag("search/_similar.html")
def similar_papers(paper, limit: int | None = None, facet: str | None = None) -> dict:
    """Rendered inline (no JavaScript needed); a failure leaves the list out instead of failing the page.

    ``facet`` narrows "similar" to the same problem, method or results
    (plain links, ``?similar=method``, so it works without JavaScript)."""
    from academichub.search.engine import PAGE_SIMILAR_LIMIT, similar_cached

    try:
        items = similar_cached(paper, limit=limit or PAGE_SIMILAR_LIMIT, facet=facet)
    except Exception:  # noqa: BLE001 — the paper page must render even if search is broken
        log.exception("similar papers failed for paper %s", getattr(paper, "pk", None))
        items = []
    return {"items": items, "paper": paper, "facet": facet or "", "facets": FACET_LABELS}
