"""Search latency at 1,000,000 papers: keyword, semantic, hybrid, and the raw FTS5 floor.

    nice -n 10 .venv/bin/python bench/search_latency.py [--dir /tmp/ah-1m] [--papers 1000000]

Build (skipped when ``--dir`` already holds a catalogue of that size):

* the catalogue: both files of ``../shared/data`` (74,728 + 200,000 real
  arXiv records), then deterministic *variants* of them until
  ``--papers`` papers exist. Variant k of record i takes the first half of
  record i's title and abstract sentences, the second half of record
  j = (i + 7919k) mod n's, the authors of record (i + 104729k) mod n,
  record i's categories and journal reference, and record i's date moved
  k years back; its arXiv id is a new-style id from the 1990s (which no
  real paper has). So vocabulary, lengths and term frequencies stay those
  of real abstracts. Everything is written through the real bulk path
  (`CatalogueWriter.write_prepared`, as ``academichub import`` does), so
  papers, authors, categories and the FTS5 index are what production has;
  then the keyword side's top lists are built (``academichub.search.
  keyword.rebuild_top_lists``).
* the vector index: embedding 1M abstracts with MiniLM would take ~14 hours
  on these 2 cores, so the ANN index (the project's ``VectorIndex``, faiss
  HNSW-SQ8) holds *deterministic random unit vectors* (seed = paper id),
  one per paper. Search cost in an HNSW graph depends on size and
  dimension, not on what the vectors mean, but random vectors are the
  worst case for graph navigation, so semantic timings are if anything
  pessimistic. The query embedding is timed separately with the real
  MiniLM model, and the hybrid timing includes a real query embedding
  (its text is the query's semantic text), with the ANN search done on a
  vector derived from it.

Measure (a fresh process, so RSS is the serving footprint, not the
builder's): a fixed mix of >= 200 queries (`query_mix`): very common
terms, common phrases, multi-word topical queries, filtered queries
(category, year, dates, venue), author queries, field queries, OR and
exclusions, and rare terms. Each query runs once to warm up, then the
timed runs; p50/p95/max are over the timed runs. Beside them the same
queries run as a raw FTS5 ``... MATCH ? ORDER BY rank LIMIT 20`` (the
floor to beat).

Ends with ``RESULT papers=... keyword_p95_ms=... semantic_p95_ms=...
hybrid_p95_ms=... hybrid_max_ms=... fts5_raw_p95_ms=... rss_mb=...``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _django  # noqa: E402

BATCH = 2000
PRIMES = (7919, 104729)
DIM = 384


# ------------------------------------------------------------------ building the catalogue


def shared_data() -> Path:
    value = os.environ.get("ACADEMICHUB_SHARED")
    path = (Path(value) if value else _django.REPO.parent / "shared") / "data"
    if not path.is_dir():
        raise SystemExit(f"shared data not found at {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path


def load_originals() -> list:
    """Every record of both shared files, as `PaperRecord`s, in file order."""
    from academichub.core import dumps

    records = []
    for name in ("arxiv-cs-2025-2026.jsonl.gz", "arxiv-all-2007-2017-sample200k.jsonl.gz"):
        stream, raw = dumps.open_dump(shared_data() / name)
        with raw:
            records += [line.record for line in dumps.read_dump(stream) if line.record is not None]
    return records


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _halves(text: str, splitter) -> tuple[list[str], list[str]]:
    parts = splitter(text)
    middle = (len(parts) + 1) // 2
    return parts[:middle], parts[middle:]


def variant(records: list, i: int, k: int):
    """Variant ``k`` (1, 2, ...) of record ``i``: see the module docstring."""
    from academichub.core.records import PaperRecord, Version

    n = len(records)
    a, b, c = records[i], records[(i + PRIMES[0] * k) % n], records[(i + PRIMES[1] * k) % n]
    title = " ".join(_halves(a.title, str.split)[0] + _halves(b.title, str.split)[1]) or a.title
    abstract = " ".join(_halves(a.abstract, _SENTENCE.split)[0] + _halves(b.abstract, _SENTENCE.split)[1])
    day = a.published or a.announced or date(2015, 1, 1)
    day = _years_back(day, k)
    arxiv_id = f"{89 + k:02d}{i // 99999 + 1:02d}.{i % 99999 + 1:05d}"
    return PaperRecord(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=list(c.authors),
                       categories=list(a.categories), journal_ref=a.journal_ref, versions=[Version(1, day)],
                       announced=day if a.announced else None)  # fmt: skip


def _years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def record_stream(records: list, start: int):
    """Originals, then variants 1, 2, ... of every original, from position ``start``."""
    position = 0
    k = 0
    while True:
        for i in range(len(records)):
            if position >= start:
                yield records[i] if k == 0 else variant(records, i, k)
            position += 1
        k += 1


def _prepare(chunk):
    from academichub.papers.storage import prepare_batch

    return len(chunk), prepare_batch(chunk)


def _chunks(stream, size: int):
    chunk = []
    for item in stream:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []


def build_catalogue(home: Path, target: int) -> None:
    """Write records until the catalogue holds ``target`` papers; resumable (``build.json``)."""
    from academichub.papers.models import Paper
    from academichub.papers.storage import CatalogueWriter

    state_path = home / "build.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {"position": 0}
    have = Paper.objects.count()
    if have >= target:
        return
    started = time.perf_counter()
    records = load_originals()
    print(f"  {len(records):,} original records loaded; {have:,} papers stored; writing from record "
          f"{state['position']:,}", flush=True)  # fmt: skip
    writer = CatalogueWriter(source="bench-1m")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        for size, batch in pool.imap(_prepare, _chunks(record_stream(records, state["position"]), BATCH)):
            have += writer.write_prepared(batch).new
            state["position"] += size
            state_path.write_text(json.dumps(state))
            if state["position"] % (BATCH * 25) == 0:
                rate = (state["position"]) / (time.perf_counter() - started)
                print(f"  {have:,} papers ({rate:,.0f} records/s)", flush=True)
            if have >= target:
                break
    print(f"  catalogue: {have:,} papers in {time.perf_counter() - started:.0f} s", flush=True)


def build_vectors(home: Path, count: int) -> Path:
    """The ANN index over deterministic random unit vectors for paper ids 1..count (see the docstring).

    The bulk writer gives a fresh catalogue consecutive ids, so this can run
    beside the catalogue build; `measure` checks the ids match.
    efConstruction is 64 (the class default is 128) to halve the build on
    this shared machine; search breadth (efSearch 64) is the default.
    """
    import numpy as np

    from academichub.core.vector_index import VectorIndex

    path = home / "vectors-random"
    if (path / "meta.json").exists():
        return path
    ids = np.arange(1, count + 1, dtype=np.int64)
    started = time.perf_counter()
    index = VectorIndex(DIM, model_id="random-unit-vectors", ef_construction=64)
    for start in range(0, len(ids), 50_000):
        chunk = ids[start:start + 50_000]
        index.add(chunk, random_vectors(chunk))
        print(f"  vectors: {start + len(chunk):,} / {len(ids):,} ({time.perf_counter() - started:.0f} s)", flush=True)
    index.save(path)
    return path


def random_vectors(ids) -> "np.ndarray":
    """One deterministic random unit vector per id (the same id always gives the same vector)."""
    import numpy as np

    out = np.empty((len(ids), DIM), dtype=np.float32)
    for row, pid in enumerate(ids):
        out[row] = np.random.default_rng(int(pid)).standard_normal(DIM, dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def build(home: Path, target: int) -> None:
    _django.setup(str(home))
    print(f"building under {home} (target {target:,} papers)", flush=True)
    build_catalogue(home, target)
    from academichub.search import keyword

    if hasattr(keyword, "rebuild_top_lists"):
        started = time.perf_counter()
        built = keyword.rebuild_top_lists()
        print(f"  keyword top lists: {built} in {time.perf_counter() - started:.0f} s", flush=True)
    build_vectors(home, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ah-1m"))
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--vectors-only", action="store_true", help="build only the vector index (ids 1..papers)")
    parser.add_argument("--measure-only", action="store_true", help="(internal) run the queries in this process")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.vectors_only:
        print(f"vector index: {build_vectors(args.dir, args.papers)}", flush=True)
        return
    if not args.measure_only:
        build(args.dir, args.papers)
        if args.build_only:
            return
        command = [sys.executable, __file__, "--dir", str(args.dir), "--papers", str(args.papers), "--measure-only"]
        raise SystemExit(subprocess.call(command))
    measure(args.dir)


def measure(home: Path) -> None:
    raise SystemExit("measuring is not written yet")


if __name__ == "__main__":
    main()
