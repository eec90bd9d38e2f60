"""Step 1: take the ranked papers while they fit the token budget.

The budget is what a model may read: each paper costs its title plus its
abstract cut to ``abstract_words``. Papers are taken in rank order, so a
tight budget keeps the best-ranked ones rather than a random sample.
"""

from __future__ import annotations

from dataclasses import dataclass

from academichub.core.briefing.model import BriefPaper
from academichub.core.briefing.text import clip_words, estimate_tokens

DEFAULT_BUDGET = 24_000
ABSTRACT_WORDS = 120
PAPER_OVERHEAD = 12  # "[n] Title: … Abstract: …" framing per paper


@dataclass
class Selection:
    papers: list[BriefPaper]
    tokens: int
    dropped: int  # ranked papers left out by the budget or the cap


def paper_tokens(paper: BriefPaper, abstract_words: int = ABSTRACT_WORDS) -> int:
    return estimate_tokens(paper.title) + estimate_tokens(clip_words(paper.abstract, abstract_words)) + PAPER_OVERHEAD


def select_papers(papers: list[BriefPaper], *, budget_tokens: int = DEFAULT_BUDGET, max_papers: int = 400,
                  abstract_words: int = ABSTRACT_WORDS) -> Selection:
    """The longest rank prefix within the budget (duplicates by key are skipped)."""
    if budget_tokens <= 0 or max_papers <= 0:
        raise ValueError("budget_tokens and max_papers must be positive")
    chosen: list[BriefPaper] = []
    seen: set = set()
    spent = 0
    for paper in papers:
        if paper.key in seen or not (paper.title or paper.abstract):
            continue
        cost = paper_tokens(paper, abstract_words)
        if spent + cost > budget_tokens or len(chosen) >= max_papers:
            break
        seen.add(paper.key)
        chosen.append(paper)
        spent += cost
    return Selection(chosen, spent, len({p.key for p in papers}) - len(chosen))
