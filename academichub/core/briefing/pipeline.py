"""The whole pipeline: select → embed → analyse → write → verify.

``embed`` is the caller's: the Django side passes the search index's stored
vectors (``academichub.search.vectors``), tests pass a fixed embedder. With
no ``backend`` the offline engine writes; with one, the LLM writes the
overview and the themes and the grounding check guards what it wrote.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from academichub.core.briefing.analysis import analyse
from academichub.core.briefing.compose import OfflineWriter
from academichub.core.briefing.grounding import verify_briefing
from academichub.core.briefing.llm import Backend
from academichub.core.briefing.model import Briefing, BriefPaper
from academichub.core.briefing.select import DEFAULT_BUDGET, select_papers
from academichub.core.briefing.writer import LLMWriter, Progress

Embed = Callable[[list[BriefPaper]], np.ndarray]


def build_briefing(papers: list[BriefPaper], embed: Embed, *, language: str = "en", scope: str = "",
                   window: str = "", previous: list[BriefPaper] | None = None, backend: Backend | None = None,
                   budget_tokens: int = DEFAULT_BUDGET, max_papers: int = 400, seed: int = 0,
                   on_progress: Progress | None = None) -> Briefing:  # fmt: skip
    """A grounded briefing of ``papers`` (ranked, best first); ``previous`` is the window before."""
    started = time.monotonic()
    progress = on_progress or (lambda stage, text: None)
    selection = select_papers(papers, budget_tokens=budget_tokens, max_papers=max_papers)
    progress("embed", "")
    vectors = embed(selection.papers) if selection.papers else np.zeros((0, 1), dtype=np.float32)
    before = select_papers(previous, budget_tokens=budget_tokens, max_papers=max_papers).papers if previous else None
    before = before or None  # an empty previous window gives no trend, not "everything is new"
    before_vectors = embed(before) if before else None
    progress("analyse", "")
    analysis = analyse(selection.papers, vectors, previous=before, previous_vectors=before_vectors, seed=seed)
    if backend is None:
        writer = OfflineWriter(analysis, language, scope=scope, window=window)
    else:
        writer = LLMWriter(analysis, backend, language, scope=scope, window=window, on_progress=progress)
    briefing = writer.briefing()
    verify_briefing(briefing)
    briefing.meta.update(selected_tokens=selection.tokens, dropped_by_budget=selection.dropped,
                         previous_papers=len(before) if before is not None else None,
                         seconds=round(time.monotonic() - started, 3))  # fmt: skip
    return briefing
