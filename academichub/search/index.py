"""This node's vector index: a disk cache of the ``PaperEmbedding`` table.

The database is the truth; the faiss index (``core.vector_index.VectorIndex``)
under ``$ACADEMICHUB_HOME/search/`` is derived from it and can always be
rebuilt. Keeping them in sync relies on one property of the table: a paper
that is (re-)embedded gets a NEW row, so row ids only grow. Each index
therefore remembers a *high-water mark*, the largest row id it has read,
and catches up by reading ``id > high_water`` for the current model, in id
order. Deletions (a paper deleted or merged away, a re-embedding that
replaced a row) are found by comparing counts: when the table's count for
the model differs from the index's, the two id sets are diffed once.

Several nodes (multi-node deployments)
--------------------------------------
Every node keeps its own local index; nothing but the database is shared.

* The embedding job runs on ONE worker at a time (a Huey lock; with Redis
  the periodic task is queued once for the whole cluster). It writes
  ``PaperEmbedding`` rows batch by batch, each batch in one transaction.
* Every process that searches (web workers on every node) catches up from
  the table on its own: at most every ``REFRESH_SECONDS`` it reads the rows
  above its high-water mark (at most ``WEB_CATCH_UP`` per refresh, so a
  request never waits for a rebuild) and checks the count for deletions.
* A node whose index is far behind or missing (a new node, a lost disk)
  reloads the saved index when one is newer, or is brought up to date by
  ``academichub embed --index-only``, which catches up fully and saves the
  index to disk; the periodic embedding task does the same on the worker.
  Until then search answers with keywords, and says so.
* The saved state records the model id and a fingerprint of the database,
  so an index built for another model or another database is never used.

Because ids are assigned at insert, a concurrent writer could commit a
lower id after a higher one was read; the single-writer lock prevents it,
and the count check repairs it anyway (missing ids are read by diff).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

import numpy as np

from academichub import paths
from academichub.core.vector_index import VectorIndex, VectorIndexError

log = logging.getLogger("academichub.search")

REFRESH_SECONDS = 30      # how often a web process looks for new rows
WEB_CATCH_UP = 5_000      # rows a search request may add to its index in one refresh
READ_CHUNK = 2_000        # rows read per query while catching up
INDEX_DIR_ENV = "ACADEMICHUB_VECTOR_DIR"


def index_root() -> Path:
    """``$ACADEMICHUB_VECTOR_DIR`` or ``$ACADEMICHUB_HOME/search``."""
    value = os.environ.get(INDEX_DIR_ENV)
    return Path(value).expanduser() if value else paths.home() / "search"


def database_fingerprint() -> str:
    """Which database the index mirrors (vendor, host, name), so it is never reused for another."""
    from django.db import connection

    settings = connection.settings_dict
    key = f"{connection.vendor}|{settings.get('HOST') or ''}|{settings.get('PORT') or ''}|{settings.get('NAME')}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class LocalIndex:
    """The vector index of one model plus its high-water mark; thread-safe.

    ``catch_up`` reads new rows from the database, ``save`` writes index and
    state to disk, ``search`` runs a (filtered) nearest-neighbour query.
    """

    def __init__(self, model_id: str, dim: int, root: Path | None = None):
        self.model_id, self.dim = model_id, dim
        slug = re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-")
        self.path = (root or index_root()) / f"vectors-{slug}"
        self.state_path = self.path.with_name(self.path.name + ".state.json")
        self.fingerprint = database_fingerprint()
        self.index = VectorIndex(dim, model_id=model_id)
        self.high_water = 0
        self.loaded_state: dict | None = None
        self.checked_at = 0.0
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.index)

    # ---------------------------------------------------------------- disk

    def read_state(self) -> dict | None:
        """The saved state if it belongs to this model and database, else None."""
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        ok = state.get("model_id") == self.model_id and state.get("database") == self.fingerprint
        return state if ok and isinstance(state.get("high_water"), int) else None

    def load(self) -> bool:
        """Replace the in-memory index by the saved one; False when there is none usable."""
        state = self.read_state()
        if state is None:
            return False
        try:
            index = VectorIndex.load(self.path, model_id=self.model_id)
        except VectorIndexError as exc:
            log.warning("vector index at %s not usable (%s); it will be rebuilt from the database", self.path, exc)
            return False
        with self.lock:
            self.index, self.high_water, self.loaded_state = index, state["high_water"], state
        return True

    def save(self) -> None:
        """Write the index, then the state (a crash between them only makes the next catch-up redo rows)."""
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.index.save(self.path)
            state = {"model_id": self.model_id, "database": self.fingerprint, "high_water": self.high_water,
                     "vectors": len(self.index), "saved_at": time.time()}  # fmt: skip
            tmp = self.state_path.with_name(self.state_path.name + ".tmp")
            tmp.write_text(json.dumps(state, indent=1))
            os.replace(tmp, self.state_path)
            self.loaded_state = state

    # ---------------------------------------------------------------- database

    def catch_up(self, max_rows: int | None = None) -> int:
        """Add rows above the high-water mark (at most ``max_rows``), then repair deletions.

        Returns the number of vectors added or removed. The deletion check
        only runs once the index has read everything, since before that the
        counts differ for the ordinary reason.
        """
        from academichub.search.models import PaperEmbedding

        changed, complete = 0, False
        with self.lock:
            while max_rows is None or changed < max_rows:
                size = READ_CHUNK if max_rows is None else min(READ_CHUNK, max_rows - changed)
                rows = list(PaperEmbedding.objects.filter(model_id=self.model_id, id__gt=self.high_water)
                            .order_by("id").values_list("id", "paper_id", "dim", "vector")[:size])  # fmt: skip
                changed += self._add_rows(rows)
                if len(rows) < size:
                    complete = True
                    break
            if complete:
                changed += self._repair()
            self.checked_at = time.monotonic()
        return changed

    def _add_rows(self, rows: list[tuple]) -> int:
        from academichub.search.vectors import from_blob

        if not rows:
            return 0
        self.high_water = max(self.high_water, rows[-1][0])
        good = [(paper, from_blob(blob, dim)) for _, paper, dim, blob in rows if dim == self.dim]
        good = [(paper, vector) for paper, vector in good if vector is not None]
        if good:
            latest = dict(good)  # one paper twice in a chunk: the later row wins
            self.index.add(np.fromiter(latest, dtype=np.int64, count=len(latest)), np.stack(list(latest.values())))
        return len(good)

    def _repair(self) -> int:
        """Make the id set equal to the table's when the counts disagree (deleted or missed rows)."""
        from academichub.search.models import PaperEmbedding

        rows = PaperEmbedding.objects.filter(model_id=self.model_id)
        if rows.count() == len(self.index):
            return 0
        in_db = np.fromiter(rows.values_list("paper_id", flat=True).iterator(chunk_size=10_000), dtype=np.int64)
        in_index = self.index.ids()
        gone = np.setdiff1d(in_index, in_db)
        removed = self.index.remove(gone) if len(gone) else 0
        missing = np.setdiff1d(in_db, in_index)
        for start in range(0, len(missing), READ_CHUNK):
            chunk = [int(i) for i in missing[start:start + READ_CHUNK]]
            found = rows.filter(paper_id__in=chunk).values_list("id", "paper_id", "dim", "vector")
            removed += self._add_rows(sorted(found))
        return removed

    # ---------------------------------------------------------------- search

    def search(self, vector: np.ndarray, k: int, allowed_ids=None) -> list[tuple[int, float]]:
        with self.lock:
            return self.index.search(vector, k, allowed_ids=allowed_ids)


# -------------------------------------------------------------------- per process

_INDEXES: dict[str, LocalIndex] = {}
_INDEXES_LOCK = threading.Lock()


def local_index(*, max_catch_up: int | None = WEB_CATCH_UP, force: bool = False) -> LocalIndex:
    """This process's index for the configured model, refreshed at most every ``REFRESH_SECONDS``.

    The first call loads the saved index (if any); later calls read new
    rows from the database, bounded by ``max_catch_up`` so a web request
    never rebuilds a large index. When a newer saved index exists and we
    are far behind, it is loaded instead.
    """
    from academichub.search.vectors import current_embedder

    embedder = current_embedder()
    with _INDEXES_LOCK:
        current = _INDEXES.get(embedder.model_id)
        if current is None or current.fingerprint != database_fingerprint():
            current = LocalIndex(embedder.model_id, embedder.dim)
            current.load()
            _INDEXES[embedder.model_id] = current
    if force or time.monotonic() - current.checked_at >= REFRESH_SECONDS:
        _refresh(current, max_catch_up)
    return current


def _refresh(current: LocalIndex, max_catch_up: int | None) -> None:
    saved = current.read_state()
    if saved and saved.get("high_water", 0) > current.high_water + (max_catch_up or 0) \
            and saved != current.loaded_state:
        current.load()
    try:
        current.catch_up(max_catch_up)
    except Exception:  # noqa: BLE001 — a failing refresh must not fail the search; it is retried
        log.exception("could not refresh the vector index; searching the vectors already loaded")
        current.checked_at = time.monotonic()


def reset_local_indexes() -> None:
    """Forget the in-memory indexes (tests; a model change in a long-lived process)."""
    with _INDEXES_LOCK:
        _INDEXES.clear()
