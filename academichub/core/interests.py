"""A radar's keyword line: clauses to match, show as chips and remove one by one.

A radar's keywords are read with the search box's parser (``core.query``) so
the syntax is the one users already know (words, "phrases", ``a OR b``,
``-survey``, ``ti:``/``abs:``), but the meaning differs from search: in a
radar every positive clause is an *interest*, and a paper matching more of
them ranks higher, instead of every clause being required. Exclusions stay
hard: a paper containing an excluded word never appears.

Matching runs on text already reduced to ``" word word ... "`` (letters and
digits, lower case, single spaces, see :func:`match_text`), which the feature
pipeline builds once per paper, so a request only does substring searches.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def find_term(term: Term, title: str, abstract: str) -> str | None:
    """``"title"``, ``"abstract"`` or ``None``: where ``term`` occurs (title wins).

    ``title``/``abstract`` are :func:`match_text` outputs. ``au:`` terms are
    not text matches (followed authors are), so they never match here.
    """
    if term.field == "authors":
        return None
    needle = " " + " ".join(term.words)
    slack = None if term.prefix else (STEM_SLACK if len(term.words[-1]) >= MIN_STEM_WORD else 0)
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
