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
from academichub.core.records import PaperRecord, Version


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
    if not line.strip():
        return DumpLine(number, None, f"line {number}: empty line")
    try:
        return DumpLine(number, parse_line(json.loads(line)))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return DumpLine(number, None, f"line {number}: {exc}")


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


def _arxiv_id(raw: str) -> str:
    parsed = arxiv_ids.split_id(str(raw))
    if parsed is None:
        raise DumpError(f"not an arXiv id: {raw!r}")
    return parsed[0]


def _links(arxiv_id: str) -> dict:
    return {"abs_url": arxiv_ids.abs_url(arxiv_id), "pdf_url": arxiv_ids.pdf_url(arxiv_id)}


def _from_cs_corpus(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    day = date.fromisoformat(obj["_day_file"]) if obj.get("_day_file") else None
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=obj.get("title") or "",
        abstract=obj.get("summary") or "",
        authors=list(obj.get("authors") or []),
        categories=list(obj.get("categories") or []),
        comments=obj.get("comment") or "",
        versions=[Version(1, day)],
        announced=day,
        announce_type="new",
        abs_url=obj.get("abs") or arxiv_ids.abs_url(arxiv_id),
        pdf_url=obj.get("pdf") or arxiv_ids.pdf_url(arxiv_id),
    )


def _from_sample(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    dates = [date.fromisoformat(d) for d in obj.get("dates") or []]
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=obj.get("doi") or None,
        title=obj.get("title") or "",
        abstract=obj.get("abstract") or "",
        authors=list(obj.get("authors") or []),
        categories=taxonomy.codes_from_subjects(obj.get("subjects") or []),
        comments=obj.get("comment") or "",
        journal_ref=obj.get("journal_ref") or "",
        versions=[Version(n, d) for n, d in enumerate(dates, start=1)],
        **_links(arxiv_id),
    )


def _from_kaggle(obj: dict) -> PaperRecord:
    arxiv_id = _arxiv_id(obj["id"])
    versions = [Version(int(v["version"].lstrip("v")), _rfc822_date(v.get("created")))
                for v in obj.get("versions") or []]  # fmt: skip
    parsed = obj.get("authors_parsed") or []
    authors = [" ".join(p for p in (a[1], a[0], a[2] if len(a) > 2 else "") if p) for a in parsed]
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=obj.get("doi") or None,
        title=obj.get("title") or "",
        abstract=obj.get("abstract") or "",
        authors=authors,
        categories=(obj.get("categories") or "").split(),
        comments=obj.get("comments") or "",
        journal_ref=obj.get("journal-ref") or "",
        license=obj.get("license") or "",
        versions=versions or [Version(1, None)],
        **_links(arxiv_id),
    )


def _rfc822_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
