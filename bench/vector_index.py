"""ANN library comparison for the paper index: build time, latency, recall, memory.

    .venv/bin/python bench/vector_index.py [--n 1000000] [--queries 500] [--libs ...]

Data: ``--n`` synthetic 384-d unit vectors shaped like all-MiniLM-L6-v2
abstract embeddings. They are drawn from clusters of ~30 papers around a
shared mean direction, with a power-law covariance spectrum; the constants
were fitted once to 3,000 real MiniLM embeddings of the arXiv CS corpus
(real: mean pairwise cosine 0.29, mean nearest-neighbour cosine among 3k
0.67, spectrum slope -0.87; synthetic at 3k: 0.29 / 0.66 / -0.87). Uniform
random vectors would make HNSW look worse (no structure) and quantisation
look better (no near ties) than on real data. Queries are held-out points
from the same clusters; recall@10 is against exact numpy search.

Each library builds in its own process (2 threads, all cores here), saves
its index, and a *fresh* process loads it and answers the queries one at a
time on 1 thread, so ``rss_mb`` is what a serving process holds (Python,
numpy, the library and the index), and ``p50/p95_ms`` is single-query
latency (``_ef128``: the same with twice the search breadth).
``build_cpu_s`` (user + system time of the build process) is reported
beside the wall-clock ``build_s`` because the machine may be shared with
other work: CPU time is what another process cannot inflate (p95 latency
is the figure most exposed to such noise). ``ours`` is ``academichub.core.vector_index.VectorIndex`` (the
chosen library behind the project's API): it additionally reports filtered
search (``allowed_ids`` at 10 % and 0.5 % of the corpus), removal and an
incremental add + save. The output ends with one line
``RESULT n=... lib=... build_s=... p50_ms=... p95_ms=... recall10=... rss_mb=...``
for ``ours``. Data and indexes go to ``--workdir`` (default
``var/cache/bench-vector-index``) and are deleted afterwards unless
``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 384
K = 10
M = 16               # graph degree for every HNSW library (same memory/recall trade-off)
EF_CONSTRUCTION = 128
EF_SEARCH = 64
CLUSTER_SIZE = 30
WITHIN_SHARE, SPREAD, MEAN_NORM, SLOPE = 0.65, 0.85, 0.536, 0.87
ALL_LIBS = ["numpy", "hnswlib", "usearch-f32", "usearch-f16", "usearch-i8", "faiss-hnsw", "faiss-hnsw-sq8", "ours"]


# ------------------------------------------------------------------ data


def make_data(workdir: Path, n: int, queries: int, seed: int = 0) -> None:
    """Write base.npy (n x 384), queries.npy and truth.npy (exact top-K ids)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    scale = np.sqrt(np.arange(1, DIM + 1) ** -SLOPE)
    scale /= np.linalg.norm(scale)
    mean = rng.standard_normal(DIM)
    mean *= MEAN_NORM / np.linalg.norm(mean)
    n_clusters = max(1, (n + queries) // CLUSTER_SIZE)
    centers = (rng.standard_normal((n_clusters, DIM)) * scale * np.sqrt(1 - WITHIN_SHARE)) @ basis.T
    total = n + queries
    out = np.lib.format.open_memmap(workdir / "all.npy", mode="w+", dtype=np.float32, shape=(total, DIM))
    for start in range(0, total, 100_000):
        stop = min(total, start + 100_000)
        owner = rng.integers(0, n_clusters, stop - start)
        noise = (rng.standard_normal((stop - start, DIM)) * scale * np.sqrt(WITHIN_SHARE)) @ basis.T
        block = mean + SPREAD * (centers[owner] + noise)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    out.flush()
    np.save(workdir / "base.npy", out[:n])
    np.save(workdir / "queries.npy", np.ascontiguousarray(out[n:]))
    del out
    (workdir / "all.npy").unlink()
    np.save(workdir / "truth.npy", exact_topk(np.load(workdir / "base.npy", mmap_mode="r"),
                                              np.load(workdir / "queries.npy"), K))  # fmt: skip


def exact_topk(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact inner-product top-k, in chunks of the base so memory stays bounded."""
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(base), 100_000):
        block = np.asarray(base[start:start + 100_000])
        scores = queries @ block.T
        idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(scores, idx, 1)], axis=1)
        cand_i = np.concatenate([best_i, idx + start], axis=1)
        order = np.argsort(-cand_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, order, 1), np.take_along_axis(cand_i, order, 1)
    return best_i


# ------------------------------------------------------------------ adapters


def rss_mb() -> float:
    """Current resident set size (not the peak): what the process holds now."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak RSS of this process image (VmHWM; ru_maxrss would include the parent's peak)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build(lib: str, base: np.ndarray, path: Path) -> None:
    """Build ``lib``'s index over ``base`` (ids 0..n-1) and save it to ``path``."""
    n = len(base)
    ids = np.arange(n, dtype=np.int64)
    if lib == "numpy":
        np.save(path, np.asarray(base))
    elif lib == "hnswlib":
        import hnswlib

        index = hnswlib.Index(space="ip", dim=DIM)
        index.init_index(max_elements=n, ef_construction=EF_CONSTRUCTION, M=M)
        index.set_num_threads(2)
        for start in range(0, n, 50_000):
            index.add_items(np.asarray(base[start:start + 50_000]), ids[start:start + 50_000])
        index.save_index(str(path))
    elif lib.startswith("usearch"):
        from usearch.index import Index

        index = Index(ndim=DIM, metric="cos", dtype=lib.split("-")[1], connectivity=M,
                      expansion_add=EF_CONSTRUCTION, expansion_search=EF_SEARCH)  # fmt: skip
        for start in range(0, n, 50_000):
            index.add(ids[start:start + 50_000], np.asarray(base[start:start + 50_000]), threads=2)
        index.save(str(path))
    elif lib.startswith("faiss"):
        import faiss

        faiss.omp_set_num_threads(2)
        if lib == "faiss-hnsw":
            index = faiss.IndexHNSWFlat(DIM, M, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexHNSWSQ(DIM, faiss.ScalarQuantizer.QT_8bit, M, faiss.METRIC_INNER_PRODUCT)
            index.train(np.asarray(base[: min(n, 100_000)]))
        index.hnsw.efConstruction = EF_CONSTRUCTION
        for start in range(0, n, 50_000):
            index.add(np.asarray(base[start:start + 50_000]))
        faiss.write_index(index, str(path))
    elif lib == "ours":
        from academichub.core.vector_index import VectorIndex

        index = VectorIndex(dim=DIM, threads=2)
        for start in range(0, n, 50_000):
            index.add(ids[start:start + 50_000], np.asarray(base[start:start + 50_000]))
        index.save(path)
    else:
        raise SystemExit(f"unknown library {lib!r}; choose from {', '.join(ALL_LIBS)}")


def loader(lib: str, path: Path):
    """Load ``lib``'s saved index; return ``search(vector, ef) -> ids`` (1 thread)."""
    if lib == "numpy":
        base = np.load(path)

        def search(q, ef):
            scores = base @ q
            top = np.argpartition(-scores, K - 1)[:K]
            return top[np.argsort(-scores[top])]
        return search
    if lib == "hnswlib":
        import hnswlib

        index = hnswlib.Index(space="ip", dim=DIM)
        index.load_index(str(path))
        index.set_num_threads(1)

        def search(q, ef):
            index.set_ef(ef)
            return index.knn_query(q, k=K)[0][0]
        return search
    if lib.startswith("usearch"):
        from usearch.index import Index

        index = Index.restore(str(path))

        def search(q, ef):
            index.expansion_search = ef
            return index.search(q, K, threads=1).keys
        return search
    if lib.startswith("faiss"):
        import faiss

        faiss.omp_set_num_threads(1)
        index = faiss.read_index(str(path))

        def search(q, ef):
            index.hnsw.efSearch = ef
            return index.search(q[None, :], K)[1][0]
        return search
    from academichub.core.vector_index import VectorIndex

    index = VectorIndex.load(path, threads=1)

    def search(q, ef):
        index.ef_search = ef
        return [i for i, _ in index.search(q, K)]
    return search


# ------------------------------------------------------------------ workers


def worker_build(lib: str, workdir: Path) -> dict:
    base = np.load(workdir / "base.npy", mmap_mode="r")
    path = workdir / f"index-{lib}"
    started, cpu = time.perf_counter(), time.process_time()
    build(lib, base, path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = sum(f.stat().st_size for f in Path(workdir).glob(f"index-{lib}*") if f.is_file())
    size += sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0
    return {"build_s": round(seconds, 1), "build_cpu_s": round(cpu, 1), "disk_mb": round(size / 2**20),
            "build_peak_mb": round(peak_rss_mb())}  # fmt: skip


def worker_serve(lib: str, workdir: Path) -> dict:
    queries = np.load(workdir / "queries.npy")
    truth = np.load(workdir / "truth.npy")
    path = workdir / f"index-{lib}"
    if lib == "numpy":
        path = workdir / "index-numpy.npy"
    started = time.perf_counter()
    search = loader(lib, path)
    load_s = time.perf_counter() - started
    row = {"load_s": round(load_s, 2)}
    for ef in (EF_SEARCH, 2 * EF_SEARCH) if lib != "numpy" else (EF_SEARCH,):
        for q in queries[:20]:
            search(q, ef)  # warm caches and lazily-mapped pages
        latencies, hits = [], 0
        for q, want in zip(queries, truth):
            t0 = time.perf_counter()
            got = search(q, ef)
            latencies.append((time.perf_counter() - t0) * 1000)
            hits += len(set(np.asarray(got, dtype=np.int64)[:K].tolist()) & set(want.tolist()))
        tag = "" if ef == EF_SEARCH else f"_ef{ef}"
        row[f"p50_ms{tag}"] = round(float(np.percentile(latencies, 50)), 3)
        row[f"p95_ms{tag}"] = round(float(np.percentile(latencies, 95)), 3)
        row[f"recall10{tag}"] = round(hits / (K * len(queries)), 4)
    row["rss_mb"] = round(rss_mb())
    if lib == "ours":
        row.update(ours_extras(path, queries, workdir))
    return row


def ours_extras(path: Path, queries: np.ndarray, workdir: Path) -> dict:
    """Filtered search, removal and incremental add on the project's class."""
    from academichub.core.vector_index import VectorIndex

    index = VectorIndex.load(path, threads=1)
    n = len(index)
    base = np.load(workdir / "base.npy", mmap_mode="r")
    rng = np.random.default_rng(1)
    out = {}
    for name, share in (("filter10", 0.10), ("filter0_5", 0.005)):
        allowed = np.sort(rng.choice(n, max(K, int(n * share)), replace=False)).astype(np.int64)
        allowed_set = set(allowed.tolist())
        sub = np.asarray(base[allowed])
        lat, hits = [], 0
        sample = queries[:200]
        for q in sample:
            t0 = time.perf_counter()
            got = [i for i, _ in index.search(q, K, allowed_ids=allowed)]
            lat.append((time.perf_counter() - t0) * 1000)
            exact = allowed[np.argsort(-(sub @ q))[:K]]
            hits += len(set(got) & set(exact.tolist()))
            if not set(got) <= allowed_set:
                raise SystemExit(f"filtered search returned ids outside allowed_ids ({name})")
        out[f"{name}_p95_ms"] = round(float(np.percentile(lat, 95)), 2)
        out[f"{name}_recall10"] = round(hits / (K * len(sample)), 4)
    gone = rng.choice(n, n // 100, replace=False).astype(np.int64)
    t0 = time.perf_counter()
    index.remove(gone)
    out["remove_1pct_s"] = round(time.perf_counter() - t0, 2)
    gone_set = set(gone.tolist())
    if any(i in gone_set for q in queries[:100] for i, _ in index.search(q, K)):
        raise SystemExit("a removed id came back from search")
    fresh = np.asarray(base[:1000]) + 0.0
    t0 = time.perf_counter()
    index.add(np.arange(n + 10, n + 1010, dtype=np.int64), fresh)
    index.save(workdir / "index-ours-updated")
    out["add1000_save_s"] = round(time.perf_counter() - t0, 2)
    return out


PINS = {"hnswlib": "hnswlib==0.8.0", "usearch": "usearch==2.26.6", "faiss": "faiss-cpu==1.15.1"}


def check_installed(libs: list[str]) -> None:
    """Fail before generating a gigabyte of data if a compared library is missing."""
    unknown = [lib for lib in libs if lib not in ALL_LIBS]
    if unknown:
        raise SystemExit(f"unknown library {', '.join(unknown)}; choose from {', '.join(ALL_LIBS)}")
    needed = {("faiss" if lib == "ours" else lib.split("-")[0]) for lib in libs} - {"numpy"}
    missing = []
    for module in sorted(needed):
        try:
            __import__(module)
        except ImportError:
            missing.append(PINS[module])
    if missing:
        raise SystemExit("missing for this comparison: pip install " + " ".join(f"'{m}'" for m in missing)
                         + " (or leave those out with --libs)")  # fmt: skip


def run_worker(kind: str, lib: str, workdir: Path) -> dict:
    """Run one phase in a fresh interpreter so memory figures are not mixed."""
    env = {**os.environ, "OMP_NUM_THREADS": "2" if kind == "build" else "1"}
    cmd = [sys.executable, __file__, "--worker", kind, "--libs", lib, "--workdir", str(workdir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} {lib} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--libs", default=",".join(ALL_LIBS))
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "cache" / "bench-vector-index")
    parser.add_argument("--keep", action="store_true", help="keep data and indexes in --workdir")
    parser.add_argument("--worker", choices=["build", "serve"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        fn = worker_build if args.worker == "build" else worker_serve
        print(json.dumps(fn(args.libs, args.workdir)))
        return
    libs = [lib.strip() for lib in args.libs.split(",") if lib.strip()]
    check_installed(libs)
    workdir = args.workdir / f"n{args.n}"
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    make_data(workdir, args.n, args.queries)
    print(f"data: n={args.n} queries={args.queries} dim={DIM} "
          f"({time.perf_counter() - started:.0f} s incl. exact truth)")  # fmt: skip
    rows = {}
    try:
        for lib in libs:
            row = {**run_worker("build", lib, workdir), **run_worker("serve", lib, workdir)}
            rows[lib] = row
            print(f"{lib:15s} " + " ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)
    final = "ours" if "ours" in rows else libs[-1]
    row = rows[final]
    lib_name = final
    if final == "ours":
        from academichub.core.vector_index import VectorIndex

        lib_name = VectorIndex.library
    extras = " ".join(f"{k}={v}" for k, v in row.items() if k.startswith(("filter", "remove", "add")))
    print(f"RESULT n={args.n} lib={lib_name} build_s={row['build_s']} p50_ms={row['p50_ms']} "
          f"p95_ms={row['p95_ms']} recall10={row['recall10']} rss_mb={row['rss_mb']} "
          f"disk_mb={row['disk_mb']} {extras}".rstrip())  # fmt: skip


def print_table(rows: dict) -> None:
    cols = ["build_s", "build_cpu_s", "build_peak_mb", "disk_mb", "load_s", "p50_ms", "p95_ms", "recall10",
            "p95_ms_ef128", "recall10_ef128", "rss_mb"]  # fmt: skip
    print("\n| lib | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for lib, row in rows.items():
        print(f"| {lib} | " + " | ".join(str(row.get(c, "")) for c in cols) + " |")
    print()


if __name__ == "__main__":
    main()
