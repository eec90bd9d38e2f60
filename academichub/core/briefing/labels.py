"""Step 3: label each theme with key phrases by class-based TF-IDF (c-TF-IDF).

All papers of a theme are one "class document". A term's weight in a class
is its frequency there (normalised by the class's length) times
``log(1 + A / f)``, where ``A`` is the average class length and ``f`` the
term's frequency over all classes (as in BERTopic). Terms common to every
theme ("language model" in a CS corpus) score low; terms that make a theme
different score high. A phrase must occur in at least two of the theme's
papers, so one paper repeating a word cannot name a theme.
"""

from __future__ import annotations

import math
from collections import Counter

from academichub.core.briefing.model import BriefPaper
from academichub.core.briefing.text import terms

TITLE_WEIGHT = 2  # a title's words count twice: authors put their topic there


def paper_terms(paper: BriefPaper) -> list[str]:
    return terms(paper.title) * TITLE_WEIGHT + terms(paper.abstract)


def ctfidf(papers: list[BriefPaper], labels: list[int], *, min_docs: int = 2) -> list[dict[str, float]]:
    """Per class, every term's c-TF-IDF weight (terms in fewer than ``min_docs`` of its papers are left out)."""
    k = max(labels) + 1 if labels else 0
    counts = [Counter() for _ in range(k)]
    docs = [Counter() for _ in range(k)]
    for paper, label in zip(papers, labels):
        found = paper_terms(paper)
        counts[label].update(found)
        docs[label].update(set(found))
    total = Counter()
    for counter in counts:
        total.update(counter)
    lengths = [sum(c.values()) or 1 for c in counts]
    average = sum(lengths) / max(k, 1)
    need = [min(min_docs, sum(1 for x in labels if x == c)) for c in range(k)]
    return [{term: (n / lengths[c]) * math.log(1 + average / total[term])
             for term, n in counts[c].items() if docs[c][term] >= need[c]} for c in range(k)]  # fmt: skip


def top_phrases(weights: dict[str, float], n: int = 5, *, phrase_ratio: float = 0.5) -> list[str]:
    """The n best terms without repeated words; a two-word phrase replaces a word it
    contains when it weighs at least ``phrase_ratio`` of it ("diffusion" -> "diffusion policy")."""
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    chosen: list[str] = []
    for term, weight in ranked[: n * 20]:
        clash = [c for c in chosen if set(c.split()) & set(term.split())]
        if not clash:
            if len(chosen) < n:
                chosen.append(term)
            continue
        if len(clash) == 1 and " " in term and " " not in clash[0] and weight >= phrase_ratio * weights[clash[0]]:
            chosen[chosen.index(clash[0])] = term
    return chosen


def label_themes(papers: list[BriefPaper], labels: list[int], *, n: int = 5) -> list[list[str]]:
    """Key phrases for each class, best first."""
    return [top_phrases(weights, n) for weights in ctfidf(papers, labels)]
