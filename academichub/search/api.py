"""JSON API: ``GET /api/search`` (the search page's results) and ``GET /api/papers/{id}/similar``.

Both call the engine exactly as the page does (``search.views`` uses the same
``request_params``), so the page and the API always agree.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from academichub.api.site import ApiError
from academichub.core.facets import FACETS
from academichub.search import engine
from academichub.search.params import request_params

router = Router(tags=["search"])


@router.get("/search", summary="Hybrid keyword + semantic search")
def api_search(request: HttpRequest, q: str = "", category: str = "", after: str = "", before: str = "",
               year: str = "", source: str = "", venue: str = "", author: str = "", sort: str = "relevance",
               page: int = 1, limit: int = engine.DEFAULT_LIMIT) -> dict:  # fmt: skip
    """Same parameters and results as the /search page. Query syntax: "phrases", -exclusion, OR,
    au:Name, ti:, abs:, cat:cs.CV, year:2025, after:/before: dates, source:, venue:.
    Problems with the query come back in ``messages`` (the query is still searched)."""
    params = request_params(request.GET)
    return engine.search(params.query, filters=params.filters, sort=params.sort, page=params.page,
                         limit=params.limit).as_dict()  # fmt: skip


@router.get("/papers/{path:identifier}/similar", summary="Papers similar to one paper")
def api_similar(request: HttpRequest, identifier: str, limit: int = engine.SIMILAR_LIMIT, facet: str = "") -> dict:
    """Embedding neighbours fused with keyword overlap of the title. ``identifier``: an arXiv id, a DOI
    (doi:10....) or the catalogue's numeric id. ``facet``: background, method or result for papers alike
    in that respect (same problem, same method, similar results); empty for the whole paper."""
    from academichub.web.queries import find_paper

    paper = find_paper(identifier)
    if paper is None:
        raise ApiError(404, "not_found", f"no paper {identifier!r}; use an arXiv id, doi:<DOI> or a numeric id")
    if not 1 <= limit <= engine.MAX_LIMIT:
        raise ApiError(400, "bad_limit", f"limit must be between 1 and {engine.MAX_LIMIT}")
    if facet and facet not in FACETS:
        raise ApiError(400, "bad_facet", f"facet must be one of {', '.join(FACETS)} (or empty for the whole paper)")
    items = engine.similar_cached(paper, limit=limit, facet=facet or None)
    return {"paper": {"id": paper.pk, "arxiv_id": paper.arxiv_id, "title": paper.title_text}, "facet": facet or None,
            "results": [item.as_dict() for item in items]}  # fmt: skip
