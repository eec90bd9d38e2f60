"""Reading a reader's library: BibTeX, RIS, Zotero CSV/JSON exports, or a list of arXiv ids and DOIs.

A new radar knows nothing about its reader; the reader's reference manager
does. These pure parsers (no Django, no network) turn what Zotero, Mendeley,
JabRef, EndNote or a hand-kept ``.bib`` file exports into
:class:`ImportedWork` rows (title, authors, year, arXiv id, DOI, keywords)
that the radar app matches to catalogue papers (by arXiv id, DOI, then title
key) and seeds as liked papers, and :func:`suggest_authors` /
:func:`suggest_keywords` turn the library into authors to follow and
keywords to add.

Outside input, so every reader is defensive: input is capped
(:data:`MAX_CHARS`, :data:`MAX_ENTRIES`), scanning is linear (an unclosed
BibTeX brace ends the file instead of being searched for again from every
``@``), values of the wrong JSON type are ignored, and a broken entry is
skipped with a note in :attr:`ImportResult.problems`. The one error raised
is :class:`CitationImportError`, whose message says what to do; anything
else escaping is a bug (tests/fuzzing.py fuzzes the BibTeX and RIS readers).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from academichub.core import arxiv_ids
from academichub.core.dedup import arxiv_id_from_doi, bare_doi
from academichub.core.names import display_name, name_key
from academichub.core.query import STOPWORDS, words
from academichub.core.tex import plain_text

__all__ = [
    "FORMATS", "CitationImportError", "ImportResult", "ImportedWork", "detect_format", "parse_bibtex",
    "parse_citations", "parse_csl_json", "parse_identifiers", "parse_ris", "parse_zotero_csv",
    "suggest_authors", "suggest_keywords",
]  # fmt: skip

MAX_CHARS = 5_000_000        # a 5 MB export is ~10,000 references: more than anyone pastes
MAX_ENTRIES = 5_000
MAX_AUTHORS = 100            # per work ("et al." lists of 3,000 physicists are cut)
MAX_PROBLEMS = 20
MAX_FIELD = 20_000           # characters kept of one field
MAX_CANDIDATES = 300         # keyword candidates looked up in the catalogue
MAX_FIELDS = 100             # fields of one BibTeX entry, and pieces of one "a # b" value
FORMATS = ("bibtex", "ris", "zotero-csv", "csl-json", "identifiers")


class CitationImportError(ValueError):
    """The text cannot be read as a library; the message names the fix (shown to the reader as is)."""


@dataclass(frozen=True)
class ImportedWork:
    """One reference as the file gives it; empty strings where it says nothing."""

    title: str = ""
    authors: tuple[str, ...] = ()       # "Given Family", TeX accents resolved
    year: int | None = None
    arxiv_id: str = ""                  # without version
    doi: str = ""                       # bare, lower-case
    keywords: tuple[str, ...] = ()

    @property
    def identifiable(self) -> bool:
        return bool(self.arxiv_id or self.doi or self.title)


@dataclass
class ImportResult:
    format: str
    works: list[ImportedWork] = field(default_factory=list)
    skipped: int = 0                    # entries with neither a title nor an identifier
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def add(self, work: ImportedWork) -> None:
        if work.identifiable:
            self.works.append(work)
        else:
            self.skipped += 1


# ------------------------------------------------------------------ entry point


def parse_citations(data: bytes | str, filename: str = "") -> ImportResult:
    """Read ``data`` in the format its file name or content shows; raises only CitationImportError.

    Raises when the text is too large, is none of the formats, or holds no
    usable reference, so the page can say so instead of seeding nothing.
    """
    text = decode(data)
    kind = detect_format(text, filename)
    reader = {"bibtex": parse_bibtex, "ris": parse_ris, "zotero-csv": parse_zotero_csv,
              "csl-json": parse_csl_json, "identifiers": parse_identifiers}[kind]  # fmt: skip
    result = reader(text)
    if not result.works:
        raise CitationImportError(
            "No reference could be read from this %s. Export BibTeX, RIS, or Zotero CSV/JSON, "
            "or paste arXiv ids or DOIs, one per line." % _FORMAT_NAMES[kind])
    return result


_FORMAT_NAMES = {"bibtex": "BibTeX file", "ris": "RIS file", "zotero-csv": "CSV file", "csl-json": "JSON file",
                 "identifiers": "list of identifiers"}  # fmt: skip
_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".csv": "zotero-csv", ".json": "csl-json"}


def decode(data: bytes | str) -> str:
    """Text from an upload: UTF-8 (with or without BOM), else Windows-1252; NULs dropped."""
    if isinstance(data, bytes):
        if len(data) > MAX_CHARS:
            raise CitationImportError("The file is larger than 5 MB. Export a smaller collection.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1252", errors="replace")
    if not isinstance(data, str):
        raise CitationImportError("Upload a text file: BibTeX, RIS, Zotero CSV or JSON.")
    if len(data) > MAX_CHARS:
        raise CitationImportError("The text is longer than 5 million characters. Export a smaller collection.")
    return data.lstrip("\ufeff").replace("\x00", "")


def detect_format(text: str, filename: str = "") -> str:
    """One of :data:`FORMATS`: by extension when given, else by what the text starts with."""
    suffix = re.search(r"\.[A-Za-z]{2,7}$", (filename or "").strip())
    if suffix and suffix.group(0).lower() in _EXTENSIONS:
        return _EXTENSIONS[suffix.group(0).lower()]
    head = text.lstrip()[:4000]
    if head[:1] in ("[", "{"):
        return "csl-json"
    if _RIS_LINE.search(head) and re.search(r"^TY {1,2}-", head, re.MULTILINE):
        return "ris"
    if _ENTRY.search(head):
        return "bibtex"
    first = head.split("\n", 1)[0]
    if "Title" in first and ("Item Type" in first or "Author" in first) and "," in first:
        return "zotero-csv"
    return "identifiers"


# ------------------------------------------------------------------ shared field readers


_ARXIV_IN_TEXT = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([\w.\-/]{4,40})|arxiv\s*[:/]?\s*([\w.\-/]{4,40})", re.I)


def _clip(value: object) -> str:
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _clean(value: str) -> str:
    """TeX and spacing out of a field value (titles, keywords)."""
    return " ".join(plain_text(_clip(value)).split())


def find_arxiv_id(*values: str) -> str:
    """The first arXiv id named in ``values`` (an id, ``arXiv:…``, an arxiv.org URL or arXiv DOI)."""
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        value = value[:2000].strip()
        bare = [value] if len(value) <= 60 and "://" not in value and " " not in value else []
        for candidate in bare + [a or b for a, b in _ARXIV_IN_TEXT.findall(value)]:
            parsed = arxiv_ids.split_id(candidate.rstrip(".,;)]}"))
            if parsed:
                return parsed[0]
        from_doi = arxiv_id_from_doi(value.strip())
        if from_doi:
            return from_doi
    return ""


def _doi(*values: str) -> str:
    for value in values:
        if isinstance(value, str) and value:
            found = re.search(r"10\.\d{4,9}/\S+", value[:2000])
            doi = bare_doi(found.group(0)) if found else ""
            if doi:
                return doi.lower()
    return ""


def _year(*values: object) -> int | None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
            return value
        if isinstance(value, str):
            found = re.search(r"(?<!\d)([12]\d{3})(?!\d)", value[:200])
            if found:
                return int(found.group(1))
    return None


def _authors(names: Iterable[str]) -> tuple[str, ...]:
    out = []
    for raw in names:
        if len(out) >= MAX_AUTHORS:
            break
        if isinstance(raw, str) and raw.strip() and raw.strip().lower() not in ("others", "et al", "et al."):
            shown = display_name(raw[:300])
            if shown:
                out.append(shown)
    return tuple(out)


def _keywords(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"[,;\n]", _clip(value)):
            part = _clean(part)
            if part and len(part) <= 100 and part.lower() not in (k.lower() for k in out):
                out.append(part)
            if len(out) >= 30:
                return tuple(out)
    return tuple(out)


# ------------------------------------------------------------------ BibTeX

_ENTRY = re.compile(r"@[ \t]*([A-Za-z][\w:\-]{0,40})[ \t\r\n]*([{(])")
_DELIMITERS = {"}": re.compile(r"[{}]"), ")": re.compile(r"[{})]"), '"': re.compile(r'[{}"]')}
_FIELD_NAME = re.compile(r"\s*([A-Za-z_][\w.:+\-/]{0,60})\s*=\s*")
_MONTHS = {m: str(i) for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def parse_bibtex(data: bytes | str) -> ImportResult:
    """Entries of a ``.bib`` file (``@string`` macros and ``#`` concatenation included).

    ``@comment`` and ``@preamble`` are skipped. An entry whose braces never
    close swallows the rest of the file (as BibTeX itself does): it is
    reported and reading stops, which keeps hostile input linear.
    """
    text, result = decode(data), ImportResult("bibtex")
    strings: dict[str, str] = dict(_MONTHS)
    position = 0
    while len(result.works) + result.skipped < MAX_ENTRIES:
        start = _ENTRY.search(text, position)
        if start is None:
            break
        kind, opener = start.group(1).lower(), start.group(2)
        end = _closing(text, start.end(), ")" if opener == "(" else "}")
        if end < 0:
            result.note("The entry at character %d is never closed; the rest of the file was ignored." % start.start())
            break
        body, position = text[start.end():end], end + 1
        if kind == "string":
            strings.update(_bib_fields(body, strings, has_key=False))
        elif kind not in ("comment", "preamble"):
            result.add(_bib_work(_bib_fields(body, strings, has_key=True)))
    return result


def _closing(text: str, start: int, closer: str, end: int | None = None) -> int:
    """Index of the ``closer`` that ends what was opened just before ``start``, outside braces (-1: none).

    ``closer`` is ``}``, ``)`` or ``"`` (a quoted value, where braces protect quotes).
    """
    depth = 0
    for match in _DELIMITERS[closer].finditer(text, start, len(text) if end is None else end):
        char = match.group(0)
        if char == "{":
            depth += 1
        elif depth == 0 and char == closer:
            return match.start()
        elif char == "}":
            depth = max(depth - 1, 0)
    return -1


def _bib_fields(body: str, strings: dict[str, str], *, has_key: bool) -> dict[str, str]:
    """``name = value # value, …`` of one entry body (lower-case names; the first of a repeated name wins)."""
    fields: dict[str, str] = {}
    i = body.find(",") + 1 if has_key else 0
    if has_key and i == 0:
        return fields
    for _ in range(MAX_FIELDS):
        if i >= len(body):
            break
        name = _FIELD_NAME.match(body, i)
        if name is None:
            comma = body.find(",", i)
            if comma < 0:
                break
            i = comma + 1
            continue
        value, i = _bib_value(body, name.end(), strings)
        fields.setdefault(name.group(1).lower(), value[:MAX_FIELD])
    return fields


def _bib_value(body: str, i: int, strings: dict[str, str]) -> tuple[str, int]:
    """One field's value (pieces joined by ``#``) and the index after its trailing comma."""
    parts: list[str] = []
    while i < len(body) and len(parts) < MAX_FIELDS:
        char = body[i]
        if char in "{\"":
            end = _closing(body, i + 1, "}" if char == "{" else char)
            end = len(body) if end < 0 else end
            parts.append(body[i + 1:end])
            i = end + 1
        else:
            token = re.match(r"[^\s,#{}\"]+", body[i:i + 200])
            if token:
                parts.append(strings.get(token.group(0).lower(), token.group(0) if token.group(0).isdigit() else ""))
                i += len(token.group(0))
            else:
                i += 1
        while i < len(body) and body[i].isspace():
            i += 1
        if i < len(body) and body[i] == "#":
            i += 1
            while i < len(body) and body[i].isspace():
                i += 1
            continue
        if i < len(body) and body[i] == ",":
            i += 1
        if i >= len(body) or _FIELD_NAME.match(body, i) or body[i - 1] == ",":
            break
    return "".join(parts), i


def _bib_work(f: dict[str, str]) -> ImportedWork:
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "arxiv").strip("{} ").lower()
    eprint = f.get("eprint", "") if prefix == "arxiv" else ""
    return ImportedWork(
        title=_clean(f.get("title", "")),
        authors=_authors(_split_and(f.get("author", ""))),
        year=_year(f.get("year", ""), f.get("date", "")),
        arxiv_id=find_arxiv_id(eprint, f.get("doi", ""), f.get("url", ""), f.get("journal", ""),
                               f.get("note", ""), f.get("howpublished", ""), f.get("number", ""),
                               f.get("booktitle", "")),  # fmt: skip
        doi=_doi(f.get("doi", ""), f.get("url", "")),
        keywords=_keywords([f.get("keywords", ""), f.get("keyword", "")]),
    )


def _split_and(authors: str) -> list[str]:
    """BibTeX's ``A and B and C``, not splitting inside braces (``{Barnes and Noble}``)."""
    out, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", authors, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(authors[start:match.start()])
            start = match.end()
        if len(out) > MAX_AUTHORS:
            return out
    out.append(authors[start:])
    return out


# ------------------------------------------------------------------ RIS

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|)$", re.MULTILINE)
_RIS_TITLE = ("TI", "T1", "CT", "BT")
_RIS_AUTHORS = ("AU", "A1")
_RIS_ID_TAGS = ("UR", "L1", "L2", "LK", "DO", "N1", "AN", "JO", "JF", "T2", "J2", "M1", "M3", "SN", "ID", "ET")


def parse_ris(data: bytes | str) -> ImportResult:
    """References between ``TY  -`` and ``ER  -`` (a last one without ``ER`` is kept too).

    Tags are read leniently (one or two spaces before the hyphen, as some
    exporters write them); a line without a tag continues the previous value.
    """
    result = ImportResult("ris")
    record: dict[str, list[str]] | None = None
    last = ""
    for line in decode(data).splitlines():
        if len(result.works) + result.skipped >= MAX_ENTRIES:
            break
        match = _RIS_LINE.match(line.rstrip())
        if match is None:
            if record is not None and last and line.strip() and len(record[last][-1]) < MAX_FIELD:
                record[last][-1] = (record[last][-1] + " " + line.strip())[:MAX_FIELD]
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                result.add(_ris_work(record))
            record, last = {}, ""
        elif tag == "ER":
            if record is not None:
                result.add(_ris_work(record))
            record, last = None, ""
        elif record is not None and sum(map(len, record.values())) < 2000:
            record.setdefault(tag, []).append(value[:MAX_FIELD])
            last = tag
    if record is not None:
        result.add(_ris_work(record))
    return result


def _ris_work(r: dict[str, list[str]]) -> ImportedWork:
    def first(*tags: str) -> str:
        return next((v for t in tags for v in r.get(t, []) if v), "")

    every = [v for t in _RIS_ID_TAGS for v in r.get(t, [])]
    return ImportedWork(
        title=_clean(first(*_RIS_TITLE)), authors=_authors(v for t in _RIS_AUTHORS for v in r.get(t, [])),
        year=_year(first("PY", "Y1", "DA", "Y2")), arxiv_id=find_arxiv_id(*every),
        doi=_doi(first("DO"), *r.get("UR", [])), keywords=_keywords(r.get("KW", [])),
    )  # fmt: skip


# ------------------------------------------------------------------ Zotero CSV and CSL/Zotero JSON


def parse_zotero_csv(data: bytes | str) -> ImportResult:
    """Zotero's "Export Collection… → CSV": a header row with Title, Author, DOI, Url, Extra, tags."""
    result = ImportResult("zotero-csv")
    reader = csv.DictReader(io.StringIO(decode(data), newline=""))
    try:
        for row in reader:
            if len(result.works) + result.skipped >= MAX_ENTRIES:
                break
            result.add(_csv_work({k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}))
    except csv.Error as exc:
        result.note("The CSV stops being readable at line %d (%s); the rows before it were read."
                    % (reader.line_num, str(exc)[:80]))  # fmt: skip
    return result


def _csv_work(row: dict[str, str]) -> ImportedWork:
    get = row.get
    return ImportedWork(
        title=_clean(get("Title", "")), authors=_authors(_clip(get("Author", "")).split(";")),
        year=_year(get("Publication Year", ""), get("Date", "")),
        arxiv_id=find_arxiv_id(get("Url", ""), get("Extra", ""), get("DOI", ""), get("Archive Location", ""),
                               get("Publication Title", ""), get("Report Number", ""), get("Number", "")),
        doi=_doi(get("DOI", ""), get("Url", "")),
        keywords=_keywords([get("Manual Tags", ""), get("Automatic Tags", "")]),
    )  # fmt: skip


def parse_csl_json(data: bytes | str) -> ImportResult:
    """CSL-JSON (Zotero's "CSL JSON" export, pandoc, citeproc) or Zotero API / Better BibTeX JSON items."""
    result = ImportResult("csl-json")
    try:
        loaded = json.loads(decode(data))
    except RecursionError:
        raise CitationImportError("The JSON is nested too deeply to be a citation export.") from None
    except ValueError as exc:
        raise CitationImportError("This is not valid JSON (%s). Export CSL JSON from Zotero." % str(exc)[:80]) from None
    if isinstance(loaded, dict):
        loaded = loaded.get("items") if isinstance(loaded.get("items"), list) else [loaded]
    if not isinstance(loaded, list):
        raise CitationImportError("The JSON holds no list of references. Export CSL JSON from Zotero.")
    for item in loaded[:MAX_ENTRIES]:
        if isinstance(item, dict) and isinstance(item.get("data"), dict):
            item = item["data"]
        if isinstance(item, dict):
            result.add(_json_work(item))
        else:
            result.skipped += 1
    return result


def _json_work(item: dict) -> ImportedWork:
    def text(*keys: str) -> str:
        return next((_clip(item[k]) for k in keys if isinstance(item.get(k), str) and item[k]), "")

    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    return ImportedWork(
        title=_clean(text("title")), authors=_authors(_json_names(item)),
        year=_year(_csl_year(item.get("issued")), text("date", "year")),
        arxiv_id=find_arxiv_id(text("number"), text("archiveID", "archive_location"), text("extra", "note"),
                               text("URL", "url"), text("DOI", "doi"), text("container-title", "publicationTitle")),
        doi=_doi(text("DOI", "doi"), text("URL", "url")),
        keywords=_keywords([text("keyword", "keywords")] + [t.get("tag") for t in tags[:30] if isinstance(t, dict)]),
    )  # fmt: skip


def _json_names(item: dict) -> list[str]:
    """CSL ``author`` ({family, given} or {literal}) or Zotero ``creators`` ({lastName, firstName} or {name})."""
    people = item.get("author") if isinstance(item.get("author"), list) else item.get("creators")
    out = []
    for person in people[:MAX_AUTHORS] if isinstance(people, list) else []:
        if not isinstance(person, dict) or person.get("creatorType", "author") != "author":
            continue
        family = person.get("family", person.get("lastName"))
        given = person.get("given", person.get("firstName"))
        whole = person.get("literal", person.get("name"))
        if isinstance(family, str) and family:
            out.append(f"{family}, {given}" if isinstance(given, str) and given else family)
        elif isinstance(whole, str):
            out.append(whole)
    return out


def _csl_year(issued: object) -> int | None:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return _year(parts[0][0])
        return _year(issued.get("raw"), issued.get("literal"))
    return None


# ------------------------------------------------------------------ identifier lists


def parse_identifiers(data: bytes | str) -> ImportResult:
    """arXiv ids (any form: ``2501.01234v2``, ``arXiv:…``, arxiv.org URLs) and DOIs, separated by anything blank."""
    result = ImportResult("identifiers")
    seen: set[str] = set()
    for token in re.split(r"[\s,;]+", decode(data))[:MAX_ENTRIES * 2]:
        token = token.strip("<>()[]{}\"'.")
        if not token or len(result.works) >= MAX_ENTRIES:
            continue
        arxiv_id = find_arxiv_id(token) if "." in token or "/" in token else ""
        doi = "" if arxiv_id else _doi(token)
        key = arxiv_id or doi
        if not key:
            result.note("Not an arXiv id or a DOI: %s" % token[:60])
            result.skipped += 1
        elif key not in seen:
            seen.add(key)
            result.works.append(ImportedWork(arxiv_id=arxiv_id, doi=doi))
    return result


# ------------------------------------------------------------------ suggestions


def suggest_authors(works: list[ImportedWork], *, limit: int = 8) -> list[tuple[str, int]]:
    """(name, works) of the authors who recur in the library, most frequent first.

    In a library of three works or more an author must appear in two of
    them (one co-authored paper says little); with fewer, every author counts.
    """
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for work in works:
        for name in {name_key(a): a for a in work.authors if name_key(a)}.items():
            counts[name[0]] += 1
            shown.setdefault(name[0], Counter())[name[1]] += 1
    least = 2 if len(works) >= 3 else 1
    ranked = sorted((k for k, n in counts.items() if n >= least), key=lambda k: (-counts[k], k))
    return [(shown[k].most_common(1)[0][0], counts[k]) for k in ranked[:limit]]


def suggest_keywords(works: list[ImportedWork], document_frequency: Callable[[str], int], documents: int,
                     *, limit: int = 8) -> list[str]:  # fmt: skip
    """Radar keyword clauses that describe the library and pick out few catalogue papers.

    Candidates are the title words and adjacent word pairs (no stop words)
    of every work plus the keywords the file gives. Each scores (works it
    occurs in) x log(documents / (1 + catalogue papers matching it)) - the
    tf-idf of the library as one document, with ``document_frequency``
    counting matches by the radar's own rule. Phrases come back quoted
    (``"graph neural"``); a word already inside a chosen phrase is skipped.
    """
    counts: Counter[str] = Counter()
    for work in works:
        title_words = [w for w in words(work.title) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()]
        phrases = set(title_words) | {f"{a} {b}" for a, b in zip(title_words, title_words[1:])}
        phrases |= {" ".join(words(k)) for k in work.keywords if 0 < len(words(k)) <= 3}
        counts.update(phrases)
    least = 2 if len(works) >= 3 else 1
    frequent = sorted((p for p, n in counts.items() if n >= least), key=lambda p: (-counts[p], p))[:MAX_CANDIDATES]
    scored = {p: counts[p] * math.log((documents + 1) / (1 + document_frequency(p))) for p in frequent}
    chosen: list[str] = []
    for phrase in sorted(scored, key=lambda p: (-scored[p], p)):
        if scored[phrase] <= 0 or any(set(phrase.split()) <= set(c.split()) for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == limit:
            break
    return [f'"{p}"' if " " in p else p for p in chosen]
