"""The embedding job, the stored vectors and this node's vector index."""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from academichub.papers.models import Paper
from academichub.papers.storage import CatalogueWriter
from academichub.search import index as index_module
from academichub.search.embedding import embed_pending, plan, progress
from academichub.search.index import LocalIndex, local_index
from academichub.search.models import PaperEmbedding
from academichub.search.vectors import current_model_id, embed_texts, vectors_for
from tests.external import external_hub, hub, hub_popen, query
from tests.search_support import *  # noqa: F403 — fixtures
from tests.test_import import slice_of

pytestmark = pytest.mark.django_db


def newest_first_ids() -> list[int]:
    return list(Paper.objects.order_by("-announced", "-published", "-id").values_list("id", flat=True))


# ---------------------------------------------------------------- the job


def test_embeds_newest_papers_first_and_only_once(catalogue):
    stats = embed_pending(limit=40, batch_size=16)
    assert stats.embedded == 40 and stats.stopped_early
    embedded = set(PaperEmbedding.objects.values_list("paper_id", flat=True))
    newest = newest_first_ids()
    assert embedded == set(newest[:40])
    assert embed_pending().embedded == len(catalogue) - 40
    assert embed_pending().embedded == 0  # nothing left: a rerun is a no-op
    assert PaperEmbedding.objects.count() == Paper.objects.count()


def test_stored_vectors_are_float32_unit_rows_of_the_current_model(catalogue):
    embed_pending(limit=10)
    ids = list(PaperEmbedding.objects.values_list("paper_id", flat=True))
    vectors = vectors_for(ids + [10**9])
    assert set(vectors) == set(ids)
    for vector in vectors.values():
        assert vector.dtype == np.float32 and vector.shape == (256,)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    row = PaperEmbedding.objects.first()
    assert row.model_id == current_model_id() == "test-only-feature-hashing/256"
    assert len(bytes(row.vector)) == 256 * 4
    paper = row.paper
    again = embed_texts([f"{paper.title_text}. {' '.join(paper.abstract_text.split())}"])[0]
    assert np.allclose(again, vectors[paper.pk], atol=1e-6)  # embed_texts and stored vectors agree


def test_model_change_is_planned_never_mixed(catalogue, monkeypatch):
    monkeypatch.setenv("ACADEMICHUB_EMBEDDER", "hashing:64")
    embed_pending()
    old = current_model_id()
    assert PaperEmbedding.objects.filter(model_id=old).count() == len(catalogue)
    monkeypatch.setenv("ACADEMICHUB_EMBEDDER", "hashing:256")
    index_module.reset_local_indexes()
    new = current_model_id()
    figures = progress()
    assert figures == {"model": new, "embedded": 0, "papers": len(catalogue), "other_model": len(catalogue)}
    assert len(plan(new)) == len(catalogue)
    assert vectors_for(Paper.objects.values_list("id", flat=True)) == {}  # old vectors are never served
    assert len(local_index(force=True)) == 0
    embed_pending(limit=100)
    mixed = progress()
    assert (mixed["embedded"], mixed["other_model"]) == (100, len(catalogue) - 100)
    assert len(local_index(force=True)) == 100  # only the new model's vectors are searched
    embed_pending()
    assert set(PaperEmbedding.objects.values_list("model_id", flat=True)) == {new}
    assert PaperEmbedding.objects.count() == len(catalogue)


def test_revised_paper_is_re_embedded(catalogue, corpus_records):
    embed_pending()
    record = corpus_records[5]
    paper = Paper.objects.get(arxiv_id=record.arxiv_id)
    before = PaperEmbedding.objects.get(paper=paper)
    CatalogueWriter("test").write([replace(record, abstract="A completely new abstract about quantum error correction.")])
    assert plan(current_model_id()) == [paper.pk]
    assert embed_pending().embedded == 1
    after = PaperEmbedding.objects.get(paper=paper)
    assert after.pk > before.pk and bytes(after.vector) != bytes(before.vector)
    top = local_index(force=True).search(embed_texts(["quantum error correction"], kind="query")[0], 1)
    assert top[0][0] == paper.pk


# ---------------------------------------------------------------- the local index


def test_index_catches_up_by_high_water_mark_and_repairs_deletions(catalogue):
    embed_pending(limit=50)
    idx = local_index(force=True)
    assert len(idx) == 50 and idx.high_water == PaperEmbedding.objects.order_by("-id").first().pk
    embed_pending(limit=25)
    assert len(local_index(force=True)) == 75
    gone = Paper.objects.filter(embedding__isnull=False).order_by("id").first()
    gone_id = gone.pk
    gone.delete()  # cascades to its embedding
    idx = local_index(force=True)
    assert len(idx) == 74 and gone_id not in idx.index


def test_web_catch_up_is_bounded(catalogue, search_env):
    embed_pending(limit=60)
    shutil.rmtree(search_env)  # no saved index: a web process must catch up from the table
    index_module.reset_local_indexes()
    assert len(local_index(max_catch_up=20, force=True)) == 20
    assert len(local_index(max_catch_up=20, force=True)) == 40
    assert len(local_index(max_catch_up=None, force=True)) == 60


def test_saved_index_is_reloaded_and_tied_to_model_and_database(catalogue, search_env):
    embed_pending()  # saves at the end
    state = json.loads(next(search_env.glob("*.state.json")).read_text())
    assert state["vectors"] == len(catalogue) and state["model_id"] == current_model_id()
    fresh = LocalIndex(current_model_id(), 256)
    assert fresh.load() and len(fresh) == len(catalogue) and fresh.high_water == state["high_water"]
    assert fresh.catch_up() == 0
    other_db = LocalIndex(current_model_id(), 256)
    other_db.fingerprint = "another-database"
    assert not other_db.load()  # never serve vectors of another catalogue
    other_model = LocalIndex("another-model", 256)
    assert not other_model.load()


def test_broken_index_on_disk_is_rebuilt_from_the_database(catalogue, search_env):
    embed_pending()
    for meta in search_env.glob("*/meta.json"):
        meta.write_text("{not json")
    index_module.reset_local_indexes()
    assert len(local_index(max_catch_up=None, force=True)) == len(catalogue)


# ---------------------------------------------------------------- status, CLI, task


def test_status_shows_embedding_progress(catalogue, capsys):
    from academichub import cli

    embed_pending(limit=30)
    assert cli.main(["status"]) == 0
    text = capsys.readouterr().out
    assert f"embeddings: 30 of {len(catalogue)} (model test-only-feature-hashing/256)" in text
    assert cli.main(["status", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["embeddings"] == {"model": "test-only-feature-hashing/256", "embedded": 30,
                                     "papers": len(catalogue), "other_model": 0}  # fmt: skip


def test_embed_command(catalogue, capsys):
    from academichub import cli

    assert cli.main(["embed", "--limit", "20", "--batch-size", "7"]) == 0
    out = capsys.readouterr().out
    assert "embedded 20 papers" in out and f"{len(catalogue) - 20} left" in out
    assert cli.main(["embed"]) == 0
    assert f"{len(catalogue)} of {len(catalogue)} done" in capsys.readouterr().out
    assert cli.main(["embed", "--index-only"]) == 0
    assert "vector index up to date" in capsys.readouterr().out
    assert cli.main(["embed", "--limit", "0"]) == 2
    assert "--limit must be a positive number" in capsys.readouterr().err


def test_background_task_respects_its_lock_and_budget(catalogue, settings):
    from huey.contrib.djhuey import HUEY

    from academichub.search import tasks

    with HUEY.lock_task(tasks.LOCK):
        tasks._heartbeat_path().parent.mkdir(parents=True, exist_ok=True)
        tasks._heartbeat_path().touch()
        assert tasks.embed_for_a_while() is None  # a live run holds the lock
    stats = tasks.embed_for_a_while(max_seconds=0)
    assert stats.embedded == 0 and stats.stopped_early  # the budget was spent before the first batch
    HUEY.lock_task(tasks.LOCK).__enter__()  # a worker died holding the lock ...
    stale = time.time() - tasks.STALE_SECONDS - 10
    import os

    os.utime(tasks._heartbeat_path(), (stale, stale))
    stats = tasks.embed_for_a_while(limit=10)  # ... so the next run frees it
    assert stats is not None and stats.embedded == 10
    assert not HUEY.is_locked(tasks.LOCK)


# ---------------------------------------------------------------- kill -9


def test_kill_9_during_embedding_then_rerun_embeds_each_paper_once(cs_corpus, tmp_path, expected_vendor):
    lines = 1500
    dump = slice_of(cs_corpus, tmp_path / "embed.jsonl.gz", lines)
    rng = random.Random()
    seed = rng.randrange(1_000_000)
    rng.seed(seed)
    with external_hub(tmp_path, expected_vendor) as env:
        env.update(ACADEMICHUB_EMBEDDER="hashing:64")
        hub(env, "import", str(dump))
        process = hub_popen(env, "embed", "--batch-size", "2")
        deadline, stored = time.monotonic() + 120, 0
        target = rng.choice([10, 100, 400])
        while time.monotonic() < deadline and process.poll() is None and stored < target:
            stored = (query(env, "SELECT count(*) FROM search_paperembedding") or [(0,)])[0][0]
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.2))
        process.kill()  # SIGKILL, possibly inside a batch's transaction
        process.wait()
        assert process.returncode == -9, f"embedding ended before it was killed (seed {seed})"
        committed = query(env, "SELECT count(*) FROM search_paperembedding")[0][0]
        assert 0 < committed < lines and committed % 2 == 0, f"seed {seed}: only whole batches count"
        done = hub(env, "embed")
        assert f"embedded {lines - committed} papers" in done.stdout, done.stdout + done.stderr
        rows, papers = query(env, "SELECT count(*), count(DISTINCT paper_id) FROM search_paperembedding")[0]
        assert rows == papers == lines
        assert "embedded 0 papers" in hub(env, "embed").stdout
        status = hub(env, "status").stdout
        assert f"embeddings: {lines} of {lines} (model test-only-feature-hashing/64)" in status


# ---------------------------------------------------------------- the real model


@pytest.mark.parametrize("model", ["minilm"])
def test_real_minilm_finds_papers_by_meaning(db, search_env, monkeypatch, model):
    """The product's model: a query sharing no word with the paper still finds it."""
    from academichub.core.records import PaperRecord, Version
    from academichub.search.engine import search

    monkeypatch.setenv("ACADEMICHUB_EMBEDDER", model)
    index_module.reset_local_indexes()
    topics = {
        "2501.00001": ("Trajectory planning for autonomous vehicles in dense urban traffic",
                       "We plan safe motion for driverless cars among pedestrians and other road users."),
        "2501.00002": ("Protein structure prediction with geometric deep learning",
                       "We predict the folded shape of amino-acid chains from their sequence."),
        "2501.00003": ("Sparse attention for long document summarization",
                       "We condense lengthy reports into short abstracts with efficient transformers."),
        "2501.00004": ("Galaxy morphology classification from telescope images",
                       "Convolutional networks label spiral and elliptical galaxies in sky surveys."),
    }  # fmt: skip
    CatalogueWriter("test").write([PaperRecord(arxiv_id=key, title=title, abstract=abstract, authors=["A. Author"],
                                               categories=["cs.LG"], versions=[Version(1, date(2025, 1, 2))],
                                               announced=date(2025, 1, 2))
                                   for key, (title, abstract) in topics.items()])  # fmt: skip
    stats = embed_pending()
    assert stats.embedded == 4 and stats.model_id.startswith("all-MiniLM-L6-v2/onnx-int8/")
    result = search("self-driving automobiles")
    assert result.mode == "semantic"  # no paper contains these words
    assert result.hits[0].paper.arxiv_id == "2501.00001"
    result = search("stars and nebulae photographs")
    assert result.hits[0].paper.arxiv_id == "2501.00004"
