"""Fixtures for the search tests: a slice of the real arXiv corpus, a fast test embedder, a clean index.

Import with ``from tests.search_support import *`` so pytest sees the fixtures.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

from academichub.core.dumps import parse_line
from academichub.papers.storage import CatalogueWriter

EVERY = 150          # one record in EVERY lines: days and categories from the whole corpus
SAMPLE = 500

__all__ = ["corpus_records", "catalogue", "search_env", "embed_all", "EVERY", "SAMPLE"]


@pytest.fixture(scope="session")
def corpus_records(cs_corpus) -> list:
    """500 real records spread over the corpus (every 150th line), as PaperRecords."""
    with gzip.open(cs_corpus, "rt", encoding="utf-8") as fh:
        lines = list(itertools.islice(itertools.islice(fh, 0, None, EVERY), SAMPLE))
    return [parse_line(json.loads(line)) for line in lines]


@pytest.fixture
def search_env(monkeypatch, tmp_path):
    """The hashing test embedder (256 dimensions), a private index directory, no cached index."""
    from academichub.search import index

    monkeypatch.setenv("ACADEMICHUB_EMBEDDER", "hashing:256")
    monkeypatch.setenv("ACADEMICHUB_VECTOR_DIR", str(tmp_path / "vectors"))
    monkeypatch.setattr(index, "REFRESH_SECONDS", 0)
    index.reset_local_indexes()
    yield tmp_path / "vectors"
    index.reset_local_indexes()


@pytest.fixture
def catalogue(db, corpus_records, search_env) -> list:
    """The 500 records written through the real storage layer (full-text index included)."""
    CatalogueWriter("test").write(corpus_records)
    return corpus_records


def embed_all() -> int:
    from academichub.search.embedding import embed_pending

    return embed_pending().embedded
