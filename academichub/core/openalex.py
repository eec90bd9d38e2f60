"""OpenAlex ``/works`` responses to ``PaperRecord``.

OpenAlex (https://docs.openalex.org) joins Crossref, PubMed, arXiv and
repositories into one work per paper, which makes it the widest net for
journals outside the curated list. Pages are fetched with cursor paging
(``cursor=*``, then ``meta.next_cursor``); OpenAlex now asks every request
for an ``api_key``.

What needs care:

- The abstract is not sent as text but as ``abstract_inverted_index``
  (word -> positions), for legal reasons; ``rebuild_abstract`` puts it
  back in order, skipping gaps and ignoring malformed positions.
- ``doi`` and ``ids`` are URLs (``https://doi.org/…``,
  ``https://pubmed.ncbi.nlm.nih.gov/…``) and are stored bare.
- The arXiv id is not an ``ids`` field in practice: it shows up as a
  location (``pmh:oai:arXiv.org:2308.11589``, ``http://arxiv.org/abs/…``)
  or as arXiv's DataCite DOI; any of those sets ``arxiv_id``.

Scheme chosen here: ``categories`` are OpenAlex topics, primary topic
first, as ``"openalex:" + slug`` of the topic's name (lower-case, words
joined by hyphens), e.g. "openalex:technology-enhanced-education-studies";
works without topics (older records) fall back to their scored concepts
in the same form. ``source_ids`` holds ``openalex`` (the W id), and
``pmid``/``pmcid``/``mag`` when given. ``license`` is OpenAlex's own code
("cc-by", "cc-by-nc-sa" …), because it does not say which version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from academichub.core import arxiv_ids
from academichub.core.crossref import jats_to_text, load_json
from academichub.core.dedup import arxiv_id_from_doi, bare_doi
from academichub.core.errors import ParseError
from academichub.core.records import (PaperRecord, Version, as_dict, as_int, as_list, as_text, dicts, first_text,
                                      id_text, iso_day)  # fmt: skip

SOURCE = "OpenAlex"
MAX_PER_PAGE = 200  # OpenAlex's documented ceiling for per-page
MAX_ABSTRACT_WORDS = 20_000  # far beyond any abstract; a bigger index is broken or hostile
_ARXIV_HOSTS = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/", re.IGNORECASE)


@dataclass
class OpenAlexPage:
    """One ``/works`` page. ``next_cursor`` is None at the end (or with page-based paging)."""

    records: list[PaperRecord] = field(default_factory=list)
    next_cursor: str | None = None
    count: int | None = None
    skipped: list[str] = field(default_factory=list)  # works that could not be read, with why


def parse_works(data: bytes) -> OpenAlexPage:
    """Parse a ``/works`` list response; OpenAlex error bodies raise ``ParseError``."""
    body = load_json(data, source=SOURCE)
    if isinstance(body, dict) and body.get("error"):
        raise _error(body)
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ParseError("not a works list (no 'results' array); check the endpoint", source=SOURCE)
    meta = as_dict(body.get("meta"))
    page = OpenAlexPage(next_cursor=as_text(meta.get("next_cursor")) or None, count=as_int(meta.get("count")))
    for work in body["results"]:
        try:
            page.records.append(parse_work(work))
        except ValueError as exc:
            label = work.get("id") if isinstance(work, dict) else None
            page.skipped.append(f"{label or 'work without id'}: {exc}")
    return page


def _error(body: dict) -> ParseError:
    """OpenAlex's ``{"error": …, "message": …}`` (bad filter, missing or wrong api_key …)."""
    message = " ".join(f"{as_text(body.get('error'))} {as_text(body.get('message'))}".split())
    hint = ("check the api_key" if re.search(r"api[_ ]?key|unauthori|forbidden", message, re.I)
            else "fix the query parameters")  # fmt: skip
    return ParseError(f"OpenAlex rejected the request: {message}; {hint} (retrying will not help)",
                      source=SOURCE, code=as_text(body.get("error")) or None)  # fmt: skip


def parse_work(work: dict) -> PaperRecord:
    """One OpenAlex work -> ``PaperRecord``; ``ValueError`` without an id or a title."""
    if not isinstance(work, dict) or not as_text(work.get("id")):
        raise ValueError("no OpenAlex id")
    title = " ".join(jats_to_text(as_text(work.get("title")) or as_text(work.get("display_name"))).split())
    if not title:
        raise ValueError("no title")
    doi = bare_doi(as_text(work.get("doi")) or as_text(as_dict(work.get("ids")).get("doi")))
    primary = as_dict(work.get("primary_location"))
    source = as_dict(primary.get("source"))
    authors, affiliations = _authorships(work.get("authorships"))
    return PaperRecord(
        arxiv_id=find_arxiv_id(work),
        doi=doi or None,
        title=title,
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        authors=authors,
        affiliations=affiliations if any(affiliations) else [],
        categories=categories(work),
        license=as_text(primary.get("license")),
        versions=[Version(1, iso_day(work.get("publication_date")))],
        abs_url=as_text(primary.get("landing_page_url")) or (f"https://doi.org/{doi}" if doi else ""),
        pdf_url=as_text(primary.get("pdf_url")) or as_text(as_dict(work.get("best_oa_location")).get("pdf_url")),
        venue=as_text(source.get("display_name")),
        issn=as_text(source.get("issn_l")) or first_text(source.get("issn")),
        source_ids=_source_ids(work),
    )


def rebuild_abstract(index) -> str:
    """{'Since': [0], 'the': [2, 43]} -> 'Since … the …': the abstract in word order.

    Robust to what real indexes contain: missing positions (gaps are simply
    closed), the same position twice (the first word wins), non-integer or
    negative positions (ignored) and absurdly large indexes (cut at
    ``MAX_ABSTRACT_WORDS`` entries, so a broken record cannot eat memory:
    positions are sorted, never used to size a list).
    """
    if not isinstance(index, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(word, str) or not isinstance(positions, list):
            continue
        for position in positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                placed.setdefault(position, word)
                if len(placed) >= MAX_ABSTRACT_WORDS:
                    return _join(placed)
    return _join(placed)


def _join(placed: dict[int, str]) -> str:
    return " ".join(" ".join(placed[p] for p in sorted(placed)).split())


def find_arxiv_id(work: dict) -> str | None:
    """The arXiv id from ``ids.arxiv``, an arXiv DOI, or an arXiv location (landing page,
    PDF, or the OAI-PMH id ``pmh:oai:arXiv.org:…``); None when the work has none."""
    ids = as_dict(work.get("ids"))
    candidates = [as_text(ids.get("arxiv")), arxiv_id_from_doi(as_text(work.get("doi"))) or ""]
    for location in _locations(work):
        candidates += _location_candidates(location)
    for candidate in candidates:
        parsed = arxiv_ids.split_id(candidate) if candidate else None
        if parsed:
            return parsed[0]
    return None


def _location_candidates(location: dict) -> list[str]:
    """Strings in one location that can name an arXiv paper (only arXiv's own forms)."""
    ident = as_text(location.get("id"))
    found = [ident.rsplit(":", 1)[-1]] if ident.lower().startswith("pmh:oai:arxiv.org:") else []
    for url in (as_text(location.get("landing_page_url")), as_text(location.get("pdf_url")), ident):
        if _ARXIV_HOSTS.match(url):
            found.append(url)
        found.append(arxiv_id_from_doi(url) or "")
    return found


def _locations(work: dict) -> list[dict]:
    return dicts([work.get("primary_location"), work.get("best_oa_location"), *as_list(work.get("locations"))])


def categories(work: dict) -> list[str]:
    """Topics (primary first) as 'openalex:<slug>'; scored concepts when a work has no topics."""
    topics = dicts([work.get("primary_topic"), *as_list(work.get("topics"))])
    names = [as_text(t.get("display_name")) for t in topics]
    if not any(names):
        names = [as_text(c.get("display_name")) for c in dicts(work.get("concepts")) if _score(c) > 0]
    return list(dict.fromkeys(f"openalex:{slug(n)}" for n in names if slug(n)))


def _score(concept: dict) -> float:
    """A concept's relevance score; a missing or non-numeric score counts as 0."""
    score = concept.get("score")
    return score if isinstance(score, (int, float)) and not isinstance(score, bool) else 0


def slug(name: str) -> str:
    """'Technology-Enhanced Education Studies' -> 'technology-enhanced-education-studies'."""
    return "-".join(re.findall(r"[^\W_]+", name.lower()))


def _authorships(authorships) -> tuple[list[str], list[str]]:
    """Display names and, aligned, their institutions (raw affiliation strings as a fallback)."""
    authors, affiliations = [], []
    for entry in dicts(authorships):
        author = as_dict(entry.get("author"))
        name = " ".join((as_text(author.get("display_name")) or as_text(entry.get("raw_author_name"))).split())
        if not name:
            continue
        places = [as_text(i.get("display_name")) for i in dicts(entry.get("institutions"))]
        places = [p for p in places if p] or [as_text(s) for s in as_list(entry.get("raw_affiliation_strings"))]
        authors.append(name)
        affiliations.append("; ".join(dict.fromkeys(p for p in places if p)))
    return authors, affiliations


def _source_ids(work: dict) -> dict[str, str]:
    """The W id and the other identifiers OpenAlex lists, without their URL prefixes."""
    ids = as_dict(work.get("ids"))
    found = {"openalex": as_text(work.get("id")).rsplit("/", 1)[-1]}
    for key in ("pmid", "pmcid", "mag"):
        value = id_text(ids.get(key))
        if value:
            found[key] = value.rstrip("/").rsplit("/", 1)[-1]
    return found


# -- request parameters ------------------------------------------------------------


def build_works_params(filter: str | dict[str, str] | None = None, cursor: str = "*",
                       per_page: int = MAX_PER_PAGE, api_key: str | None = None,
                       mailto: str | None = None) -> dict[str, str]:  # noqa: A002 - OpenAlex's own name
    """Query parameters for ``/works`` with cursor paging.

    ``filter`` is OpenAlex's "key:value,key:value" string or a dict of the
    same; ``api_key`` is required by OpenAlex now, so a missing key fails
    here with a clear message instead of as a 4xx from the service.
    """
    if not (api_key or "").strip():
        raise ValueError("OpenAlex requires an api_key (free, from openalex.org settings)")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be in 1..{MAX_PER_PAGE}, not {per_page}")
    params = {"per-page": str(per_page), "cursor": cursor or "*", "api_key": api_key.strip()}
    text = _filter_text(filter)
    if text:
        params["filter"] = text
    if mailto:
        params["mailto"] = mailto.strip()
    return params


def _filter_text(value: str | dict[str, str] | None) -> str:
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            item = item.isoformat() if isinstance(item, date) else str(item)
            if "," in key or ":" in key:
                raise ValueError(f"bad filter key {key!r}")
            parts.append(f"{key}:{item}")
        return ",".join(parts)
    return (value or "").strip()
