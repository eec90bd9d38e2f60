"""Helpers for the radar tests: papers with chosen text and authors, and test-only vectors."""

from __future__ import annotations

from datetime import date

import pytest

from academichub.core.embeddings import HashingEmbedderForTests
from academichub.core.records import PaperRecord, Version
from academichub.papers.models import Paper
from academichub.papers.storage import CatalogueWriter
from academichub.radar import feed, semantics

DAY = date(2026, 6, 12)


class HashingBackend:
    """Stands in for academichub.search.vectors: word-hashing vectors of title + abstract."""

    def __init__(self, dim: int = 256):
        self.embedder = HashingEmbedderForTests(dim)

    def current_model_id(self) -> str:
        return self.embedder.model_id

    def embed_texts(self, texts, kind="passage"):
        return self.embedder.embed(list(texts))

    def vectors_for(self, paper_ids):
        rows = list(Paper.objects.filter(pk__in=list(paper_ids)).values_list("pk", "title_text", "abstract_text"))
        vectors = self.embedder.embed([f"{title}. {abstract}" for _, title, abstract in rows])
        return {pk: vectors[i] for i, (pk, _, _) in enumerate(rows)}


@pytest.fixture
def hashing_vectors():
    semantics.use_backend(HashingBackend())
    feed.clear_cache()
    yield
    semantics.use_backend(None)
    feed.clear_cache()


def add_paper(n: int, title: str, *, abstract: str = "", authors=("Ada Lovelace",), categories=("cs.CL",),
              day: date = DAY) -> Paper:  # fmt: skip
    arxiv_id = f"{day:%y%m}.{n:05d}"
    record = PaperRecord(
        arxiv_id=arxiv_id, title=title, abstract=abstract or f"We study {title.lower()}.",
        authors=list(authors), categories=list(categories), versions=[Version(1, day)], announced=day,
        announce_type="new", abs_url=f"https://arxiv.org/abs/{arxiv_id}",
    )  # fmt: skip
    CatalogueWriter("test").write([record])
    return Paper.objects.get(arxiv_id=arxiv_id)
