"""The embedding job: give every paper a vector of the configured model, newest papers first.

Why it is built this way:

* **Planned from the database, not from a cursor.** A paper needs a vector
  when it has none, when its vector was made by another model (the
  configured model changed: its rows are re-embedded, never mixed), or
  when its ``content_hash`` changed since (a revised abstract). The plan
  is recomputed at every start, so a job killed with ``kill -9`` resumes
  by itself: only batches whose transaction committed are done.
* **Batches in one transaction each**: the old row of a paper is deleted
  and the new one inserted together, so a paper never has two vectors and
  a new row id tells every index that something changed (see ``index``).
* **Newest first**, because readers search recent papers most, and the
  search page works on keywords alone until vectors arrive.
* **A time budget** for the background task, so one long backlog does not
  hold a worker for an hour; the next periodic run continues.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet

from academichub.papers.models import Paper
from academichub.search.index import LocalIndex, local_index
from academichub.search.models import PaperEmbedding
from academichub.search.vectors import current_embedder, paper_text, to_blob

log = logging.getLogger("academichub.search")

BATCH_SIZE = 64        # papers per transaction: ~2 s of MiniLM on 2 cores
SAVE_SECONDS = 300     # a long run saves the on-disk index this often


@dataclass
class EmbedStats:
    model_id: str
    planned: int = 0
    embedded: int = 0
    seconds: float = 0.0
    stopped_early: bool = False   # the time budget or the limit ended the run with work left

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0


def pending(model_id: str) -> QuerySet[Paper]:
    """Papers whose vector is missing, from another model, or older than their content."""
    current = Q(embedding__model_id=model_id) & Q(embedding__content_hash=F("content_hash"))
    return Paper.objects.exclude(current)


def plan(model_id: str, limit: int | None = None) -> list[int]:
    """Ids to embed, newest announcement first (papers without a date last, newest id first)."""
    order = [F("announced").desc(nulls_last=True), F("published").desc(nulls_last=True), "-id"]
    ids = pending(model_id).order_by(*order).values_list("id", flat=True)
    return list(ids[:limit] if limit is not None else ids)


def progress(model_id: str | None = None) -> dict:
    """Figures for ``academichub status``: how many papers have a vector of the current model."""
    model_id = model_id or current_embedder().model_id
    rows = PaperEmbedding.objects
    return {"model": model_id, "embedded": rows.filter(model_id=model_id).count(),
            "papers": Paper.objects.count(), "other_model": rows.exclude(model_id=model_id).count()}  # fmt: skip


def embed_pending(*, limit: int | None = None, max_seconds: float | None = None, batch_size: int = BATCH_SIZE,
                  on_progress: Callable[[int, int], None] | None = None) -> EmbedStats:  # fmt: skip
    """Embed what ``plan`` lists (at most ``limit``, within ``max_seconds``) and update the local index.

    ``on_progress(done, planned)`` is called after every committed batch.
    The index on disk is saved at the end and every ``SAVE_SECONDS``.
    """
    embedder = current_embedder()
    stats = EmbedStats(model_id=embedder.model_id)
    started = last_save = time.monotonic()
    index = local_index(max_catch_up=None, force=True)
    ids = plan(embedder.model_id, limit)
    stats.planned = len(ids)
    for start in range(0, len(ids), batch_size):
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            stats.stopped_early = True
            break
        stats.embedded += embed_batch(ids[start:start + batch_size], embedder)
        index.catch_up()
        if on_progress:
            on_progress(stats.embedded, stats.planned)
        if time.monotonic() - last_save > SAVE_SECONDS:
            index.save()
            last_save = time.monotonic()
    stats.stopped_early = stats.stopped_early or (limit is not None and pending(embedder.model_id).exists())
    _finish(index, stats)
    stats.seconds = time.monotonic() - started
    return stats


def _finish(index: LocalIndex, stats: EmbedStats) -> None:
    """Bring the index fully up to date and save it when it changed (or was never saved)."""
    changed = index.catch_up()
    if stats.embedded or changed or index.read_state() is None:
        index.save()


def embed_batch(paper_ids: list[int], embedder) -> int:
    """Embed one batch and replace the papers' rows in one transaction; returns rows written."""
    papers = list(Paper.objects.filter(id__in=paper_ids).values_list("id", "title_text", "title", "abstract_text",
                                                                      "abstract", "content_hash"))  # fmt: skip
    if not papers:
        return 0
    texts = [paper_text(title_text or title, abstract_text or abstract)
             for _, title_text, title, abstract_text, abstract, _ in papers]  # fmt: skip
    vectors = embedder.embed(texts, kind="passage")
    rows = [PaperEmbedding(paper_id=pid, model_id=embedder.model_id, dim=embedder.dim, vector=to_blob(vector),
                           content_hash=content_hash or "")
            for (pid, *_, content_hash), vector in zip(papers, vectors)]  # fmt: skip
    with transaction.atomic():
        PaperEmbedding.objects.filter(paper_id__in=[row.paper_id for row in rows]).delete()
        PaperEmbedding.objects.bulk_create(rows)
    return len(rows)


def sync_index() -> int:
    """Bring this node's index up to date with the table and save it (``embed --index-only``)."""
    index = local_index(max_catch_up=None, force=True)
    changed = index.catch_up()
    index.save()
    return changed
