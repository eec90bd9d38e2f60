"""The one seam between radars and embeddings.

Paper vectors and text embedding belong to the search app
(``academichub.search.vectors``: ``vectors_for(paper_ids)`` and
``embed_texts(texts)``); radars only call these two functions through
here. Tests install a backend built on ``HashingEmbedderForTests`` with
:func:`use_backend`, so the feed's logic is tested without a model.
When the search app (or its index) is unavailable, semantic features are
switched off and the feed still works from keywords, authors and categories.
"""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Backend(Protocol):
    def vectors_for(self, paper_ids: list[int]) -> dict[int, np.ndarray]: ...

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...


_override: Backend | None = None


def use_backend(backend: Backend | None) -> None:
    """Replace the search app's vectors (tests); ``None`` restores it."""
    global _override
    _override = backend


def _backend():
    if _override is not None:
        return _override
    try:
        return importlib.import_module("academichub.search.vectors")
    except ImportError as exc:
        log.warning("semantic ranking is off: academichub.search.vectors cannot be imported (%s)", exc)
        return None


def model_id() -> str:
    """Names the embedding model, stored beside an interest vector so a model change is noticed."""
    backend = _backend()
    if backend is None:
        return ""
    try:
        return str(backend.current_model_id())
    except Exception as exc:  # a misconfigured embedder: semantic ranking stays off, the feed works
        log.warning("no embedding model id: %s", exc)
        return ""


def vectors_matrix(paper_ids: list[int]) -> np.ndarray | None:
    """Unit vectors for ``paper_ids`` as rows (zero rows where a paper has none); ``None`` if off."""
    backend = _backend()
    if backend is None or not paper_ids:
        return None
    try:
        found = backend.vectors_for(list(paper_ids))
    except Exception as exc:  # an index being rebuilt must not take the feed down
        log.warning("paper vectors unavailable, ranking without them: %s", exc)
        return None
    if not found:
        return None
    dim = len(next(iter(found.values())))
    matrix = np.zeros((len(paper_ids), dim), dtype=np.float32)
    for row, pid in enumerate(paper_ids):
        vector = found.get(pid)
        if vector is not None:
            matrix[row] = vector
    return matrix


def embed_one(text: str) -> np.ndarray | None:
    """The embedding of one text (an interest description), or ``None`` when embeddings are off.

    Called when a radar is saved, never while a feed is built.
    """
    backend = _backend()
    if backend is None or not text.strip():
        return None
    try:
        return np.asarray(backend.embed_texts([text]), dtype=np.float32)[0]
    except Exception as exc:
        log.warning("could not embed a radar's interest text: %s", exc)
        return None
