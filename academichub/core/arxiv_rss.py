"""arXiv's daily RSS 2.0 feeds (rss.arxiv.org/rss/cs.CV, .../rss/cs.CV+cs.AI).

The feed is the cheapest way to learn one announcement day: every item is a
paper announced that day, typed ``new``, ``cross``, ``replace`` or
``replace-cross`` (https://info.arxiv.org/help/rss_specifications.html).

Each item's ``<description>`` is not the abstract: arXiv prefixes it with
``arXiv:2606.18521v1 Announce Type: cross`` and ``Abstract:``. That prefix is
removed here, always, because leaving it in (a known defect of a competing
tool) pollutes the abstract shown, indexed and embedded.

The primary category is not marked in RSS; categories keep the feed's order.
An item carries no submission dates, so versions are undated and the record's
``announced`` day is the channel's ``pubDate`` day (in arXiv's own time zone).
An empty channel is a valid, empty feed: weekends and arXiv holidays have no
items, and only the caller knows whether emptiness is suspicious.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from academichub.core import arxiv_ids
from academichub.core.arxiv_oai import split_authors
from academichub.core.errors import ParseError, parse_xml
from academichub.core.records import PaperRecord, Version

SOURCE = "arXiv RSS"
ARXIV = "http://arxiv.org/schemas/atom"
DC = "http://purl.org/dc/elements/1.1/"
ATOM = "http://www.w3.org/2005/Atom"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")

# "arXiv:2606.18521v1 Announce Type: replace-cross \nAbstract: ..." (any spacing / case)
# Every part is optional, so a description missing "Abstract:" still loses its prefix.
_PREFIX = re.compile(
    r"^\s*(?:(?:arXiv:\s*(?P<id>\S+)\s+)?Announce\s+Type:\s*(?P<type>[\w-]+)\s*)?(?:Abstract:\s*)?",
    re.IGNORECASE,
)


@dataclass
class RssFeed:
    """One day's feed. ``announced`` is the channel's pubDate day (None if absent)."""

    records: list[PaperRecord] = field(default_factory=list)
    announced: date | None = None
    title: str = ""
    last_build: datetime | None = None
    skipped: list[str] = field(default_factory=list)  # items that could not be read, with why


def parse_rss(data: bytes) -> RssFeed:
    """Parse an rss.arxiv.org RSS 2.0 feed; ``ParseError`` if it is not one."""
    root = parse_xml(data, source=SOURCE)
    channel = _channel(root)
    feed = RssFeed(
        announced=_day(channel.findtext("pubDate")),
        title=_squash(channel.findtext("title")),
        last_build=_datetime(channel.findtext("lastBuildDate")),
    )
    for item in channel.iterfind("item"):
        try:
            feed.records.append(_record(item, feed.announced))
        except ValueError as exc:
            label = _squash(item.findtext("guid") or item.findtext("link") or "item")
            feed.skipped.append(f"{label}: {exc}")
    return feed


def _channel(root):
    """The RSS channel, or a ParseError naming what arrived instead."""
    tag = str(root.tag)
    if tag == f"{{{ATOM}}}feed":
        raise ParseError("this is an Atom feed, not RSS; use https://rss.arxiv.org/rss/<category>",
                         source=SOURCE)  # fmt: skip
    channel = root.find("channel") if tag == "rss" else None
    if channel is None:
        raise ParseError(f"not an RSS feed (root element <{tag.rsplit('}', 1)[-1]}>); the service "
                         "may have answered with an error page, try again later", source=SOURCE)  # fmt: skip
    return channel


def _record(item, channel_day: date | None) -> PaperRecord:
    description = _text(item, "description")
    arxiv_id, version = _identity(item, description)
    announce_type = _announce_type(item, description)
    categories = [c for c in (_squash(_all_text(c)) for c in item.iterfind("category")) if c]
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=_squash(_text(item, "title")),
        abstract=clean_abstract(description),
        authors=split_authors(_text(item, f"{{{DC}}}creator")),
        categories=list(dict.fromkeys(categories)),
        license=_text(item, f"{{{DC}}}rights").strip(),
        versions=[Version(version or 1, None)],
        announced=channel_day or _day(_text(item, "pubDate")),
        announce_type=announce_type,
        abs_url=arxiv_ids.abs_url(arxiv_id),
        pdf_url=arxiv_ids.pdf_url(arxiv_id),
    )


def _identity(item, description: str) -> tuple[str, int | None]:
    """(id, version) from the guid ``oai:arXiv.org:2606.18521v1``, else the description, else the link."""
    guid = _text(item, "guid").strip()
    candidates = [guid.rsplit(":", 1)[-1] if guid else "", _PREFIX.match(description).group("id") or "",
                  _text(item, "link").strip()]  # fmt: skip
    found = [p for p in (arxiv_ids.split_id(c) for c in candidates if c) if p]
    if not found:
        raise ValueError("no arXiv identifier in guid, description or link")
    arxiv_id = found[0][0]
    version = next((v for i, v in found if i == arxiv_id and v), None)
    return arxiv_id, version


def _announce_type(item, description: str) -> str:
    """``arxiv:announce_type``, falling back to the description prefix; must be a known type."""
    value = _text(item, f"{{{ARXIV}}}announce_type").strip().lower()
    if not value:
        value = (_PREFIX.match(description).group("type") or "").lower()
    if value not in ANNOUNCE_TYPES:
        raise ValueError(f"unknown announce type {value!r}")
    return value


def clean_abstract(description: str) -> str:
    """The abstract without arXiv's "arXiv:…vN Announce Type: … Abstract:" prefix.

    Public so other code paths that meet raw RSS descriptions can apply the
    same rule; whitespace inside the abstract is kept as arXiv sent it.
    """
    text = description or ""
    return text[_PREFIX.match(text).end():].strip()  # the pattern matches at least ""


def _text(item, tag: str) -> str:
    element = item.find(tag)
    return _all_text(element) if element is not None else ""


def _all_text(element) -> str:
    return "".join(element.itertext())


def _squash(value: str | None) -> str:
    return " ".join((value or "").split())


def _datetime(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value.strip()) if value and value.strip() else None
    except (TypeError, ValueError, IndexError):
        return None


def _day(value: str | None) -> date | None:
    """RFC 822 date -> its calendar day in its own zone ('Tue, 30 Jun 2026 00:00:00 -0400' -> 2026-06-30)."""
    parsed = _datetime(value)
    return parsed.date() if parsed else None
