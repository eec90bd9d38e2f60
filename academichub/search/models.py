"""Stored paper embeddings: one vector per paper, tagged with the model that made it.

Why the model id on every row: vectors of two models live in different
spaces, so comparing them gives nonsense rankings without any error. Rows of
another model than the configured one are treated as missing (planned for
re-embedding) and never read by search.

Why a new row (not an update) when a paper is re-embedded: the row id only
grows, so every process can bring its local vector index up to date by
reading the rows above its high-water mark (see ``academichub.search.index``).
"""

from __future__ import annotations

from django.db import models

from academichub.papers.models import Paper


class PaperEmbedding(models.Model):
    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="embedding")
    model_id = models.CharField(max_length=120, db_index=True,
                                help_text="Model and weights digest, e.g. all-MiniLM-L6-v2/onnx-int8/8199be6f699a.")
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32 little-endian, dim * 4 bytes (never pickle).")
    content_hash = models.CharField(max_length=32, blank=True, default="",
                                    help_text="The paper's content_hash when it was embedded: a change re-embeds it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["model_id", "id"], name="embedding_model_id_id")]

    def __str__(self) -> str:
        return f"paper #{self.paper_id} ({self.model_id}, {self.dim}d)"
