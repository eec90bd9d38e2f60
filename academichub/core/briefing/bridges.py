"""Step 4: find cross-domain links.

Three kinds, each a ``Bridge``:

- ``between_themes``: a paper almost as close to a second theme's centre as
  to its own (the ratio of the two cosines is near 1) and at least as close
  to that second theme as a typical member of it;
- ``method_travel``: a key phrase of one theme (a method, a dataset, a
  finding) that also occurs in papers of other fields: other arXiv
  archives when the set spans several (cs, math, cond-mat, q-bio …),
  otherwise other primary categories (cs.CV, cs.RO …);
- ``cross_listed``: a paper listed in two archives, or in the main
  categories of two different themes.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from academichub.core import taxonomy
from academichub.core.briefing.model import BriefPaper, Bridge, Theme
from academichub.core.briefing.text import terms


def archive_of(code: str) -> str:
    """"cond-mat.str-el" -> "cond-mat"; unknown codes keep their prefix."""
    found = taxonomy.category(code)
    return found.archive if found else code.split(".")[0]


def field_of(paper: BriefPaper, by_archive: bool) -> str:
    return archive_of(paper.primary) if by_archive else paper.primary


def spans_archives(papers: list[BriefPaper]) -> bool:
    return len({archive_of(p.primary) for p in papers if p.primary}) > 1


def between_themes(vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray, *,
                   ratio: float = 0.92, reach: float = 0.75, per_pair: int = 2) -> list[Bridge]:
    """Papers whose second-nearest theme is nearly as close as their own.

    ``ratio``: cosine to the second theme over cosine to the own theme.
    ``reach``: the cosine to the second theme must be at least this share
    of that theme's median member, so an outlier far from everything (both
    cosines low, ratio near 1) is not taken for a bridge.
    """
    if len(centroids) < 2:
        return []
    sims = vectors @ centroids.T
    own = sims[np.arange(len(labels)), labels]
    typical = np.array([np.median(own[labels == c]) if (labels == c).any() else 1.0 for c in range(len(centroids))])
    masked = sims.copy()
    masked[np.arange(len(labels)), labels] = -np.inf
    other = masked.argmax(axis=1)
    found: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for i, (a, b) in enumerate(zip(labels.tolist(), other.tolist())):
        close = sims[i, b] / max(own[i], 1e-9)
        if close >= ratio and sims[i, b] >= reach * typical[b]:
            found[tuple(sorted((a, b)))].append((float(close), i))
    bridges = []
    for items in found.values():
        for close, i in sorted(items, reverse=True)[:per_pair]:
            bridges.append(Bridge("between_themes", [i], themes=[int(labels[i]), int(other[i])], score=close))
    return sorted(bridges, key=lambda b: -b.score)


def method_travel(papers: list[BriefPaper], themes: list[Theme], *, max_share: float = 0.12,
                  limit: int = 6) -> list[Bridge]:
    """Theme phrases found in papers of at least two fields.

    Only specific phrases count (in at most ``max_share`` of the papers): a
    word every field uses ("time", "bounds") travels nowhere. Two-word
    phrases ("diffusion policy") rank above single words.
    """
    by_archive = spans_archives(papers)
    doc_terms = [set(terms(p.text)) for p in papers]
    candidates = {phrase: theme.id for theme in themes for phrase in theme.phrases}
    bridges = []
    for phrase, theme_id in candidates.items():
        holders = [i for i, found in enumerate(doc_terms) if phrase in found]
        if len(holders) < 2 or len(holders) > max(2, max_share * len(papers)):
            continue
        fields = Counter(field_of(papers[i], by_archive) for i in holders)
        if len(fields) < 2 or "" in fields:
            continue
        ordered = [f for f, _ in fields.most_common()]
        examples = [next(i for i in holders if field_of(papers[i], by_archive) == f) for f in ordered[:3]]
        score = sum(sorted(fields.values())[:-1]) + 0.1 * len(fields) + (1.0 if " " in phrase else 0.0)
        bridges.append(Bridge("method_travel", examples, themes=[theme_id], fields=ordered[:3], phrase=phrase, score=score))
    return sorted(bridges, key=lambda b: (-b.score, b.phrase))[:limit]


def cross_listed(papers: list[BriefPaper], themes: list[Theme], labels: np.ndarray, *, limit: int = 6) -> list[Bridge]:
    """Papers listed in several archives, or in the main categories of two themes."""
    main = {t.id: {code for code, _ in t.categories[:1]} for t in themes}
    bridges = []
    for i, paper in enumerate(papers):
        archives = list(dict.fromkeys(archive_of(c) for c in paper.categories))
        if len(archives) > 1:
            bridges.append(Bridge("cross_listed", [i], themes=[int(labels[i])], fields=archives[:3], score=len(archives)))
            continue
        hit = [t for t, codes in main.items() if codes & set(paper.categories)]
        codes = list(dict.fromkeys(code for t in hit for code in main[t]))
        if len(codes) > 1:
            bridges.append(Bridge("cross_listed", [i], themes=hit[:2], fields=codes[:2], score=1.0))
    return sorted(bridges, key=lambda b: -b.score)[:limit]
