"""The source contract: a small class with a name and one `batches` method.

A source turns a service's responses into batches of `PaperRecord`s. It does
not write to the database; the runner does, committing each batch together
with the checkpoint the source attached to it, so a run interrupted anywhere
resumes after the last committed batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from academichub.core.records import PaperRecord


class ConfigError(ValueError):
    """A source cannot run as configured (a missing API key, a bad option); the message names the fix."""


@dataclass
class Batch:
    records: list[PaperRecord]
    checkpoint: dict | None = None  # saved with the batch, in one transaction
    failures: list[dict] = field(default_factory=list)
    # Popularity signals instead of papers (hf-daily): written with `CatalogueWriter.write_signals`,
    # which never creates papers. None for ordinary batches.
    signals: list | None = None


@dataclass
class RunContext:
    """What a source may know about its run: options, clock, last checkpoint."""

    options: dict
    now: datetime
    checkpoint: dict = field(default_factory=dict)
    scheduled: bool = False
    warnings: list[str] = field(default_factory=list)


class Source(Protocol):
    name: str

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        """Yield batches in order; raise FetchError/ParseError to fail the run."""
        ...
