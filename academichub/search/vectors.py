"""Paper vectors for every app: the search engine, radars and briefings.

Public API (other apps import exactly these; keep the names)::

    vectors_for(paper_ids)  -> {paper id: float32 vector}   stored embeddings, current model only
    embed_texts(texts)      -> float32 array (n, dim)        any text, with the same model

Both use the model configured by ``ACADEMICHUB_EMBEDDER`` (``minilm``, the
default, or ``hashing`` for fast tests; see ``current_embedder``), so a
vector from one is comparable with a vector from the other: rows are unit
length and a dot product is the cosine. A paper embedded by another model
is simply absent from ``vectors_for`` until the background job re-embeds it
(``academichub embed``), because vectors of two models must never be mixed.

Vectors are stored as raw float32 bytes (``to_blob``/``from_blob``), never
pickled.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np

from academichub.core.embeddings import Embedder, HashingEmbedderForTests, get_embedder

EMBEDDER_ENV = "ACADEMICHUB_EMBEDDER"
_HASHING_PREFIX = "hashing"
_HASHING: dict[int, HashingEmbedderForTests] = {}
_CHUNK = 500  # ids per IN (...) query


def embedder_name() -> str:
    """``$ACADEMICHUB_EMBEDDER``: "minilm" (default) or "hashing[:dim]" (tests only)."""
    return (os.environ.get(EMBEDDER_ENV) or "minilm").strip().lower()


def current_embedder() -> Embedder:
    """The configured model, shared per process; nothing is loaded until it embeds.

    ``hashing`` (or ``hashing:64``) selects ``HashingEmbedderForTests``,
    which is not a language model: it exists so that tests of the plumbing
    run in milliseconds.
    """
    name = embedder_name()
    if name.startswith(_HASHING_PREFIX):
        _, _, dim = name.partition(":")
        size = int(dim) if dim.isdigit() else 64
        return _HASHING.setdefault(size, HashingEmbedderForTests(size))
    return get_embedder(name)


def current_model_id() -> str:
    """The id stored beside every vector (cheap: loads no weights)."""
    return current_embedder().model_id


def paper_text(title: str, abstract: str) -> str:
    """What a paper's embedding is made of: the clean title, then the clean abstract.

    The same form the quality benchmark embeds (``bench/eval_search.py``), so
    its figures describe what the product does.
    """
    title, abstract = " ".join((title or "").split()), " ".join((abstract or "").split())
    return f"{title}. {abstract}" if abstract else title


def embed_texts(texts: list[str], kind: str = "passage") -> np.ndarray:
    """Unit float32 vectors, one row per text, from the configured model.

    ``kind="query"`` for search queries (asymmetric models prefix them; the
    default MiniLM is symmetric and ignores it).
    """
    return current_embedder().embed(list(texts), kind=kind)


def to_blob(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_blob(blob, dim: int) -> np.ndarray:
    """A stored vector; a row whose size does not match ``dim`` is refused (None)."""
    data = bytes(blob)
    if len(data) != dim * 4:
        return None
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def vectors_for(paper_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """Stored vectors of the current model for ``paper_ids``; papers without one are left out."""
    from academichub.search.models import PaperEmbedding

    ids = sorted({int(i) for i in paper_ids})
    model_id = current_model_id()
    out: dict[int, np.ndarray] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = PaperEmbedding.objects.filter(paper_id__in=ids[start:start + _CHUNK], model_id=model_id)
        for paper_id, dim, blob in rows.values_list("paper_id", "dim", "vector"):
            vector = from_blob(blob, dim)
            if vector is not None:
                out[paper_id] = vector
    return out
