"""A radar's keyword line: clauses to match, show as chips and remove one by one.

A radar's keywords are read with the search box's parser (``core.query``) so
the syntax is the one users already know (words, "phrases", ``a OR b``,
``-survey``, ``ti:``/``abs:``), but the meaning differs from search: in a
radar every positive clause is an *interest*, and a paper matching more of
them ranks higher, instead of every clause being required. Exclusions stay
hard: a paper containing an excluded word never appears.

Matching runs on text already reduced to ``" word word ... "`` (letters and
digits, lower case, single spaces, see :func:`match_text`), which the feature
pipeline builds once per paper and indexes once per block of candidates
(:class:`TextIndex`), so a request only does array lookups.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from academichub.core.query import Term, parse, words

#: Extra letters allowed after a keyword's last word ("agent" matches
#: "agents" and "agentic", "LLM" matches "LLMs"); a trailing ``*`` lifts the cap.
STEM_SLACK = 3
MIN_STEM_WORD = 4


@dataclass(frozen=True)
class Clause:
    """One chip: alternatives (any may match), excluded or not."""

    terms: tuple[Term, ...]
    excluded: bool = False

    @property
    def label(self) -> str:
        """The clause as the user would type it again (without the leading ``-``)."""
        return " OR ".join(_term_text(t) for t in self.terms)

    @property
    def source(self) -> str:
        return ("-" if self.excluded else "") + self.label


@dataclass(frozen=True)
class Keywords:
    positive: tuple[Clause, ...] = ()
    excluded: tuple[Clause, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return self.positive + self.excluded


def parse_keywords(text: str | None) -> Keywords:
    """Parse a radar's keyword line; never raises (errors are for the page)."""
    parsed = parse(text or "")
    positive = [Clause((t,)) for t in parsed.required if t.words]
    positive += [Clause(tuple(g)) for g in parsed.or_groups if g]
    excluded = [Clause((t,), excluded=True) for t in parsed.excluded if t.words]
    errors = list(parsed.errors)
    if not parsed.filters.is_empty():
        errors.append("filters such as cat: or year: are not used in radar keywords; "
                      "add categories as their own filter")  # fmt: skip
    return Keywords(tuple(_unique(positive)), tuple(_unique(excluded)), tuple(errors))


def render_keywords(clauses: list[Clause] | tuple[Clause, ...]) -> str:
    """The keyword line that parses back to ``clauses`` (used after a chip is removed)."""
    return " ".join(c.source for c in clauses)


def remove_clause(text: str, source: str) -> str:
    """``text`` without the clause whose :attr:`Clause.source` is ``source``."""
    keywords = parse_keywords(text)
    return render_keywords([c for c in keywords.clauses if c.source != source])


def add_clause(text: str, addition: str, *, excluded: bool = False) -> str:
    """``text`` plus the clauses typed in ``addition`` (all made exclusions if ``excluded``)."""
    current = list(parse_keywords(text).clauses)
    new = parse_keywords(addition).clauses
    if excluded:
        new = tuple(Clause(t, excluded=True) for c in new for t in ((term,) for term in c.terms))
    return render_keywords(_unique(current + list(new)))


def match_text(text: str) -> str:
    """``" word word "``: what matching runs on (build once per paper, not per request)."""
    return " " + " ".join(words(text or "")) + " "


class TextIndex:
    """Where each word occurs in one field of a block of candidates, as flat integer arrays.

    Built once per block by the feature pipeline (the radar's candidate cache).
    The texts become one array of word ids (ids in sorted-vocabulary order,
    ``-1`` closing each text) plus its positions sorted by word id, so the
    occurrences of a word, or of every word with a given prefix, are one
    slice. A keyword then costs a few numpy operations, not a scan of texts:

    - the allowed endings of a word ("agent" -> "agents", "agentic") are the
      contiguous id range of the words with that prefix, narrowed by length;
    - a phrase is checked by position: the token after each occurrence of
      its first word must be its second word, and so on. This replaced a
      substring search in every text holding all the words, which was most
      of a feed's time ("language model" is in a third of CS abstracts).

    The rule is exactly :func:`find_term`'s; tests/test_radar_fastpath.py
    checks that the two agree on real abstracts.
    """

    def __init__(self, texts: list[str]):
        words_ = (" \x00 ".join(texts) + " \x00").split() if texts else []   # "\x00" closes each text
        self.vocabulary = sorted(set(words_) - {"\x00"})
        self.ids = {word: i for i, word in enumerate(self.vocabulary)}
        self.tokens = np.fromiter(map({**self.ids, "\x00": -1}.__getitem__, words_), dtype=np.int32, count=len(words_))
        ends = np.flatnonzero(self.tokens == -1)
        self.starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)[:len(texts)]   # where each text begins
        self.order = np.argsort(self.tokens, kind="stable").astype(np.int32)
        # occurrences of word id i: order[bounds[i + 1]:bounds[i + 2]] (bounds[0] is the -1s)
        self.bounds = np.searchsorted(self.tokens[self.order], np.arange(-1, len(self.vocabulary) + 1))
        self.lengths = np.fromiter(map(len, self.vocabulary), dtype=np.int32, count=len(self.vocabulary))
        self.size = len(texts)

    def mask(self, term: Term) -> np.ndarray:
        """Boolean array: which texts contain ``term`` (same rule as :func:`find_term`)."""
        found = np.zeros(self.size, dtype=bool)
        terms = term.words
        if not terms or any(word not in self.ids for word in terms[:-1]):
            return found
        lo, hi = self._prefix_range(terms[-1])
        if len(terms) == 1:
            positions = self.order[self.bounds[lo + 1]:self.bounds[hi + 1]].astype(np.int64)
            last = positions
        else:
            first = self.ids[terms[0]]
            positions = self.order[self.bounds[first + 1]:self.bounds[first + 2]].astype(np.int64)
            for offset, word in enumerate(terms[1:-1], start=1):
                positions = positions[self.tokens[positions + offset] == self.ids[word]]
            last = positions + len(terms) - 1
        word = self.tokens[last]
        keep = (word >= lo) & (word < hi)
        slack = _slack(term, terms)
        if slack is not None:
            keep &= self.lengths[np.where(keep, word, 0)] - len(terms[-1]) <= slack
        found[np.searchsorted(self.starts, positions[keep], side="right") - 1] = True
        return found

    def _prefix_range(self, word: str) -> tuple[int, int]:
        """Ids [lo, hi) of the vocabulary words that start with ``word``."""
        lo = bisect_left(self.vocabulary, word)
        return lo, bisect_left(self.vocabulary, word + "\U0010ffff", lo)


def _slack(term: Term, terms: list[str] | None = None) -> int | None:
    """Letters the last word may run on by (``None``: any); ``terms`` saves re-splitting ``term``."""
    if term.prefix:
        return None
    return STEM_SLACK if len((terms or term.words)[-1]) >= MIN_STEM_WORD else 0


def find_term(term: Term, title: str, abstract: str) -> str | None:
    """``"title"``, ``"abstract"`` or ``None``: where ``term`` occurs (title wins).

    ``title``/``abstract`` are :func:`match_text` outputs. ``au:`` terms are
    not text matches (followed authors are), so they never match here.
    """
    if term.field == "authors":
        return None
    needle = " " + " ".join(term.words)
    slack = _slack(term)
    if term.field != "abstract" and _occurs(needle, title, slack):
        return "title"
    if term.field != "title" and _occurs(needle, abstract, slack):
        return "abstract"
    return None


def _occurs(needle: str, haystack: str, slack: int | None) -> bool:
    """Substring search with a word start; the end may run on by ``slack`` letters (None: any)."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        stop = haystack.find(" ", end)
        if slack is None or stop - end <= slack:
            return True
        start = haystack.find(needle, end)
    return False


def _term_text(term: Term) -> str:
    text = term.text.strip()
    if term.phrase or " " in text:
        text = '"%s"' % text.replace('"', "")
    if term.prefix:
        text += "*"
    prefix = {"title": "ti:", "abstract": "abs:", "authors": "au:"}.get(term.field or "", "")
    return prefix + text


def _unique(clauses: list[Clause]) -> list[Clause]:
    seen: set[str] = set()
    out = []
    for clause in clauses:
        if clause.source.lower() not in seen:
            seen.add(clause.source.lower())
            out.append(clause)
    return out
