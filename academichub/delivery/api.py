"""JSON API: the catalogue's papers, their citation exports, and who the caller is.

``GET /api/papers`` lists papers newest first with cursor pagination
(``academichub.api.pagination``), filtered by category and announcement day;
``GET /api/papers/{id}`` takes an arXiv id (any version or URL form), a DOI or
the numeric id, as the paper page does; ``GET /api/papers/export`` writes
BibTeX, RIS or CSL-JSON for up to 100 papers. ``GET /api/me`` says who a
token or session belongs to (a quick check for scripts).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from academichub.api.auth import personal_auth
from academichub.api.pagination import CursorParams, page_schema, paginate
from academichub.api.schemas import errors
from academichub.api.site import ApiError
from academichub.core import exports
from academichub.delivery import citations
from academichub.papers.models import Category, Paper, PaperCategory
from academichub.web import queries

papers = Router(tags=["papers"])
account = Router(tags=["account"])

ORDERING = ("-announced", "-id")
Format = Literal["bibtex", "ris", "csl-json"]


class PaperOut(Schema):
    id: int
    arxiv_id: Optional[str]
    doi: Optional[str]
    title: str = Field(description="Display text: Unicode, math kept as $…$ for KaTeX.")
    authors: list[str]
    abstract: str
    categories: list[str] = Field(description="Primary first.")
    primary_category: Optional[str]
    announced: Optional[date]
    published: Optional[date]
    updated: Optional[date]
    version: int
    journal_ref: str
    journal_doi: str
    venue: Optional[str]
    url: str = Field(description="The paper's page on this hub.")
    abs_url: str
    pdf_url: str


PaperPage = page_schema(PaperOut)


class PaperFilters(CursorParams):
    category: Optional[str] = Field(None, description="A category code such as cs.CV (cross-lists included).",
                                    max_length=100)  # fmt: skip
    day: Optional[date] = Field(None, description="Announcement day, YYYY-MM-DD.")


def paper_out(request: HttpRequest, paper: Paper) -> dict:
    path = reverse("web:paper", args=[paper.arxiv_id or str(paper.pk)])
    return {
        "id": paper.pk, "arxiv_id": paper.arxiv_id, "doi": paper.doi, "title": paper.title_text or paper.title,
        "authors": paper.author_list, "abstract": paper.abstract_text, "categories": citations.category_codes(paper),
        "primary_category": paper.primary_category_id, "announced": paper.announced, "published": paper.published,
        "updated": paper.updated, "version": paper.latest_version, "journal_ref": paper.journal_ref,
        "journal_doi": paper.journal_doi, "venue": paper.venue.name if paper.venue_id else None,
        "url": request.build_absolute_uri(path), "abs_url": paper.abs_url, "pdf_url": paper.pdf_url,
    }  # fmt: skip


def listing(category: str | None = None, day: date | None = None):
    """Papers newest first, optionally of one category and/or day (the category feeds use it too)."""
    queryset = citations.with_citation_data(Paper.objects.all())
    if category:
        if not Category.objects.filter(code=category).exists():
            raise ApiError(404, "unknown_category", f"no category {category!r}; use a code such as cs.CV")
        # EXISTS, not a join: the planner then walks the (announced, id) index newest first and
        # stops after one page, instead of sorting every paper of a big category (300 ms → 1 ms).
        in_category = PaperCategory.objects.filter(paper=OuterRef("pk"), category_id=category)
        queryset = queryset.filter(Exists(in_category))
    if day:
        queryset = queryset.filter(announced=day)
    return queryset


@papers.get("", response={200: PaperPage, **errors(400, 404, 422)}, summary="List papers (newest first)")
def list_papers(request: HttpRequest, filters: Query[PaperFilters]):
    """Newest announcement first. Page with ``cursor`` = the previous page's ``next_cursor``."""
    page = paginate(listing(filters.category, filters.day), ORDERING, filters)
    page["items"] = [paper_out(request, paper) for paper in page["items"]]
    return page


EXPORT_RESPONSES = {
    200: {
        "description": "The citations, as a file download.",
        "content": {media.split(";")[0]: {"schema": {"type": "string"}} for _w, media, _e in exports.FORMATS.values()},
    }
}


@papers.get("/export", response={**errors(400, 404, 422)}, summary="Export citations (BibTeX, RIS, CSL-JSON)",
            openapi_extra={"responses": EXPORT_RESPONSES})  # fmt: skip
def export(request: HttpRequest, id: Query[list[str]], format: Format = "bibtex"):  # noqa: A002 (the API's words)
    """Citations of one or more papers (repeat ``id``, up to 100), in the order given."""
    identifiers = [i for i in (value.strip() for value in id) if i]
    if not identifiers or len(identifiers) > citations.MAX_SELECTION:
        raise ApiError(400, "bad_selection", f"give between 1 and {citations.MAX_SELECTION} paper ids")
    found, missing = citations.find_selection(identifiers)
    if missing:
        raise ApiError(404, "not_found", "no paper for: " + ", ".join(missing[:10]))
    return export_response([citations.citation_of(p) for p in found], format)


def export_response(items: list[exports.Citation], fmt: str) -> HttpResponse:
    """The file: its media type, and a name from the first citation's key ("wu2026sorting.bib")."""
    _writer, media, extension = exports.FORMATS[fmt]
    name = exports.citation_keys(items)[0] if len(items) == 1 else "citations"
    response = HttpResponse(exports.render(fmt, items), content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@papers.get("/{path:identifier}", response={200: PaperOut, **errors(404)}, summary="One paper")
def paper_detail(request: HttpRequest, identifier: str):
    """By arXiv id (2506.01234, 2506.01234v2, arXiv:…, an arxiv.org URL), DOI (10.… or doi:10.…) or id."""
    paper = queries.find_paper(identifier)
    if paper is None:
        raise ApiError(404, "not_found", f"no paper {identifier[:100]!r}; use an arXiv id, a DOI or a numeric id")
    return paper_out(request, paper)


class MeOut(Schema):
    username: str
    auth: Literal["token", "session"]
    token_name: Optional[str] = None


@account.get("", response={200: MeOut, **errors(401)}, auth=personal_auth, summary="Who am I")
def me(request: HttpRequest):
    """The user a token (or the session) acts for: a quick check that a token works."""
    token = getattr(request, "access_token", None)
    return {"username": request.auth.get_username(), "auth": "token" if token else "session",
            "token_name": token.name if token else None}  # fmt: skip
