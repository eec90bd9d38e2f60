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
  pessimistic. The query vector is a deterministic random unit vector too;
  the real MiniLM query embedding is timed separately (40 queries) and is
  NOT included in the semantic and hybrid figures: add its p50 for a
  query whose embedding is not cached.

Measure (a fresh process, so RSS is the serving footprint, not the
builder's): a fixed mix of 201 queries (`query_mix`): very common terms,
common phrases, multi-word topical queries, filtered queries (category,
year, dates, venue), author queries, field queries, OR and exclusions, and
rare terms. The first keyword run is reported apart ("cold": units seen
for the first time are listed then); then ``--runs`` timed runs of
keyword, semantic and hybrid. Beside them the same queries run once as a
raw FTS5 ``... MATCH ? ORDER BY rank LIMIT 20`` (no filters: the floor to
beat). Keyword and hybrid ask for 200 (the engine's fusion depth).

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


def build_vectors(home: Path, count: int, save_every: int = 100_000) -> Path:
    """The ANN index over deterministic random unit vectors for paper ids 1..count (see the docstring).

    The bulk writer gives a fresh catalogue consecutive ids, so this can run
    beside the catalogue build; `measure` checks the ids match. Saved every
    ``save_every`` vectors and resumed from there. efConstruction is 64
    (the class default is 128) to halve the build on this shared machine;
    search breadth (efSearch 64) is the class default.
    """
    import numpy as np

    from academichub.core.vector_index import VectorIndex

    path = home / "vectors-random"
    if (path / "meta.json").exists():
        index = VectorIndex.load(path, model_id="random-unit-vectors")
    else:
        index = VectorIndex(DIM, model_id="random-unit-vectors", ef_construction=64)
    started = time.perf_counter()
    for start in range(len(index), count, save_every):
        for chunk_start in range(start, min(start + save_every, count), 10_000):
            ids = np.arange(chunk_start + 1, min(chunk_start + 10_000, count) + 1, dtype=np.int64)
            index.add(ids, random_vectors(ids))
        index.save(path)
        print(f"  vectors: {len(index):,} / {count:,} saved ({time.perf_counter() - started:.0f} s)", flush=True)
    return path


def random_vectors(ids) -> "np.ndarray":
    """One deterministic random unit vector per id (the same id always gives the same vector)."""
    import numpy as np

    out = np.empty((len(ids), DIM), dtype=np.float32)
    for row, pid in enumerate(ids):
        out[row] = np.random.default_rng(int(pid)).standard_normal(DIM, dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def build(home: Path, target: int, vectors: bool = True) -> None:
    _django.setup(str(home))
    print(f"building under {home} (target {target:,} papers)", flush=True)
    build_catalogue(home, target)
    from academichub.search import keyword

    if hasattr(keyword, "rebuild_top_lists"):
        started = time.perf_counter()
        built = keyword.rebuild_top_lists()
        print(f"  keyword top lists: {built} in {time.perf_counter() - started:.0f} s", flush=True)
    if vectors:
        build_vectors(home, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ah-1m"))
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--vectors-only", action="store_true", help="build only the vector index (ids 1..papers)")
    parser.add_argument("--no-vectors", action="store_true", help="build only the catalogue (a --vectors-only run "
                        "builds the index beside it)")
    parser.add_argument("--measure-only", action="store_true", help="run the queries only (in this process)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the query mix")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.vectors_only:
        print(f"vector index: {build_vectors(args.dir, args.papers)}", flush=True)
        return
    if not args.measure_only:
        build(args.dir, args.papers, vectors=not args.no_vectors)
        if args.build_only:
            return
        command = [sys.executable, __file__, "--dir", str(args.dir), "--papers", str(args.papers), "--measure-only",
                   "--runs", str(args.runs)]
        raise SystemExit(subprocess.call(command))
    measure(args.dir, runs=args.runs)


# ------------------------------------------------------------------ the query mix

COMMON = ("model learning network data deep neural method results performance training analysis system "
          "approach models algorithm problem based using paper framework task information time new show "
          "propose large study image language quantum field theory energy function").split()  # fmt: skip
PHRASES = ["deep neural network", "large language models", "reinforcement learning", "graph neural network",
           "neural network", "machine learning", "image segmentation", "dark matter", "state of the art",
           "magnetic field", "language model", "object detection", "monte carlo", "black hole",
           "time series", "phase transition", "knowledge distillation", "point cloud", "speech recognition",
           "diffusion models"]  # fmt: skip
TOPICAL = ["deep neural network", "language models reasoning", "diffusion image generation", "graph learning",
           "robot manipulation policy", "quantum error correction", "neural network training", "data analysis model",
           "learning model performance", "vision language model", "federated learning privacy",
           "transformer attention", "stochastic gradient descent", "galaxy cluster mass", "spin chain",
           "topological insulator", "random matrix", "protein structure prediction", "multi agent systems",
           "adversarial examples robustness", "contrastive learning representation", "medical image",
           "autonomous driving", "video understanding", "text classification", "knowledge graph embedding",
           "sparse matrix", "optimal control", "bayesian inference", "dynamic programming"]  # fmt: skip
FILTERS = ["cat:cs.CV", "cat:cs.LG", "cat:math", "cat:astro-ph", "cat:cond-mat", "year:2016", "year:2010-2012",
           "after:2025-06", "before:2005", "cat:cs.CL year:>=2024", 'venue:"Phys. Rev"', "cat:hep-th"]  # fmt: skip
AUTHORS = ["au:Wang", "au:Zhang", "au:Li", "au:Smith", "au:Liu", "au:Chen", "au:Kim", "au:Garcia", "au:Yang",
           "au:Muller", 'au:"Wei Wang"', "au:Nakamura"]  # fmt: skip
RARE = ["zebrafish", "hyperbolic knots", "quasicrystal", "tokamak", "exoplanet atmosphere", "braid group",
        "photonic crystal fiber", "lattice QCD", "cosmic strings", "sign language"]  # fmt: skip


def query_mix() -> list[str]:
    """The fixed mix (>= 200 queries); the same every run."""
    mix = list(COMMON)                                               # very common single terms
    mix += [f'"{p}"' for p in PHRASES]                               # phrases
    mix += TOPICAL                                                   # multi-word AND queries
    mix += [f"{COMMON[i % 12]} {f}" for i, f in enumerate(FILTERS * 4)]  # common term + filter
    mix += [f"{TOPICAL[i]} {FILTERS[i % len(FILTERS)]}" for i in range(12)]
    mix += AUTHORS + [f"{a} {COMMON[i]}" for i, a in enumerate(AUTHORS)]  # authors
    mix += [f"ti:{w}" for w in COMMON[:8]] + [f"abs:{w}" for w in COMMON[8:12]]  # fields
    mix += ["transformer OR attention", "model -learning", "learning -deep", "network OR graph", "data -model",
            "quantum OR classical", "image -video", "language OR speech", "deep learning -image", "model OR theory"]
    mix += RARE
    return mix


# ------------------------------------------------------------------ measuring


def _stats(times: list[float]) -> tuple[float, float, float]:
    import numpy as np

    ms = np.array(times) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max())


def _timed(fn, *args):
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def query_vector(text: str):
    """A deterministic unit vector per query text (the index holds random vectors; see the docstring)."""
    import hashlib

    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return random_vectors([seed % (2**62)])[0]


def measure(home: Path, runs: int = 3, depth: int = 200) -> None:
    _django.setup(str(home))
    from academichub.core.query import parse
    from academichub.core.vector_index import VectorIndex

    papers = prepare_lists()
    # One search thread: with two, faiss's OpenMP threads collapse when the other core is busy.
    index = VectorIndex.load(home / "vectors-random", model_id="random-unit-vectors", threads=1)
    print(f"papers: {papers:,}; vectors in the ANN index: {len(index):,}; peak RSS so far {_django.rss_mb():.0f} MB")
    mix = query_mix()
    sides = Sides(index, [parse(t) for t in mix], [query_vector(t) for t in mix], depth)
    times, slow = run_mix(sides, mix, runs)
    print(f"\n{len(mix)} queries x {runs} timed runs (after one cold run); keyword and hybrid ask for {depth}")
    report(papers, times, slow, embedding_times(mix[:40]))


def prepare_lists() -> int:
    """Build the keyword top lists if this catalogue has none yet; returns the number of papers."""
    from django.db import connection

    from academichub.papers.models import Paper
    from academichub.search import keyword

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM paper_fts_unit")
        listed = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM paper_fts_pending")
        pending = cursor.fetchone()[0]
    if not listed or pending > keyword.MAX_PENDING:
        started = time.perf_counter()
        print(f"  keyword top lists: {keyword.rebuild_top_lists()} built in {time.perf_counter() - started:.0f} s",
              flush=True)  # fmt: skip
    return Paper.objects.count()


class Sides:
    """The four things timed per query: keyword, semantic, hybrid (RRF of both) and the raw FTS5 floor.

    Hybrid is the engine's composition (``engine.search`` needs stored
    embeddings, which a 1M random-vector bench does not have): keyword
    ranking and ANN search to ``depth`` each, filters applied to the ANN
    candidates, reciprocal-rank fusion (k = 60) to the top 20.
    """

    def __init__(self, index, parsed, vectors, depth: int):
        self.index, self.parsed, self.vectors, self.depth = index, parsed, vectors, depth

    def keyword(self, i):
        from academichub.search import keyword

        return keyword.keyword_ranking(self.parsed[i], self.depth)

    def semantic(self, i):
        from academichub.search import keyword

        hits = self.index.search(self.vectors[i], self.depth)
        if self.parsed[i].filters.is_empty():
            return hits
        passing = set(keyword.ids_passing([p for p, _ in hits], self.parsed[i].filters))
        return [h for h in hits if h[0] in passing]

    def hybrid(self, i):
        from academichub.core import fusion

        return fusion.rrf([[p for p, _ in self.keyword(i)], [p for p, _ in self.semantic(i)]], limit=20)

    def fts5_raw(self, i):
        from django.db import connection

        from academichub.core.query import to_fts5

        expression = to_fts5(self.parsed[i])
        if not expression:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM paper_fts WHERE paper_fts MATCH %s ORDER BY rank LIMIT 20", [expression])
            return cursor.fetchall()


def run_mix(sides: Sides, mix: list[str], runs: int):
    """Times per side; the first keyword run is kept apart ("cold": units seen for the first time get listed)."""
    from bench._django import rss_mb

    times = {"keyword (first run, cold)": [_timed(sides.keyword, i)[1] for i in range(len(mix))],
             "keyword": [], "semantic": [], "hybrid": [], "fts5_raw": []}  # fmt: skip
    print(f"  peak RSS after the cold run: {rss_mb():.0f} MB", flush=True)
    slow = []
    for _ in range(runs):
        for i in range(len(mix)):
            for name in ("keyword", "semantic", "hybrid"):
                times[name].append(_timed(getattr(sides, name), i)[1])
            slow.append((times["hybrid"][-1], mix[i]))
    print(f"  peak RSS after the timed runs: {rss_mb():.0f} MB", flush=True)
    times["fts5_raw"] = [_timed(sides.fts5_raw, i)[1] for i in range(len(mix))]  # once: the floor is slow
    print(f"  peak RSS after the raw FTS5 floor: {rss_mb():.0f} MB", flush=True)
    return times, slow


def report(papers: int, times: dict, slow: list, embed_times: list[float]) -> None:
    from bench._django import rss_mb

    print("| side | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    results = {}
    for name, values in times.items():
        results[name] = _stats(values)
        print(f"| {name} | " + " | ".join(f"{v:.1f}" for v in results[name]) + " |")
    if embed_times:
        print("| query embedding, real MiniLM (separate) | " + " | ".join(f"{v:.1f}" for v in _stats(embed_times)) + " |")
    print("slowest hybrid: " + "; ".join(f"{q!r} {t * 1000:.0f} ms" for t, q in sorted(slow)[-5:]))
    rss = rss_mb()
    print(f"RSS (peak of this process: SQLite cache, ANN index, MiniLM): {rss:.0f} MB")
    print(f"RESULT papers={papers} keyword_p95_ms={results['keyword'][1]:.1f} semantic_p95_ms="
          f"{results['semantic'][1]:.1f} hybrid_p95_ms={results['hybrid'][1]:.1f} hybrid_max_ms="
          f"{results['hybrid'][2]:.1f} fts5_raw_p95_ms={results['fts5_raw'][1]:.1f} rss_mb={rss:.0f}")  # fmt: skip


def embedding_times(texts: list[str]) -> list[float]:
    """Real MiniLM query embeddings, timed one by one (skipped with a message if the model cannot load)."""
    try:
        from academichub.core.embeddings import MiniLMEmbedder

        embedder = MiniLMEmbedder()
        embedder.embed(["warm up"], kind="query")
    except Exception as exc:  # noqa: BLE001 - report and go on: the rest of the bench is still valid
        print(f"query embedding not measured: {exc}")
        return []
    return [_timed(embedder.embed, [t], "query")[1] for t in texts]


if __name__ == "__main__":
    main()
