"""The full-text index, kept in the same database as the catalogue.

SQLite: an FTS5 table ``paper_fts`` (rowid = paper id). PostgreSQL: a table
``paper_search`` with a weighted ``tsvector`` and a GIN index. Both are
written by the storage layer in the same transaction as the paper, so the
index can never disagree with the catalogue after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Doc = tuple[int, str, str, str]  # (paper id, title, authors, abstract), plain text

SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS paper_fts USING fts5("
    "title, authors, abstract, tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS paper_fts"]

# The keyword search's fast path (`academichub.search.keyword`): per query unit
# (one FTS5 clause such as '"model"'), the TOP_K best papers by bm25 (rank 0 is
# the best, so a prefix of the list is one range read) and the
# score of the best one left out; ``paper_fts_pending`` lists papers indexed
# since the lists were built, which queries score live until the next rebuild.
SQLITE_TOP_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS paper_fts_unit (unit TEXT PRIMARY KEY, cutoff REAL NOT NULL,"
    " size INTEGER NOT NULL, built_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS paper_fts_top (unit TEXT NOT NULL, rank INTEGER NOT NULL,"
    " paper_id INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY (unit, rank)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS paper_fts_top_paper ON paper_fts_top (paper_id)",
    "CREATE TABLE IF NOT EXISTS paper_fts_pending (paper_id INTEGER PRIMARY KEY)",
]
SQLITE_TOP_DROP = ["DROP TABLE IF EXISTS paper_fts_top", "DROP TABLE IF EXISTS paper_fts_unit",
                   "DROP TABLE IF EXISTS paper_fts_pending"]  # fmt: skip
# The same tables on PostgreSQL (units are tsquery text, scores ts_rank_cd).
# No foreign keys, as for ``paper_search``: `remove` keeps them in step.
POSTGRES_TOP_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS paper_fts_unit (unit text PRIMARY KEY, cutoff double precision NOT NULL,"
    " size integer NOT NULL, built_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS paper_fts_top (unit text NOT NULL, rank integer NOT NULL,"
    " paper_id bigint NOT NULL, score double precision NOT NULL, PRIMARY KEY (unit, rank))",
    "CREATE INDEX IF NOT EXISTS paper_fts_top_paper ON paper_fts_top (paper_id)",
    "CREATE TABLE IF NOT EXISTS paper_fts_pending (paper_id bigint PRIMARY KEY)",
]

POSTGRES_SCHEMA = [
    # No foreign key: Django's flush (tests) truncates papers_paper without
    # CASCADE; deleted papers leave the index through the post_delete signal.
    "CREATE TABLE IF NOT EXISTS paper_search (paper_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS paper_search_document ON paper_search USING GIN (document)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS paper_search"]

_PG_UPSERT = (
    "INSERT INTO paper_search (paper_id, document) VALUES (%s,"
    " setweight(to_tsvector('english', %s), 'A')"
    " || setweight(to_tsvector('simple', %s), 'B')"
    " || setweight(to_tsvector('english', %s), 'C'))"
    " ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document"
)


def schema_statements(vendor: str, drop: bool = False) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_DROP if drop else SQLITE_SCHEMA
    if vendor == "postgresql":
        return POSTGRES_DROP if drop else POSTGRES_SCHEMA
    return []


def top_list_statements(vendor: str, drop: bool = False) -> list[str]:
    """The keyword fast path's tables (the DROP statements are the same on both databases)."""
    if vendor == "sqlite":
        return SQLITE_TOP_DROP if drop else SQLITE_TOP_SCHEMA
    if vendor == "postgresql":
        return SQLITE_TOP_DROP if drop else POSTGRES_TOP_SCHEMA
    return []


def remove(cursor, vendor: str, ids: Sequence[int]) -> None:
    """Drop index entries (and top-list entries) before their papers are re-indexed or deleted."""
    if not ids:
        return
    table, column = ("paper_fts", "rowid") if vendor == "sqlite" else ("paper_search", "paper_id")
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
        cursor.execute(f"DELETE FROM paper_fts_top WHERE paper_id IN ({marks})", chunk)


def add(cursor, vendor: str, docs: Iterable[Doc]) -> None:
    """Index new documents (callers `remove` changed ones first)."""
    docs = list(docs)
    if not docs:
        return
    if vendor == "sqlite":
        sql = "INSERT INTO paper_fts (rowid, title, authors, abstract) VALUES (%s, %s, %s, %s)"
        cursor.executemany("INSERT OR IGNORE INTO paper_fts_pending (paper_id) VALUES (%s)", [d[:1] for d in docs])
    else:
        sql = _PG_UPSERT
        cursor.executemany("INSERT INTO paper_fts_pending (paper_id) VALUES (%s) ON CONFLICT DO NOTHING",
                           [d[:1] for d in docs])  # fmt: skip
    cursor.executemany(sql, docs)


def count(cursor, vendor: str) -> int:
    table = "paper_fts" if vendor == "sqlite" else "paper_search"
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]
