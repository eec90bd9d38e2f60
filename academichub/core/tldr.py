"""An extractive TL;DR: the one sentence of an abstract that says what the paper does.

Used when nothing better exists (a curator's TL;DR stored on the paper's
stats wins). Abstracts usually open with background ("Large language models
have shown…") and state the contribution later ("We propose…"), so the first
sentence is a poor summary. The rule, deliberately simple and predictable:

1. split the abstract into sentences (not after "e.g.", "et al.", "Fig." or
   inside numbers such as 3.5);
2. pick the first sentence with a contribution cue ("we propose", "we
   introduce", "this paper", "we show" …), else the first sentence;
3. shorten it to ``limit`` characters at a word boundary, never leaving a
   ``$…$`` math span open, and end it with "…" when shortened.

Pure Python, no Django, no model: it costs microseconds per card.
"""

from __future__ import annotations

import re
from functools import lru_cache

LIMIT = 220

_CUES = re.compile(
    r"\b(?:we|this (?:paper|work|study|article)|here,? we|our (?:method|approach|framework|model|work))\s+"
    r"(?:\w+\s+)?(?:propose|present|introduce|develop|show|demonstrate|design|describe|study|investigate|"
    r"address|build|construct|release|establish|find|report|provide|offer|devise|formulate|prove)\w*",
    re.IGNORECASE,
)
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "cf.", "Fig.", "Eq.", "vs.", "resp.", "approx.", "No.")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\\$(“\"])")


def sentences(text: str) -> list[str]:
    """Sentences of a clean abstract, joined back where a split fell after an abbreviation."""
    parts = _BOUNDARY.split(" ".join((text or "").split()))
    merged: list[str] = []
    for part in parts:
        if merged and merged[-1].endswith(_ABBREVIATIONS):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return [s for s in merged if s]


def pick_sentence(text: str) -> str:
    found = sentences(text)
    if not found:
        return ""
    return next((s for s in found if _CUES.search(s)), found[0])


def shorten(sentence: str, limit: int = LIMIT) -> str:
    """At most `limit` characters, cut at a space, with balanced `$` so KaTeX never sees half a formula."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    if cut.count("$") % 2:
        cut = cut[: cut.rfind("$")].rstrip()
    return cut.rstrip(",;:") + "…"


@lru_cache(maxsize=8192)
def extract(abstract: str, limit: int = LIMIT) -> str:
    """The TL;DR of `abstract` (clean text), "" for an empty abstract.

    Cached by text: pages show the same papers again and again, and splitting
    100 abstracts into sentences costs a page about 10 ms.
    """
    return shorten(pick_sentence(abstract), limit)
