"""JSON for the daily pages: a day, a week or a month of papers, and what is trending.

Registered in ``academichub.api.site.ROUTERS`` under ``/daily``::

    GET /api/daily/trending?limit=20
    GET /api/daily/day/2026-06-30?sort=upvotes&page=1
    GET /api/daily/week/2026-W27
    GET /api/daily/month/2026-06
"""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from ninja import Router, Schema

from academichub.api.site import ApiError
from academichub.daily import listing, periods

router = Router(tags=["daily"])
PAGE_SIZE = 100


class CardOut(Schema):
    rank: int
    id: int
    arxiv_id: str | None
    doi: str | None
    title: str
    authors: list[str]
    source: str
    announced: date | None
    organisations: list[str]
    upvotes: int
    external_upvotes: int
    trending: float
    tldr: str
    curated: bool
    note: str = ""
    submitted_by: str | None = None
    url: str


class PeriodOut(Schema):
    kind: str
    period: str
    start: date
    end: date
    sort: str
    page: int
    pages: int
    total: int
    curated: list[CardOut]
    papers: list[CardOut]


def card(paper) -> dict:
    stats = getattr(paper, "daily_stats", None)
    return {
        "rank": int(paper.rank), "id": paper.pk, "arxiv_id": paper.arxiv_id, "doi": paper.doi,
        "title": paper.title_text,
        "authors": paper.author_list, "source": paper.source_badge, "announced": paper.announced,
        "organisations": [o.name for o in paper.organisations], "upvotes": paper.upvote_count,
        "external_upvotes": paper.external_upvotes, "trending": stats.trending if stats else 0.0,
        "tldr": paper.tldr, "curated": paper.picked, "note": paper.note,
        "submitted_by": paper.submission.user.get_username() if paper.submission else None,
        "url": f"/paper/{paper.arxiv_id or paper.pk}",
    }  # fmt: skip


@router.get("/trending", response=list[CardOut])
def trending(request, limit: int = 20):
    """The top trending papers (scores from the last periodic recomputation)."""
    if not 1 <= limit <= 100:
        raise ApiError(422, "bad_limit", "limit must be between 1 and 100")
    papers = listing.decorate(listing.trending_papers(limit=limit), request.user)
    return [card(p) for p in papers]


@router.get("/{kind}/{slug}", response=PeriodOut)
def period(request, kind: str, slug: str, sort: str = "trending", page: int = 1):
    """A day (YYYY-MM-DD), week (YYYY-Www) or month (YYYY-MM): curated picks first (days), then the papers."""
    if kind not in periods.KINDS:
        raise ApiError(404, "not_found", "use /day/YYYY-MM-DD, /week/YYYY-Www or /month/YYYY-MM")
    if sort not in listing.SORTS:
        raise ApiError(422, "bad_sort", f"sort must be one of {', '.join(listing.SORTS)}")
    try:
        span = periods.parse(kind, slug)
    except ValueError:
        raise ApiError(422, "bad_period", f"{slug!r} is not a {kind}; use YYYY-MM-DD, YYYY-Www or YYYY-MM") from None
    picks = listing.picks_of(span.start) if kind == "day" else []
    pages = Paginator(listing.ids_in(span, sort, exclude=[p.paper_id for p in picks]), PAGE_SIZE)
    if not 1 <= page <= max(pages.num_pages, 1):
        raise ApiError(404, "no_such_page", f"page must be between 1 and {max(pages.num_pages, 1)}")
    offset = (page - 1) * PAGE_SIZE
    shown, picked = listing.page_of_cards(listing.cards(pages.get_page(page)), picks, request.user, offset)
    return {
        "kind": kind, "period": span.slug, "start": span.start, "end": span.end, "sort": sort, "page": page,
        "pages": pages.num_pages, "total": pages.count + len(picks),
        "curated": [card(p) for p in picked], "papers": [card(p) for p in shown],
    }  # fmt: skip
