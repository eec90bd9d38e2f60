"""Steps 2-4 together: themes, labels, bridges and the comparison with the previous window.

``analyse`` is the structure every writer (offline templates or an LLM)
composes from, so both engines cite the same papers for the same facts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from academichub.core.briefing import bridges as find
from academichub.core.briefing.cluster import Clustering, choose_themes
from academichub.core.briefing.labels import label_themes
from academichub.core.briefing.model import BriefPaper, Bridge, Theme
from academichub.core.briefing.text import terms
from academichub.core.embeddings import l2_normalize

_VENUE = re.compile(r"\b(?i:accepted|to appear|published|oral|spotlight)\b[^.;]*?\b(?i:at|to|in|by|for)\s+(?:the\s+)?"
                    r"([A-Z][\w\-&]*(?:\s+(?:of|on|in|for|the|and|&|[A-Z][\w\-&]*|'?\d{2,4})){0,7})")  # fmt: skip
_TRAILING = re.compile(r"(?:\s+(?:of|on|in|for|the|and|&))+$")
_CODE = re.compile(r"github\.com/|gitlab\.com/|huggingface\.co/|code (?:is|and \w+ are) (?:publicly )?available", re.I)


@dataclass
class Trend:
    phrase: str
    now: int
    before: int
    papers: list[int]


@dataclass
class Analysis:
    papers: list[BriefPaper]
    vectors: np.ndarray
    clustering: Clustering
    themes: list[Theme]
    bridges: list[Bridge]
    centrality: np.ndarray  # cosine of each paper to its theme's centre
    notable: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)  # (paper, reasons)
    rising: list[Trend] = field(default_factory=list)
    previous_count: int | None = None

    def n(self, index: int) -> int:
        """The catalogue number [n] of a selected paper (rank order, from 1)."""
        return index + 1


def analyse(papers: list[BriefPaper], vectors: np.ndarray, *, previous: list[BriefPaper] | None = None,
            previous_vectors: np.ndarray | None = None, seed: int = 0, k_max: int | None = None) -> Analysis:
    """Cluster, label, find bridges and trends for the selected papers (rows of ``vectors``)."""
    if len(papers) != len(vectors):
        raise ValueError(f"{len(papers)} papers but {len(vectors)} vectors")
    vectors = l2_normalize(vectors) if len(vectors) else np.zeros((0, 1), dtype=np.float32)
    clustering = choose_themes(vectors, seed=seed, k_max=k_max)
    labels = clustering.labels
    centrality = (vectors * clustering.centroids[labels]).sum(axis=1) if len(papers) else np.zeros(0)
    themes = _themes(papers, labels, centrality, clustering.k)
    result = Analysis(papers, vectors, clustering, themes, [], centrality)
    result.bridges = _bridges(papers, vectors, clustering, themes)
    if previous is not None and previous_vectors is not None:
        _compare(result, previous, l2_normalize(previous_vectors) if len(previous) else previous_vectors)
    result.notable = notable_papers(result)
    return result


def _themes(papers: list[BriefPaper], labels: np.ndarray, centrality: np.ndarray, k: int) -> list[Theme]:
    phrases = label_themes(papers, labels.tolist(), n=6) if k else []
    themes = []
    for c in range(k):
        members = np.flatnonzero(labels == c).tolist()
        central = sorted(members, key=lambda i: (-centrality[i], i))
        reps = _representatives(central, members)
        cats = Counter(code for i in members for code in papers[i].categories[:1]).most_common(3)
        themes.append(Theme(c, members, reps, phrases[c], cats, share_now=len(members) / len(papers)))
    return themes


def _representatives(central: list[int], ranked: list[int], n: int = 3) -> list[int]:
    """The most central papers, with the best-ranked member always among them."""
    reps = [ranked[0]] if ranked else []
    for i in central:
        if len(reps) >= n:
            break
        if i not in reps:
            reps.append(i)
    return reps


def _bridges(papers: list[BriefPaper], vectors: np.ndarray, clustering: Clustering, themes: list[Theme]) -> list[Bridge]:
    between = find.between_themes(vectors, clustering.labels, clustering.centroids) if len(papers) else []
    travel = find.method_travel(papers, themes)
    listed = find.cross_listed(papers, themes, clustering.labels)
    return between[:6] + travel + listed


def _compare(result: Analysis, previous: list[BriefPaper], previous_vectors: np.ndarray) -> None:
    """Each theme's share in the previous window, and the phrases that rose since."""
    result.previous_count = len(previous)
    if previous:
        sims = previous_vectors @ result.clustering.centroids.T
        floor = np.percentile(result.centrality, 10) if len(result.centrality) else 0.0
        nearest = np.where(sims.max(axis=1) >= floor, sims.argmax(axis=1), -1)
    for theme in result.themes:
        theme.share_before = float((nearest == theme.id).sum()) / len(previous) if previous else 0.0
    result.rising = rising_phrases(result.papers, previous, result.themes)


def rising_phrases(papers: list[BriefPaper], previous: list[BriefPaper], themes: list[Theme],
                   limit: int = 4) -> list[Trend]:
    """Theme phrases whose share of papers at least doubled against the previous window."""
    now_terms = [set(terms(p.text)) for p in papers]
    before_terms = [set(terms(p.text)) for p in previous]
    out = []
    for phrase in dict.fromkeys(p for t in themes for p in t.phrases):
        holders = [i for i, found in enumerate(now_terms) if phrase in found]
        before = sum(1 for found in before_terms if phrase in found)
        share_now = len(holders) / max(len(papers), 1)
        share_before = before / max(len(previous), 1)
        if len(holders) >= 3 and share_now >= 2 * share_before + 1e-9:
            out.append((share_now - share_before, Trend(phrase, len(holders), before, holders[:3])))
    return [trend for _, trend in sorted(out, key=lambda x: -x[0])[:limit]]


def venue_of(paper: BriefPaper) -> str:
    match = _VENUE.search(paper.comments or "")
    return _TRAILING.sub("", match.group(1).strip()) if match else ""


def notable_papers(result: Analysis, limit: int = 5) -> list[tuple[int, list[tuple[str, str]]]]:
    """The papers to point at, each with its reasons as (reason code, argument) pairs."""
    bridged = {i: b for b in result.bridges if b.kind != "method_travel" for i in b.papers}
    weight = {"between_themes": 0.5, "cross_listed": 0.2}
    scored = []
    count = max(len(result.papers), 1)
    for i, paper in enumerate(result.papers):
        reasons = _reasons(result, i, paper, bridged.get(i))
        score = (1 - i / count) + (weight[bridged[i].kind] if i in bridged else 0.0) + 0.4 * ("venue" in dict(reasons)) \
            + 0.2 * ("code" in dict(reasons)) + 0.15 * math.log1p(paper.signals) + 0.3 * ("central" in dict(reasons))
        scored.append((score, i, reasons))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(i, reasons) for _, i, reasons in scored[:limit]]


def _reasons(result: Analysis, i: int, paper: BriefPaper, bridge: Bridge | None) -> list[tuple[str, str]]:
    theme = result.themes[int(result.clustering.labels[i])]
    reasons: list[tuple[str, str]] = []
    if i == 0:
        reasons.append(("top", ""))
    if venue_of(paper):
        reasons.append(("venue", venue_of(paper)))
    if bridge is not None:
        reasons.append(("bridge", "|".join(bridge.fields) or "|".join(str(t) for t in bridge.themes)))
    if len(theme.members) >= 3 and i == max(theme.members, key=lambda j: (result.centrality[j], -j)):
        reasons.append(("central", str(theme.id)))
    if _CODE.search(f"{paper.abstract} {paper.comments}"):
        reasons.append(("code", ""))
    if paper.signals:
        reasons.append(("signals", str(paper.signals)))
    return reasons or [("ranked", str(i + 1))]
