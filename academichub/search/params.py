"""Reading search parameters from a request, once for the page and the API.

Why one reader: "the page and GET /api/search return the same results" can
only hold if both turn the same query string into the same engine call.
Bad values never fail: an unknown sort or a page number that is not a
number fall back to the defaults (the engine says so in its messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from academichub.search import engine

FILTER_NAMES = tuple(engine.FILTER_FIELDS)


@dataclass
class SearchParams:
    query: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    limit: int = engine.DEFAULT_LIMIT


def request_params(data) -> SearchParams:
    """``data`` is a QueryDict (request.GET) or a plain dict."""
    return SearchParams(query=_text(data.get("q")),
                        filters={name: _text(data.get(name)) for name in FILTER_NAMES if _text(data.get(name))},
                        sort=_text(data.get("sort")) or "relevance",
                        page=_number(data.get("page"), 1), limit=_number(data.get("limit"), engine.DEFAULT_LIMIT))  # fmt: skip


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
