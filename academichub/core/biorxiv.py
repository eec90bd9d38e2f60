"""bioRxiv / medRxiv ``details`` API responses to ``PaperRecord``.

Two endpoints (https://api.biorxiv.org/):

- ``/details/{server}/{from}/{to}/{cursor}``: every version posted in a date
  interval, 100 per page; the ``messages`` block carries ``cursor``,
  ``count`` (items on this page) and ``total``. The next page starts at
  ``cursor + count``; the list is complete when that reaches ``total``.
- ``/details/{server}/{doi}``: every version of one preprint.

Each *version* is a separate item, so a page can hold v2 and v3 of one
preprint. Items of the same DOI are merged into one record with one
``Version`` per item; the newest version supplies the title, abstract and
authors. ``published`` holds the journal DOI once the preprint has
appeared in a journal ("NA" until then) and becomes ``published_doi``.

Schemes chosen here:

- ``venue``: "bioRxiv" or "medRxiv" (the item's ``server``).
- ``categories``: ``"{server}:{category}"``, lower-case with spaces as
  hyphens, e.g. "biorxiv:neuroscience",
  "medrxiv:psychiatry-and-clinical-psychology".
- ``source_ids``: ``{"biorxiv": doi}`` or ``{"medrxiv": doi}``.
- ``license``: bioRxiv's codes become Creative Commons URLs (the servers
  use the 4.0 licences); ``cc_no`` ("no reuse without permission") and
  unknown codes are kept as the server wrote them.
- URLs are the site's own: ``https://www.biorxiv.org/content/{doi}v{n}``,
  with ``.full.pdf`` and ``.full`` (full text) for the latest version.

Authors arrive as "Family, I.; Family, I." and are turned into the
hub's "Given Family" order; the corresponding author's institution is
the only affiliation the API gives, placed against that author when the
name can be matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from academichub.core.crossref import load_json
from academichub.core.dedup import bare_doi, doi_key
from academichub.core.errors import ParseError
from academichub.core.records import PaperRecord, Version, as_int, as_text, iso_day, squashed

SOURCE = "bioRxiv API"
DEFAULT_BASE = "https://api.biorxiv.org"
SERVERS = {"biorxiv": ("bioRxiv", "https://www.biorxiv.org"), "medrxiv": ("medRxiv", "https://www.medrxiv.org")}
LICENSES = {
    "cc_by": "https://creativecommons.org/licenses/by/4.0/",
    "cc_by_nc": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc_by_nd": "https://creativecommons.org/licenses/by-nd/4.0/",
    "cc_by_nc_nd": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc0_ng": "https://creativecommons.org/publicdomain/zero/1.0/",
}
_EMPTY_STATUSES = ("no posts found",)


@dataclass
class DetailsPage:
    """One ``details`` response. ``cursor``/``count``/``total`` are None for a by-DOI look-up."""

    records: list[PaperRecord] = field(default_factory=list)
    cursor: int | None = None
    count: int | None = None
    total: int | None = None
    status: str = ""
    skipped: list[str] = field(default_factory=list)  # items that could not be read, with why

    @property
    def next_cursor(self) -> int | None:
        """Where the next page starts, or None when this page ends the list."""
        if self.cursor is None or self.total is None or not self.count:
            return None
        following = self.cursor + self.count
        return following if following < self.total else None

    @property
    def done(self) -> bool:
        return self.next_cursor is None


def parse_details(data: bytes, server: str = "biorxiv") -> DetailsPage:
    """Parse a ``details`` response (interval or DOI); versions of one DOI become one record."""
    server = _checked_server(server)
    body = load_json(data, source=SOURCE)
    if not isinstance(body, dict) or not isinstance(body.get("collection", []), list):
        raise ParseError("not a details response (no 'collection' list); check the endpoint", source=SOURCE)
    page = _page_info(body.get("messages"))
    items = body.get("collection") or []
    if not items and page.status and page.status.lower() not in ("ok", *_EMPTY_STATUSES):
        raise ParseError(f"the API answered {page.status!r}; check the server, dates and cursor",
                         source=SOURCE)  # fmt: skip
    groups: dict[str, list[dict]] = {}
    for item in items:
        key = doi_key(item.get("doi")) if isinstance(item, dict) else ""
        if not key:
            page.skipped.append(f"item {len(groups) + len(page.skipped)}: no DOI")
            continue
        groups.setdefault(key, []).append(item)
    for versions in groups.values():
        try:
            page.records.append(merge_versions(versions, server))
        except ValueError as exc:
            page.skipped.append(f"{bare_doi(versions[0].get('doi'))}: {exc}")
    return page


def _page_info(messages) -> DetailsPage:
    """cursor/count/total from the first message; the API sends them as ints or strings."""
    message = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], dict) else {}
    return DetailsPage(cursor=as_int(message.get("cursor")), count=as_int(message.get("count")),
                       total=as_int(message.get("total")), status=squashed(message.get("status")))  # fmt: skip


def merge_versions(items: list[dict], server: str = "biorxiv") -> PaperRecord:
    """The items of one DOI (one per version) as one record; the newest version leads."""
    versions: dict[int, date | None] = {}
    for item in items:
        number = as_int(item.get("version"))
        if number is None or number < 1:
            raise ValueError(f"bad version {item.get('version')!r}")
        versions[number] = versions.get(number) or iso_day(item.get("date"))
    latest = max(items, key=lambda item: as_int(item.get("version")) or 0)
    record = _record(latest, server)
    record.versions = [Version(n, versions[n]) for n in sorted(versions)]
    newest_first = sorted(items, key=lambda item: -(as_int(item.get("version")) or 0))
    record.published_doi = next((d for d in (bare_doi(_published(i)) for i in newest_first) if d), "")
    return record


def _record(item: dict, server: str) -> PaperRecord:
    """Fields of the newest version's item."""
    key = _server_of(item, server)
    venue, site = SERVERS[key]
    doi = bare_doi(item.get("doi"))
    version = as_int(item.get("version")) or 1
    authors = _authors(item.get("authors"))
    base = f"{site}/content/{doi}v{version}"
    return PaperRecord(
        doi=doi,
        title=squashed(item.get("title")),
        abstract=as_text(item.get("abstract")),
        authors=authors,
        categories=[category_code(key, item.get("category"))] if squashed(item.get("category")) else [],
        license=LICENSES.get(squashed(item.get("license")).lower(), squashed(item.get("license"))),
        abs_url=base,
        pdf_url=f"{base}.full.pdf",
        html_url=f"{base}.full",
        venue=venue,
        affiliations=_affiliations(authors, item),
        source_ids={key: doi},
    )


def category_code(server: str, category: str | None) -> str:
    """('biorxiv', 'Scientific Communication and Education') -> 'biorxiv:scientific-communication-and-education'."""
    slug = "-".join(squashed(category).lower().split())
    return f"{server.lower()}:{slug}"


def _server_of(item: dict, default: str) -> str:
    """The item's own ``server`` field wins over the caller's guess."""
    named = squashed(item.get("server")).lower()
    return named if named in SERVERS else default


def _published(item: dict) -> str:
    value = squashed(item.get("published"))
    return "" if value.upper() in ("NA", "N/A", "NONE") else value


# -- authors -------------------------------------------------------------------


def display_name(name: str) -> str:
    """'Janzen, D. L. I.' -> 'D. L. I. Janzen'; a name without a comma is kept as written."""
    text = squashed(name)
    if "," not in text:
        return text
    family, given = (p.strip() for p in text.split(",", 1))
    return squashed(f"{given} {family}") if given else family


def _authors(value) -> list[str]:
    """The API's 'Family, I.; Family, I.' list in "Given Family" order."""
    parts = value.split(";") if isinstance(value, str) else []
    return [n for n in (display_name(p) for p in parts) if n]


def _affiliations(authors: list[str], item: dict) -> list[str]:
    """The corresponding author's institution against that author, when exactly one matches.

    "Alejandro  Colman-Lerner" is matched to "A. Colman-Lerner" by family name;
    with no match (or two authors of that name) nothing is guessed.
    """
    institution = squashed(item.get("author_corresponding_institution"))
    family = squashed(item.get("author_corresponding")).split(" ")[-1].lower() if institution else ""
    if not family or family == "na":
        return []
    matches = [i for i, a in enumerate(authors) if a.lower().split(" ")[-1] == family]
    if len(matches) != 1:
        return []
    return [institution if i == matches[0] else "" for i in range(len(authors))]


# -- paging ----------------------------------------------------------------------


def follow_cursor(page: DetailsPage, seen: set[int]) -> int | None:
    """The cursor of the next request, or None when the harvest is complete.

    ``seen`` holds the cursors already requested (the caller keeps it, e.g.
    in the run's checkpoint) and is updated here. A cursor that does not move
    forward, or comes round again, would make the harvest loop forever; an
    empty page before ``total`` is reached means the listing changed under
    us. Both raise ``ParseError`` (codes ``cursor_loop`` and ``empty_page``)
    so the run stops with its checkpoint instead of silently ending early.
    """
    if page.cursor is not None:
        seen.add(page.cursor)
    if page.cursor is not None and page.total is not None and not page.records and not page.count:
        if page.cursor < page.total:
            raise ParseError(f"page at cursor {page.cursor} is empty but the total is {page.total}; "
                             "the listing changed, restart the interval later", source=SOURCE,
                             code="empty_page")  # fmt: skip
        return None
    following = page.next_cursor
    if following is None:
        return None
    if following in seen or (page.cursor is not None and following <= page.cursor):
        raise ParseError(f"cursor {following} was already requested (after cursor {page.cursor}); "
                         "the paging is looping, stopping", source=SOURCE, code="cursor_loop")  # fmt: skip
    return following


# -- request URLs ------------------------------------------------------------------


def build_details_url(base: str = DEFAULT_BASE, server: str = "biorxiv", from_date: date | str | None = None,
                      until: date | str | None = None, cursor: int = 0) -> str:  # fmt: skip
    """``{base}/details/{server}/{from}/{until}/{cursor}``; dates validated, not passed blindly."""
    server = _checked_server(server)
    start, end = _day(from_date), _day(until)
    if not start or not end:
        raise ValueError("both from_date and until are needed for an interval")
    if start > end:
        raise ValueError(f"from_date ({start}) is after until ({end})")
    if not isinstance(cursor, int) or cursor < 0:
        raise ValueError(f"cursor must be an integer >= 0, not {cursor!r}")
    return f"{base.rstrip('/')}/details/{server}/{start}/{end}/{cursor}"


def build_doi_url(base: str = DEFAULT_BASE, server: str = "biorxiv", doi: str = "") -> str:
    """``{base}/details/{server}/{doi}``: all versions of one preprint."""
    server = _checked_server(server)
    bare = bare_doi(doi)
    if not bare:
        raise ValueError(f"not a DOI: {doi!r}")
    return f"{base.rstrip('/')}/details/{server}/{bare}"


def _checked_server(server: str) -> str:
    key = (server or "").strip().lower()
    if key not in SERVERS:
        raise ValueError(f"server must be one of {sorted(SERVERS)}, not {server!r}")
    return key


# -- small helpers -------------------------------------------------------------------


def _day(value: date | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    return date.fromisoformat(str(value).strip()[:10]).isoformat()
