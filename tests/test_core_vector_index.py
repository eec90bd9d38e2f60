"""The ANN index (academichub.core.vector_index): both phases, filters, updates, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from academichub.core.vector_index import VectorIndex, VectorIndexError

DIM = 32


def unit(rng, n: int, dim: int = DIM) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return ids[np.argsort(-(vectors @ query))[:k]].tolist()


@pytest.fixture(params=["exact", "hnsw"])
def phase(request):
    """The same contract must hold before and after the index turns into an HNSW graph."""
    return request.param


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    ids = (np.arange(3000, dtype=np.int64) * 13) + 1_000_000_000_000   # large, sparse ids
    return ids, unit(rng, 3000), unit(rng, 50)


def build(phase: str, ids, vectors, **kw) -> VectorIndex:
    index = VectorIndex(DIM, model_id="test-model", exact_below=100_000 if phase == "exact" else 500, **kw)
    index.add(ids, vectors)
    assert index.is_approximate == (phase == "hnsw")
    return index


def recall_at_10(index, ids, vectors, queries, allowed=None) -> float:
    hits = 0
    for q in queries:
        got = [i for i, _ in index.search(q, 10, allowed_ids=allowed)]
        if allowed is None:
            want = exact(vectors, ids, q, 10)
        else:
            mask = np.isin(ids, allowed)
            want = exact(vectors[mask], ids[mask], q, 10)
        hits += len(set(got) & set(want))
    return hits / (10 * len(queries))


def test_search_finds_neighbours_with_scores(phase, data):
    ids, vectors, queries = data
    index = build(phase, ids, vectors)
    assert len(index) == 3000
    top = index.search(vectors[42], 5)
    assert top[0][0] == ids[42] and top[0][1] == pytest.approx(1.0, abs=0.02)
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)
    assert all(isinstance(i, int) and isinstance(s, float) for i, s in top)
    assert recall_at_10(index, ids, vectors, queries) >= (1.0 if phase == "exact" else 0.9)


def test_allowed_ids_restricts_results(phase, data):
    ids, vectors, queries = data
    index = build(phase, ids, vectors)
    for allowed in (ids[::3], ids[:40]):                       # large (graph + selector) and small (exact) sets
        allowed_set = set(allowed.tolist())
        for q in queries[:10]:
            assert {i for i, _ in index.search(q, 10, allowed_ids=allowed)} <= allowed_set
        assert recall_at_10(index, ids, vectors, queries[:20], allowed) >= 0.9
    assert index.search(queries[0], 10, allowed_ids=np.array([], dtype=np.int64)) == []
    assert index.search(queries[0], 10, allowed_ids=[123]) == []          # unknown ids are ignored


def test_remove_and_replace(phase, data):
    ids, vectors, _ = data
    index = build(phase, ids, vectors)
    assert index.remove(ids[[42, 43, 43]]) == 2
    assert index.remove([42424242]) == 0
    assert len(index) == 2998 and ids[42] not in index and ids[44] in index
    assert ids[42] not in {i for i, _ in index.search(vectors[42], 20)}
    # Re-adding an id (live or removed) replaces its vector instead of duplicating it.
    index.add(ids[[42, 44]], vectors[[7, 8]])
    assert len(index) == 2999
    assert index.search(vectors[7], 2)[0][0] in (ids[7], ids[42])
    assert {i for i, _ in index.search(vectors[8], 2)} == {int(ids[8]), int(ids[44])}
    assert ids[44] not in {i for i, _ in index.search(vectors[44], 3)}


def test_save_load_round_trip_without_pickle(phase, data, tmp_path):
    ids, vectors, queries = data
    index = build(phase, ids, vectors)
    index.remove(ids[:10])
    index.save(tmp_path / "vi")
    files = sorted(p.name for p in (tmp_path / "vi").iterdir())
    assert files == sorted(["meta.json", "rows.npy", "alive.npy", "hnsw.faiss" if phase == "hnsw" else "vectors.npy"])
    for name in ("rows.npy", "alive.npy"):
        np.load(tmp_path / "vi" / name, allow_pickle=False)      # plain arrays, no object pickles
    loaded = VectorIndex.load(tmp_path / "vi", model_id="test-model")
    assert len(loaded) == len(index) == 2990
    for q in queries[:5]:
        assert loaded.search(q, 10) == index.search(q, 10)
    # Incremental: add to the loaded index and save over the old directory.
    loaded.add(np.array([5, 6], dtype=np.int64), vectors[:2])
    loaded.save(tmp_path / "vi")
    again = VectorIndex.load(tmp_path / "vi")
    assert len(again) == 2992 and again.search(vectors[0], 1)[0][0] in (5, int(ids[0]))
    assert not (tmp_path / "vi.tmp").exists() and not (tmp_path / "vi.old").exists()


def test_growing_past_the_threshold_switches_to_hnsw(data, tmp_path):
    ids, vectors, queries = data
    index = VectorIndex(DIM, exact_below=1000)
    for start in range(0, 3000, 250):
        index.add(ids[start:start + 250], vectors[start:start + 250])
        assert index.is_approximate == (start + 250 >= 1000)
    assert recall_at_10(index, ids, vectors, queries) >= 0.9


def test_compact_drops_dead_rows(phase, data):
    ids, vectors, queries = data
    index = build(phase, ids, vectors)
    index.remove(ids[: 1500])
    assert index.dead_rows == 1500
    before = [index.search(q, 5) for q in queries[:5]]
    index.compact()
    assert index.dead_rows == 0 and len(index) == 1500
    assert sorted(index.ids().tolist()) == sorted(ids[1500:].tolist())
    after = [index.search(q, 5) for q in queries[:5]]
    assert [[i for i, _ in r] for r in after] == [[i for i, _ in r] for r in before]


def test_model_mismatch_and_bad_files_are_refused(data, tmp_path):
    ids, vectors, _ = data
    index = build("exact", ids[:10], vectors[:10])
    index.save(tmp_path / "vi")
    with pytest.raises(VectorIndexError, match="built with model 'test-model'"):
        VectorIndex.load(tmp_path / "vi", model_id="another-model")
    with pytest.raises(VectorIndexError, match="no vector index"):
        VectorIndex.load(tmp_path / "missing")
    meta = json.loads((tmp_path / "vi" / "meta.json").read_text())
    (tmp_path / "vi" / "meta.json").write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(VectorIndexError, match="rebuild"):
        VectorIndex.load(tmp_path / "vi")
    (tmp_path / "vi" / "meta.json").write_text(json.dumps(meta))
    np.save(tmp_path / "vi" / "rows.npy", np.arange(3, dtype=np.int64))
    with pytest.raises(VectorIndexError, match="inconsistent"):
        VectorIndex.load(tmp_path / "vi")


def test_input_validation(data):
    ids, vectors, _ = data
    index = VectorIndex(DIM)
    with pytest.raises(ValueError, match="shape"):
        index.add(ids[:3], vectors[:2])
    with pytest.raises(ValueError, match="integers"):
        index.add(np.array([1.5, 2.5]), vectors[:2])
    with pytest.raises(ValueError, match="unique"):
        index.add(np.array([1, 1]), vectors[:2])
    bad = vectors[:2].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        index.add(np.array([1, 2]), bad)
    with pytest.raises(ValueError, match="dimensions"):
        index.search(np.zeros(DIM + 1), 3)
    index.add(np.zeros(0, dtype=np.int64), np.zeros((0, DIM)))
    assert len(index) == 0 and index.search(vectors[0], 5) == []
    index.add(ids[:3], vectors[:3])
    assert len(index.search(vectors[0], 10)) == 3
    assert len(index.search(vectors[0], 10**12)) == 3     # k is capped, nothing huge is allocated
    assert index.search(vectors[0], 0) == []


@pytest.mark.parametrize("make_ids", [lambda n: np.arange(n, dtype=np.int64) + 1,          # dense: direct table
                                      lambda n: np.arange(n, dtype=np.int64) * 7919 - 10**6])  # negative, sparse
def test_id_lookup_strategies_agree(make_ids, data):
    _, vectors, queries = data
    ids = make_ids(len(vectors))
    index = build("hnsw", ids, vectors)
    allowed = ids[5::4]
    assert {i for i, _ in index.search(queries[0], 10, allowed_ids=allowed[::-1])} <= set(allowed.tolist())
    assert index.remove(np.concatenate([ids[:3], ids[:3], [10**15, -(10**15)]])) == 3
    assert ids[0] not in index and ids[3] in index and len(index) == len(ids) - 3
    index.add(ids[:1], vectors[:1])
    assert index.search(vectors[0], 1)[0][0] == ids[0]
