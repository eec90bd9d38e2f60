"""Real papers for the briefing tests: read from ../shared/data through academichub.core.dumps.

Papers are taken from the start of each dump, a fixed number per field, so
every run sees the same set; MiniLM vectors are computed once per session.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from academichub import paths
from academichub.core import dumps
from academichub.core.briefing.bridges import archive_of
from academichub.core.briefing.model import BriefPaper, from_record
from academichub.core.embeddings import get_embedder


def _shared(name: str) -> Path:
    path = paths.shared_dir() / "data" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the briefing tests need ../shared/data")
    return path


def take(name: str, per_field: int, fields: tuple[str, ...], *, by_archive: bool = False,
         max_lines: int = 120_000) -> list[BriefPaper]:
    """The first ``per_field`` papers of each field (primary category or archive), interleaved."""
    stream, raw = dumps.open_dump(_shared(name))
    chosen: dict[str, list[BriefPaper]] = {f: [] for f in fields}
    try:
        for line in dumps.read_dump(stream):
            record = line.record
            if line.number > max_lines or all(len(v) >= per_field for v in chosen.values()):
                break
            if not record or not record.categories or len(record.abstract) < 200:
                continue
            key = archive_of(record.categories[0]) if by_archive else record.categories[0]
            if key in chosen and len(chosen[key]) < per_field:
                chosen[key].append(from_record(record, key=record.arxiv_id))
    finally:
        raw.close()
    rows = [papers for papers in chosen.values()]
    return [p for group in zip(*rows) for p in group] if rows else []


@lru_cache(maxsize=8)
def cs_papers(per_field: int = 50, fields: tuple[str, ...] = ("cs.IT", "cs.GT", "cs.GR", "cs.CE")) -> tuple:
    return tuple(take("arxiv-cs-2025-2026.jsonl.gz", per_field, fields))


@lru_cache(maxsize=8)
def all_arxiv_papers(per_field: int = 40, fields: tuple[str, ...] = ("math", "astro-ph", "q-bio", "cs", "cond-mat")) -> tuple:
    return tuple(take("arxiv-all-2007-2017-sample200k.jsonl.gz", per_field, fields, by_archive=True))


_VECTORS: dict = {}


def minilm(papers) -> np.ndarray:
    """MiniLM vectors of the papers' title + abstract (memoised by key for the session)."""
    missing = [p for p in papers if p.key not in _VECTORS]
    if missing:
        for paper, vector in zip(missing, get_embedder("minilm").embed([p.text for p in missing])):
            _VECTORS[paper.key] = vector
    return np.stack([_VECTORS[p.key] for p in papers])


def records(name: str, per_field: int, fields: tuple[str, ...], *, max_lines: int = 120_000) -> list:
    """PaperRecords (for the catalogue) of the first ``per_field`` papers of each primary category."""
    stream, raw = dumps.open_dump(_shared(name))
    chosen: dict[str, list] = {f: [] for f in fields}
    try:
        for line in dumps.read_dump(stream):
            record = line.record
            if line.number > max_lines or all(len(v) >= per_field for v in chosen.values()):
                break
            if record and record.categories and record.categories[0] in chosen and len(chosen[record.categories[0]]) < per_field:
                chosen[record.categories[0]].append(record)
    finally:
        raw.close()
    return [r for group in chosen.values() for r in group]
