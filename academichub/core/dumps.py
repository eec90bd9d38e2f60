"""Bulk metadata dumps: the shared JSONL files and Kaggle's arXiv snapshot.

Three line formats are recognised by their keys, one JSON object per line:
- AcademicHub's CS corpus: ``summary``, ``categories`` (codes), ``_day_file``;
- the all-arXiv sample: ``abstract``, ``subjects`` (names), ``dates``;
- Kaggle "arxiv-metadata-oai-snapshot": ``abstract``, ``categories`` (a
  space-separated string), ``versions`` [{version, created}], ``authors_parsed``.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from academichub.core import arxiv_ids, taxonomy
from academichub.core.records import PaperRecord, Version, as_dict, as_list, as_text, texts


class DumpError(ValueError):
    """A line that is not a paper in any known format."""


@dataclass
class DumpLine:
    number: int  # 1-based line number
    record: PaperRecord | None
    error: str = ""


def open_dump(path: Path) -> tuple[io.BufferedReader, object]:
    """Open a plain or gzipped dump; returns (text lines source, raw file for progress)."""
    raw = open(path, "rb")
    magic = raw.read(2)
    raw.seek(0)
    stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.BufferedReader(stream, buffer_size=1 << 20), raw


def read_dump(stream, start_line: int = 0) -> Iterator[DumpLine]:
    """Parse lines after `start_line`; bad lines are reported, not fatal."""
    for number, line in enumerate(stream, start=1):
        if number > start_line and line.strip():
            yield parse_raw_line(number, line)


def parse_raw_line(number: int, line: bytes | str) -> DumpLine:
    """One line as a record, or as an error naming the line (not JSON, not a paper).

    Only ``ValueError`` is expected here (``DumpError``, bad JSON, bad UTF-8):
    the readers coerce every field, so any other exception is a bug to fix,
    not a bad line to skip.
    """
    if not line.strip():
        return DumpLine(number, None, f"line {number}: empty line")
    try:
        return DumpLine(number, parse_line(json.loads(line)))
    except ValueError as exc:
        return DumpLine(number, None, f"line {number}: {exc}")
    except RecursionError:
        return DumpLine(number, None, f"line {number}: JSON nested too deeply to be a paper")


def parse_line(obj: dict) -> PaperRecord:
    if not isinstance(obj, dict) or "id" not in obj:
        raise DumpError("not a paper object (no 'id')")
    if "subjects" in obj:
        return _from_sample(obj)
    if "summary" in obj or "_day_file" in obj:
        return _from_cs_corpus(obj)
    if "versions" in obj or isinstance(obj.get("categories"), str):
        return _from_kaggle(obj)
    raise DumpError("unknown dump format (expected summary, subjects or versions)")


def _arxiv_id(raw) -> str:
    parsed = arxiv_ids.split_id(as_text(raw))
    if parsed is None:
        raise DumpError(f"not an arXiv id: {raw!r}")
    return parsed[0]


def _links(arxiv_id: str) -> dict:
    return {"abs_url": arxiv_ids.abs_url(arxiv_id), "pdf_url": arxiv_ids.pdf_url(arxiv_id)}


def _from_cs_corpus(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    day = _day(obj.get("_day_file"), "_day_file")
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=as_text(obj.get("title")),
        abstract=as_text(obj.get("summary")),
        authors=texts(obj.get("authors")),
        categories=texts(obj.get("categories")),
        comments=as_text(obj.get("comment")),
        versions=[Version(1, day)],
        announced=day,
        announce_type="new",
        abs_url=as_text(obj.get("abs")) or arxiv_ids.abs_url(arxiv_id),
        pdf_url=as_text(obj.get("pdf")) or arxiv_ids.pdf_url(arxiv_id),
    )


def _from_sample(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    dates = [_day(d, "dates") for d in as_list(obj.get("dates"))]
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=as_text(obj.get("doi")) or None,
        title=as_text(obj.get("title")),
        abstract=as_text(obj.get("abstract")),
        authors=texts(obj.get("authors")),
        categories=taxonomy.codes_from_subjects(texts(obj.get("subjects"))),
        comments=as_text(obj.get("comment")),
        journal_ref=as_text(obj.get("journal_ref")),
        versions=[Version(n, d) for n, d in enumerate(dates, start=1)],
        **_links(arxiv_id),
    )


def _from_kaggle(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    versions = [_kaggle_version(v) for v in as_list(obj.get("versions"))]
    authors = [name for name in (_kaggle_author(a) for a in as_list(obj.get("authors_parsed"))) if name]
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=as_text(obj.get("doi")) or None,
        title=as_text(obj.get("title")),
        abstract=as_text(obj.get("abstract")),
        authors=authors,
        categories=as_text(obj.get("categories")).split(),
        comments=as_text(obj.get("comments")),
        journal_ref=as_text(obj.get("journal-ref")),
        license=as_text(obj.get("license")),
        versions=versions or [Version(1, None)],
        **_links(arxiv_id),
    )


def _kaggle_version(entry) -> Version:
    """{"version": "v2", "created": "Mon, 2 Apr 2007 19:18:42 GMT"} -> Version(2, 2007-04-02)."""
    number = as_text(as_dict(entry).get("version")).lstrip("v")
    if not (number.isascii() and number.isdigit() and len(number) <= 4):
        raise DumpError(f"bad version {entry!r:.80}: expected {{'version': 'v1', 'created': …}}")
    return Version(int(number), _rfc822_date(entry.get("created")))


def _kaggle_author(parts) -> str:
    """["Family", "Given", "Suffix"] -> "Given Family Suffix"; anything else is no name."""
    family, given, suffix = ([as_text(p) for p in as_list(parts)[:3]] + ["", "", ""])[:3]
    return " ".join(p for p in (given, family, suffix) if p)


def _day(value, field: str) -> date | None:
    """An ISO day ('2026-06-29'); absent is None, anything else unreadable is a bad line."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(as_text(value))
    except ValueError:
        raise DumpError(f"{field}: {value!r:.80} is not a date (expected YYYY-MM-DD)") from None


def _rfc822_date(value) -> date | None:
    text = as_text(value)
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
