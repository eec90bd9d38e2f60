"""The search box: parse what researchers type, and turn it into SAFE queries.

Syntax (what arXiv and Google Scholar users already know)::

    diffusion "image editing" -video          words, a phrase, an exclusion
    transformer OR attention OR "state space"  alternatives (upper-case OR, or |)
    au:LeCun  au:"Yann LeCun"  au:del_maestro  author (arXiv writes spaces as _)
    ti:diffusion  abs:"few-shot"               only in the title / the abstract
    cat:cs.CV  cat:cs  -cat:cs.RO              categories (several: any of them)
    year:2025  year:2020-2023  year:>=2021     publication year
    after:2025-03  before:2026-01-15           dates (after is inclusive, before exclusive)
    source:arxiv  venue:NeurIPS                where the record came from / was published
    transform*                                 prefix, only after a word of >= 3 characters

Why the parser never raises: the input comes straight from a text box, so a
stray quote, ``*``, ``NEAR(``, a 10 kB paste or an empty string must give a
best-effort query plus human-readable ``errors`` that the page can show under
the box ("unbalanced quote: the rest was read as a phrase"). Nothing the user
types is ever passed through as query-language syntax: ``to_fts5`` and
``to_tsquery`` rebuild the expression from plain words (letters and digits
only), each one quoted, so the only operators in the output are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MAX_QUERY_CHARS = 1000      # longer input is cut (a pasted abstract is still far below)
MAX_CLAUSES = 64            # positive terms/phrases/groups kept, so FTS stays fast
MAX_WORD_CHARS = 100        # PostgreSQL refuses lexemes over 2 kB; no real word is this long
MIN_PREFIX_CHARS = 3        # "a*" would expand to most of the vocabulary

#: Text columns a term can be limited to (``ti:``/``abs:``/``au:``).
TEXT_FIELDS = {"ti": "title", "title": "title", "abs": "abstract", "abstract": "abstract",
               "au": "authors", "author": "authors", "authors": "authors"}  # fmt: skip
#: Structured filters, resolved against the catalogue rather than the text index.
FILTER_FIELDS = {"cat": "cat", "category": "cat", "year": "year", "after": "after", "since": "after",
                 "before": "before", "until": "before", "source": "source", "venue": "venue",
                 "journal": "venue"}  # fmt: skip

#: English function words dropped from plain (unquoted) keyword terms, so that
#: "what is contrastive learning" does not require "what" and "is"; phrases
#: keep them. The dense side always sees the full text.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
""".split())  # fmt: skip

_WORD = re.compile(r"[^\W_]+")                         # letters and digits, as FTS5 unicode61 sees them
_CATEGORY = re.compile(r"^([a-z][a-z\-]*)(?:\.([a-z][a-z\-]*|\*))?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?$")
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:-|\.\.)\s*(\d{4})?$")
_YEAR_CMP = re.compile(r"^(>=|<=|>|<)(\d{4})$")
_MIN_YEAR, _MAX_YEAR = 1800, 2200


@dataclass(frozen=True)
class Term:
    """One word or phrase the text must (or must not) contain.

    ``text`` is what the user typed (without quotes or the trailing ``*``);
    ``field`` limits it to ``title``, ``authors`` or ``abstract`` (``None``:
    any of them); ``prefix`` marks ``transform*``.
    """

    text: str
    phrase: bool = False
    field: str | None = None
    prefix: bool = False

    @property
    def words(self) -> list[str]:
        """The searchable words: letters and digits only, lower-cased, capped in length."""
        return words(self.text)


@dataclass
class Filters:
    """Structured restrictions that are not text matching.

    Several categories mean "any of them" (``cat:cs.CV cat:cs.LG`` is what a
    reader of both lists types). ``after`` is inclusive and ``before`` is
    exclusive, as in Gmail and Scholar, so ``after:2025-03 before:2025-04``
    is exactly March.
    """

    categories: list[str] = field(default_factory=list)
    excluded_categories: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    after: date | None = None
    before: date | None = None
    sources: list[str] = field(default_factory=list)
    excluded_sources: list[str] = field(default_factory=list)
    venues: list[str] = field(default_factory=list)
    excluded_venues: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass
class ParsedQuery:
    """A parsed search: what must match, what may alternate, what must not.

    ``required`` keeps the user's order (terms and phrases mixed) because the
    dense side embeds them as a sentence; ``terms`` and ``phrases`` are views.
    ``or_groups`` each need one member to match. ``errors`` are messages for
    the user; the query is still usable when there are some.
    """

    raw: str = ""
    required: list[Term] = field(default_factory=list)
    or_groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    errors: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        return [t for t in self.required if not t.phrase]

    @property
    def phrases(self) -> list[Term]:
        return [t for t in self.required if t.phrase]

    @property
    def authors(self) -> list[str]:
        """Names given with ``au:``, for callers that filter by author key."""
        return [t.text for t in self.required if t.field == "authors"]

    @property
    def has_text(self) -> bool:
        """True when there is something for the keyword or dense index to match."""
        return any(t.words for t in self.required) or any(t.words for g in self.or_groups for t in g)

    @property
    def is_empty(self) -> bool:
        return not self.has_text and not self.excluded and self.filters.is_empty()

    def canonical(self) -> str:
        """What the query asks, as text: equal for queries that must rank the same (a cache key part)."""
        return repr((self.required, self.or_groups, self.excluded, self.filters))

    def semantic_text(self) -> str:
        """The positive free text, in order, for the embedding model.

        Author names are left out (a name's embedding matches unrelated
        papers), OR groups contribute all alternatives, exclusions nothing.
        """
        parts = [t.text for t in self.required if t.field != "authors"]
        parts += [t.text for group in self.or_groups for t in group if t.field != "authors"]
        return " ".join(" ".join(parts).split())


def words(text: str) -> list[str]:
    """Split text into index words the way FTS5's unicode61 tokenizer does.

    Only letters and digits survive, so the result can be quoted into any
    query language without escaping; words are lower-cased and cut to
    ``MAX_WORD_CHARS``.
    """
    return [w[:MAX_WORD_CHARS].lower() for w in _WORD.findall(text or "")]


# ---------------------------------------------------------------- parsing


@dataclass
class _Item:
    """One lexed unit before OR-grouping: a term, a filter, or an operator."""

    kind: str                    # "term", "filter", "or", "not"
    term: Term | None = None
    name: str = ""               # filter name
    value: str = ""              # filter value
    negated: bool = False


def parse(text: str | None) -> ParsedQuery:
    """Parse a search-box string; never raises, reports problems in ``errors``."""
    raw = text if isinstance(text, str) else ""
    query = ParsedQuery(raw=raw)
    if len(raw) > MAX_QUERY_CHARS:
        query.errors.append(f"the query is longer than {MAX_QUERY_CHARS} characters; the rest was ignored")
        raw = raw[:MAX_QUERY_CHARS]
    items = _apply_not(_lex(raw, query.errors))
    for group in _group_or(items, query.errors):
        _add_group(query, group)
    _check_limits(query)
    if query.excluded and not query.has_text:
        query.errors.append("exclusions (-word) need at least one word to search for")
    return query


def _lex(raw: str, errors: list[str]) -> list[_Item]:
    """Split the input into items; quotes, ``-`` and ``field:`` are handled here."""
    items: list[_Item] = []
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char.isspace() or char in "()":
            i += 1
            continue
        negated = False
        if char in "-+!" and i + 1 < n and not raw[i + 1].isspace():
            negated = char in "-!"
            i += 1
        item, i = _lex_one(raw, i, errors)
        if item is not None:
            item.negated = item.negated or negated
            items.append(item)
    return items


def _lex_one(raw: str, i: int, errors: list[str]) -> tuple[_Item | None, int]:
    """Read one phrase, field:value or bare word starting at ``i``."""
    if raw[i] == '"':
        text, i = _read_quoted(raw, i, errors)
        return _Item("term", Term(text, phrase=True)), i
    start = i
    while i < len(raw) and not raw[i].isspace() and raw[i] not in '"()':
        i += 1
    chunk = raw[start:i]
    if chunk in ("OR", "|", "||"):
        return _Item("or"), i
    if chunk in ("AND", "&", "&&"):
        return None, i
    if chunk == "NOT":
        return _Item("not"), i
    name, sep, value = chunk.partition(":")
    key = name.lower()
    if sep and (key in TEXT_FIELDS or key in FILTER_FIELDS):
        return _lex_field(raw, i, key, value, errors)
    return _Item("term", _bare_term(chunk, errors)), i


def _lex_field(raw: str, i: int, key: str, value: str, errors: list[str]) -> tuple[_Item | None, int]:
    """``ti:word``, ``au:"Full Name"``, ``cat:cs.CV`` ... (the value may be quoted)."""
    phrase = False
    if not value and i < len(raw) and raw[i] == '"':
        value, i = _read_quoted(raw, i, errors)
        phrase = True
    if not value.strip():
        errors.append(f"{key}: needs a value right after the colon, e.g. {key}:{_EXAMPLES.get(key, 'word')}")
        return None, i
    if key in FILTER_FIELDS:
        return _Item("filter", name=FILTER_FIELDS[key], value=value.strip()), i
    column = TEXT_FIELDS[key]
    if column == "authors":
        value = value.replace("_", " ")
        phrase = phrase or len(words(value)) > 1
        return _Item("term", Term(value, phrase=phrase, field=column)), i
    if phrase:
        return _Item("term", Term(value, phrase=True, field=column)), i
    term = _bare_term(value, errors)
    return _Item("term", Term(term.text, phrase=term.phrase, field=column, prefix=term.prefix)), i


_EXAMPLES = {"cat": "cs.CV", "category": "cs.CV", "year": "2025", "after": "2025-03-01",
             "since": "2025-03-01", "before": "2026-01-01", "until": "2026-01-01", "au": "LeCun",
             "author": "LeCun", "authors": "LeCun", "source": "arxiv", "venue": "NeurIPS"}  # fmt: skip


def _read_quoted(raw: str, i: int, errors: list[str]) -> tuple[str, int]:
    """Read ``"..."`` from the quote at ``i``; an unclosed quote runs to the end."""
    end = raw.find('"', i + 1)
    if end < 0:
        errors.append("unbalanced quote: the rest of the query was read as one phrase")
        return raw[i + 1:], len(raw)
    return raw[i + 1:end], end + 1


def _bare_term(chunk: str, errors: list[str]) -> Term:
    """An unquoted word; a trailing ``*`` asks for a prefix match."""
    prefix = chunk.endswith("*")
    text = chunk.rstrip("*")
    found = words(text)
    if prefix and (len(found) != 1 or len(found[0]) < MIN_PREFIX_CHARS):
        errors.append(f"prefix search needs one word of at least {MIN_PREFIX_CHARS} letters before *; "
                      f"searched for {text!r} as a whole word")  # fmt: skip
        prefix = False
    return Term(text, phrase=len(found) > 1, prefix=prefix)


def _apply_not(items: list[_Item]) -> list[_Item]:
    """``NOT x`` is the same as ``-x``; a dangling NOT is dropped."""
    out: list[_Item] = []
    pending = False
    for item in items:
        if item.kind == "not":
            pending = True
            continue
        if pending and item.kind in ("term", "filter"):
            item.negated = True
        pending = False
        out.append(item)
    return out


def _group_or(items: list[_Item], errors: list[str]) -> list[list[_Item]]:
    """Join items linked by OR into groups; other items are groups of one."""
    groups: list[list[_Item]] = []
    join_next = False
    for item in items:
        if item.kind == "or":
            if not groups or join_next:
                errors.append("OR needs a word on both sides; it was ignored")
            join_next = bool(groups)
            continue
        if join_next and groups and _can_or(groups[-1][-1]) and _can_or(item):
            groups[-1].append(item)
        else:
            if join_next and not _orable_filters(groups[-1][-1], item):
                errors.append("OR joins search words and phrases (not exclusions or filters); it was ignored")
            groups.append([item])
        join_next = False
    if join_next:
        errors.append("OR needs a word on both sides; it was ignored")
    return groups


def _can_or(item: _Item) -> bool:
    return item.kind == "term" and not item.negated


def _orable_filters(left: _Item, right: _Item) -> bool:
    """``cat:a OR cat:b``: categories are already "any of", so OR is harmless there."""
    return all(x.kind == "filter" and x.name == "cat" and not x.negated for x in (left, right))


def _add_group(query: ParsedQuery, group: list[_Item]) -> None:
    if len(group) > 1:
        members = [item.term for item in group if item.term and item.term.words]
        if len(members) > 1:
            query.or_groups.append(members)
        elif members:
            query.required.append(members[0])
        return
    item = group[0]
    if item.kind == "filter":
        _add_filter(query, item)
    elif item.term is not None and item.term.words:
        (query.excluded if item.negated else query.required).append(item.term)


def _check_limits(query: ParsedQuery) -> None:
    """Keep at most ``MAX_CLAUSES`` positive clauses so a pasted page stays cheap.

    Stop words go first (the keyword side drops them anyway), so a long
    natural-language question keeps all of its content words.
    """
    total = len(query.required) + len(query.or_groups)
    if total <= MAX_CLAUSES:
        return
    query.required = [t for t in query.required if not _is_stopword(t)] or query.required
    total = len(query.required) + len(query.or_groups)
    if total <= MAX_CLAUSES:
        return
    keep_required = min(len(query.required), MAX_CLAUSES)
    query.required = query.required[:keep_required]
    query.or_groups = query.or_groups[:MAX_CLAUSES - keep_required]
    query.excluded = query.excluded[:MAX_CLAUSES]
    query.errors.append(f"only the first {MAX_CLAUSES} search terms were used")


# ---------------------------------------------------------------- filters


def _add_filter(query: ParsedQuery, item: _Item) -> None:
    handler = {"cat": _filter_category, "year": _filter_year, "after": _filter_date,
               "before": _filter_date, "source": _filter_text, "venue": _filter_text}[item.name]  # fmt: skip
    handler(query, item)


def _filter_category(query: ParsedQuery, item: _Item) -> None:
    category = normalize_category(item.value)
    if category is None:
        query.errors.append(f"cat:{item.value} is not an arXiv category; use e.g. cat:cs.CV, cat:math.AG or cat:cs")
        return
    target = query.filters.excluded_categories if item.negated else query.filters.categories
    if category not in target:
        target.append(category)


def normalize_category(value: str) -> str | None:
    """'CS.cv' -> 'cs.CV', 'cond-mat.Mes-Hall' -> 'cond-mat.mes-hall', 'cs.*' -> 'cs'.

    arXiv writes two-letter subject classes in capitals (cs.CV, math.AG,
    q-bio.NC, astro-ph.GA) and longer ones in lower case (physics.optics),
    so the case can be restored without a table. ``None`` when the value
    cannot be a category.
    """
    match = _CATEGORY.match(value.strip())
    if not match:
        return None
    archive, subject = match.group(1).lower(), match.group(2)
    if not subject or subject == "*":
        return archive
    return f"{archive}.{subject.upper() if len(subject) == 2 else subject.lower()}"


def _filter_year(query: ParsedQuery, item: _Item) -> None:
    if item.negated:
        query.errors.append("a year cannot be excluded; use before: or after: instead")
        return
    bounds = _year_bounds(item.value)
    if bounds is None:
        query.errors.append(f"year:{item.value} is not a year; use year:2025, year:2020-2023 or year:>=2021")
        return
    low, high = bounds
    if low is not None:
        query.filters.year_from = max(low, query.filters.year_from or low)
    if high is not None:
        query.filters.year_to = min(high, query.filters.year_to or high)


def _year_bounds(value: str) -> tuple[int | None, int | None] | None:
    """'2025' | '2020-2023' | '2020..' | '>=2021' | '<2020' -> (from, to), inclusive."""
    value = value.strip()
    if value.isdigit() and len(value) == 4:
        bounds = (int(value), int(value))
    elif match := _YEAR_CMP.match(value):
        op, year = match.group(1), int(match.group(2))
        bounds = {">=": (year, None), ">": (year + 1, None), "<=": (None, year), "<": (None, year - 1)}[op]
    elif (match := _YEAR_RANGE.match(value)) and (match.group(1) or match.group(2)):
        bounds = tuple(int(g) if g else None for g in match.groups())
    else:
        return None
    if any(y is not None and not _MIN_YEAR <= y <= _MAX_YEAR for y in bounds):
        return None
    return bounds


def _filter_date(query: ParsedQuery, item: _Item) -> None:
    if item.negated:
        query.errors.append(f"{item.name}: cannot be negated; swap after: and before: instead")
        return
    day = parse_date(item.value)
    if day is None:
        query.errors.append(f"{item.name}:{item.value} is not a date; use {item.name}:2025, "
                            f"{item.name}:2025-03 or {item.name}:2025-03-18")  # fmt: skip
        return
    if item.name == "after":
        query.filters.after = max(day, query.filters.after or day)
    else:
        query.filters.before = min(day, query.filters.before or day)


def parse_date(value: str) -> date | None:
    """'2025' -> 2025-01-01, '2025-03' -> 2025-03-01, '2025/3/18' -> 2025-03-18; else None."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _filter_text(query: ParsedQuery, item: _Item) -> None:
    """``source:`` and ``venue:`` keep the user's text; the catalogue matches it."""
    value = " ".join(item.value.split())
    if item.name == "source":
        value = value.lower()
    target = getattr(query.filters, ("excluded_" if item.negated else "") + item.name + "s")
    if value and value not in target:
        target.append(value)


# ---------------------------------------------------------------- SQLite FTS5

DEFAULT_COLUMNS = {"title": "title", "authors": "authors", "abstract": "abstract"}


def to_fts5(parsed: ParsedQuery, *, match: str = "all", columns: dict[str, str] | None = None) -> str:
    """A SQLite FTS5 ``MATCH`` expression for ``parsed``; ``""`` when there is nothing to match.

    Every word is rebuilt from letters and digits and put in double quotes,
    so FTS5 never sees user text as syntax (no ``NEAR(``, column filters,
    ``^`` or stray ``*``). ``match="all"`` requires every clause (the search
    box); ``match="any"`` ORs them and lets bm25 rank (long natural-language
    or query-by-example text, where requiring every word finds nothing).
    ``columns`` maps ``title``/``authors``/``abstract`` to the table's names.
    Pass the result as a bound parameter, never by string formatting.
    """
    _check_match(match)
    columns = {**DEFAULT_COLUMNS, **(columns or {})}
    clauses = [_fts_term(t, columns) for t in _keyword_terms(parsed)]
    clauses += [_fts_group(g, columns) for g in parsed.or_groups]
    clauses = [c for c in clauses if c]
    if not clauses:
        return ""
    joiner = " AND " if match == "all" else " OR "
    expression = joiner.join(clauses)
    excluded = [c for c in (_fts_term(t, columns) for t in parsed.excluded) if c]
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


def _check_match(match: str) -> None:
    """A typo such as match="and" must not silently turn into OR semantics."""
    if match not in ("all", "any"):
        raise ValueError(f'match must be "all" or "any", got {match!r}')


def _fts_term(term: Term, columns: dict[str, str]) -> str:
    found = term.words
    if not found:
        return ""
    body = '"' + " ".join(found).replace('"', '""') + '"'
    if term.prefix and len(found) == 1 and len(found[0]) >= MIN_PREFIX_CHARS:
        body += "*"
    if term.field:
        body = f"{_fts_column(columns[term.field])} : {body}"
    return body


def _fts_column(name: str) -> str:
    """Column names come from our code, but quote them anyway so a rename cannot break syntax."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"unsafe FTS5 column name {name!r}")
    return name


def _fts_group(group: list[Term], columns: dict[str, str]) -> str:
    parts = [p for p in (_fts_term(t, columns) for t in group) if p]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _keyword_terms(parsed: ParsedQuery) -> list[Term]:
    """Required terms without English stop words (kept if nothing else is left)."""
    kept = [t for t in parsed.required if not _is_stopword(t)]
    if kept or parsed.or_groups:
        return kept
    return list(parsed.required)


def _is_stopword(term: Term) -> bool:
    return not term.phrase and not term.field and not term.prefix and term.words == [term.text.lower()] \
        and term.text.lower() in STOPWORDS


# ---------------------------------------------------------------- PostgreSQL

DEFAULT_WEIGHTS = {"title": "A", "authors": "B", "abstract": "C"}


def to_tsquery(parsed: ParsedQuery, *, match: str = "all", weights: dict[str, str] | None = None) -> str:
    """Text for PostgreSQL ``to_tsquery('english', %s)``; ``""`` when there is nothing to match.

    Field limits become tsquery weight labels, so the tsvector must be built
    with ``setweight(title,'A') || setweight(authors,'B') ||
    setweight(abstract,'C')`` (override with ``weights``). Words are letters
    and digits in single quotes, phrases use ``<->`` and prefixes ``:*``, so
    no user text reaches the tsquery parser as an operator.
    """
    _check_match(match)
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    clauses = [_ts_term(t, weights) for t in _keyword_terms(parsed)]
    clauses += [_ts_group(g, weights) for g in parsed.or_groups]
    clauses = [c for c in clauses if c]
    if not clauses:
        return ""
    expression = (" & " if match == "all" else " | ").join(clauses)
    excluded = [c for c in (_ts_term(t, weights) for t in parsed.excluded) if c]
    if excluded:
        expression = f"({expression}) & !({' | '.join(excluded)})"
    return expression


def _ts_term(term: Term, weights: dict[str, str]) -> str:
    found = term.words
    if not found:
        return ""
    label = weights[term.field] if term.field else ""
    if not re.fullmatch(r"[ABCD]*", label):
        raise ValueError(f"tsquery weights must be letters A-D, got {label!r}")
    star = "*" if term.prefix and len(found) == 1 and len(found[0]) >= MIN_PREFIX_CHARS else ""
    suffix = f":{star}{label}" if (star or label) else ""
    lexemes = [f"'{w}'{suffix}" for w in found]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def _ts_group(group: list[Term], weights: dict[str, str]) -> str:
    parts = [p for p in (_ts_term(t, weights) for t in group) if p]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
