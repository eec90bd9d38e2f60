"""arXiv Export API (export.arxiv.org/api/query) Atom responses to ``PaperRecord``.

The API is for look-ups (by id list or search query), not bulk harvesting.
Both the current format (2025-) and the legacy one (namespace declarations
on every ``arxiv:``/``opensearch:`` element, ``<published>`` before
``<title>``) are plain Atom, so one namespace-aware parser reads both.

An entry only names its latest version (``.../abs/2301.00306v4``) and two
dates: ``published`` (v1) and ``updated`` (that latest version). So a record
gets ``Version(1, published)`` and, when the latest is v2 or later,
``Version(n, updated)``; intermediate versions are unknown here.

A bad query makes arXiv answer HTTP 400 with a one-entry feed whose ``<id>``
is ``https://arxiv.org/api/errors#...``; ``parse_api`` turns that entry into a
``ParseError`` carrying arXiv's own message rather than a fake paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from academichub.core import arxiv_ids
from academichub.core.arxiv_oai import first_doi
from academichub.core.errors import ParseError, parse_xml
from academichub.core.records import PaperRecord, Version

SOURCE = "arXiv API"
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
MAX_RESULTS_PER_CALL = 2000  # arXiv's documented per-request ceiling
_A, _X, _S = f"{{{ATOM}}}", f"{{{ARXIV}}}", f"{{{OPENSEARCH}}}"


@dataclass
class ApiPage:
    """One API response page; ``total_results`` lets the caller page with ``start``."""

    records: list[PaperRecord] = field(default_factory=list)
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None
    skipped: list[str] = field(default_factory=list)  # entries that could not be read, with why


def parse_api(data: bytes) -> ApiPage:
    """Parse an Export API Atom feed; raises ``ParseError`` for arXiv's error entries."""
    root = parse_xml(data, source=SOURCE)
    if root.tag != f"{_A}feed":
        raise ParseError(f"not an Atom feed (root element <{str(root.tag).rsplit('}', 1)[-1]}>); "
                         "check the API URL", source=SOURCE)  # fmt: skip
    entries = list(root.iterfind(f"{_A}entry"))
    _raise_for_error_entry(entries)
    page = ApiPage(
        total_results=_int(root.findtext(f"{_S}totalResults")),
        start_index=_int(root.findtext(f"{_S}startIndex")),
        items_per_page=_int(root.findtext(f"{_S}itemsPerPage")),
    )
    for entry in entries:
        try:
            page.records.append(_record(entry))
        except ValueError as exc:
            page.skipped.append(f"{_text(entry, 'id') or 'entry without id'}: {exc}")
    return page


def _raise_for_error_entry(entries: list) -> None:
    """arXiv reports a bad query as an entry whose id points into /api/errors."""
    for entry in entries:
        entry_id = _text(entry, "id")
        if "/api/errors" in entry_id:
            message = _text(entry, "summary") or _text(entry, "title") or "unknown error"
            code = entry_id.split("#", 1)[1] if "#" in entry_id else None
            raise ParseError(f"arXiv rejected the query: {message}; fix the query or id list "
                             "(retrying will not help)", source=SOURCE, code=code)  # fmt: skip


def _record(entry) -> PaperRecord:
    parsed = arxiv_ids.split_id(_text(entry, "id"))
    if parsed is None:
        raise ValueError(f"not an arXiv abstract URL: {_text(entry, 'id')!r}")
    arxiv_id, latest = parsed[0], parsed[1] or 1
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=first_doi(_text(entry, f"{_X}doi")),
        title=_squash(_text(entry, "title")),
        abstract=_text(entry, "summary").strip(),
        authors=[_squash(a.findtext(f"{_A}name")) for a in entry.iterfind(f"{_A}author")],
        categories=_categories(entry),
        comments=_squash(_text(entry, f"{_X}comment")),
        journal_ref=_squash(_text(entry, f"{_X}journal_ref")),
        license=_license(entry),
        versions=_versions(latest, _day(_text(entry, "published")), _day(_text(entry, "updated"))),
        abs_url=arxiv_ids.abs_url(arxiv_id),
        pdf_url=arxiv_ids.pdf_url(arxiv_id) if _has_pdf(entry) else "",
    )


def _versions(latest: int, published: date | None, updated: date | None) -> list[Version]:
    """v1 dated by ``published``; the latest version (if later) dated by ``updated``."""
    versions = [Version(1, published)]
    if latest > 1:
        versions.append(Version(latest, updated))
    return versions


def _categories(entry) -> list[str]:
    """Primary category first (``arxiv:primary_category``), then the rest in feed order."""
    primary = entry.find(f"{_X}primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [c.get("term") for c in entry.iterfind(f"{_A}category")]
    return list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))


def _has_pdf(entry) -> bool:
    return any(link.get("title") == "pdf" or link.get("type") == "application/pdf"
               for link in entry.iterfind(f"{_A}link"))  # fmt: skip


def _license(entry) -> str:
    """The licence when the feed carries one (none of the recorded responses do)."""
    element = entry.find(f"{_X}license")
    if element is not None:
        return "".join(element.itertext()).strip()
    for link in entry.iterfind(f"{_A}link"):
        if link.get("rel") == "license":
            return (link.get("href") or "").strip()
    return ""


# -- request parameters ------------------------------------------------------


def build_query_params(id_list: Iterable[str] | str | None = None, search_query: str | None = None,
                       start: int = 0, max_results: int = 100, sort_by: str | None = None,
                       sort_order: str | None = None) -> dict[str, str]:  # fmt: skip
    """Query parameters for ``/api/query``; validated so a typo fails here, not at arXiv.

    ``id_list`` may be a list or a comma-separated string; ids may carry a
    version. With both ``id_list`` and ``search_query`` arXiv returns the ids
    that match the query.
    """
    ids = [id_list] if isinstance(id_list, str) else list(id_list or [])
    ids = [i.strip() for chunk in ids for i in chunk.split(",") if i.strip()]
    if not ids and not (search_query or "").strip():
        raise ValueError("give id_list or search_query (arXiv returns nothing for neither)")
    if start < 0 or not 1 <= max_results <= MAX_RESULTS_PER_CALL:
        raise ValueError(f"start must be >= 0 and max_results in 1..{MAX_RESULTS_PER_CALL}")
    params = {"start": str(start), "max_results": str(max_results)}
    if search_query and search_query.strip():
        params["search_query"] = search_query.strip()
    if ids:
        params["id_list"] = ",".join(ids)
    if sort_by:
        _check(sort_by, {"relevance", "lastUpdatedDate", "submittedDate"}, "sort_by")
        params["sortBy"] = sort_by
    if sort_order:
        _check(sort_order, {"ascending", "descending"}, "sort_order")
        params["sortOrder"] = sort_order
    return params


def _check(value: str, allowed: set[str], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")


# -- small helpers -----------------------------------------------------------


def _text(entry, tag: str) -> str:
    """Text of the first child ``tag`` (Atom namespace unless one is given)."""
    element = entry.find(tag if tag.startswith("{") else f"{_A}{tag}")
    return "".join(element.itertext()) if element is not None else ""


def _squash(value: str | None) -> str:
    return " ".join((value or "").split())


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _day(value: str) -> date | None:
    """'2016-05-26T17:59:46Z' -> date(2016, 5, 26), in the timestamp's own zone."""
    try:
        return datetime.fromisoformat(value.strip()).date() if value.strip() else None
    except ValueError:
        return None
