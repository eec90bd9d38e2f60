"""The one storage layer: every source writes papers through `CatalogueWriter`.

A batch of `PaperRecord`s becomes papers, versions, authors, categories,
provenance and full-text rows in ONE transaction, with set-based SQL
(`executemany`, `IN (…)` look-ups per batch) instead of per-row ORM saves:
a bulk import of 275k papers is dominated by the database, not by Python.

One record per work. A record finds its paper by arXiv id, then DOI, then
by the links between versions (a preprint's ``published_doi``, a journal
work's ``preprint_doi``, a paper whose ``published_doi`` is the record's
DOI), and, when no identifier is shared, by ``title_key`` candidates that
`dedup.same_work` confirms (title, first author, year). A record of the
same identity as the paper's main record (``main_key``) updates it; a record
of another identity is *merged*: the preprint stays the main identity (its
arXiv id or bioRxiv DOI) and the journal version brings its DOI
(``published_doi``), venue and reference. Every merge is explained in
provenance (action "merged", with `same_work`'s reason) and kept as a
`Merge` row, so it can be undone (`academichub.papers.merging`).

A record whose content hash is unchanged is not written at all, which is
what makes re-running an import or a harvest a no-op.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from academichub.core import dedup, names, taxonomy, tex
from academichub.core.records import PaperRecord, Version
from academichub.papers import fulltext
from academichub.papers.models import subject_label
from academichub.papers.venues import VenueResolver, is_preprint_venue

CHUNK = 500  # ids per IN (...) list: well under SQLite's parameter limit
LOOKUP_CHUNK = 10_000  # keys per look-up of a batch's stored papers: one query per key kind per batch

# Paper columns a record sets, in SQL order (id and timestamps are separate).
PAPER_COLUMNS = (
    "arxiv_id", "doi", "published_doi", "title", "title_text", "abstract", "abstract_text",
    "authors_text", "comments", "journal_ref", "license", "primary_category_id", "venue_id",
    "published", "updated", "announced", "latest_version", "announce_type", "abs_url", "pdf_url",
    "html_url", "title_key", "main_key", "content_hash",
)  # fmt: skip
# Bookkeeping columns: never reported as changed fields.
_INTERNAL = frozenset({"content_hash", "title_key", "main_key"})
# What a journal version brings to its preprint; all its other fields only fill gaps.
_PUBLISHED_INFO = frozenset({"published_doi", "venue_id", "journal_ref"})
# Columns that describe the preprint's own announcements; a journal version never changes them.
_PREPRINT_ONLY = frozenset({"announced", "announce_type", "latest_version", "updated"})


@dataclass
class WriteStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    merged: int = 0  # of `updated`: records of another identity merged into a paper
    failures: list[dict] = field(default_factory=list)

    def add(self, other: "WriteStats") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.merged += other.merged
        self.failures.extend(other.failures[: max(0, 200 - len(self.failures))])


@dataclass
class PreparedBatch:
    """Records turned into rows, plus the ones that could not be stored."""

    items: list["_Prepared"]
    failures: list[dict] = field(default_factory=list)


@dataclass
class Signal:
    """One popularity signal for an arXiv paper on one day (Hugging Face Daily Papers)."""

    arxiv_id: str
    day: date
    upvotes: int = 0
    comments: int = 0
    submitted_by: str = ""
    organization: str = ""


def prepare_batch(records: Iterable[PaperRecord]) -> PreparedBatch:
    """Prepare records; the last copy of a work (same key) in one batch wins."""
    by_key: dict[str, _Prepared] = {}
    failures = []
    for record in records:
        identity = record.arxiv_id or (record.doi or "").lower()
        if not identity or not record.title.strip():
            label = identity or next((f"{k}:{v}" for k, v in record.source_ids.items() if v), "?")
            failures.append({"item": label, "reason": "no id or no title"})
            continue
        item = prepare(record)
        if not item.key:
            failures.append({"item": identity, "reason": "no id or no title"})
            continue
        by_key[item.key] = item
    return PreparedBatch(list(by_key.values()), failures)


@dataclass
class _Prepared:
    """A record turned into column values, authors and categories."""

    record: PaperRecord
    row: dict
    authors: list[tuple[str, str]]  # (key, display name)
    categories: list[str]
    key: str = ""  # "arxiv:<id>" or "doi:<doi>": the identity this record speaks for
    preprint_doi: str | None = None  # a journal work's preprint, from Crossref's relation
    secondary: bool = False  # another service's copy of an arXiv record (OpenAlex …): fills gaps only
    affiliations: list[str] = field(default_factory=list)  # aligned with authors; "" unknown


def _in_chunks(values: Sequence, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _lookup_chunk() -> int:
    """`LOOKUP_CHUNK`, or less when this SQLite library allows fewer parameters per statement."""
    if connection.vendor != "sqlite":
        return LOOKUP_CHUNK  # PostgreSQL takes up to 65,535 parameters
    import sqlite3

    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(CHUNK, min(LOOKUP_CHUNK, limit - 10))


def _marks(n: int) -> str:
    return ",".join(["%s"] * n)


def prepare(record: PaperRecord) -> _Prepared:
    """Derive clean text, author keys, category codes, identity and title key from a record."""
    authors, affiliations = [], []
    seen = set()
    for position, raw in enumerate(record.authors):
        key = names.name_key(raw)
        if key and key not in seen:
            seen.add(key)
            authors.append((fit_key(key, AUTHOR_KEY_LENGTH), clip(names.display_name(raw), AUTHOR_NAME_LENGTH)))
            affiliation = record.affiliations[position] if position < len(record.affiliations) else ""
            affiliations.append(clip(" ".join(str(affiliation or "").split()), AFFILIATION_LENGTH))
    codes = []
    for code in record.categories:
        norm = _category_code(code)
        if norm and norm not in codes:
            codes.append(norm)
    versions = sorted(record.versions, key=lambda v: v.number)
    doi, published_doi, key = _identity_of(record)
    row = {
        "arxiv_id": record.arxiv_id or None,
        "doi": doi,
        "published_doi": published_doi,
        "title": record.title.strip(),
        "title_text": tex.display_text(record.title),
        "abstract": record.abstract.strip(),
        "abstract_text": tex.display_text(record.abstract),
        "authors_text": "\n".join(name for _, name in authors),
        "comments": (record.comments or "").strip(),
        "journal_ref": (record.journal_ref or "").strip(),
        "license": (record.license or "").strip(),
        "primary_category_id": codes[0] if codes else None,
        "venue_id": None,  # resolved by the writer (it needs the database)
        "published": record.published,
        "updated": max((v.date for v in versions if v.date), default=record.published),
        "announced": record.announced,
        "latest_version": record.latest_version,
        "announce_type": record.announce_type or "",
        "abs_url": record.abs_url or "",
        "pdf_url": record.pdf_url or "",
        "html_url": record.html_url or "",
        "title_key": title_key(record.title),
        "main_key": key,
        "content_hash": record.content_hash(),
    }
    _fit_columns(row)
    secondary = bool(record.arxiv_id) and _role(key) == "preprint" and bool(record.venue or record.issn)
    preprint_doi = dedup.doi_key(record.source_ids.get("preprint_doi")) or None
    return _Prepared(record, row, authors, codes, key, preprint_doi, secondary, affiliations)


AUTHOR_KEY_LENGTH = AUTHOR_NAME_LENGTH = 255
AFFILIATION_LENGTH = 500
KEY_COLUMNS = {"arxiv_id", "doi", "published_doi", "title_key", "main_key"}
URL_COLUMNS = {"abs_url", "pdf_url", "html_url"}


def clip(text: str, limit: int) -> str:
    """Shorten text to limit characters (with an ellipsis): display columns only."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_key(key: str, limit: int) -> str:
    """Shorten an identity key to limit characters, keeping it unique: a long
    key keeps its start and gains a hash of the whole, so two long keys that
    share a start stay apart and the same key always maps to the same value."""
    if len(key) <= limit:
        return key
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return f"{key[: limit - 17]}#{digest}"


def _column_limits() -> dict[str, int]:
    """max_length of Paper's character columns (PostgreSQL enforces them; SQLite does not)."""
    global _LIMITS
    if _LIMITS is None:
        from academichub.papers.models import Paper

        _LIMITS = {f.attname: f.max_length for f in Paper._meta.concrete_fields
                   if f.get_internal_type() in ("CharField", "URLField") and f.max_length}  # fmt: skip
    return _LIMITS


_LIMITS: dict[str, int] | None = None


def _fit_columns(row: dict) -> None:
    """Make every value fit its column, so one odd record never fails a batch on PostgreSQL.

    Identity keys are hashed to fit, a URL that is too long is dropped (a cut
    URL is a broken link), other text is clipped."""
    for column, limit in _column_limits().items():
        value = row.get(column)
        if not isinstance(value, str) or len(value) <= limit:
            continue
        if column in KEY_COLUMNS:
            row[column] = fit_key(value, limit)
        else:
            row[column] = "" if column in URL_COLUMNS else clip(value, limit)


def _identity_of(record: PaperRecord) -> tuple[str | None, str | None, str]:
    """(doi, published_doi, key) of a record, all DOIs lower-case.

    A journal version speaks for its DOI ("doi:…"), even when Crossref names
    its arXiv preprint; a preprint speaks for its arXiv id or preprint DOI.
    arXiv's own DOI field names the journal version, so it is also the
    preprint's ``published_doi``. arXiv's DataCite DOI (10.48550/…) adds
    nothing to an arXiv id and is left out, so it never displaces a journal DOI.
    """
    doi = dedup.doi_key(record.doi) or None
    if doi and record.arxiv_id and dedup.arxiv_id_from_doi(doi):
        doi = None
    preprint_doi = dedup.doi_key(record.source_ids.get("preprint_doi")) or None
    published_doi = dedup.doi_key(record.published_doi) or None
    if _is_journal_version(record, doi):
        key = f"doi:{doi}"
        published_doi = doi if (record.arxiv_id or preprint_doi) else None
    else:
        key = f"arxiv:{record.arxiv_id}" if record.arxiv_id else (f"doi:{doi}" if doi else "")
        if not published_doi and record.arxiv_id and doi and not doi.startswith(dedup.PREPRINT_DOI_PREFIXES):
            published_doi = doi
    return doi, published_doi, key


def _is_journal_version(record: PaperRecord, doi: str | None) -> bool:
    """A published version: a non-preprint DOI from a source that names a (non-preprint) venue.

    arXiv's records carry no venue, so an arXiv record with a journal DOI
    is still the preprint; a Crossref, PubMed, OpenAlex or publisher-feed
    record with a journal DOI is the journal version.
    """
    if not doi or doi.startswith(dedup.PREPRINT_DOI_PREFIXES) or is_preprint_venue(record.venue):
        return False
    return not (record.arxiv_id and not (record.venue or record.issn))


def _role(key: str) -> str:
    """'published' for a journal DOI key, 'preprint' for arXiv ids and preprint-server DOIs."""
    if key.startswith("doi:") and not key[4:].startswith(dedup.PREPRINT_DOI_PREFIXES):
        return "published"
    return "preprint"


def title_key(title: str | None) -> str:
    """A digest of the normalised title, or '' when the title cannot identify a work.

    Only the title goes into the key: first author and year are checked by
    `dedup.same_work` on the candidates, which allows a year's gap between a
    preprint and its journal version and surnames split differently, and a
    fixed-length digest keeps the index small whatever the title's length.
    Short or generic titles ("Introduction", "Reply") get no key at all, so
    they are never even candidates.
    """
    normal = dedup.normalise_title(title)
    if (normal in dedup.GENERIC_TITLES or normal.startswith(_GENERIC_PREFIXES)
            or len(normal.split()) < dedup.MIN_TITLE_WORDS or len(normal) < dedup.MIN_TITLE_CHARS):  # fmt: skip
        return ""
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=16).hexdigest()


_GENERIC_PREFIXES = getattr(dedup, "_GENERIC_PREFIXES", ())

_SOURCE_CATEGORY = re.compile(r"^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9-]{0,90}$")


def _category_code(code: str) -> str | None:
    """An arXiv code (normalised) or a source's own scheme ("biorxiv:neuroscience").

    arXiv records also carry MSC/ACM classes ("68T07, 92C55", "I.2.10") in the
    category list; those are not subjects of the taxonomy and are left out.
    """
    code = (code or "").strip()
    return taxonomy.normalise_code(code) or (code if _SOURCE_CATEGORY.match(code) else None)


def _scheme(code: str | None) -> str:
    """'arxiv' for taxonomy codes, else the source prefix ('biorxiv', 'openalex')."""
    return code.split(":", 1)[0] if code and ":" in code else "arxiv"


def _subjects_win(old: str | None, new: str) -> bool:
    """Whether a record's subjects replace the stored ones: same scheme, or arXiv's own taxonomy
    (an OpenAlex topic never displaces an arXiv category; arXiv's category replaces a topic)."""
    return not old or _scheme(old) == _scheme(new) or _scheme(new) == "arxiv"


# -- merging one record into a stored paper -------------------------------------------------


def _merge(stored: dict, incoming: dict, keep_scheme: bool = True) -> tuple[dict, list[str]]:
    """Combine a stored paper with a newer record of the same work (the same identity).

    Non-empty incoming values win; empty ones keep what another source gave;
    the announcement day and first-version date keep the earliest value, so a
    `replace` announcement updates the version without moving the paper. A
    primary category of another scheme (an OpenAlex topic for an arXiv
    paper) does not replace the stored one (`_subjects_win`) unless
    `keep_scheme` is off.
    """
    merged, changed = dict(stored), []
    for column in PAPER_COLUMNS:
        new, old = incoming[column], stored[column]
        if column in ("announced", "published") and old and new:
            new = min(old, new)
        elif column == "latest_version":
            new = max(old or 1, new or 1)
        elif column == "updated" and old and new:
            new = max(old, new)
        elif column == "announce_type" and old == "new" and new.startswith("replace"):
            new = old if incoming["latest_version"] <= 1 else new
        elif column == "primary_category_id" and keep_scheme and new and not _subjects_win(old, new):
            continue
        if new in (None, "") or new == old:
            continue
        merged[column] = new
        if column not in _INTERNAL:
            changed.append(column)
    return merged, changed


def _attach(stored: dict, item: _Prepared, taken_dois: dict[str, dict]) -> tuple[dict, list[str]]:
    """Absorb a record of another identity into a stored paper that stays the main one.

    A journal version brings its DOI as ``published_doi``, its venue and its
    reference; every other field only fills what the paper lacks, so the
    preprint keeps its own title, abstract, links, versions and dates. A DOI
    that belongs to another paper is never copied (it is unique).
    """
    incoming, published = item.row, _role(item.key) == "published"
    merged, changed = dict(stored), []
    for column in PAPER_COLUMNS:
        if column in _INTERNAL or column in _PREPRINT_ONLY:
            continue
        new, old = incoming[column], stored[column]
        if column == "published":
            new = min(old, new) if old and new else (old or new)
        elif published and column == "published_doi":
            new = None if old else incoming["doi"]
        elif not (published and column in _PUBLISHED_INFO) and old not in (None, ""):
            continue
        if new in (None, "") or new == old:
            continue
        if column == "doi" and new in taken_dois and taken_dois[new]["id"] != stored["id"]:
            continue
        merged[column] = new
        changed.append(column)
    return merged, changed


def _takeover(stored: dict, item: _Prepared) -> tuple[dict, list[str]]:
    """A preprint arriving for a stored journal version becomes the main identity.

    The preprint's fields win (as for a newer record of one work), while the
    journal's DOI moves to ``published_doi`` and its venue and reference stay.
    """
    merged, _ = _merge(stored, item.row, keep_scheme=False)
    for column in ("venue_id", "journal_ref"):
        if stored[column] not in (None, ""):
            merged[column] = stored[column]
    merged["published_doi"] = item.row["published_doi"] or stored["doi"]
    merged["main_key"] = item.key
    changed = [c for c in PAPER_COLUMNS if c not in _INTERNAL and merged[c] != stored[c]]
    return merged, changed


# -- what a batch does to the catalogue -------------------------------------------------------


@dataclass
class _Found:
    """Stored papers a batch may match, indexed by every key a record can match on."""

    papers: dict[int, dict] = field(default_factory=dict)
    by_arxiv: dict[str, dict] = field(default_factory=dict)
    by_doi: dict[str, dict] = field(default_factory=dict)
    by_published: dict[str, list[dict]] = field(default_factory=dict)
    by_title: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, stored: dict) -> None:
        if stored["id"] in self.papers:
            return
        self.papers[stored["id"]] = stored
        if stored["arxiv_id"]:
            self.by_arxiv.setdefault(stored["arxiv_id"], stored)
        if stored["doi"]:
            self.by_doi.setdefault(stored["doi"], stored)
        if stored["published_doi"]:
            self.by_published.setdefault(stored["published_doi"], []).append(stored)
        if stored["title_key"]:
            self.by_title.setdefault(stored["title_key"], []).append(stored)

    def strongly_matched(self, row: dict) -> bool:
        return bool((row["arxiv_id"] and row["arxiv_id"] in self.by_arxiv) or (row["doi"] and row["doi"] in self.by_doi))


@dataclass
class _Plan:
    """One round of a batch: inserts, updates, merges; items that must wait for the next round."""

    fresh: list[_Prepared] = field(default_factory=list)
    updates: list[tuple[dict, _Prepared]] = field(default_factory=list)
    merges: list[tuple[dict, _Prepared, str]] = field(default_factory=list)
    absorbed: list[tuple[dict, _Prepared, dict]] = field(default_factory=list)
    deferred: list[_Prepared] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class _Touch:
    """Which children of a written paper to (re)write."""

    pid: int
    item: _Prepared
    row: dict
    authors: bool
    categories: bool
    versions: bool
    replace: bool


class CatalogueWriter:
    """Writes batches of records for one source (and run) into the catalogue.

    ``allow_merge=False`` matches on identifiers only (same arXiv id or DOI):
    undoing a merge writes the absorbed record back this way, so it cannot be
    merged again on the spot.
    """

    def __init__(self, source: str, run_id: int | None = None, allow_merge: bool = True):
        self.source = source
        self.run_id = run_id
        self.allow_merge = allow_merge
        self._known_categories: set[str] | None = None
        self._venues = VenueResolver()
        self._vetoes: set[tuple[int, str]] | None = None

    # -- public -----------------------------------------------------------
    def write(self, records: Iterable[PaperRecord], extra=None) -> WriteStats:
        """Store one batch atomically; `extra()` (a checkpoint) commits with it."""
        return self.write_prepared(prepare_batch(records), extra)

    def write_prepared(self, batch: "PreparedBatch", extra=None) -> WriteStats:
        """Like `write`, for a batch prepared elsewhere (e.g. in a worker process)."""
        stats = WriteStats(failed=len(batch.failures), failures=list(batch.failures))
        with transaction.atomic():
            with connection.cursor() as cursor:
                self._write_prepared(cursor, batch.items, stats)
            if extra is not None:
                extra()
        return stats

    def write_signals(self, signals: Iterable[Signal], extra=None) -> WriteStats:
        """Store popularity signals for papers already in the catalogue; never creates papers.

        Set-based like `write`: one look-up of the papers, one of the stored
        signals, then inserts and updates. Signals for papers the hub does
        not have are counted in ``failures`` as "not in the catalogue".
        """
        signals = list(signals)
        stats = WriteStats()
        with transaction.atomic():
            with connection.cursor() as cursor:
                self._write_signals(cursor, signals, stats)
            if extra is not None:
                extra()
        return stats

    # -- the rounds of a batch ------------------------------------------------
    def _write_prepared(self, cursor, prepared: list[_Prepared], stats: WriteStats) -> None:
        """Write in rounds: two items of one work in one batch go in consecutive rounds,
        so the second finds the first stored (one round when nothing in the batch repeats)."""
        if not prepared:
            return
        self._resolve_venues(cursor, prepared)
        self._ensure_categories(cursor, [c for item in prepared for c in item.categories])
        pending = prepared
        while pending:
            found = self._find_existing(cursor, pending)
            plan = self._plan(cursor, pending, found)
            stats.unchanged += plan.unchanged
            self._apply(cursor, plan, found, stats)
            pending = plan.deferred

    def _resolve_venues(self, cursor, prepared: list[_Prepared]) -> None:
        for item in prepared:
            if item.record.venue or item.record.issn:
                item.row["venue_id"] = self._venues.venue_id(cursor, item.record.venue, item.record.issn)

    def _find_existing(self, cursor, prepared: list[_Prepared]) -> _Found:
        """Stored papers for the batch: set-based `IN` look-ups by arXiv id, DOI, published DOI
        and, for items no identifier matched, title key: one query each per batch, never per record."""
        found = _Found()
        rows = [item.row for item in prepared]
        self._select_into(cursor, found, "arxiv_id", {r["arxiv_id"] for r in rows})
        dois = {r["doi"] for r in rows} | {r["published_doi"] for r in rows}
        self._select_into(cursor, found, "doi", dois | {item.preprint_doi for item in prepared})
        if not self.allow_merge:
            return found
        self._select_into(cursor, found, "published_doi", {r["doi"] for r in rows})
        keys = {r["title_key"] for r in rows if r["title_key"] and not found.strongly_matched(r)}
        self._select_into(cursor, found, "title_key", keys)
        return found

    def _select_into(self, cursor, found: _Found, column: str, keys: set) -> None:
        """One `IN` query per key kind for a whole batch (import batches are 2,000 records)."""
        keys = sorted(k for k in keys if k)
        select = "SELECT id, " + ", ".join(PAPER_COLUMNS) + " FROM papers_paper WHERE "
        for chunk in _in_chunks(keys, _lookup_chunk()):
            cursor.execute(select + f"{column} IN ({_marks(len(chunk))})", chunk)
            for values in cursor.fetchall():
                found.add(_normalise_dates(dict(zip(("id",) + PAPER_COLUMNS, values))))

    def _plan(self, cursor, pending: list[_Prepared], found: _Found) -> _Plan:
        plan, claimed, fresh_keys, candidates = _Plan(), set(), set(), []
        for item in pending:
            hit = self._match(cursor, item, found)
            if hit is None:
                keys = _item_keys(item)
                if keys & fresh_keys:
                    plan.deferred.append(item)  # the same work twice in this batch: next round
                    continue
                fresh_keys |= keys
                _drop_doi_if_taken(item, found)
                plan.fresh.append(item)
                continue
            stored, how = hit
            if stored["id"] in claimed:
                plan.deferred.append(item)  # one paper, two records in this round
                continue
            claimed.add(stored["id"])
            if item.key != stored["main_key"]:
                candidates.append((stored, item, how))
            elif stored["content_hash"] == item.row["content_hash"]:
                plan.unchanged += 1
            else:
                plan.updates.append((stored, item))
        self._sort_merges(cursor, candidates, plan)
        return plan

    def _sort_merges(self, cursor, candidates, plan: _Plan) -> None:
        """New merges, re-fetched absorbed records (unchanged or changed), by the live merges."""
        if not candidates:
            return
        live = self._live_merges(cursor, sorted({stored["id"] for stored, _, _ in candidates}))
        for stored, item, how in candidates:
            merge = live.get((stored["id"], item.key))
            if merge is None:
                plan.merges.append((stored, item, self._reason(item, stored, how)))
            elif merge["content_hash"] == item.row["content_hash"]:
                plan.unchanged += 1
            else:
                plan.absorbed.append((stored, item, merge))

    def _match(self, cursor, item: _Prepared, found: _Found) -> tuple[dict, str] | None:
        """The stored paper for an item and how it was found, strongest evidence first.

        Same arXiv id or same DOI always match (as before merging existed);
        links between versions and titles match only without conflicting
        identifiers and unless an admin split that pair (an undone merge).
        """
        row = item.row
        arxiv_id, doi = row["arxiv_id"], row["doi"]
        stored = found.by_arxiv.get(arxiv_id) if arxiv_id else None
        if stored:
            return stored, f"same arXiv id {arxiv_id}"
        stored = found.by_doi.get(doi) if doi else None
        if stored and not (stored["arxiv_id"] and arxiv_id and stored["arxiv_id"] != arxiv_id):
            return stored, f"same DOI {doi}"
        if not self.allow_merge:
            return None
        vetoes = self._load_vetoes(cursor)
        for stored, how in _linked_candidates(item, found):
            if (stored["id"], item.key) not in vetoes and not _conflict(item, stored):
                return stored, how
        return self._title_match(item, found, vetoes)

    def _title_match(self, item: _Prepared, found: _Found, vetoes) -> tuple[dict, str] | None:
        """The one stored paper `same_work` confirms by title; none when two or more do (ambiguous)."""
        row, confirmed = item.row, []
        for stored in found.by_title.get(row["title_key"], ()) if row["title_key"] else ():
            if (stored["id"], item.key) in vetoes or _conflict(item, stored):
                continue
            same, reason = dedup.same_work(item.record, _stored_record(stored))
            if same:
                confirmed.append((stored, reason))
        return confirmed[0] if len(confirmed) == 1 else None

    def _reason(self, item: _Prepared, stored: dict, how: str) -> str:
        """`same_work`'s own words for a merge when it agrees, else how the match was found."""
        same, reason = dedup.same_work(item.record, _stored_record(stored))
        return reason if same else how

    # -- writing a round ---------------------------------------------------------
    def _apply(self, cursor, plan: _Plan, found: _Found, stats: WriteStats) -> None:
        new_ids = self._insert_papers(cursor, plan.fresh)
        stats.new += len(new_ids)
        touches = [_Touch(pid, item, item.row, bool(item.authors), bool(item.categories), True, False)
                   for pid, item in zip(new_ids, plan.fresh)]  # fmt: skip
        provenance = [(pid, "created", sorted(k for k, v in item.row.items() if v not in (None, "") and k not in _INTERNAL), "")
                      for pid, item in zip(new_ids, plan.fresh)]  # fmt: skip
        updates: list[tuple[int, dict]] = []
        self._plan_updates(plan, found, stats, touches, provenance, updates)
        merge_rows = self._plan_merges(cursor, plan, found, stats, touches, provenance, updates)
        self._update_papers(cursor, updates)
        self._write_merges(cursor, merge_rows)
        self._write_children(cursor, touches)
        self._write_provenance(cursor, provenance)

    def _plan_updates(self, plan, found, stats, touches, provenance, updates) -> None:
        """Newer records of a paper's main identity; other services' copies, and records of an
        older version than the stored one (bioRxiv pages can split a preprint's versions), only fill gaps."""
        for stored, item in plan.updates:
            older = (item.row["latest_version"] or 1) < (stored["latest_version"] or 1)
            if item.secondary or older:
                merged, fields = _attach(stored, item, found.by_doi)
                if not fields:
                    stats.unchanged += 1
                    continue
                touch = _Touch(stored["id"], item, merged, False, False, older, True)
            else:
                merged, fields = _merge(stored, item.row)
                if item.authors:
                    fields.append("authors")
                cats = bool(item.categories) and _subjects_win(stored["primary_category_id"], item.categories[0])
                touch = _Touch(stored["id"], item, merged, bool(item.authors), cats, True, True)
            stats.updated += 1
            updates.append((stored["id"], merged))
            touches.append(touch)
            provenance.append((stored["id"], "updated", sorted(set(fields)), ""))

    def _plan_merges(self, cursor, plan, found, stats, touches, provenance, updates) -> list[tuple]:
        """New merges and re-fetched absorbed records; returns the `Merge` rows to write."""
        from academichub.papers.merging import record_to_json

        rows = []
        for stored, item, reason in plan.merges:
            if _role(item.key) == "preprint" and _role(stored["main_key"]) == "published":
                merged, fields = _takeover(stored, item)
                absorbed, key, digest = self._stored_as_record(cursor, stored), stored["main_key"], stored["content_hash"]
                before = item.row
                touch = _Touch(stored["id"], item, merged, bool(item.authors), bool(item.categories), True, True)
            else:
                merged, fields = _attach(stored, item, found.by_doi)
                absorbed, key, digest, before = item.record, item.key, item.row["content_hash"], stored
                touch = _Touch(stored["id"], item, merged, not stored["authors_text"] and bool(item.authors),
                               not stored["primary_category_id"] and bool(item.categories), False, True)  # fmt: skip
            changes = {c: [before[c], merged[c]] for c in PAPER_COLUMNS
                       if c not in _INTERNAL and merged[c] != before[c]}  # fmt: skip
            rows.append(("insert", stored["id"], key, record_to_json(absorbed), digest, changes, reason))
            stats.updated += 1
            stats.merged += 1
            updates.append((stored["id"], merged))
            touches.append(touch)
            provenance.append((stored["id"], "merged", sorted(fields), f"{reason} (absorbed {key})"))
        for stored, item, merge in plan.absorbed:
            merged, fields = _attach(stored, item, found.by_doi)
            changes = dict(merge["changes"])
            for column in fields:
                changes.setdefault(column, [stored[column], merged[column]])
            rows.append(("update", merge["id"], record_to_json(item.record), item.row["content_hash"], changes))
            if not fields:
                stats.unchanged += 1
                continue
            stats.updated += 1
            updates.append((stored["id"], merged))
            touches.append(_Touch(stored["id"], item, merged, False, False, False, True))
            provenance.append((stored["id"], "updated", sorted(fields), f"absorbed record {item.key} changed"))
        return rows

    def _stored_as_record(self, cursor, stored: dict) -> PaperRecord:
        """A stored paper as the record it came from, to keep when a preprint takes it over."""
        cursor.execute("SELECT category_id FROM papers_papercategory WHERE paper_id = %s ORDER BY is_primary DESC, id",
                       [stored["id"]])  # fmt: skip
        categories = [row[0] for row in cursor.fetchall()]
        venue, issn = "", ""
        if stored["venue_id"]:
            cursor.execute("SELECT name, issns FROM papers_venue WHERE id = %s", [stored["venue_id"]])
            name, issns = cursor.fetchone()
            issns = json.loads(issns) if isinstance(issns, str) else (issns or [])
            venue, issn = name, (issns[0] if issns else "")
        return PaperRecord(
            arxiv_id=stored["arxiv_id"], doi=stored["doi"], title=stored["title"], abstract=stored["abstract"],
            authors=[a for a in stored["authors_text"].split("\n") if a], categories=categories,
            comments=stored["comments"], journal_ref=stored["journal_ref"], license=stored["license"],
            versions=[Version(1, stored["published"])] if stored["published"] else [],
            announced=stored["announced"], abs_url=stored["abs_url"], pdf_url=stored["pdf_url"],
            html_url=stored["html_url"], venue=venue, issn=issn,
        )  # fmt: skip

    def _insert_papers(self, cursor, fresh: list[_Prepared]) -> list[int]:
        if not fresh:
            return []
        now = _now()
        columns = PAPER_COLUMNS + ("created_at", "updated_at")
        sql = (
            f"INSERT INTO papers_paper ({', '.join(columns)}) VALUES ({_marks(len(columns))})"
        )
        cursor.executemany(sql, [[item.row[c] for c in PAPER_COLUMNS] + [now, now] for item in fresh])
        return self._ids_for(cursor, [item.row for item in fresh])

    def _ids_for(self, cursor, rows: list[dict]) -> list[int]:
        """Ids of just-inserted papers, in the order of `rows`."""
        ids: dict[str, int] = {}
        for column in ("arxiv_id", "doi"):
            keys = [r[column] for r in rows if r[column] and _identity(r) == r[column]]
            for chunk in _in_chunks(keys):
                cursor.execute(
                    f"SELECT {column}, id FROM papers_paper WHERE {column} IN ({_marks(len(chunk))})",
                    chunk,
                )
                ids.update(dict(cursor.fetchall()))
        return [ids[_identity(r)] for r in rows]

    def _update_papers(self, cursor, updates: list[tuple[int, dict]]) -> None:
        if not updates:
            return
        now = _now()
        assignments = ", ".join(f"{c} = %s" for c in PAPER_COLUMNS)
        cursor.executemany(
            f"UPDATE papers_paper SET {assignments}, updated_at = %s WHERE id = %s",
            [[merged[c] for c in PAPER_COLUMNS] + [now, pid] for pid, merged in updates],
        )

    def _write_merges(self, cursor, rows: list[tuple]) -> None:
        now = _now()
        inserts = [(pid, key, json.dumps(record), digest, _json(changes), reason, self.source, self.run_id, now)
                   for kind, pid, key, record, digest, changes, reason in (r for r in rows if r[0] == "insert")]  # fmt: skip
        if inserts:
            cursor.executemany(
                "INSERT INTO papers_merge (paper_id, absorbed_key, record, content_hash, changes, reason, source,"
                " run_id, created_at, undone_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '')",
                inserts,
            )
        updates = [(json.dumps(record), digest, _json(changes), mid)
                   for kind, mid, record, digest, changes in (r for r in rows if r[0] == "update")]  # fmt: skip
        if updates:
            cursor.executemany("UPDATE papers_merge SET record = %s, content_hash = %s, changes = %s WHERE id = %s",
                               updates)  # fmt: skip

    def _write_children(self, cursor, touches: list[_Touch]) -> None:
        """Versions, authorships, categories and full text for touched papers."""
        if not touches:
            return
        vendor = connection.vendor
        for table, flag in (("papers_authorship", "authors"), ("papers_papercategory", "categories")):
            pids = [t.pid for t in touches if t.replace and getattr(t, flag)]
            for chunk in _in_chunks(pids):
                cursor.execute(f"DELETE FROM {table} WHERE paper_id IN ({_marks(len(chunk))})", chunk)
        author_ids = self._author_ids(cursor, [a for t in touches if t.authors for a in t.item.authors])
        cursor.executemany(
            "INSERT INTO papers_authorship (paper_id, author_id, position, affiliation) VALUES (%s, %s, %s, %s)",
            [(t.pid, author_ids[key], pos, t.item.affiliations[pos] if pos < len(t.item.affiliations) else "")
             for t in touches if t.authors
             for pos, (key, _) in enumerate(t.item.authors)],
        )  # fmt: skip
        cursor.executemany(
            "INSERT INTO papers_papercategory (paper_id, category_id, is_primary) VALUES (%s, %s, %s)",
            [(t.pid, code, pos == 0)
             for t in touches if t.categories
             for pos, code in enumerate(t.item.categories)],
        )  # fmt: skip
        cursor.executemany(
            "INSERT INTO papers_paperversion (paper_id, number, date) VALUES (%s, %s, %s)"
            " ON CONFLICT (paper_id, number) DO UPDATE SET date = COALESCE(EXCLUDED.date, papers_paperversion.date)",
            [(t.pid, v.number, v.date) for t in touches if t.versions for v in t.item.record.versions],
        )
        fulltext.remove(cursor, vendor, [t.pid for t in touches if t.replace])
        fulltext.add(cursor, vendor, [_fulltext_doc(t.pid, t.row) for t in touches])

    def _ensure_categories(self, cursor, codes: list[str]) -> None:
        if self._known_categories is None:
            cursor.execute("SELECT code FROM papers_category")
            self._known_categories = {row[0] for row in cursor.fetchall()}
        missing = sorted(set(codes) - self._known_categories)
        if not missing:
            return
        rows = [_category_row(code) for code in missing]
        cursor.executemany(
            "INSERT INTO papers_category (code, name_en, name_zh, archive, group_en, group_zh)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (code) DO NOTHING",
            rows,
        )
        self._known_categories.update(missing)

    def _author_ids(self, cursor, authors: list[tuple[str, str]]) -> dict[str, int]:
        unique = dict(authors)
        cursor.executemany(
            "INSERT INTO papers_author (key, name) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
            sorted(unique.items()),
        )
        ids: dict[str, int] = {}
        for chunk in _in_chunks(sorted(unique)):
            cursor.execute(f"SELECT key, id FROM papers_author WHERE key IN ({_marks(len(chunk))})", chunk)
            ids.update(dict(cursor.fetchall()))
        return ids

    def _write_provenance(self, cursor, entries) -> None:
        if not entries:
            return
        now = _now()
        cursor.executemany(
            "INSERT INTO papers_provenance (paper_id, source, run_id, action, fields, detail, at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(pid, self.source, self.run_id, action, json.dumps(fields), detail, now)
             for pid, action, fields, detail in entries],
        )  # fmt: skip

    # -- merges on record ----------------------------------------------------------
    def _live_merges(self, cursor, paper_ids: list[int]) -> dict[tuple[int, str], dict]:
        live: dict[tuple[int, str], dict] = {}
        for chunk in _in_chunks(paper_ids):
            cursor.execute(
                "SELECT id, paper_id, absorbed_key, content_hash, changes FROM papers_merge"
                f" WHERE undone_at IS NULL AND paper_id IN ({_marks(len(chunk))})",
                chunk,
            )
            for mid, pid, key, digest, changes in cursor.fetchall():
                changes = json.loads(changes) if isinstance(changes, str) else (changes or {})
                live[(pid, key)] = {"id": mid, "content_hash": digest, "changes": changes}
        return live

    def _load_vetoes(self, cursor) -> set[tuple[int, str]]:
        """(paper, record key) pairs an admin split: never merged again by links or titles."""
        if self._vetoes is None:
            cursor.execute("SELECT paper_id, absorbed_key FROM papers_merge WHERE undone_at IS NOT NULL")
            self._vetoes = {(pid, key) for pid, key in cursor.fetchall()}
        return self._vetoes

    # -- signals -------------------------------------------------------------------
    def _write_signals(self, cursor, signals: list[Signal], stats: WriteStats) -> None:
        ids = self._paper_ids_by_arxiv(cursor, sorted({s.arxiv_id for s in signals}))
        known = [s for s in signals if s.arxiv_id in ids]
        stats.failures.extend({"item": f"arXiv:{s.arxiv_id}", "reason": "not in the catalogue (signals never add papers)"}
                              for s in signals if s.arxiv_id not in ids)  # fmt: skip
        stored = self._stored_signals(cursor, sorted({ids[s.arxiv_id] for s in known}))
        inserts, updates = [], []
        now = _now()
        for s in known:
            values = (s.upvotes, s.comments, s.submitted_by[:150], s.organization[:200])
            old = stored.get((ids[s.arxiv_id], s.day))
            if old is None:
                inserts.append((ids[s.arxiv_id], self.source, s.day, *values, now))
                stored[(ids[s.arxiv_id], s.day)] = values
            elif old != values:
                updates.append((*values, now, ids[s.arxiv_id], self.source, s.day))
                stored[(ids[s.arxiv_id], s.day)] = values
            else:
                stats.unchanged += 1
        cursor.executemany(
            "INSERT INTO papers_papersignal (paper_id, source, day, upvotes, comments, submitted_by, organization,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", inserts)  # fmt: skip
        cursor.executemany(
            "UPDATE papers_papersignal SET upvotes = %s, comments = %s, submitted_by = %s, organization = %s,"
            " updated_at = %s WHERE paper_id = %s AND source = %s AND day = %s", updates)  # fmt: skip
        stats.new += len(inserts)
        stats.updated += len(updates)

    def _paper_ids_by_arxiv(self, cursor, arxiv_ids: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for chunk in _in_chunks(arxiv_ids):
            cursor.execute(f"SELECT arxiv_id, id FROM papers_paper WHERE arxiv_id IN ({_marks(len(chunk))})", chunk)
            ids.update(dict(cursor.fetchall()))
        return ids

    def _stored_signals(self, cursor, paper_ids: list[int]) -> dict[tuple[int, date], tuple]:
        found = {}
        for chunk in _in_chunks(paper_ids):
            cursor.execute(
                "SELECT paper_id, day, upvotes, comments, submitted_by, organization FROM papers_papersignal"
                f" WHERE source = %s AND paper_id IN ({_marks(len(chunk))})", [self.source, *chunk])  # fmt: skip
            for pid, day, *values in cursor.fetchall():
                day = date.fromisoformat(day) if isinstance(day, str) else day
                found[(pid, day)] = tuple(values)
        return found


# -- matching helpers -------------------------------------------------------------------


def _linked_candidates(item: _Prepared, found: _Found):
    """Stored papers the item names through version links, with how they are linked."""
    row = item.row
    for link in (row["published_doi"], item.preprint_doi):
        stored = found.by_doi.get(link) if link else None
        if stored:
            yield stored, f"linked versions: {item.key} names {link}"
    for stored in found.by_published.get(row["doi"], ()) if row["doi"] else ():
        yield stored, f"published version: {stored['main_key']} was published as {row['doi']}"


def _conflict(item: _Prepared, stored: dict) -> bool:
    """Identifiers that say two records are different works, whatever their titles say.

    Two arXiv ids, two DOIs of one preprint server, or two different
    journal versions: one paper holds one of each, so they are never merged.
    """
    row = item.row
    if row["arxiv_id"] and stored["arxiv_id"] and row["arxiv_id"] != stored["arxiv_id"]:
        return True
    mine, theirs = row["doi"], stored["doi"]
    if (mine and theirs and mine != theirs and mine.startswith(dedup.PREPRINT_DOI_PREFIXES)
            and mine.split("/", 1)[0] == theirs.split("/", 1)[0]):  # fmt: skip
        return True
    mine = row["published_doi"] or (row["doi"] if _role(item.key) == "published" else None)
    theirs = stored["published_doi"] or (stored["doi"] if _role(stored["main_key"]) == "published" else None)
    return bool(mine and theirs and mine != theirs)


def _stored_record(stored: dict) -> PaperRecord:
    """What `dedup.same_work` needs of a stored paper: ids, title, first author, year."""
    first = stored["authors_text"].split("\n", 1)[0]
    return PaperRecord(
        arxiv_id=stored["arxiv_id"], doi=stored["doi"], title=stored["title"], authors=[first] if first else [],
        versions=[Version(1, stored["published"])] if stored["published"] else [],
        announced=stored["announced"], published_doi=stored["published_doi"] or "",
    )  # fmt: skip


def _item_keys(item: _Prepared) -> set[tuple[str, str]]:
    """Every key two records of one work could share; overlapping fresh items wait a round."""
    row = item.row
    keys = {("a", row["arxiv_id"]), ("d", row["doi"]), ("d", row["published_doi"]), ("d", item.preprint_doi),
            ("t", row["title_key"])}  # fmt: skip
    return {k for k in keys if k[1]}


def _drop_doi_if_taken(item: _Prepared, found: _Found) -> None:
    """Two different arXiv papers claiming one DOI: keep the DOI on the first only."""
    row = item.row
    if row["doi"] and row["doi"] in found.by_doi and row["arxiv_id"]:
        if row["main_key"] == f"doi:{row['doi']}":
            row["main_key"] = item.key = f"arxiv:{row['arxiv_id']}"
        row["doi"] = None


def _identity(row: dict) -> str:
    return row["arxiv_id"] or row["doi"]


def _fulltext_doc(pid: int, row: dict) -> fulltext.Doc:
    return (
        pid,
        tex.plain_text(row["title"]),
        row["authors_text"].replace("\n", ", "),
        tex.plain_text(row["abstract"]),
    )


def _category_row(code: str) -> tuple:
    info = taxonomy.category(code)
    if info is None:
        label = subject_label(code) or code
        return (code, label, label, code.split(".")[0].split(":")[0], "", "")
    return (code, info.name_en, info.name_zh, info.archive, info.group_en, info.group_zh)


def _json(value) -> str:
    """JSON for a JSON column; dates as ISO strings (`merging` turns them back)."""
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))


def _normalise_dates(stored: dict) -> dict:
    """SQLite hands dates back as strings; compare them as dates."""
    for column in ("published", "updated", "announced"):
        value = stored[column]
        if isinstance(value, str):
            stored[column] = date.fromisoformat(value)
    return stored


def _now():
    """The current time in the form the database backend stores."""
    from django.utils import timezone

    return connection.ops.adapt_datetimefield_value(timezone.now())
