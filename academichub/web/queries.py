"""Read-side queries the pages share (kept out of views so the API reuses them)."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from academichub.core import arxiv_ids
from academichub.papers.models import Paper, PaperVersion


def latest_day() -> date | None:
    return (Paper.objects.exclude(announced=None).order_by("-announced")
            .values_list("announced", flat=True).first())  # fmt: skip


def neighbour_days(day: date) -> tuple[date | None, date | None]:
    """The previous and next announcement days that have papers."""
    days = Paper.objects.exclude(announced=None)
    prev = days.filter(announced__lt=day).order_by("-announced").values_list("announced", flat=True).first()
    nxt = days.filter(announced__gt=day).order_by("announced").values_list("announced", flat=True).first()
    return prev, nxt


def papers_of_day(day: date) -> QuerySet[Paper]:
    return (Paper.objects.filter(announced=day).select_related("primary_category", "venue")
            .order_by("id"))  # fmt: skip


def find_paper(identifier: str) -> Paper | None:
    """A paper by arXiv id (any version or URL form), DOI (its own or its published version's), or id."""
    identifier = identifier.strip()
    parsed = arxiv_ids.split_id(identifier)
    query = Paper.objects.select_related("primary_category", "venue").prefetch_related(
        Prefetch("versions", queryset=PaperVersion.objects.order_by("number")), "paper_categories__category"
    )
    if parsed:
        return query.filter(arxiv_id=parsed[0]).first()
    if identifier.lower().startswith(("doi:", "10.")):
        doi = identifier.lower().removeprefix("doi:")
        return query.filter(doi=doi).first() or query.filter(published_doi=doi).first()
    if identifier.isdigit():
        return query.filter(pk=int(identifier)).first()
    return None
