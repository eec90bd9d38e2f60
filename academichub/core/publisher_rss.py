"""Publisher table-of-contents feeds (Nature, Science, Cell Press, APS …) to ``PaperRecord``.

Journals announce new articles in RSS 1.0 (RDF, nature.com and APS), RSS
2.0 (Cell Press, Science) or Atom, usually with Dublin Core (``dc:``) and
PRISM (``prism:``) metadata. ``feedparser`` reads all of them; it is
given the bytes as a file object, so it never treats the body as a URL to
fetch, and it does not resolve external entities.

Per entry:

- DOI: ``prism:doi``, else ``dc:identifier`` ("doi:10.…"), else the link
  (a doi.org or link.aps.org/doi URL, or a nature.com/articles/<suffix>
  page, whose DOI prefix is 10.1038), else a "doi:10.…" in the summary.
- Authors: one ``dc:creator`` per author (Nature) or one comma/"and"
  separated ``dc:creator`` (APS), split with arXiv's author splitter.
- Summary: HTML is reduced to text (never kept as markup), and the
  publishers' boilerplate is removed: Nature's "Nature, Published online:
  …; doi:…" line, APS's "Author(s): …" line and "[Phys. Rev. Lett. …]
  Published …" trailer.
- Date: ``prism:publicationDate``, else ``dc:date``, else the entry's
  published/updated date.

A body that is not a feed raises ``ParseError``. feedparser's ``bozo`` flag
(the XML had an error) only raises when no entry could be read into a
record: a feed cut short after 40 good items still gives those 40.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from academichub.core.arxiv_oai import split_authors
from academichub.core.crossref import jats_to_text
from academichub.core.dedup import bare_doi
from academichub.core.errors import ParseError
from academichub.core.records import PaperRecord, Version

SOURCE = "publisher feed"
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>&]+)")
_NATURE_ARTICLE = re.compile(r"^https?://(?:www\.)?nature\.com/articles/([a-z0-9][\w.-]+)$", re.IGNORECASE)
_NATURE_PREFIX = re.compile(r"^[^\n;]{0,160}Published online:[^\n;]*;\s*(?:doi:\s*\S+)?\s*", re.IGNORECASE)
_APS_AUTHORS = re.compile(r"^Author\(s\):[^\n]*(?:\n+|$)")
_APS_TRAILER = re.compile(r"\s*\[[^\]\n]{3,120}\]\s*Published\s[^\n]*$")


def parse_feed(data: bytes, venue: str = "") -> list[PaperRecord]:
    """Parse a publisher's RSS/Atom feed; ``venue`` names the journal for every record."""
    import feedparser  # a hard dependency; imported here so importing this module stays cheap

    _refuse_non_feeds(data)
    try:
        feed = feedparser.parse(io.BytesIO(bytes(data)), resolve_relative_uris=False, sanitize_html=True)
    except (UnicodeError, ValueError, LookupError) as exc:  # feedparser trips on some broken encoding declarations
        raise ParseError(f"the feed's encoding cannot be read ({exc.__class__.__name__}); "
                         "if it was cut short, fetch it again", source=SOURCE) from exc  # fmt: skip
    entries = feed.get("entries") or []
    if feed.get("bozo") and not entries:
        raise ParseError(f"the body is not a readable feed ({feed.get('bozo_exception')}); "
                         "if it was cut short, fetch it again", source=SOURCE)  # fmt: skip
    if not feed.get("version") and not entries:
        raise ParseError("the body is not an RSS or Atom feed; check the feed URL", source=SOURCE)
    channel = feed.get("feed") or {}
    venue = venue or _text(channel.get("prism_publicationname")) or _text(channel.get("title"))
    issn = _text(channel.get("prism_issn")) or _text(channel.get("prism_eissn"))
    records = []
    for entry in entries:
        record = entry_record(entry, venue, issn)
        if record is not None:
            records.append(record)
    if feed.get("bozo") and not records:
        raise ParseError(f"the feed is broken and no entry could be read ({feed.get('bozo_exception')}); "
                         "if it was cut short, fetch it again", source=SOURCE)  # fmt: skip
    return records


def _refuse_non_feeds(data: bytes) -> None:
    """Empty bodies and HTML pages: feedparser would return an empty, non-bozo result."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"{SOURCE}: expected the raw response bytes, got {type(data).__name__}")
    head = bytes(data[:512]).lstrip().lower()
    if not head:
        raise ParseError("the response body is empty; the service may be having problems, try again later",
                         source=SOURCE)  # fmt: skip
    if head.startswith((b"<!doctype html", b"<html")):
        raise ParseError("the publisher answered with an HTML page instead of a feed (an error, "
                         "a login or a bot check); try again later or check the feed URL", source=SOURCE)  # fmt: skip


def entry_record(entry, venue: str = "", issn: str = "") -> PaperRecord | None:
    """One feedparser entry -> ``PaperRecord``; None when it has no title."""
    title = _squash(jats_to_text(_text(entry.get("title"))))
    if not title:
        return None
    summary_html = _summary_html(entry)
    authors = _authors(entry)
    doi = find_doi(entry, summary_html)
    link = _text(entry.get("prism_url")) or _text(entry.get("link"))
    return PaperRecord(
        doi=doi or None,
        title=title,
        abstract=clean_summary(summary_html, authors),
        authors=authors,
        journal_ref=_journal_ref(entry, venue),
        versions=[Version(1, entry_date(entry))],
        abs_url=link or (f"https://doi.org/{doi}" if doi else ""),
        venue=_text(entry.get("prism_publicationname")) if not venue else venue,
        issn=_text(entry.get("prism_issn")) or _text(entry.get("prism_eissn")) or issn,
    )


def find_doi(entry, summary_html: str = "") -> str:
    """The entry's DOI from PRISM, Dublin Core, the link, or the summary; '' if none."""
    for value in (_text(entry.get("prism_doi")), _text(entry.get("dc_identifier")), _text(entry.get("id"))):
        doi = bare_doi(value)
        if doi:
            return doi
    for link in (_text(entry.get("prism_url")), _text(entry.get("link")), _text(entry.get("id"))):
        doi = _doi_from_link(link)
        if doi:
            return doi
    match = _DOI_IN_TEXT.search(summary_html)
    return match.group(1).rstrip(".,;)") if match else ""


def _doi_from_link(link: str) -> str:
    """doi.org and link.aps.org/doi URLs carry the DOI; nature.com/articles/<suffix> implies 10.1038."""
    nature = _NATURE_ARTICLE.match(link.split("?")[0])
    if nature:
        return f"10.1038/{nature.group(1)}"
    if "/doi/" not in link and "doi.org/" not in link:
        return ""
    match = _DOI_IN_TEXT.search(link.split("?")[0])
    return match.group(1).rstrip(".,;)") if match else ""


def _summary_html(entry) -> str:
    """The description, or the first content block when a feed only has ``content:encoded``."""
    summary = _text(entry.get("summary"))
    if summary:
        return summary
    contents = entry.get("content") or []
    return _text(contents[0].get("value")) if contents and isinstance(contents[0], dict) else ""


def clean_summary(summary_html: str, authors: list[str] | None = None) -> str:
    """The summary as plain text, with the publishers' boilerplate lines removed."""
    text = jats_to_text(summary_html)
    text = _NATURE_PREFIX.sub("", text, count=1)
    text = _APS_AUTHORS.sub("", text, count=1)
    text = _APS_TRAILER.sub("", text)
    return text.strip()


def _authors(entry) -> list[str]:
    """One name per ``dc:creator``; a single creator holding a list ("A, B, and C") is split."""
    names = [_squash(a.get("name")) for a in entry.get("authors") or [] if isinstance(a, dict)]
    names = [n for n in names if n] or ([_squash(entry.get("author"))] if _text(entry.get("author")) else [])
    if len(names) == 1 and ("," in names[0] or " and " in names[0]):
        return split_authors(names[0])
    return list(dict.fromkeys(names))


def entry_date(entry) -> date | None:
    """``prism:publicationDate``, ``dc:date``, then feedparser's published/updated dates."""
    for key in ("prism_publicationdate", "prism_coverdate", "dc_date", "published", "updated"):
        day = _parse_day(_text(entry.get(key)))
        if day:
            return day
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except ValueError:  # feedparser keeps impossible fields, e.g. year 0 from dc:date 0000-01-01
                continue
    return None


def _parse_day(value: str) -> date | None:
    """ISO 8601 ('2024-05-20', '2024-05-20T10:00:00-04:00') or RFC 822 ('Mon, 20 May 2024 …')."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _journal_ref(entry, venue: str) -> str:
    """'Physical Review Letters 136, 016401 (2026)' from PRISM volume/page, else ``dc:source``."""
    volume, page = _text(entry.get("prism_volume")), _text(entry.get("prism_startingpage"))
    day = entry_date(entry)
    if volume and venue:
        text = f"{venue} {volume}" + (f", {page}" if page else "")
        return f"{text} ({day.year})" if day else text
    source = _squash(entry.get("dc_source"))
    return "" if "doi:" in source.lower() or "published online" in source.lower() else source


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _squash(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
