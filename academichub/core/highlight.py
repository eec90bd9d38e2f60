"""Matched-term highlighting for search results, as safe HTML.

Why escape first and mark afterwards: titles and abstracts come from
outside (arXiv, publishers) and may contain ``<``, ``&`` or a crafted
``<script>``; the text is HTML-escaped as a whole, and only then are
``<mark>`` tags put around words, so no byte of the input can become markup.
Matching runs on the escaped text but only ever on letters and digits,
which escaping does not change.

Which words match: the query's words (``query.words``), compared after a
light suffix stripping (``stem``), so "networks" marks "network" and
"learning" marks "learned", roughly as the keyword index's Porter stemmer
matched them. A prefix term (``transform*``) marks every word it starts.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s", "ly")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A crude English stem: lower case minus one common suffix (keeps at least 3 letters)."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class Matcher:
    """Decides which words of a text are query terms; built once per query."""

    def __init__(self, terms: list[str], prefixes: list[str] | None = None):
        self.stems = {stem(t) for t in terms if t}
        self.prefixes = tuple(p.lower() for p in (prefixes or []) if p)
        self._heads = {s[:3] for s in self.stems}  # a stem starts its word: most words are rejected here

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes)

    def matches(self, word: str) -> bool:
        low = word.lower()
        if self.prefixes and low.startswith(self.prefixes):
            return True
        return low[:3] in self._heads and stem(low) in self.stems

    def found(self, text: str) -> list[str]:
        """The distinct query words occurring in ``text``, in order of appearance (lower case)."""
        seen: dict[str, None] = {}
        for match in _WORD.finditer(text or ""):
            if self.matches(match.group()):
                seen.setdefault(match.group().lower())
        return list(seen)


def highlight(text: str, matcher: Matcher) -> str:
    """``text`` escaped for HTML with every matched word wrapped in ``<mark>``."""
    escaped = html.escape(text or "", quote=True)
    if not matcher:
        return escaped
    return _WORD.sub(lambda m: f"<mark>{m.group()}</mark>" if matcher.matches(m.group()) else m.group(), escaped)


def snippet(text: str, matcher: Matcher, width: int = 320) -> str:
    """A window of about ``width`` characters with the most matched words, highlighted.

    Starts at a word boundary, adds "…" where text was cut; the whole text
    when it is short. Windows are tried at every matched word (a text has
    few), so this stays linear in practice.
    """
    text = " ".join((text or "").split())
    if len(text) <= width:
        return highlight(text, matcher)
    hits = [m.start() for m in _WORD.finditer(text) if matcher and matcher.matches(m.group())]
    start = _best_start(text, hits, width)
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    body = highlight(text[start:end], matcher)
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _best_start(text: str, hits: list[int], width: int) -> int:
    """The window start (a bit before a hit) that covers the most hits; 0 without hits."""
    if not hits:
        return 0
    best, best_count = 0, -1
    for hit in hits:
        start = max(0, hit - width // 5)
        count = sum(1 for h in hits if start <= h < start + width)
        if count > best_count:
            best, best_count = start, count
    if best:
        space = text.find(" ", best)
        best = space + 1 if 0 <= space < best + 40 else best
    return 0 if best < width // 5 else best
