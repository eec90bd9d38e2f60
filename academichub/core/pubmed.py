"""PubMed E-utilities responses (``esearch`` and ``efetch``) to ``PaperRecord``.

The harvest is two calls (https://www.ncbi.nlm.nih.gov/books/NBK25499/):
``esearch`` finds PMIDs (JSON or XML; with ``usehistory=y`` it also
returns ``WebEnv``/``QueryKey`` for fetching the results in batches), and
``efetch`` returns a ``PubmedArticleSet`` of full records.

What needs care in a record:

- ``ArticleTitle`` and ``AbstractText`` carry inline markup (``<i>``,
  ``<sup>``, ``<sub>``, MathML); it is flattened to text as PubMed's own
  text display does ("m<sup>6</sup>A" -> "m6A").
- Structured abstracts have one ``AbstractText`` per section with a
  ``Label``; they become "LABEL: text" paragraphs separated by a blank line.
- Authors are ``LastName``/``ForeName``/``Initials``/``Suffix`` or a
  ``CollectiveName``; each may have several ``AffiliationInfo``.
- ``PubDate`` is Year/Month/Day, Year/Season, or free text in
  ``MedlineDate`` ("1998 Dec-1999 Jan"); the electronic ``ArticleDate`` is
  often earlier and exact, so the first appearance is the earlier of the two.
- Identifiers live in ``PubmedData/ArticleIdList``; the reference list has
  ``ArticleIdList`` elements too, which must not be mistaken for the
  article's own.

``source_ids`` holds ``pmid`` (always) and ``pmcid`` when the article is in
PubMed Central.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from academichub.core.crossref import load_json
from academichub.core.dedup import bare_doi
from academichub.core.errors import ParseError, parse_xml
from academichub.core.records import PaperRecord, Version, as_int, as_list, as_text, id_text

SOURCE = "PubMed E-utilities"
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}  # fmt: skip
MAX_RETMAX = 10_000  # esearch returns at most 10,000 ids per query
SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


class EsearchResult(NamedTuple):
    """What ``esearch`` found: unpacks as ``ids, count, webenv, query_key``."""

    ids: list[str]
    count: int | None
    webenv: str | None
    query_key: str | None


# -- esearch -----------------------------------------------------------------------


def parse_esearch(data: bytes) -> EsearchResult:
    """Parse an ``esearch`` response in JSON (``retmode=json``) or XML (the default)."""
    head = bytes(data[:64]).lstrip() if isinstance(data, (bytes, bytearray)) else b""
    if head.startswith(b"<") and not head.lower().startswith((b"<!doctype html", b"<html")):
        return _esearch_xml(data)
    return _esearch_json(data)


def _esearch_json(data: bytes) -> EsearchResult:
    body = load_json(data, source=SOURCE)
    if isinstance(body, dict) and body.get("error") and "esearchresult" not in body:
        raise ParseError(f"E-utilities answered an error: {body.get('error')}; "
                         f"{_hint(str(body.get('error')))}", source=SOURCE)  # fmt: skip
    result = body.get("esearchresult") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise ParseError("not an esearch response (no 'esearchresult'); check the endpoint", source=SOURCE)
    error = result.get("ERROR") or result.get("error")
    if error:
        raise ParseError(f"esearch rejected the query: {error}; fix the search term", source=SOURCE)
    ids = [id_text(i) for i in as_list(result.get("idlist")) if _is_pmid(id_text(i))]
    return EsearchResult(ids, as_int(result.get("count")), as_text(result.get("webenv")) or None,
                         as_text(result.get("querykey")) or None)  # fmt: skip


def _esearch_xml(data: bytes) -> EsearchResult:
    root = _root(data)
    if root.tag != "eSearchResult":
        raise ParseError(f"not an esearch response (root element <{root.tag}>); check the endpoint",
                         source=SOURCE)  # fmt: skip
    error = _flat(root.find("ERROR"))
    if error:
        raise ParseError(f"esearch rejected the query: {error}; fix the search term", source=SOURCE)
    ids = [_flat(i) for i in root.iterfind("IdList/Id") if _is_pmid(_flat(i))]
    return EsearchResult(ids, as_int(root.findtext("Count")), _flat(root.find("WebEnv")) or None,
                         _flat(root.find("QueryKey")) or None)  # fmt: skip


def _root(data: bytes):
    """The parsed XML root; a well-formed HTML page is still an error page, not a result."""
    root = parse_xml(data, source=SOURCE)
    if str(root.tag).lower().rsplit("}", 1)[-1] == "html":
        raise ParseError("the service answered with an HTML page instead of XML (an error or maintenance "
                         "page); try again later", source=SOURCE)  # fmt: skip
    return root


def _hint(message: str) -> str:
    if "rate limit" in message.lower():
        return "slow down (3 requests/s without an API key, 10 with one)"
    return "check the request"


# -- efetch ------------------------------------------------------------------------


def parse_efetch(data: bytes) -> list[PaperRecord]:
    """Parse an ``efetch`` ``PubmedArticleSet``; articles without a PMID are left out.

    Book records (``PubmedBookArticle``) are not papers in the hub's sense
    and are skipped; an empty set is a valid answer (all ids withdrawn).
    """
    root = _root(data)
    if root.tag != "PubmedArticleSet":
        error = _flat(root.find(".//ERROR"))
        detail = f": {error}" if error else f" (root element <{root.tag}>)"
        raise ParseError(f"not a PubmedArticleSet{detail}; check the ids and retmode=xml", source=SOURCE)
    records = []
    for article in root.iterfind("PubmedArticle"):
        record = _record(article)
        if record is not None:
            records.append(record)
    return records


def _record(article) -> PaperRecord | None:
    citation = article.find("MedlineCitation")
    pmid = _flat(citation.find("PMID")) if citation is not None else ""
    body = citation.find("Article") if citation is not None else None
    if not _is_pmid(pmid) or body is None:
        return None
    ids = _article_ids(article)
    doi = ids.get("doi") or _elocation_doi(body)
    authors, affiliations = _authors(body.find("AuthorList"))
    journal = body.find("Journal")
    source_ids = {"pmid": pmid, **({"pmcid": ids["pmc"]} if ids.get("pmc") else {})}
    return PaperRecord(
        doi=doi or None,
        title=_flat(body.find("ArticleTitle")) or _flat(body.find("VernacularTitle")),
        abstract=abstract_text(body.find("Abstract")),
        authors=authors,
        affiliations=affiliations if any(affiliations) else [],
        journal_ref=_journal_ref(journal, body),
        versions=[Version(1, first_appearance(body))],
        abs_url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        html_url=f"https://pmc.ncbi.nlm.nih.gov/articles/{ids['pmc']}/" if ids.get("pmc") else "",
        venue=_flat(journal.find("Title")) if journal is not None else "",
        issn=_issn(journal, citation),
        source_ids=source_ids,
    )


def _article_ids(article) -> dict[str, str]:
    """The article's own ids (``PubmedData/ArticleIdList``), never those of its references."""
    found: dict[str, str] = {}
    for element in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind, value = (element.get("IdType") or "").lower(), _flat(element)
        if kind and value and kind not in found:
            found[kind] = bare_doi(value) if kind == "doi" else value
    return {k: v for k, v in found.items() if v}


def _elocation_doi(body) -> str:
    for element in body.iterfind("ELocationID"):
        if (element.get("EIdType") or "").lower() == "doi" and element.get("ValidYN", "Y") != "N":
            return bare_doi(_flat(element))
    return ""


def abstract_text(abstract) -> str:
    """Sections as "LABEL: text" paragraphs, blank-line separated; the copyright line left out."""
    if abstract is None:
        return ""
    paragraphs = []
    for section in abstract.iterfind("AbstractText"):
        text = _flat(section)
        label = (section.get("Label") or "").strip()
        if text:
            paragraphs.append(f"{label}: {text}" if label else text)
    return "\n\n".join(paragraphs)


def _authors(author_list) -> tuple[list[str], list[str]]:
    """"ForeName LastName Suffix" (or a CollectiveName) and the joined affiliations."""
    authors, affiliations = [], []
    for author in author_list.iterfind("Author") if author_list is not None else []:
        if author.get("ValidYN") == "N":
            continue  # a name the record itself marks as wrong (kept by NLM for history)
        name = _flat(author.find("CollectiveName")) or _person(author)
        if not name:
            continue
        authors.append(name)
        places = [_flat(a) for a in author.iterfind("AffiliationInfo/Affiliation")]
        affiliations.append("; ".join(p for p in places if p))
    return authors, affiliations


def _person(author) -> str:
    given = _flat(author.find("ForeName")) or _flat(author.find("Initials"))
    parts = (given, _flat(author.find("LastName")), _flat(author.find("Suffix")))
    return " ".join(p for p in parts if p)


def first_appearance(body) -> date | None:
    """The earlier of the issue's ``PubDate`` and the electronic ``ArticleDate``."""
    days = [pub_date(body.find("Journal/JournalIssue/PubDate"))]
    days += [_ymd(d) for d in body.iterfind("ArticleDate")]
    known = [d for d in days if d]
    return min(known) if known else None


def pub_date(element) -> date | None:
    """Year/Month/Day, Year/Season or ``MedlineDate`` ("1998 Dec-1999 Jan", "2000 Spring")."""
    if element is None:
        return None
    if element.find("Year") is not None:
        return _ymd(element)
    text = _flat(element.find("MedlineDate"))
    match = re.match(r"\s*(\d{4})(?:\s+([A-Za-z]+))?", text)
    if not match:
        return None
    return _safe_date(int(match.group(1)), _month(match.group(2)) or 1, 1)


def _ymd(element) -> date | None:
    year = as_int(element.findtext("Year"))
    if year is None:
        return None
    month = _month(element.findtext("Month")) or SEASONS.get(_flat(element.find("Season")).lower()) or 1
    return _safe_date(year, month, as_int(element.findtext("Day")) or 1)


def _month(value: str | None) -> int | None:
    text = as_text(value).lower()
    number = as_int(text)
    if number is not None:
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text[:3]) or SEASONS.get(text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    for candidate in ((year, month, day), (year, month, 1), (year, 1, 1)):
        try:
            return date(*candidate)
        except (ValueError, OverflowError):  # out of range: a day past the month's end, a year like 10**20
            continue
    return None


def _issn(journal, citation) -> str:
    """The journal's ISSN as printed in the record, else the linking ISSN."""
    if journal is not None:
        for element in journal.iterfind("ISSN"):
            if _flat(element):
                return _flat(element)
    return _flat(citation.find("MedlineJournalInfo/ISSNLinking")) if citation is not None else ""


def _journal_ref(journal, body) -> str:
    """'Palliat Med 37(2):275-290 (2023)' from the journal issue and pagination."""
    if journal is None:
        return ""
    name = _flat(journal.find("ISOAbbreviation")) or _flat(journal.find("Title"))
    volume = _flat(journal.find("JournalIssue/Volume"))
    issue = _flat(journal.find("JournalIssue/Issue"))
    pages = _flat(body.find("Pagination/MedlinePgn"))
    day = pub_date(journal.find("JournalIssue/PubDate"))
    text = " ".join(p for p in (name, volume + (f"({issue})" if issue else "")) if p)
    text = f"{text}:{pages}" if pages and text else text
    return f"{text} ({day.year})" if text and day else text


# -- request parameters -----------------------------------------------------------------


def build_esearch_params(term: str, mindate: date | str | None = None, maxdate: date | str | None = None,
                         retmax: int = 500, datetype: str = "pdat", api_key: str | None = None,
                         tool: str = "academichub", email: str | None = None) -> dict[str, str]:  # fmt: skip
    """``esearch`` with ``usehistory=y`` so the results can be fetched in batches."""
    if not term.strip():
        raise ValueError("give a search term")
    if not 0 <= retmax <= MAX_RETMAX:
        raise ValueError(f"retmax must be in 0..{MAX_RETMAX}")
    params = {"db": "pubmed", "term": term.strip(), "retmode": "json", "retmax": str(retmax),
              "usehistory": "y", "tool": tool}  # fmt: skip
    if mindate or maxdate:
        params.update({"datetype": datetype, "mindate": _slashed(mindate or "1800-01-01"),
                       "maxdate": _slashed(maxdate or "3000-12-31")})  # fmt: skip
    for key, value in (("api_key", api_key), ("email", email)):
        if value:
            params[key] = value
    return params


def _slashed(value: date | str) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    return date.fromisoformat(text[:10]).strftime("%Y/%m/%d")


# -- small helpers ---------------------------------------------------------------------


def _flat(element) -> str:
    """All text inside an element (inline markup flattened), whitespace folded."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _is_pmid(value: str) -> bool:
    """PMIDs are ASCII digits ("²" and "١٢" pass ``str.isdigit`` but are not ids)."""
    return value.isascii() and value.isdigit()
