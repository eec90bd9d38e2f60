"""Hugging Face Daily Papers (``/api/daily_papers?date=YYYY-MM-DD``) as popularity signals.

The Daily Papers list is a community pick of arXiv papers, upvoted and
discussed on huggingface.co/papers. It is not a source of papers (every
item is an arXiv paper the hub already has from arXiv itself), so it is
parsed into ``HfPaper`` signals keyed by arXiv id, not into records.

The response is a JSON list of items; the field names are those of the
API's OpenAPI description (``paper.id``, ``paper.upvotes``,
``paper.publishedAt``, ``numComments``, ``submittedBy.name`` …). The
submitting organisation, when there is one, is an object with ``name``
(the handle) and ``fullname``, found on the item or on the paper.

Two dates exist: ``paper.publishedAt`` (the paper's own date, which the
page prints) and the item's ``publishedAt`` (when it was put on the
list); both are kept. Items whose ``paper.id`` is not an arXiv id are
left out (the list is arXiv-only; anything else is not ours to match).
An error answer (``{"error": "…"}``) raises ``ParseError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from academichub.core import arxiv_ids
from academichub.core.crossref import load_json
from academichub.core.errors import ParseError
from academichub.core.records import as_text

SOURCE = "Hugging Face Daily Papers"


@dataclass(frozen=True)
class HfPaper:
    """One Daily Papers item: how much attention an arXiv paper got there."""

    arxiv_id: str
    title: str
    upvotes: int
    submitted_by: str  # the submitter's handle ("" when the API gives none)
    published_at: datetime | None  # the paper's date (paper.publishedAt)
    num_comments: int = 0
    organization: str = ""  # the claiming organisation's handle, "" when none
    listed_at: datetime | None = None  # when the item went on the list (item publishedAt)
    organization_name: str = ""  # the organisation's display name


def parse_daily(data: bytes) -> list[HfPaper]:
    """Parse a ``/api/daily_papers`` response into signals, in the API's order."""
    body = load_json(data, source=SOURCE)
    if isinstance(body, dict):
        message = body.get("error") or body.get("message") or "an object instead of a list"
        raise ParseError(f"the API answered {message!r}; check the date parameter (YYYY-MM-DD)",
                         source=SOURCE)  # fmt: skip
    if not isinstance(body, list):
        raise ParseError("the response is not a list of papers", source=SOURCE)
    papers = [paper for paper in (_paper(item) for item in body) if paper is not None]
    if body and not papers:
        raise ParseError(f"none of the {len(body)} items has an arXiv paper id; the response format "
                         "may have changed", source=SOURCE)  # fmt: skip
    return papers


def _paper(item) -> HfPaper | None:
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        return None
    paper = item["paper"]
    parsed = arxiv_ids.split_id(as_text(paper.get("id")))
    if parsed is None:
        return None
    organization = _organization(item, paper)
    return HfPaper(
        arxiv_id=parsed[0],
        title=" ".join((as_text(paper.get("title")) or as_text(item.get("title"))).split()),
        upvotes=_count(paper.get("upvotes")),
        submitted_by=_handle(item.get("submittedBy")) or _handle(paper.get("submittedOnDailyBy")),
        published_at=_datetime(paper.get("publishedAt")),
        num_comments=_count(item.get("numComments")),
        organization=as_text(organization.get("name")),
        listed_at=_datetime(item.get("publishedAt")),
        organization_name=as_text(organization.get("fullname")),
    )


def _organization(item: dict, paper: dict) -> dict:
    for value in (item.get("organization"), paper.get("organization")):
        if isinstance(value, dict) and as_text(value.get("name")):
            return value
    return {}


def _handle(user) -> str:
    return as_text(user.get("name")) if isinstance(user, dict) else ""


def _count(value) -> int:
    """Upvotes and comments are numbers (the schema says float); anything else counts as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return max(0, int(value))


def _datetime(value) -> datetime | None:
    """'2026-06-29T13:25:38.000Z' -> an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def build_daily_params(day: date | str) -> dict[str, str]:
    """``?date=YYYY-MM-DD``; the day is validated so a typo fails here."""
    text = day.isoformat()[:10] if isinstance(day, date) else date.fromisoformat(str(day).strip()).isoformat()
    return {"date": text}
