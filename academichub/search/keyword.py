"""Keyword retrieval: BM25 over the full-text index, with the query's filters.

One entry point, `keyword_ranking(parsed, limit)`, used by the search engine
(fusion with the semantic side), the page, the API, radars and briefings.
It returns ``[(paper id, score), ...]`` best first; scores are comparable
within one call only.

Field weights are title > authors > abstract (`WEIGHTS`): a word in the
title says more about what a paper is than the same word in its abstract,
and an author's name in the query is usually what the user remembers.

* SQLite: FTS5 ``bm25(paper_fts, title, authors, abstract)`` with those
  column weights (FTS5's bm25 is lower-is-better; we return its negation).
* PostgreSQL: ``ts_rank_cd`` over the weighted ``tsvector`` (A title,
  B authors, C abstract) behind a GIN index.

Speed (both databases): common words match half the catalogue and the
database scores every match; per-unit top lists and the threshold
algorithm answer those queries exactly from a few thousand stored scores
(see "Fast path").

Filters (`academichub.core.query.Filters`) are applied in SQL against the
catalogue: categories through ``PaperCategory`` (``cs`` means the whole
archive), years and dates against the first-version date (the announcement
day when that is missing), venues, and sources.
"""

from __future__ import annotations

import math

from django.db import IntegrityError, OperationalError, connection, transaction

from academichub.core import query as q
from academichub.core.query import Filters, ParsedQuery

#: bm25 column weights, in the FTS5 table's column order (title, authors, abstract).
WEIGHTS = (4.0, 2.0, 1.0)
#: ts_rank_cd weights for labels {D, C, B, A}: abstract C, authors B, title A, as ratios of `WEIGHTS`.
PG_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
MAX_LIMIT = 10_000
#: A list write that lost a race: SQLite busy, or (PostgreSQL) a concurrent build of the same list.
_BUSY = (OperationalError, IntegrityError)


def keyword_ranking(parsed: ParsedQuery, limit: int, *, match: str = "all") -> list[tuple[int, float]]:
    """Paper ids and BM25-style scores for ``parsed``, best first, at most ``limit``.

    ``match="all"`` requires every clause (the search box); ``"any"`` ORs
    them and lets BM25 rank (long natural-language or query-by-example
    text). Never raises on user input: an empty or unmatchable query
    gives ``[]``.
    """
    limit = max(0, min(int(limit), MAX_LIMIT))
    if limit == 0 or not parsed.has_text:
        return []
    with connection.cursor() as cursor:
        if match == "all" and limit <= TOP_K:
            fast = _rank_from_top_lists(cursor, parsed, limit)
            if fast is not None:
                return fast
        return full_ranking(cursor, parsed, limit, match)


def full_ranking(cursor, parsed: ParsedQuery, limit: int, match: str = "all") -> list[tuple[int, float]]:
    """Score every match (bm25 or ts_rank_cd): exact, and the reference the fast path is tested against."""
    if _postgres():
        return _rank_postgres(cursor, parsed, limit, match)
    return _full_sqlite(cursor, parsed, limit, match)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------- SQLite


def bm25_sql(table: str = "paper_fts", weights: tuple[float, float, float] = WEIGHTS) -> str:
    """The bm25() call with our column weights (lower is better), for any FTS5 table of our shape."""
    return f"bm25({table}, {', '.join(repr(float(w)) for w in weights)})"


def _full_sqlite(cursor, parsed: ParsedQuery, limit: int, match: str) -> list[tuple[int, float]]:
    expression = q.to_fts5(parsed, match=match)
    if not expression:
        return []
    if not parsed.filters.is_empty() and not _is_frequent(cursor, expression):
        # Few matches: rank them all, then check the filters on those ids only,
        # instead of first collecting every paper that passes the filters.
        ranked = full_ranking(cursor, ParsedQuery(required=parsed.required, or_groups=parsed.or_groups,
                                                  excluded=parsed.excluded), MIN_DF, match)  # fmt: skip
        passing = set(ids_passing([pid for pid, _ in ranked], parsed.filters, cursor))
        return [hit for hit in ranked if hit[0] in passing][:limit]
    where, params = filter_sql(parsed.filters, "+paper_fts.rowid")
    rank = bm25_sql()
    sql = (f"SELECT paper_fts.rowid, -{rank} FROM paper_fts WHERE paper_fts MATCH %s"
           f"{' AND ' + where if where else ''} ORDER BY {rank}, paper_fts.rowid LIMIT %s")  # fmt: skip
    cursor.execute(sql, [expression, *params, limit])
    return [(int(pid), float(score)) for pid, score in cursor.fetchall()]


# ---------------------------------------------------------------- fast path (both databases)
#
# Why: FTS5 (and PostgreSQL's ts_rank_cd) rank by scoring EVERY matching row, so "model" at
# 1M papers scores ~half the catalogue to return 20 (the measured tail:
# p95 130 ms, max 760 ms at 815k). But bm25 is a sum over the query's
# clauses, so the threshold algorithm (Fagin et al.) applies: keep, per
# frequent clause ("unit", e.g. '"model"' or 'title : "diffusion"'), its
# TOP_K papers by bm25 and the score of the best paper left out (the
# cutoff). For an AND of units, a paper outside every list scores at most
# the sum of the cutoffs; a paper in some lists at most its known scores
# plus the cutoffs of the others. When the `limit`-th best paper found in
# ALL lists (exact score, filters and exclusions checked) scores at least
# that bound, no other paper can enter the top `limit`: the answer equals
# full scoring. A selective filter (too few of a list's papers pass it) gets
# a list of its own: the words' best papers *within the filters*, listed on
# first use (`_answer_filtered`). What is left for full scoring: AND queries
# whose words rarely occur together (cheap: few papers have them all) and
# more than MAX_UNITS clauses.
#
# Freshness: papers indexed since the lists were built are in
# ``paper_fts_pending`` (the writer adds them, `fulltext.add`) and are
# scored live, restricted to their id range; re-indexed or deleted papers
# leave the lists at once (`fulltext.remove`). `rebuild_top_lists` (a
# periodic job) folds pending papers in and refreshes the statistics.
# Lists of units not seen before are built on first use (one full scoring
# of that unit) and kept; units matching fewer than MIN_DF papers never get
# one, because full scoring is cheap for them.
#
# PostgreSQL: units are tsquery text (each clause of `_pg_tsquery`, so the
# lists hold the very ts_rank_cd scores full scoring computes), in the same
# tables. ts_rank_cd is cover density, not a sum over clauses, so an AND of
# several units is always answered from the AND's own list (listed on first
# use); single words, OR groups, exclusions and filtered lists work as on
# SQLite. Ties: lists are built in (score desc, id) order like full scoring,
# so a paper left out with the cutoff's score can never rank before a listed one.
# Measured at 274,728 papers (13 queries such as "model", "model cat:cs.CV",
# "learning year:2016", "au:Wang", "model -video"; depth 200; second run):
# full scoring p50 531 ms, p95 2.5 s ("model cat:cs.CV" 3.1 s); from the
# lists p50 7 ms, p95 72 ms (max 218 ms: the filter check of 4,000 ids). The
# first run of an AND or a selective filter lists it (up to ~1 s, once);
# `rebuild_top_lists` (300 words) takes 2-3 minutes.

TOP_K = 4000           # papers kept per unit (the engine asks for 200; filters need headroom)
MIN_DF = 2000          # units matching fewer papers are always scored in full
MAX_UNITS = 8          # queries with more clauses are scored in full
MAX_PENDING = 20_000   # more unfolded papers than this: score in full until the rebuild
MAX_EXCLUSION_CHECKS = 400
FILTERED_TOP_K = 1000  # papers kept per (words, filters) list: five times the engine's depth
MAX_FILTERED_LISTS = 2000


def query_units(parsed: ParsedQuery) -> list[str]:
    """The top-level AND clauses of ``to_fts5(parsed)``, each a complete FTS5 expression.

    Built with the parser's own clause writers, so ``" AND ".join(units)``
    is exactly what `query.to_fts5` produces (before its NOT part).
    """
    columns = q.DEFAULT_COLUMNS
    units = [q._fts_term(t, columns) for t in q._keyword_terms(parsed)]
    units += [q._fts_group(g, columns) for g in parsed.or_groups]
    return list(dict.fromkeys(u for u in units if u))


def _units(cursor, parsed: ParsedQuery) -> list[str]:
    """The query's units in the database's own syntax (FTS5 clauses, or tsquery text on PostgreSQL)."""
    if not _postgres():
        return query_units(parsed)
    pieces = [_pg_term(t) for t in q._keyword_terms(parsed)]
    pieces += [_pg_any([_pg_term(t) for t in group]) for group in parsed.or_groups]
    units = _pg_texts(cursor, [p for p in pieces if p[0]])
    # Not deduplicated (ts_rank_cd of "a & a" is not that of "a"); a clause
    # that is only stop words would change the AND: leave it to full scoring.
    return units if all(units) else []


def _pg_texts(cursor, pieces: list[tuple[str, list[str]]]) -> list[str]:
    """The tsquery text of each ``(sql, params)`` piece (one round trip)."""
    if not pieces:
        return []
    cursor.execute("SELECT " + ", ".join(f"({sql})::text" for sql, _ in pieces),
                   [x for _, args in pieces for x in args])  # fmt: skip
    return list(cursor.fetchone())


def _match_text(unit: str) -> str:
    """What the database matches for a list name: the AND of several units is named with " AND "."""
    if not _postgres() or " AND " not in unit:
        return unit
    return " & ".join(f"( {part} )" for part in unit.split(" AND "))


def _excluded_expression(cursor, parsed: ParsedQuery) -> str:
    if _postgres():
        sql, params = _pg_any([_pg_term(t) for t in parsed.excluded])
        return (_pg_texts(cursor, [(sql, params)])[0] or "") if sql else ""
    parts = [p for p in (q._fts_term(t, q.DEFAULT_COLUMNS) for t in parsed.excluded) if p]
    return " OR ".join(parts)


def _rank_from_top_lists(cursor, parsed: ParsedQuery, limit: int) -> list[tuple[int, float]] | None:
    """The exact top ``limit`` from the top lists, or ``None`` when they cannot prove it.

    Several units are first tried as one (their AND is a unit too, listed
    once some query needed it); then unit by unit; and when the bound is
    not met, the AND is listed now (one full scoring, as the fallback would
    cost) so the same words are fast from then on. On PostgreSQL scores do
    not add up over units, so several units go straight to the AND's list.
    """
    if not _has_top_tables(cursor):
        return None
    units = _units(cursor, parsed)
    if not units or len(units) > MAX_UNITS:
        return None
    pending = _pending(cursor)
    if pending is None:
        return None
    combined = " AND ".join(units)
    listed = len(units) > 1 and _listed(cursor, combined)
    if len(units) > 1 and not listed and not _is_frequent(cursor, combined):
        return None  # few papers have all the words: full scoring is cheap
    answer = None
    if not listed and (len(units) == 1 or not _postgres()):  # ts_rank_cd does not add up over units
        answer = _answer(cursor, parsed, units, pending, limit)
    if answer is None and len(units) > 1:
        answer = _answer(cursor, parsed, [combined], pending, limit)
    if answer is None and not parsed.filters.is_empty():
        answer = _answer_filtered(cursor, parsed, combined, pending, limit)
    return answer


_FILTERED = " WHERE "  # in a list's name: the list of a unit within filters


def filtered_unit(expression: str, filters: Filters) -> str:
    """The list name of ``expression`` restricted to ``filters`` (never valid FTS5, so never matched)."""
    return f"{expression}{_FILTERED}{filters!r}"


def _is_filtered(unit: str) -> bool:
    return _FILTERED in unit


def _answer_filtered(cursor, parsed: ParsedQuery, combined: str, pending, limit: int):
    """Answer a filtered query from a list of its words *within its filters*, listing it on first use.

    A selective filter (a year, a small category) leaves too few of the
    words' list to prove the top ``limit``; full scoring would then rank
    every paper with the words (half the catalogue for "model") and check
    the filters on each. The filtered list costs that once; its cutoff is
    the best paper *passing the filters* left out, so answers from it are
    exact, and new papers are scored live with the filters as for any list.
    """
    unit = filtered_unit(combined, parsed.filters)
    if not _listed(cursor, unit) and _build_filtered_list(cursor, parsed, unit) is None:
        return None
    return _answer(cursor, parsed, [unit], pending, limit)


def _build_filtered_list(cursor, parsed: ParsedQuery, unit: str) -> tuple[float | None, int] | None:
    _evict_filtered_lists(cursor)
    words = ParsedQuery(required=parsed.required, or_groups=parsed.or_groups, filters=parsed.filters)
    rows = full_ranking(cursor, words, FILTERED_TOP_K + 1)
    return _store_list(cursor, unit, rows, FILTERED_TOP_K)


def _evict_filtered_lists(cursor) -> None:
    """Keep at most MAX_FILTERED_LISTS filtered lists: the oldest tenth goes when the limit is reached."""
    cursor.execute("SELECT count(*) FROM paper_fts_unit WHERE unit LIKE %s", [f"%{_FILTERED}%"])
    if cursor.fetchone()[0] < MAX_FILTERED_LISTS:
        return
    cursor.execute("SELECT unit FROM paper_fts_unit WHERE unit LIKE %s ORDER BY built_at LIMIT %s",
                   [f"%{_FILTERED}%", max(1, MAX_FILTERED_LISTS // 10)])  # fmt: skip
    try:
        with transaction.atomic():
            for (old,) in cursor.fetchall():
                _drop_list(cursor, old)
    except _BUSY:
        pass  # busy: evict next time


def _answer(cursor, parsed: ParsedQuery, units: list[str], pending, limit: int) -> list[tuple[int, float]] | None:
    """Answer from the lists of ``units`` when the threshold proves it (see the section comment)."""
    if len(units) == 1:
        found = _single_unit(cursor, parsed, units[0], pending, limit)
    else:
        found = _several_units(cursor, parsed, units, pending, limit)
    if found is None:
        return None
    accepted, bound = found
    live = _score_pending(cursor, parsed, pending, limit)
    merged = sorted(accepted + live, key=lambda x: (-x[1], x[0]))[:limit]
    if bound == -math.inf or (len(merged) == limit and merged[-1][1] >= bound):
        return merged
    return None


def _single_unit(cursor, parsed: ParsedQuery, unit: str, pending, limit: int):
    """Read the unit's list best first, a page at a time, until ``limit`` papers pass the checks."""
    head = _unit_head(cursor, unit)
    if head is None:
        return None
    cutoff, size = head
    bound = -math.inf if cutoff is None else cutoff
    accepted: list[tuple[int, float]] = []
    start = 0
    for end in (min(size, 2 * limit + 50), size):
        if end <= start:
            continue
        cursor.execute("SELECT paper_id, score FROM paper_fts_top WHERE unit = %s AND rank >= %s AND rank < %s"
                       " ORDER BY rank", [unit, start, end])  # fmt: skip
        page = [(pid, score) for pid, score in cursor.fetchall() if pid not in pending[0]]
        checked = _verified(cursor, parsed, page, limit - len(accepted))
        if checked is None or (start == 0 and page and len(checked) * size < limit * len(page) // 2):
            return None  # a selective filter: at this pass rate the whole list cannot give `limit`
        accepted += checked
        start = end
        if len(accepted) >= limit:
            break
    return accepted, bound


def _several_units(cursor, parsed: ParsedQuery, units: list[str], pending, limit: int):
    lists = []
    for unit in units:
        head = _unit_head(cursor, unit)
        if head is None:
            return None
        cursor.execute("SELECT paper_id, score FROM paper_fts_top WHERE unit = %s", [unit])
        lists.append((head[0], {pid: s for pid, s in cursor.fetchall() if pid not in pending[0]}))
    ranked, bound = _threshold(lists)
    accepted = _verified(cursor, parsed, [c for c in ranked if c[1] >= bound], limit)
    return None if accepted is None else (accepted, bound)


def _listed(cursor, unit: str) -> bool:
    cursor.execute("SELECT 1 FROM paper_fts_unit WHERE unit = %s", [unit])
    return cursor.fetchone() is not None


def _threshold(lists: list[tuple[float | None, dict[int, float]]]) -> tuple[list[tuple[int, float]], float]:
    """(papers in every list with their exact score, best first; the score nobody else can reach).

    A cutoff of ``None`` marks a complete list (every match is in it): a
    paper missing from it cannot match at all. ``-inf``: nobody else can match.
    """
    common = set(lists[0][1]).intersection(*(set(scores) for _, scores in lists[1:]))
    complete = any(cutoff is None for cutoff, _ in lists)
    bound = -math.inf if complete else sum(cutoff for cutoff, _ in lists)
    if not complete:
        everyone = set().union(*(scores for _, scores in lists))
        for pid in everyone - common:
            bound = max(bound, sum(scores.get(pid, cutoff) for cutoff, scores in lists))
    ranked = sorted(((pid, sum(scores[pid] for _, scores in lists)) for pid in common), key=lambda x: (-x[1], x[0]))
    return ranked, bound


def _verified(cursor, parsed: ParsedQuery, ranked: list[tuple[int, float]], limit: int):
    """The first ``limit`` candidates that pass the filters and contain no excluded term."""
    if not parsed.filters.is_empty():
        passing = set(ids_passing([pid for pid, _ in ranked], parsed.filters, cursor))
        ranked = [c for c in ranked if c[0] in passing]
    excluded = _excluded_expression(cursor, parsed)
    if not excluded:
        return ranked[:limit]
    check = ("SELECT 1 FROM paper_search WHERE document @@ %s::tsquery AND paper_id = %s" if _postgres()
             else "SELECT 1 FROM paper_fts WHERE paper_fts MATCH %s AND rowid = %s")  # fmt: skip
    accepted = []
    for checks, (pid, score) in enumerate(ranked):
        if len(accepted) >= limit:
            break
        if checks >= MAX_EXCLUSION_CHECKS:
            return None
        cursor.execute(check, [excluded, pid])
        if cursor.fetchone() is None:
            accepted.append((pid, score))
    return accepted


def ids_passing(ids: list[int], filters: Filters, cursor=None) -> list[int]:
    """The ids among ``ids`` that pass ``filters`` (all of them when there is no filter)."""
    conditions, params = _paper_conditions(filters, per_row=True)
    if not conditions or not ids:
        return list(ids)
    found = []
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cursor.execute(f"SELECT p.id FROM papers_paper p WHERE p.id IN ({', '.join(['%s'] * len(chunk))})"
                           f" AND {' AND '.join(conditions)}", [*chunk, *params])  # fmt: skip
            found += [row[0] for row in cursor.fetchall()]
    finally:
        if own:
            cursor.close()
    return found


def _has_top_tables(cursor) -> bool:
    if _postgres():
        cursor.execute("SELECT to_regclass('paper_fts_unit') IS NOT NULL")
        return bool(cursor.fetchone()[0])
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'paper_fts_unit'")
    return cursor.fetchone()[0] > 0


def _pending(cursor) -> tuple[set[int], int, int] | None:
    """(pending ids, lowest, highest), or ``None`` when too many wait for the rebuild."""
    cursor.execute("SELECT count(*), min(paper_id), max(paper_id) FROM paper_fts_pending")
    count, low, high = cursor.fetchone()
    if count > MAX_PENDING:
        return None
    if not count:
        return set(), 0, -1
    cursor.execute("SELECT paper_id FROM paper_fts_pending")
    return {row[0] for row in cursor.fetchall()}, low, high


def _score_pending(cursor, parsed: ParsedQuery, pending, limit: int) -> list[tuple[int, float]]:
    """Exact scores of the papers indexed since the lists were built (a range scan: they are recent)."""
    ids, low, high = pending
    if not ids:
        return []
    if _postgres():
        return _rank_postgres(cursor, parsed, limit, "all", pending_only=True)
    expression = q.to_fts5(parsed)
    where, params = filter_sql(parsed.filters, "+paper_fts.rowid")
    rank = bm25_sql()
    cursor.execute(
        f"SELECT paper_fts.rowid, -{rank} FROM paper_fts WHERE paper_fts MATCH %s AND paper_fts.rowid BETWEEN %s"
        f" AND %s AND +paper_fts.rowid IN (SELECT paper_id FROM paper_fts_pending)"
        f"{' AND ' + where if where else ''} ORDER BY {rank} LIMIT %s",
        [expression, low, high, *params, limit],
    )  # fmt: skip
    return [(int(pid), float(score)) for pid, score in cursor.fetchall()]


def _unit_head(cursor, unit: str) -> tuple[float | None, int] | None:
    """(cutoff, list size) of ``unit``, listing it now when it is frequent; ``None``: not listable.

    A cutoff of ``None`` means the list holds every match of the unit.
    """
    cursor.execute("SELECT cutoff, size FROM paper_fts_unit WHERE unit = %s", [unit])
    row = cursor.fetchone()
    if row is None:
        if _is_filtered(unit) or not _is_frequent(cursor, unit):
            return None  # a filtered list dropped meanwhile (rebuild, eviction): full scoring answers
        return _build_list(cursor, unit)
    capacity = FILTERED_TOP_K if _is_filtered(unit) else TOP_K
    return (None if row[1] < capacity else float(row[0])), int(row[1])


def _is_frequent(cursor, unit: str) -> bool:
    """At least MIN_DF matches (counting stops there, so this is cheap for any unit)."""
    matching = ("SELECT 1 FROM paper_search WHERE document @@ %s::tsquery" if _postgres()
                else "SELECT 1 FROM paper_fts WHERE paper_fts MATCH %s")  # fmt: skip
    cursor.execute(f"SELECT count(*) FROM ({matching} LIMIT %s) AS m", [_match_text(unit), MIN_DF])
    return cursor.fetchone()[0] >= MIN_DF


def _build_list(cursor, unit: str) -> tuple[float | None, int] | None:
    """Score ``unit`` in full once and keep its TOP_K (pending papers included: the list is current)."""
    if _postgres():
        sql = (f"SELECT paper_id, ts_rank_cd('{PG_WEIGHTS}', document, t.tq, 1) AS score FROM paper_search,"
               f" (SELECT %s::tsquery) AS t(tq) WHERE document @@ t.tq ORDER BY score DESC, paper_id LIMIT %s")
    else:
        rank = bm25_sql()
        sql = f"SELECT rowid, -{rank} FROM paper_fts WHERE paper_fts MATCH %s ORDER BY {rank}, rowid LIMIT %s"
    cursor.execute(sql, [_match_text(unit), TOP_K + 1])
    return _store_list(cursor, unit, [(int(pid), float(score)) for pid, score in cursor.fetchall()], TOP_K)


def _store_list(cursor, unit: str, rows: list[tuple[int, float]], capacity: int) -> tuple[float | None, int] | None:
    """Keep the best ``capacity`` of ``rows`` (best first, one more than fits when there are more) as
    ``unit``'s list; ``None`` when the database is busy."""
    cutoff = rows[capacity][1] if len(rows) > capacity else 0.0
    rows = rows[:capacity]
    try:
        with transaction.atomic():
            cursor.execute("DELETE FROM paper_fts_top WHERE unit = %s", [unit])
            cursor.executemany("INSERT INTO paper_fts_top (unit, rank, paper_id, score) VALUES (%s, %s, %s, %s)",
                               [(unit, n, pid, score) for n, (pid, score) in enumerate(rows)])  # fmt: skip
            cursor.execute(_UNIT_UPSERT_PG if _postgres() else _UNIT_UPSERT_SQLITE, [unit, cutoff, len(rows)])
    except _BUSY:
        # The database is busy (an import holds the write lock) or another
        # request is listing the same unit: answer this query by full
        # scoring and list the unit another time.
        return None
    return (None if len(rows) < capacity else cutoff), len(rows)


_UNIT_UPSERT_SQLITE = ("INSERT OR REPLACE INTO paper_fts_unit (unit, cutoff, size, built_at)"
                       " VALUES (%s, %s, %s, datetime('now'))")
_UNIT_UPSERT_PG = ("INSERT INTO paper_fts_unit (unit, cutoff, size, built_at) VALUES (%s, %s, %s, now())"
                   " ON CONFLICT (unit) DO UPDATE SET cutoff = EXCLUDED.cutoff, size = EXCLUDED.size,"
                   " built_at = EXCLUDED.built_at")


def rebuild_top_lists(frequent_words: int = 300, sample: int = 20_000) -> int:
    """Rebuild every unit's list with current statistics, add the most frequent words, clear pending.

    Run periodically (and after bulk imports: more than MAX_PENDING unlisted
    papers switch the fast path off). Pending is cleared first, then each
    list is rebuilt in its own short transaction (so writers are never
    blocked for long) and includes every paper present when it is built;
    papers written meanwhile are pending again. Lists of several units and filtered lists
    are dropped (listed again when next asked for). Returns the number of lists built.
    """
    with connection.cursor() as cursor:
        if not _has_top_tables(cursor):
            return 0
        cursor.execute("SELECT unit FROM paper_fts_unit")
        units = [row[0] for row in cursor.fetchall()]
        stale = [u for u in units if " AND " in u or _is_filtered(u)]
        units = [u for u in units if u not in stale]
        units += _word_units(cursor, _frequent_words(cursor, frequent_words, sample))
        with transaction.atomic():
            cursor.execute("DELETE FROM paper_fts_pending")
            for unit in stale:
                _drop_list(cursor, unit)
        built = 0
        for unit in dict.fromkeys(units):
            if _is_frequent(cursor, unit):
                built += _build_list(cursor, unit) is not None
            else:
                with transaction.atomic():
                    _drop_list(cursor, unit)
    return built


def list_status() -> dict:
    """For ``status`` and the periodic job: lists kept, papers waiting to be folded in."""
    with connection.cursor() as cursor:
        if not _has_top_tables(cursor):
            return {"lists": 0, "pending": 0, "fast_path": False}
        cursor.execute("SELECT (SELECT count(*) FROM paper_fts_unit), (SELECT count(*) FROM paper_fts_pending)")
        lists, pending = cursor.fetchone()
    return {"lists": lists, "pending": pending, "fast_path": pending <= MAX_PENDING}


def _drop_list(cursor, unit: str) -> None:
    cursor.execute("DELETE FROM paper_fts_top WHERE unit = %s", [unit])
    cursor.execute("DELETE FROM paper_fts_unit WHERE unit = %s", [unit])


def _frequent_words(cursor, count: int, sample: int) -> list[str]:
    """The ``count`` commonest content words (over two letters) of titles and abstracts, from a sample."""
    counts, _ = sample_word_counts(cursor, sample)
    return [w for w, _ in counts.most_common() if len(w) > 2][:count]


def _word_units(cursor, words: list[str]) -> list[str]:
    """The unit a plain search for each word uses."""
    if not _postgres():
        return [f'"{w}"' for w in words]
    return [unit for w in words for unit in _units(cursor, ParsedQuery(required=[q.Term(w)]))]


# ---------------------------------------------------------------- word frequencies (both databases)

SHARE_SAMPLE = 5_000        # papers read to estimate how common each word is
SHARE_KEPT = 0.002          # words in fewer papers than this share are not kept (treated as rare)
SHARES_SECONDS = 24 * 3600
SHARES_KEY = "keyword:word-shares:v1"


def word_shares() -> dict[str, float]:
    """Share of papers whose title or abstract has each common content word (estimated, cached a day).

    Query-by-example (similar papers) ORs a title's words; a word in a
    tenth of the catalogue adds almost nothing to BM25 (its IDF is low) but
    makes the database score a tenth of the catalogue. Callers drop such
    words. Words missing from the map are rarer than ``SHARE_KEPT``.
    """
    from django.core.cache import cache

    shares = cache.get(SHARES_KEY)
    if shares is None:
        if not cache.add(SHARES_KEY + ":building", 1, 120):
            return {}  # another process is estimating them (the worker does at start): don't pile on
        shares = estimate_shares(SHARE_SAMPLE)
        cache.set(SHARES_KEY, shares, SHARES_SECONDS)
    return shares


def estimate_shares(sample: int) -> dict[str, float]:
    """Word shares (at least ``SHARE_KEPT``) from ``sample`` papers (`sample_word_counts`)."""
    with connection.cursor() as cursor:
        counts, papers = sample_word_counts(cursor, sample)
    return {w: n / papers for w, n in counts.items() if n / papers >= SHARE_KEPT} if papers else {}


def sample_word_counts(cursor, sample: int):
    """(papers containing each content word, papers read) over ``sample`` papers spread evenly over
    the id range, fetched by primary key: not by ``id % step``, a scan of the whole table that took
    seconds at 274k papers on a loaded machine."""
    from collections import Counter

    cursor.execute("SELECT min(id), max(id) FROM papers_paper")
    low, high = cursor.fetchone()
    counts: Counter = Counter()
    if low is None:
        return counts, 0
    ids = list(range(low, high + 1, max(1, (high - low + 1) // sample)))[:sample]
    papers = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor.execute(f"SELECT title_text, abstract_text FROM papers_paper WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                       chunk)  # fmt: skip
        for title, abstract in cursor.fetchall():
            counts.update({w for w in q.words(f"{title} {abstract}") if w not in q.STOPWORDS})
            papers += 1
    return counts, papers


# ---------------------------------------------------------------- PostgreSQL


def _rank_postgres(cursor, parsed: ParsedQuery, limit: int, match: str,
                   pending_only: bool = False) -> list[tuple[int, float]]:
    """ts_rank_cd over every match; ``pending_only``: over the papers not yet in the top lists."""
    tsquery, params = _pg_tsquery(parsed, match)
    if not tsquery:
        return []
    where, filter_params = filter_sql(parsed.filters, "s.paper_id")
    if pending_only:
        where = " AND ".join(filter(None, ["s.paper_id IN (SELECT paper_id FROM paper_fts_pending)", where]))
    sql = (f"SELECT s.paper_id, ts_rank_cd('{PG_WEIGHTS}', s.document, tq, 1) AS score"
           f" FROM paper_search s, ({tsquery}) AS t(tq) WHERE s.document @@ tq"
           f"{' AND ' + where if where else ''} ORDER BY score DESC, s.paper_id LIMIT %s")  # fmt: skip
    cursor.execute(sql, [*params, *filter_params, limit])
    return [(int(pid), float(score)) for pid, score in cursor.fetchall()]


def _pg_tsquery(parsed: ParsedQuery, match: str) -> tuple[str, list[str]]:
    """A SQL expression for the tsquery, and its parameters.

    Author names are indexed with the ``simple`` configuration (no
    stemming: "James" must not become "jame"), the rest with ``english``.
    So a plain word is looked up both ways (``diffusion`` finds the
    abstract's stem 'diffus' and an author called Diffusion), ``au:`` only
    as a name, ``ti:``/``abs:`` only as stemmed text. Each piece comes from
    `query.to_tsquery`, so no user text reaches the tsquery parser as syntax.
    """
    clauses = [_pg_term(t) for t in q._keyword_terms(parsed)]
    clauses += [_pg_any([_pg_term(t) for t in group]) for group in parsed.or_groups]
    pairs = [c for c in clauses if c[0]]
    if not pairs:
        return "", []
    expression = f" {'&&' if match == 'all' else '||'} ".join(sql for sql, _ in pairs)
    params = [p for _, args in pairs for p in args]
    excluded_sql, excluded_params = _pg_any([_pg_term(t) for t in parsed.excluded])
    if excluded_sql:
        expression = f"({expression}) && !!{excluded_sql}"
        params += excluded_params
    return f"SELECT {expression}", params


def _pg_any(pieces: list[tuple[str, list[str]]]) -> tuple[str, list[str]]:
    """OR of ``(sql, params)`` pieces, skipping empty ones."""
    pieces = [p for p in pieces if p[0]]
    if not pieces:
        return "", []
    return "(" + " || ".join(sql for sql, _ in pieces) + ")", [x for _, args in pieces for x in args]


def _pg_term(term: q.Term) -> tuple[str, list[str]]:
    """One term as ``to_tsquery(...)`` SQL: stemmed text, an author name, or either."""
    parts, params = [], []
    if term.field != "authors":
        text = q.to_tsquery(ParsedQuery(required=[term]))
        if text:
            parts.append("to_tsquery('english', %s)")
            params.append(text)
    if term.field in (None, "authors"):
        as_name = q.Term(term.text, phrase=term.phrase, field="authors", prefix=term.prefix)
        text = q.to_tsquery(ParsedQuery(required=[as_name]))
        if text:
            parts.append("to_tsquery('simple', %s)")
            params.append(text)
    if not parts:
        return "", []
    return ("(" + " || ".join(parts) + ")" if len(parts) > 1 else parts[0]), params


# ---------------------------------------------------------------- filters


def filter_sql(filters: Filters, id_column: str) -> tuple[str, list]:
    """A SQL condition (and its parameters) keeping the ids in ``id_column`` that pass ``filters``.

    ``""`` when there is no filter. Shared by the keyword side and by the
    engine's semantic side (`filtered_ids`), so both apply the same rules.
    """
    conditions, params = _paper_conditions(filters)
    if not conditions:
        return "", []
    return f"{id_column} IN (SELECT p.id FROM papers_paper p WHERE {' AND '.join(conditions)})", params


def filtered_ids(filters: Filters) -> list[int] | None:
    """All paper ids passing ``filters`` (``None``: no filter, every paper passes)."""
    conditions, params = _paper_conditions(filters)
    if not conditions:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM papers_paper p WHERE {' AND '.join(conditions)}", params)
        return [row[0] for row in cursor.fetchall()]


def _paper_conditions(filters: Filters, per_row: bool = False) -> tuple[list[str], list]:
    """Conditions on ``papers_paper p``. ``per_row``: written for checking a few known ids
    (correlated look-ups) rather than for producing the set of all passing papers."""
    conditions: list[str] = []
    params: list = []
    for codes, negate in ((filters.categories, False), (filters.excluded_categories, True)):
        if codes:
            sql, args = _category_condition(codes, per_row)
            conditions.append(("NOT " if negate else "") + sql)
            params += args
    bounds = [(f"{filters.year_from:04d}-01-01", ">=") if filters.year_from is not None else None,
              (f"{filters.year_to + 1:04d}-01-01", "<") if filters.year_to is not None else None,
              (filters.after.isoformat(), ">=") if filters.after else None,
              (filters.before.isoformat(), "<") if filters.before else None]  # fmt: skip
    for day, op in filter(None, bounds):
        # The first-version date, else the announcement day; written as an OR
        # (not COALESCE) so SQLite can use the index on each column.
        conditions.append(f"(p.published {op} %s OR (p.published IS NULL AND p.announced {op} %s))")
        params += [day, day]
    for values, negate, maker in ((filters.sources, False, _source_condition),
                                  (filters.excluded_sources, True, _source_condition),
                                  (filters.venues, False, _venue_condition),
                                  (filters.excluded_venues, True, _venue_condition)):  # fmt: skip
        if values:
            sql, args = maker(values)
            conditions.append(f"NOT ({sql})" if negate else f"({sql})")
            params += args
    return conditions, params


def _category_condition(codes: list[str], per_row: bool = False) -> tuple[str, list]:
    """Any of ``codes``; an archive (``cs``, ``math``) stands for all of its categories."""
    exact = [c for c in codes if "." in c]
    archives = [c for c in codes if "." not in c]
    parts, params = [], []
    if exact:
        parts.append(f"pc.category_id IN ({', '.join(['%s'] * len(exact))})")
        params += exact
    if archives:
        marks = ", ".join(["%s"] * len(archives))
        parts.append(f"pc.category_id IN (SELECT c.code FROM papers_category c WHERE c.archive IN ({marks})"
                     f" OR c.code IN ({marks}))")  # fmt: skip
        params += archives + archives
    if per_row:  # a look-up in the (paper, category) index per checked paper
        return (f"EXISTS (SELECT 1 FROM papers_papercategory pc WHERE pc.paper_id = p.id"
                f" AND ({' OR '.join(parts)}))"), params  # fmt: skip
    # An id list from the (category, paper) index: never a scan of the wide papers table.
    return f"p.id IN (SELECT pc.paper_id FROM papers_papercategory pc WHERE {' OR '.join(parts)})", params


def _source_condition(values: list[str]) -> tuple[str, list]:
    """``source:arxiv``: papers with an arXiv id; other names: a source that wrote the paper.

    Provenance sources are registry names ("biorxiv", "crossref",
    "arxiv-rss") or "import:<file>"; ``source:biorxiv`` also matches a
    paper whose venue is that preprint server.
    """
    parts, params = [], []
    for value in values:
        value = value.lower()
        if value == "arxiv":
            parts.append("p.arxiv_id IS NOT NULL")
            continue
        parts.append("EXISTS (SELECT 1 FROM papers_provenance pr WHERE pr.paper_id = p.id"
                     " AND (LOWER(pr.source) = %s OR LOWER(pr.source) LIKE %s ESCAPE '!'))"
                     " OR p.venue_id IN (SELECT v.id FROM papers_venue v WHERE v.key = %s)")  # fmt: skip
        params += [value, _like_prefix(value + "-"), _venue_key(value)]
    return " OR ".join(parts), params


def _venue_condition(values: list[str]) -> tuple[str, list]:
    """``venue:NeurIPS``: the paper's venue (name, key or badge), or its journal reference."""
    parts, params = [], []
    for value in values:
        key = _venue_key(value)
        if not key:
            continue
        parts.append("p.venue_id IN (SELECT v.id FROM papers_venue v WHERE v.key LIKE %s ESCAPE '!'"
                     " OR LOWER(v.badge) = %s) OR LOWER(p.journal_ref) LIKE %s ESCAPE '!'")  # fmt: skip
        params += [_like_contains(key), value.lower(), _like_contains(value.lower())]
    return (" OR ".join(parts) or "1 = 0"), params


def _venue_key(value: str) -> str:
    from academichub.papers.venues import venue_key

    return venue_key(value)


def _like_contains(value: str) -> str:
    return "%" + _like_escape(value) + "%"


def _like_prefix(value: str) -> str:
    return _like_escape(value) + "%"


def _like_escape(value: str) -> str:
    """User text inside LIKE: its % and _ are literal characters (the SQL says ESCAPE '!')."""
    return value.replace("!", "!!").replace("%", "!%").replace("_", "!_")
