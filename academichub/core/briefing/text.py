"""Text helpers shared by the briefing steps: sentences, terms, citations, token counts.

Kept in one place so the offline engine, the labeller and the grounding
check agree on what a sentence, a word and a citation are.
"""

from __future__ import annotations

import re

from academichub.core.query import STOPWORDS

# Words that say nothing about a paper's topic (every abstract has them).
BOILERPLATE = frozenset("""
paper propose proposed proposes approach approaches method methods methodology result results show
shows shown demonstrate demonstrates based using use used new novel present presents study studies
work works also however existing extensive experiments experiment experimental performance significantly
state art outperforms framework problem problems task tasks model models data furthermore moreover
first two three one various different well via thus therefore achieve achieves achieved effective
effectively efficient improve improves improved improvement introduce introduces introduced address
addresses key towards toward recent recently can may might many much large several high higher low
lower able across within without demonstrating including include includes provide provides
significant benchmark benchmarks code available github com https http www et al given make makes
often remain remains still yet even way ways set sets number range new leading leverage leverages
leveraging enable enables enabling named called term terms whose further finally specifically
particular particularly respectively overall while due previous prior strong simple widely
""".split())

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+(?=[A-Z0-9\"“(\u4e00-\u9fff\[])|(?<=[。！？])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|et al|vs|cf|Fig|Eq|Sec|approx|resp)\.$", re.I)
_TOKEN = re.compile(r"[a-z][a-z0-9\-]*[a-z0-9]|[a-z]")
CITATION = re.compile(r"\[\s*(\d+(?:\s*(?:[,;，]|[-–])\s*\d+)*)\s*\]")
_NUMBER = re.compile(r"(?<![\w.\[])(\d+(?:[.,]\d+)?)\s*(%|x\b|×)?")

#: Cue phrases that mark a contribution or a limitation sentence in an abstract.
CONTRIBUTION_CUES = re.compile(
    r"\b(we (?:propose|introduce|present|develop|design|release|build|construct|show|find|demonstrate)|"
    r"this (?:paper|work|study) (?:proposes|introduces|presents|shows))\b", re.I)
OPEN_CUES = re.compile(
    r"\b(remains? (?:an? )?(?:open|unclear|challenging|unknown|elusive|limited)|open (?:question|problem|challenge)s?|"
    r"limitations?|future work|yet to be|little is known|poorly understood|an open|"
    r"still (?:lack|struggle|fail)s?|has not been|have not been|remain(?:s)? (?:a )?(?:challenge|bottleneck))\b", re.I)


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping "e.g." and "et al." inside theirs."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if out and _ABBREVIATIONS.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def terms(text: str, *, bigrams: bool = True) -> list[str]:
    """Topic words and two-word phrases (no stop words, no boilerplate), lower-cased."""
    words = _TOKEN.findall((text or "").lower())
    keep = [w if _is_content(w) else None for w in words]
    out = [w for w in keep if w]
    if bigrams:
        out += [f"{a} {b}" for a, b in zip(keep, keep[1:]) if a and b and a != b]
    return out


def _is_content(word: str) -> bool:
    return len(word) > 2 and word not in STOPWORDS and word not in BOILERPLATE and not word[0].isdigit()


def estimate_tokens(text: str) -> int:
    """A model-independent token estimate: ~4 characters or 0.75 words per token, whichever is more."""
    text = text or ""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return max(len(text) // 4, int(len(text.split()) * 1.33)) + cjk


def clip_words(text: str, limit: int) -> str:
    words = (text or "").split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " …"


def contribution(abstract: str, *, max_words: int = 45) -> str:
    """The sentence of an abstract that says what the paper does (else its first claim)."""
    found = sentences(abstract)
    if not found:
        return ""
    chosen = next((s for s in found if CONTRIBUTION_CUES.search(s)), None)
    if chosen is None:
        chosen = found[1] if len(found) > 1 and len(found[0].split()) < 8 else found[0]
    return clip_words(chosen, max_words)


def open_question(abstract: str, *, max_words: int = 40) -> str:
    """A sentence naming a limitation or an open problem, or "" when the abstract has none."""
    for sentence in sentences(abstract):
        if OPEN_CUES.search(sentence):
            return clip_words(sentence, max_words)
    return ""


def tldr(title: str, abstract: str) -> str:
    """One extractive sentence for a card: the contribution sentence, else the title."""
    return contribution(abstract, max_words=35) or title


def parse_citations(text: str) -> list[int]:
    """Every number cited in ``text``: "[1]", "[2, 5]", "[3-5]" (ranges are capped at 20)."""
    found: list[int] = []
    for group in CITATION.findall(text):
        for part in re.split(r"[,;，]", group):
            bounds = [int(x) for x in re.split(r"[-–]", part) if x.strip()]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= 20:
                found.extend(range(bounds[0], bounds[1] + 1))
            else:
                found.extend(bounds)
    return found


def strip_citations(text: str) -> str:
    text = CITATION.sub("", text)
    return re.sub(r"\s+([.,;:!?。，；：！？])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def numbers(text: str) -> set[str]:
    """Quantities stated in a sentence (so the grounding check can look for them in the sources)."""
    found = set()
    for value, unit in _NUMBER.findall(CITATION.sub(" ", text or "")):
        value = value.replace(",", "")
        if unit or "." in value or len(value) >= 2:
            found.add(value)
    return found
