"""The search engine: one function behind the search page, the API, radars and briefings.

``search(query, filters=..., sort=..., page=..., limit=...)`` combines

* **keyword ranking** (``keyword.keyword_ranking``: BM25 with field weights
  on SQLite FTS5 or PostgreSQL tsvector, the query's filters applied in SQL),
* **semantic ranking** (the query embedded with the configured model and
  searched in this node's vector index, ``index.local_index``),

by reciprocal-rank fusion (``core.fusion.rrf``, k = 60), the option the
project's evaluation measured (``bench/eval_search.py``). It works from the
first minute on keywords alone: while no paper has a vector, or when the
model cannot load, the semantic side is skipped and the result says so.

Rules that keep results predictable:

* Hard constraints stay hard. Filters (``cat:``, dates, ``source:``,
  ``venue:``), authors (``au:``), field terms (``ti:``/``abs:``), quoted
  phrases, prefixes and exclusions are things the user asked for
  explicitly: when a query has any text constraint, the semantic side only
  re-ranks the keyword matches; filters are applied to its results.
  Plain words are soft: a paper that means the same without the words can
  come from the semantic side.
* If no paper contains every word, papers containing some of them are
  ranked instead (``match="any"``), and the result says so.
* Chinese queries are translated to English first (``core.zh.translate``:
  a bilingual term table and jieba), then searched as English.
* User input never raises: the parser reports problems as messages and
  still searches what it could read; a failing side is logged and skipped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academichub.core import facets, fusion, zh
from academichub.core import query as q
from academichub.core.highlight import Matcher, highlight, snippet
from academichub.ops import metrics
from academichub.ops.shared_cache import cache_get, cache_set
from academichub.papers.models import Paper, PaperSignal
from academichub.search import keyword

log = logging.getLogger("academichub.search")

SORTS = ("relevance", "date", "popularity")
SIDES = ("keyword", "semantic")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
DEPTH = 200                 # candidates each side contributes to the fusion
MAX_PAGES = 50
POST_FILTER_FACTOR = 4      # semantic candidates fetched per wanted one when filters apply
MAX_ALLOWED_IDS = 200_000   # larger filter sets are applied after the ANN search, not inside it
NEWEST_SCAN = 10_000        # newest papers checked one by one before a filter-only query asks SQL for all
FILTER_FIELDS = {"category": "cat", "after": "after", "before": "before", "year": "year",
                 "source": "source", "venue": "venue", "author": "au"}  # fmt: skip


@dataclass
class Hit:
    """One result: the paper, where it ranked on each side, and highlighted text (safe HTML)."""

    paper: Paper
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    title_html: str = ""
    authors_html: str = ""
    snippet_html: str = ""
    matched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        paper = self.paper
        return {"id": paper.pk, "arxiv_id": paper.arxiv_id, "doi": paper.doi, "title": paper.title_text,
                "authors": paper.author_list, "announced": _iso(paper.announced), "published": _iso(paper.published),
                "primary_category": paper.primary_category_id, "source": paper.source_badge,
                "url": f"/paper/{paper.arxiv_id or paper.pk}", "score": round(self.score, 6),
                "keyword_rank": self.keyword_rank, "semantic_rank": self.semantic_rank,
                "title_html": self.title_html, "authors_html": self.authors_html,
                "snippet_html": self.snippet_html, "matched": self.matched}  # fmt: skip


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    limit: int = DEFAULT_LIMIT
    sort: str = "relevance"
    mode: str = "empty"          # empty | filters | keyword | semantic | hybrid
    messages: list[str] = field(default_factory=list)
    translated_query: str = ""   # the English query a Chinese one became
    parsed: q.ParsedQuery | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    @property
    def ids(self) -> list[int]:
        return [hit.paper.pk for hit in self.hits]

    def as_dict(self) -> dict:
        return {"query": self.query, "translated_query": self.translated_query, "mode": self.mode,
                "sort": self.sort, "page": self.page, "limit": self.limit, "total": self.total,
                "pages": self.pages, "messages": self.messages,
                "results": [hit.as_dict() for hit in self.hits]}  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# ------------------------------------------------------------------ entry point


def search(query: str | None, *, filters: dict | None = None, sort: str = "relevance", page: int = 1,
           limit: int = DEFAULT_LIMIT, depth: int = DEPTH, sides: tuple[str, ...] = SIDES) -> SearchResult:  # fmt: skip
    """Search the catalogue; never raises on user input (problems become ``messages``).

    ``filters`` holds form/API fields (``category``, ``after``, ``before``,
    ``year``, ``source``, ``venue``, ``author``), read with the same rules as
    the query syntax (``cat:``, ``after:`` ...). ``page`` starts at 1.
    ``sides`` limits ranking to "keyword" or "semantic" (the benchmark
    scores each side alone through this same code).
    """
    began = time.perf_counter()
    text = query if isinstance(query, str) else ""
    result = SearchResult(query=text, limit=_clamp(limit, 1, MAX_LIMIT, DEFAULT_LIMIT),
                          page=_clamp(page, 1, MAX_PAGES, 1))  # fmt: skip
    result.sort = _checked_sort(sort, result.messages)
    parsed = _parse(text, filters, result)
    result.parsed = parsed
    if not parsed.has_text and parsed.filters.is_empty():  # empty, or only exclusions
        if (text.strip() or any((filters or {}).values())) and not parsed.excluded:
            result.messages.append(_("Nothing to search for: type some words, a phrase in quotes or au:Name."))
        return result
    if parsed.has_text:
        ranked, ranks = _ranked(parsed, result, max(depth, result.page * result.limit), sides)
    else:
        result.mode = "filters"
        ranked, ranks = [(pid, 0.0) for pid in _filtered_only(parsed.filters, depth)], {}
    ordered = _sorted(ranked, result.sort)
    result.total = len(ordered)
    start = (result.page - 1) * result.limit
    result.hits = _hits(ordered[start:start + result.limit], ranks, parsed)
    metrics.observe("search", time.perf_counter() - began)
    return result


def ranked_ids(query: str, *, filters: dict | None = None, depth: int = DEPTH,
               sides: tuple[str, ...] = SIDES) -> list[int]:  # fmt: skip
    """The whole relevance ranking as paper ids (no paging, no display work), up to ``depth`` per side.

    For callers that post-process rankings (radars, briefings, the
    evaluation); the same code path as ``search``.
    """
    result = SearchResult(query=query)
    parsed = _parse(query if isinstance(query, str) else "", filters, result)
    if parsed.has_text:
        return [pid for pid, _ in _ranked(parsed, result, depth, sides)[0]]
    return [] if parsed.filters.is_empty() else _filtered_only(parsed.filters, depth)


def _clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def _checked_sort(sort: str | None, messages: list[str]) -> str:
    if sort in SORTS:
        return sort
    if sort:
        messages.append(_("Unknown sort order “%(sort)s”; sorted by relevance (choose relevance, date or "
                          "popularity).") % {"sort": str(sort)[:40]})  # fmt: skip
    return "relevance"


# ------------------------------------------------------------------ parsing


# The parser's fixed messages, in the reader's language (messages that quote
# the user's input stay in English: they name the syntax to type).
PARSER_MESSAGES = {
    "exclusions (-word) need at least one word to search for":
        gettext_lazy("exclusions (-word) need at least one word to search for"),
    "unbalanced quote: the rest of the query was read as one phrase":
        gettext_lazy("unbalanced quote: the rest of the query was read as one phrase"),
    "OR needs a word on both sides; it was ignored": gettext_lazy("OR needs a word on both sides; it was ignored"),
    "OR joins search words and phrases (not exclusions or filters); it was ignored":
        gettext_lazy("OR joins search words and phrases (not exclusions or filters); it was ignored"),
    "a year cannot be excluded; use before: or after: instead":
        gettext_lazy("a year cannot be excluded; use before: or after: instead"),
}  # fmt: skip


def _parser_messages(errors: list[str]) -> list[str]:
    return [str(PARSER_MESSAGES.get(message, message)) for message in errors]


def _parse(text: str, filters: dict | None, result: SearchResult) -> q.ParsedQuery:
    """Translate Chinese, parse the query, and add the form's filter fields to it."""
    if zh.has_cjk(text):
        text = _translate(text, result)
    parsed = q.parse(text)
    result.messages += _parser_messages(parsed.errors)
    extra = _form_query(filters or {})
    if extra:
        more = q.parse(extra)
        result.messages += _parser_messages(more.errors)
        _merge(parsed, more)
    return parsed


def _translate(text: str, result: SearchResult) -> str:
    try:
        translation = zh.translate(text)
    except Exception:  # noqa: BLE001 — jieba missing or broken: search the text as typed
        log.exception("Chinese query translation failed")
        result.messages.append(_("Chinese queries cannot be translated on this server; searched as typed."))
        return text
    result.translated_query = translation.query
    if translation.unknown:
        result.messages.append(_("Not translated (left out): %(words)s") % {"words": "、".join(translation.unknown)})
    return translation.query


def _form_query(filters: dict) -> str:
    """Form/API fields as query syntax (``category=cs.CV`` -> ``cat:"cs.CV"``), so one parser checks both."""
    parts = []
    for name, prefix in FILTER_FIELDS.items():
        value = filters.get(name)
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            item = " ".join(str(item or "").replace('"', " ").split())[:200]
            if item:
                parts.append(f'{prefix}:"{item}"')
    return " ".join(parts)


def _merge(parsed: q.ParsedQuery, more: q.ParsedQuery) -> None:
    """Add the form's filters and author terms to the query's (both must hold)."""
    parsed.required += more.required
    mine, theirs = parsed.filters, more.filters
    for name in ("categories", "excluded_categories", "sources", "excluded_sources", "venues", "excluded_venues"):
        target = getattr(mine, name)
        target += [v for v in getattr(theirs, name) if v not in target]
    mine.year_from = max(filter(None, (mine.year_from, theirs.year_from)), default=None)
    mine.year_to = min(filter(None, (mine.year_to, theirs.year_to)), default=None)
    mine.after = max(filter(None, (mine.after, theirs.after)), default=None)
    mine.before = min(filter(None, (mine.before, theirs.before)), default=None)


def has_text_constraints(parsed: q.ParsedQuery) -> bool:
    """Whether the query asks for exact text (fields, quoted phrases, prefixes, exclusions), not just words."""
    terms = parsed.required + [t for group in parsed.or_groups for t in group]
    return bool(parsed.excluded) or any(t.field or t.prefix or is_quoted(t) for t in terms)


def is_quoted(term: q.Term) -> bool:
    """A phrase the user put in quotes, as opposed to a hyphenated word (self-driving) the parser
    also reads as a phrase: a quoted phrase has spaces inside, or is a single word in quotes."""
    return term.phrase and (any(c.isspace() for c in term.text) or len(term.words) == 1)


# ------------------------------------------------------------------ ranking


RANKING_CACHE_SECONDS = 300


def _ranked(parsed: q.ParsedQuery, result: SearchResult, depth: int,
            sides: tuple[str, ...] = SIDES) -> tuple[list[tuple[int, float]], dict]:  # fmt: skip
    """``_rank`` through Django's cache (Redis when REDIS_URL is set: shared by every web process).

    Rankings are the same for every user, and many people search the same
    words; a cached ranking is keyed by the parsed query and the catalogue's
    state (newest paper and newest embedding), so a new paper or vector
    starts a new key at once, and edits to existing papers show within
    RANKING_CACHE_SECONDS. A cache outage only costs the work.
    """
    key = _ranking_key(parsed, depth, sides)
    hit = cache_get(key, "search") if key else None
    if hit is not None:
        fused, ranks, result.mode, messages = hit
        result.messages += [m for m in messages if m not in result.messages]
        return [tuple(item) for item in fused], ranks
    before = list(result.messages)
    fused, ranks = _rank(parsed, result, depth, sides)
    if key:
        added = [str(m) for m in result.messages if m not in before]
        cache_set(key, (fused, ranks, result.mode, added), RANKING_CACHE_SECONDS, "search")
    return fused, ranks


def _ranking_key(parsed: q.ParsedQuery, depth: int, sides: tuple[str, ...]) -> str | None:
    """The cache key of a ranking: the query as parsed (filters included), the depth, the sides and the
    catalogue state; ``None`` when the state cannot be read (nothing is cached then)."""
    import hashlib

    from django.utils.translation import get_language

    try:
        state = catalogue_state()
    except DatabaseError:
        return None
    wanted = repr((parsed.canonical(), depth, tuple(sides), state, get_language()))
    return "search:v1:" + hashlib.sha1(wanted.encode("utf-8")).hexdigest()


def catalogue_state() -> tuple[int, int]:
    """(newest paper id, newest embedding id): both grow whenever search results can change."""
    from academichub.search.models import PaperEmbedding

    newest_paper = Paper.objects.order_by("-id").values_list("id", flat=True).first() or 0
    newest_vector = PaperEmbedding.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return newest_paper, newest_vector


def _rank(parsed: q.ParsedQuery, result: SearchResult, depth: int,
          sides: tuple[str, ...] = SIDES) -> tuple[list[tuple[int, float]], dict]:  # fmt: skip
    """Fused ``(id, score)``, best first, and each id's (keyword rank, semantic rank)."""
    kw = [pid for pid, _ in _keyword_side(parsed, result, depth)] if "keyword" in sides else []
    strict = has_text_constraints(parsed)
    dense = []
    if "semantic" in sides and not (strict and not kw and "keyword" in sides):
        dense = [pid for pid, _ in _semantic_side(parsed, result, depth, kw if strict and kw else None)]
    result.mode = "hybrid" if kw and dense else ("semantic" if dense else "keyword")
    fused = fusion.rrf([r for r in (kw, dense) if r])
    kw_rank = {pid: i for i, pid in enumerate(kw, start=1)}
    dense_rank = {pid: i for i, pid in enumerate(dense, start=1)}
    return fused, {pid: (kw_rank.get(pid), dense_rank.get(pid)) for pid, _ in fused}


def _keyword_side(parsed: q.ParsedQuery, result: SearchResult, depth: int) -> list[tuple[int, float]]:
    """Papers containing every clause; when there are none, papers containing some (said in a message)."""
    try:
        found = keyword.keyword_ranking(parsed, depth)
        if not found and _can_relax(parsed):
            found = keyword.keyword_ranking(parsed, depth, match="any")
            if found:
                result.messages.append(_("No paper contains all of the words; showing papers that contain "
                                         "some of them."))  # fmt: skip
        return found
    except Exception:  # noqa: BLE001 — a broken index must not take search down; semantic still answers
        log.exception("keyword search failed for %r", parsed.raw[:200])
        result.messages.append(_("The keyword index could not be searched; results are by meaning only."))
        return []


def _can_relax(parsed: q.ParsedQuery) -> bool:
    plain = [t for t in parsed.required if not (t.field or t.prefix or is_quoted(t))]
    return len(plain) + len(parsed.or_groups) >= 2


def _semantic_side(parsed: q.ParsedQuery, result: SearchResult, depth: int,
                   within: list[int] | None) -> list[tuple[int, float]]:  # fmt: skip
    """Nearest papers to the query's meaning (within ``within`` when given), filters applied."""
    text = parsed.semantic_text()
    if not text or (within is not None and not within):
        return []
    try:
        from academichub.search.index import local_index
        from academichub.search.vectors import embed_texts

        index = local_index()
        if not len(index):
            result.messages.append(_("Semantic search is not ready yet (no paper has been embedded); "
                                     "results are by keywords only."))  # fmt: skip
            return []
        vector = embed_texts([text], kind="query")[0]
        if within is not None:
            return index.search(vector, len(within), allowed_ids=np.asarray(within, dtype=np.int64))
        return _filtered_neighbours(index, vector, parsed.filters, depth)
    except Exception:  # noqa: BLE001 — model or index unusable: keywords still answer
        log.exception("semantic search failed for %r", text[:200])
        result.messages.append(_("Semantic search is unavailable right now; results are by keywords only."))
        return []


def _filtered_neighbours(index, vector: np.ndarray, filters: q.Filters, depth: int) -> list[tuple[int, float]]:
    """ANN search with filters: filter a larger candidate list, or search inside the allowed ids."""
    if filters.is_empty():
        return index.search(vector, depth)
    candidates = index.search(vector, depth * POST_FILTER_FACTOR)
    passing = set(keyword.ids_passing([pid for pid, _ in candidates], filters))
    kept = [(pid, s) for pid, s in candidates if pid in passing]
    if len(kept) >= depth // 2:
        return kept[:depth]
    allowed = keyword.filtered_ids(filters)
    if allowed is None or len(allowed) > MAX_ALLOWED_IDS:
        return kept[:depth]
    return index.search(vector, depth, allowed_ids=np.asarray(allowed, dtype=np.int64))


def _filtered_only(filters: q.Filters, depth: int) -> list[int]:
    """A query of filters only (``cat:cs.CV year:2025``): the newest papers passing them.

    Common filters pass many of the newest papers, so the newest are checked
    in chunks (index order, cheap) before asking for the whole passing set
    in date order, which a rare filter needs.
    """
    newest = Paper.objects.order_by("-announced", "-id").values_list("id", flat=True)
    found: list[int] = []
    for start in range(0, NEWEST_SCAN, 1000):
        chunk = list(newest[start:start + 1000])
        passing = set(keyword.ids_passing(chunk, filters))
        found += [pid for pid in chunk if pid in passing]
        if len(found) >= depth or len(chunk) < 1000:
            return found[:depth]
    where, params = keyword.filter_sql(filters, "p0.id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p0.id FROM papers_paper p0 WHERE {where} "
                       "ORDER BY p0.announced DESC, p0.id DESC LIMIT %s", [*params, depth])  # fmt: skip
        return [row[0] for row in cursor.fetchall()]


# ------------------------------------------------------------------ sorting and display


def _sorted(ranked: list[tuple[int, float]], sort: str) -> list[tuple[int, float]]:
    """Relevance keeps the fused order; date and popularity re-sort the candidates (stable)."""
    ids = [pid for pid, _ in ranked]
    if sort == "date" and ids:
        rows = Paper.objects.filter(id__in=ids).values_list("id", "announced", "published")
        key = {pid: (announced or published or date.min) for pid, announced, published in rows}
        return sorted(ranked, key=lambda item: key.get(item[0], date.min), reverse=True)
    if sort == "popularity" and ids:
        votes = popularity(ids)
        return sorted(ranked, key=lambda item: -(votes.get(item[0]) or 0))
    return ranked


def popularity(ids: list[int]) -> dict[int, int]:
    """Upvotes per paper: the daily pages' points (votes here + Hugging Face) when that app is
    installed, else the upvotes recorded as paper signals."""
    from django.apps import apps

    if apps.is_installed("academichub.daily"):
        from academichub.daily.models import PaperStats

        return dict(PaperStats.objects.filter(paper_id__in=ids).values_list("paper_id", "points"))
    return dict(PaperSignal.objects.filter(paper_id__in=ids).values("paper_id")
                .annotate(n=Sum("upvotes")).values_list("paper_id", "n"))  # fmt: skip


def _hits(ranked: list[tuple[int, float]], ranks: dict, parsed: q.ParsedQuery) -> list[Hit]:
    papers = Paper.objects.select_related("primary_category", "venue").in_bulk([pid for pid, _ in ranked])
    matcher, author_matcher = matchers(parsed)
    hits = []
    for pid, score in ranked:
        paper = papers.get(pid)
        if paper is None:
            continue  # deleted since it was ranked
        kw_rank, dense_rank = ranks.get(pid, (None, None))
        authors = ", ".join(paper.author_list)
        hits.append(Hit(paper=paper, score=score, keyword_rank=kw_rank, semantic_rank=dense_rank,
                        title_html=highlight(paper.title_text, matcher),
                        authors_html=highlight(authors, author_matcher),
                        snippet_html=snippet(paper.abstract_text, matcher),
                        matched=matcher.found(f"{paper.title_text} {paper.abstract_text}")))  # fmt: skip
    return hits


def matchers(parsed: q.ParsedQuery) -> tuple[Matcher, Matcher]:
    """Highlighters for title/abstract words and for author names."""
    terms = [t for t in parsed.required + [t for g in parsed.or_groups for t in g]]
    text_terms = [t for t in terms if t.field != "authors"]
    words = [w for t in text_terms if not t.prefix for w in t.words if w not in q.STOPWORDS or t.phrase]
    prefixes = [w for t in text_terms if t.prefix for w in t.words]
    author_words = [w for t in terms if t.field == "authors" for w in t.words]
    return Matcher(words, prefixes), Matcher(author_words)


# ------------------------------------------------------------------ similar papers

SIMILAR_LIMIT = 10
#: With a facet the keyword rankings vote at half weight: chosen between plain and half-weight RRF on
#: CSFCube's fold-1 dev queries (bench/eval_search.py --engine: NDCG@20 0.5947 against 0.5926).
FACET_KEYWORD_WEIGHT = 0.5
KEYWORD_SOURCES = ("title", "title+abstract")


@dataclass
class SimilarPaper:
    paper: Paper
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None

    def as_dict(self) -> dict:
        paper = self.paper
        return {"id": paper.pk, "arxiv_id": paper.arxiv_id, "doi": paper.doi, "title": paper.title_text,
                "authors": paper.author_list, "announced": _iso(paper.announced),
                "url": f"/paper/{paper.arxiv_id or paper.pk}", "score": round(self.score, 6),
                "keyword_rank": self.keyword_rank, "semantic_rank": self.semantic_rank}  # fmt: skip


def similar(paper: Paper, *, limit: int = SIMILAR_LIMIT, candidates: list[int] | None = None,
            depth: int = DEPTH, keyword_text: str = "title", sides: tuple[str, ...] = SIDES,
            facet: str | None = None, keyword_weight: float | None = None) -> list[SimilarPaper]:  # fmt: skip
    """Papers like ``paper``: its embedding's neighbours fused (RRF) with keyword overlap of its title.

    ``facet`` ("background", "method" or "result") asks for papers alike in
    that respect: each side then ranks twice, once by the whole paper (title
    and abstract) and once by the title plus the abstract's sentences about
    the facet (``core.facets``), and the four rankings are fused.
    ``candidates`` limits the answer to those ids (a radar's pool, an
    evaluation's candidate list); ``sides`` as in ``search``. ``keyword_text="title+abstract"`` makes the
    keyword side use the abstract's words too (slower on a large catalogue;
    compared in ``bench/eval_search.py``). ``keyword_weight`` scales the
    keyword rankings' votes in the fusion (weighted RRF; 1.0 is plain RRF);
    by default FACET_KEYWORD_WEIGHT for a facet, else 1.0.
    Without a stored vector the paper is embedded on the fly; without any
    index the keyword side answers alone.
    """
    if keyword_text not in KEYWORD_SOURCES:
        raise ValueError(f"keyword_text must be one of {KEYWORD_SOURCES}")
    if facet is not None and facet not in facets.FACETS:
        raise ValueError(f"facet must be one of {facets.FACETS}")
    if keyword_weight is None:
        keyword_weight = FACET_KEYWORD_WEIGHT if facet else 1.0
    allowed = None if candidates is None else set(candidates) - {paper.pk}
    kw, dense = _similar_rankings(paper, allowed, depth, keyword_text, sides, facet)
    rankings = [(r, keyword_weight) for r in kw if r] + [(r, 1.0) for r in dense if r]
    fused = fusion.weighted_rrf([r for r, _ in rankings], [w for _, w in rankings], limit=limit)
    papers = Paper.objects.select_related("primary_category", "venue").in_bulk([pid for pid, _ in fused])
    kw_rank, dense_rank = _best_ranks(kw), _best_ranks(dense)
    return [SimilarPaper(papers[pid], score, kw_rank.get(pid), dense_rank.get(pid))
            for pid, score in fused if pid in papers]  # fmt: skip


def _similar_rankings(paper: Paper, allowed: set[int] | None, depth: int, keyword_text: str,
                      sides: tuple[str, ...], facet: str | None) -> tuple[list[list[int]], list[list[int]]]:  # fmt: skip
    """The keyword rankings and the embedding rankings that ``similar`` fuses, without the paper itself."""
    title, abstract = paper.title_text or paper.title, paper.abstract_text or paper.abstract
    focused = facets.facet_abstract(abstract, facet) if facet is not None else None
    texts = [title if keyword_text == "title" and facet is None else f"{title} {abstract}"]
    if focused is not None:
        texts.append(f"{title} {focused}")
    kw: list[list[int]] = []
    dense: list[list[int]] = []
    if "keyword" in sides:
        kw = [[pid for pid in _overlap(paper.pk, text, depth, allowed is not None)
               if pid != paper.pk and (allowed is None or pid in allowed)] for text in texts]  # fmt: skip
    if "semantic" in sides:
        dense = [[pid for pid in _neighbours(paper, depth, allowed) if pid != paper.pk]]
        if focused is not None:
            from academichub.search.vectors import paper_text

            focus = paper_text(title, focused)
            dense.append([pid for pid in _neighbours(paper, depth, allowed, text=focus) if pid != paper.pk])
    return kw, dense


def _best_ranks(rankings: list[list[int]]) -> dict[int, int]:
    best: dict[int, int] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            best[pid] = min(rank, best.get(pid, rank))
    return best


OVERLAP_MAX_SHARE = 0.003  # on the whole catalogue, words in more papers than this are left out
OVERLAP_MIN_WORDS = 3
OVERLAP_MAX_WORDS = 8      # the rarest ones: they carry most of BM25's weight


def _overlap(paper_id: int, text: str, depth: int, pooled: bool) -> list[int]:
    """Papers sharing the text's content words (any of them), BM25 order.

    Within a pool every word is used. On the whole catalogue the commonest
    words are left out (``keyword.word_shares``): they barely move BM25 and
    would make the database score a large part of the catalogue; the
    ``OVERLAP_MIN_WORDS`` least common words always stay.
    """
    seen: dict[str, None] = {}
    for word in q.words(text):
        if len(word) > 1 and word not in q.STOPWORDS:
            seen.setdefault(word)
    chosen = list(seen) if pooled else _distinctive(list(seen))
    terms = [q.Term(word) for word in chosen[: q.MAX_CLAUSES]]
    try:
        found = keyword.keyword_ranking(q.ParsedQuery(required=terms), keyword.MAX_LIMIT if pooled else depth,
                                        match="any")  # fmt: skip
    except Exception:  # noqa: BLE001 — the embedding side still answers
        log.exception("keyword side of similar() failed for paper %s", paper_id)
        return []
    return [pid for pid, _ in found]


def _distinctive(words: list[str]) -> list[str]:
    """The rarest of ``words`` (at most OVERLAP_MAX_WORDS, none more common than OVERLAP_MAX_SHARE unless
    fewer than OVERLAP_MIN_WORDS are rarer), in their order."""
    try:
        shares = keyword.word_shares()
    except DatabaseError:
        return words
    by_rarity = sorted(words, key=lambda w: shares.get(w, 0.0))
    rare = [w for w in by_rarity if shares.get(w, 0.0) <= OVERLAP_MAX_SHARE]
    keep = set(by_rarity[:max(OVERLAP_MIN_WORDS, min(len(rare), OVERLAP_MAX_WORDS))])
    return [w for w in words if w in keep]


def _neighbours(paper: Paper, depth: int, allowed: set[int] | None, text: str | None = None) -> list[int]:
    """Nearest papers to the paper's stored vector, or to ``text`` embedded now when it is given."""
    try:
        from academichub.search.index import local_index
        from academichub.search.vectors import embed_texts, paper_text, vectors_for

        index = local_index()
        if not len(index) or (allowed is not None and not allowed):
            return []
        vector = None if text is not None else vectors_for([paper.pk]).get(paper.pk)
        if vector is None:
            vector = embed_texts([text or paper_text(paper.title_text or paper.title, paper.abstract_text)])[0]
        if allowed is not None:
            return [pid for pid, _ in index.search(vector, len(allowed), allowed_ids=np.fromiter(allowed, np.int64))]
        return [pid for pid, _ in index.search(vector, depth + 1)]
    except Exception:  # noqa: BLE001 — keywords still answer
        log.exception("embedding side of similar() failed for paper %s", paper.pk)
        return []


SIMILAR_CACHE_SECONDS = 6 * 3600
WARM_SIMILAR_NEWEST = 2000  # about a week of arXiv cs announcements
PAGE_SIMILAR_LIMIT = 8  # the list on a paper's page, the one worth computing ahead


def similar_key(paper: Paper, limit: int = SIMILAR_LIMIT, facet: str | None = None) -> str:
    """The cache key of a paper's similar papers: the paper, the list's shape and the paper's last change."""
    stamp = f"{paper.updated_at.timestamp() if paper.updated_at else 0:.0f}"
    return f"similar:v2:{paper.pk}:{limit}:{facet or 'all'}:{stamp}"


def warm_similar(newest: int = WARM_SIMILAR_NEWEST) -> int:
    """Compute the similar papers of the newest papers that have none cached; returns how many.

    The newest papers are the pages readers open (from the front page, their
    radar, a digest), and their similar list is the slowest part of a paper
    page on a large catalogue (the keyword side, tens of milliseconds on
    PostgreSQL). The worker computes them before a reader asks.
    """
    papers = Paper.objects.exclude(announced=None).order_by("-announced", "-id")[:newest]
    computed = 0
    for paper in papers.iterator(chunk_size=200):
        if cache_get(similar_key(paper, PAGE_SIMILAR_LIMIT), "similar papers") is None:
            similar_cached(paper, limit=PAGE_SIMILAR_LIMIT)
            computed += 1
    return computed


def similar_cached(paper: Paper, *, limit: int = SIMILAR_LIMIT, facet: str | None = None) -> list[SimilarPaper]:
    """``similar`` through Django's cache (Redis when REDIS_URL is set, so shared by every web process).

    The keyword side scores every paper sharing a title word, which costs
    seconds on a large PostgreSQL catalogue; a paper's neighbours change only
    when the catalogue grows, so they are kept for a few hours, keyed by the
    paper and its last change."""
    key = similar_key(paper, limit, facet)
    ids = cache_get(key, "similar papers")
    if ids is None:
        found = similar(paper, limit=limit, facet=facet)
        cache_set(key, [(item.paper.pk, item.score, item.keyword_rank, item.semantic_rank) for item in found],
                  SIMILAR_CACHE_SECONDS, "similar papers")  # fmt: skip
        return found
    papers = Paper.objects.select_related("primary_category", "venue").in_bulk([row[0] for row in ids])
    return [SimilarPaper(papers[pid], score, kw, dense) for pid, score, kw, dense in ids if pid in papers]
