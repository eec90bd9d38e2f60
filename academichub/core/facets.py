"""Facets of a paper's abstract: its background, its method and its results.

"Similar papers" can mean three different things to a reader: papers on
the same problem, papers using the same method, or papers reporting the
same kind of findings (the CSFCube facets). ``facet_sentences`` picks the
abstract sentences that speak about one facet with cue phrases, so the
engine can search by that part of the paper alone (``search.engine.similar``
with ``facet=...``). Pure Python, no Django.
"""

from __future__ import annotations

import re

FACETS = ("background", "method", "result")

METHOD_CUE = re.compile(r"\b(we|this paper|this work|our|in this (paper|work|article))\b.{0,40}?\b(propose|present|"
                        r"introduce|develop|describe|design|build|use|employ|apply|model|formulate|extend|"
                        r"investigate|explore|study|train|learn|adapt|leverage|define|construct|collect|create|"
                        r"annotate|release)", re.IGNORECASE)  # fmt: skip
RESULT_CUE = re.compile(r"\b(results?|show(s|ed|n)?|demonstrat|outperform|achiev|improv|significant|"
                        r"state[- ]of[- ]the[- ]art|accuracy|f1|f-score|bleu|gains?|better|best|"
                        r"experiments? (show|indicate|suggest|reveal|confirm)|find that|found that|"
                        r"evaluat|reduc|increas|effective)", re.IGNORECASE)  # fmt: skip
_PROPOSES = re.compile(r"\bpropos|\bpresent|\bintroduc", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: split after . ! ? when a capital or a bracket follows."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\[])", text or "") if s.strip()]


def facet_sentences(text: str, facet: str) -> list[str]:
    """The sentences of an abstract that speak about ``facet`` (cue-phrase heuristic).

    Background: the sentences before the first one that says what "we"
    do (abstracts open with the problem); at least the first sentence.
    Method: sentences with a first-person "we propose/use/model ..." cue,
    excluding result-only ones. Result: sentences with a findings cue
    ("results show", "outperforms", "accuracy", "improves" ...), and the
    last sentence when none has a cue. Falls back to the whole abstract
    when the rule finds nothing, so a query is never empty.
    """
    if facet not in FACETS:
        raise ValueError(f"facet must be one of {FACETS}")
    sents = sentences(text)
    if not sents:
        return []
    if facet == "background":
        first_we = next((i for i, s in enumerate(sents) if METHOD_CUE.search(s)), len(sents))
        chosen = sents[:max(1, first_we)]
    elif facet == "method":
        chosen = [s for s in sents if METHOD_CUE.search(s) and not (RESULT_CUE.search(s) and not _PROPOSES.search(s))]
    else:
        chosen = [s for s in sents if RESULT_CUE.search(s)] or sents[-1:]
    return chosen or sents


def facet_abstract(abstract: str, facet: str) -> str:
    """The abstract cut down to its ``facet`` sentences (joined with spaces)."""
    return " ".join(facet_sentences(abstract or "", facet))
