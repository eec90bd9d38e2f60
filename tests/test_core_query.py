"""The search-box parser (academichub.core.query) and its SQLite/PostgreSQL output.

The property tests feed arbitrary text (and text made of the query
language's own characters) through ``parse`` and run the resulting FTS5
expression against a real in-memory FTS5 table, and the tsquery against
the local PostgreSQL server, so "never crashes" is checked against the
engines themselves rather than against our idea of their grammar.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academichub.core.query import (
    MAX_CLAUSES,
    MAX_QUERY_CHARS,
    Term,
    normalize_category,
    parse,
    parse_date,
    to_fts5,
    to_tsquery,
    words,
)

PAPERS = [
    ("Graph neural networks for molecules", "Yann LeCun, Ada Lovelace", "We study message passing on graphs."),
    ("Diffusion models for image editing", "Grace Hopper", "A few-shot approach to editing images with diffusion."),
    ("Video diffusion", "Alan Turing", "Transformers generate video; no image editing here."),
    ("State space models", "Andrea Del Maestro", "Attention-free sequence models beat transformers."),
]

# Text that exercises the syntax: quotes, operators, fields, prefixes, FTS5 specials.
SYNTAX = st.lists(st.sampled_from(list('ab"- *:()^{}+|!.,;\'\\0123OR ANDNOT') +
                                  ["OR", "AND", "NOT", "NEAR", "ti:", "au:", "abs:", "cat:", "year:", "after:",
                                   "before:", "source:", "venue:", "title:", "cs.CV", "2025", "强化学习", "é",
                                   "\u0301", "\x00", "\t"]),
                  max_size=30).map("".join)  # fmt: skip
ANY_TEXT = st.one_of(st.text(max_size=200), SYNTAX, st.lists(SYNTAX, max_size=8).map(" ".join))


@pytest.fixture(scope="module")
def fts():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(title, authors, abstract)")
    db.execute("CREATE VIRTUAL TABLE stemmed USING fts5(title, authors, abstract, tokenize='porter unicode61')")
    for table in ("papers", "stemmed"):
        db.executemany(f"INSERT INTO {table}(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
                       [(i + 1, *p) for i, p in enumerate(PAPERS)])  # fmt: skip
    yield db
    db.close()


def hits(db, text: str, **kw) -> list[int]:
    expression = to_fts5(parse(text), **kw)
    if not expression:
        return []
    return sorted(r[0] for r in db.execute("SELECT rowid FROM papers WHERE papers MATCH ?", (expression,)))


# ------------------------------------------------------------------ parsing


def test_terms_phrases_exclusions():
    parsed = parse('diffusion "image editing" -video')
    assert [t.text for t in parsed.terms] == ["diffusion"]
    assert [t.text for t in parsed.phrases] == ["image editing"]
    assert [t.text for t in parsed.excluded] == ["video"]
    assert parsed.errors == []


def test_or_groups_with_uppercase_or_and_pipe():
    parsed = parse('transformer OR attention | "state space" model')
    assert [[t.text for t in g] for g in parsed.or_groups] == [["transformer", "attention", "state space"]]
    assert [t.text for t in parsed.required] == ["model"]
    assert parse("cats or dogs").or_groups == []   # lower-case "or" is just a word


def test_fields_and_filters():
    parsed = parse('au:LeCun au:"Yann LeCun" au:del_maestro ti:diffus* abs:"few-shot" cat:CS.cv cat:cs '
                   "-cat:cs.RO year:2020-2023 after:2025-03 before:2026-01-15 source:arXiv venue:NeurIPS")
    assert parsed.errors == []
    fields = [(t.field, t.text, t.phrase, t.prefix) for t in parsed.required]
    assert fields == [("authors", "LeCun", False, False), ("authors", "Yann LeCun", True, False),
                      ("authors", "del maestro", True, False), ("title", "diffus", False, True),
                      ("abstract", "few-shot", True, False)]  # fmt: skip
    assert parsed.authors == ["LeCun", "Yann LeCun", "del maestro"]
    f = parsed.filters
    assert f.categories == ["cs.CV", "cs"] and f.excluded_categories == ["cs.RO"]
    assert (f.year_from, f.year_to) == (2020, 2023)
    assert f.after == date(2025, 3, 1) and f.before == date(2026, 1, 15)
    assert f.sources == ["arxiv"] and f.venues == ["NeurIPS"]


@pytest.mark.parametrize("value, bounds", [("2025", (2025, 2025)), ("2020-2023", (2020, 2023)),
                                           ("2020..", (2020, None)), ("..2019", (None, 2019)),
                                           (">=2021", (2021, None)), (">2021", (2022, None)),
                                           ("<2000", (None, 1999)), ("<=2000", (None, 2000))])  # fmt: skip
def test_year_forms(value, bounds):
    f = parse(f"year:{value}").filters
    assert (f.year_from, f.year_to) == bounds


def test_not_keyword_and_dangling_operators():
    parsed = parse("NOT robots learning OR")
    assert [t.text for t in parsed.excluded] == ["robots"]
    assert [t.text for t in parsed.required] == ["learning"]
    assert any("OR needs a word" in e for e in parsed.errors)


def test_bad_input_becomes_messages_not_exceptions():
    parsed = parse('cat:xx.123 year:abc after:2025-13 ti: "unclosed phrase a*')
    messages = " | ".join(parsed.errors)
    for expected in ("not an arXiv category", "is not a year", "is not a date", "ti: needs a value",
                     "unbalanced quote", ):  # fmt: skip
        assert expected in messages
    assert [t.text for t in parsed.phrases] == ["unclosed phrase a*"]


def test_prefix_needs_three_letters():
    assert parse("tra*").required == [Term("tra", prefix=True)]
    parsed = parse("tr*")
    assert parsed.required == [Term("tr")] and "at least 3" in parsed.errors[0]
    assert not parse("a*b").required[0].prefix


def test_only_exclusions_is_reported():
    parsed = parse("-robots")
    assert not parsed.has_text and to_fts5(parsed) == "" and to_tsquery(parsed) == ""
    assert "need at least one word" in parsed.errors[0]


def test_empty_and_none():
    for value in ("", "   ", None, 42):
        parsed = parse(value)
        assert parsed.is_empty and to_fts5(parsed) == "" and to_tsquery(parsed) == ""


def test_long_input_is_capped():
    parsed = parse("word " * 5000)
    assert len(parsed.required) <= MAX_CLAUSES
    assert any(str(MAX_QUERY_CHARS) in e for e in parsed.errors)
    many = parse(" ".join(f"w{i}" for i in range(200)))
    assert len(many.required) == MAX_CLAUSES and any("first" in e for e in many.errors)


def test_long_question_keeps_content_words_over_stop_words():
    question = "what are the " * 10 + " ".join(f"topic{i}" for i in range(40))
    kept = {t.text for t in parse(question).required}
    assert {f"topic{i}" for i in range(40)} <= kept


def test_semantic_text_skips_authors_and_exclusions():
    parsed = parse('au:LeCun graph "neural networks" -video (gnn OR gcn) cat:cs.LG')
    assert parsed.semantic_text() == "graph neural networks gnn gcn"


def test_helpers():
    assert words("GPT-4o, state-of-the-art_x Ünïcode 强化学习") == ["gpt", "4o", "state", "of", "the", "art",
                                                                    "x", "ünïcode", "强化学习"]  # fmt: skip
    assert normalize_category("cond-mat.Mes-Hall") == "cond-mat.mes-hall"
    assert normalize_category("Q-BIO.nc") == "q-bio.NC"
    assert normalize_category("cs.*") == "cs"
    assert normalize_category("cs.CV; DROP") is None
    assert parse_date("2025/3/18") == date(2025, 3, 18)
    assert parse_date("2025-02-30") is None and parse_date("yesterday") is None


# ------------------------------------------------------------------ FTS5 output


def test_fts5_expression_shape():
    assert to_fts5(parse('diffusion "image editing" -video')) == '("diffusion" AND "image editing") NOT ("video")'
    assert to_fts5(parse("ti:diffus* au:LeCun")) == 'title : "diffus"* AND authors : "lecun"'
    assert to_fts5(parse("what is contrastive learning")) == '"contrastive" AND "learning"'
    assert to_fts5(parse("the")) == '"the"'   # nothing but stop words: keep them
    assert to_fts5(parse("a b c"), match="any") == '"b" OR "c"'
    assert to_fts5(parse("ti:x"), columns={"title": "paper_title"}) == 'paper_title : "x"'


def test_match_mode_is_checked():
    with pytest.raises(ValueError, match="all"):
        to_fts5(parse("x"), match="and")
    with pytest.raises(ValueError, match="any"):
        to_tsquery(parse("x"), match="or")


def test_fts5_semantics_on_a_real_table(fts):
    assert hits(fts, "diffusion") == [2, 3]
    assert hits(fts, 'diffusion "image editing"') == [2, 3]
    assert hits(fts, 'diffusion "image editing" -video') == [2]
    assert hits(fts, "ti:diffusion -ti:video") == [2]
    assert hits(fts, "au:lecun") == [1]
    assert hits(fts, 'au:"yann lecun"') == [1]
    assert hits(fts, "au:del_maestro") == [4]
    assert hits(fts, "molec*") == [1]
    assert hits(fts, "graph OR video") == [1, 3]
    assert hits(fts, "transformers abs:attention") == [4]
    assert hits(fts, "molecules images", match="any") == [1, 2]
    assert hits(fts, 'NEAR(graph neural) "title" : * ^graph') == []   # all literal words now, none matches all


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_any_string_parses_and_fts5_never_raises(fts, text):
    parsed = parse(text)
    assert isinstance(parsed.errors, list)
    for match in ("all", "any"):
        expression = to_fts5(parsed, match=match)
        if expression:
            for table in ("papers", "stemmed"):
                fts.execute(f"SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ?", (expression,)).fetchall()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_quoted_user_words_are_never_fts_syntax(fts, parts):
    # Whatever the words are, each survives only as letters and digits inside quotes.
    expression = to_fts5(parse(" ".join(parts)))
    if expression:
        fts.execute("SELECT rowid FROM papers WHERE papers MATCH ?", (expression,)).fetchall()
        inside = expression.replace('""', "").split('"')[1::2]
        assert all(w.replace(" ", "").isalnum() for w in inside)


# ------------------------------------------------------------------ PostgreSQL output


def test_tsquery_shape():
    assert to_tsquery(parse('diffusion "image editing" -video')) == \
        "('diffusion' & ('image' <-> 'editing')) & !('video')"
    assert to_tsquery(parse("ti:diffus* au:LeCun")) == "'diffus':*A & 'lecun':B"
    assert to_tsquery(parse("graph OR video"), match="any") == "('graph' | 'video')"


@pytest.fixture(scope="module")
def pg():
    psycopg = pytest.importorskip("psycopg", reason="psycopg is a project dependency; run ./hub test")
    # Only the server's parser is needed, so connect to its maintenance database: the
    # database named in DATABASE_URL may not exist (pytest-django tests in test_<name>).
    url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    url = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed for the tsquery tests ({exc}); start it with "
                    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'")  # fmt: skip
    yield conn
    conn.close()


def pg_match(conn, text: str, title: str, authors: str, abstract: str) -> bool:
    sql = ("SELECT setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B') || "
           "setweight(to_tsvector('english', %s), 'C') @@ to_tsquery('english', %s)")  # fmt: skip
    return conn.execute(sql, (title, authors, abstract, to_tsquery(parse(text)))).fetchone()[0]


def test_tsquery_semantics_on_postgresql(pg):
    paper = PAPERS[1]
    assert pg_match(pg, 'diffusion "image editing"', *paper)
    assert not pg_match(pg, 'diffusion "image editing" -approach', *paper)
    assert pg_match(pg, "ti:diffus* au:hopper", *paper)
    assert not pg_match(pg, "ti:hopper", *paper)
    assert pg_match(pg, "editing OR nothing", *paper)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_tsquery_never_makes_postgresql_raise(pg, text):
    parsed = parse(text)
    for match in ("all", "any"):
        expression = to_tsquery(parsed, match=match)
        if expression:
            pg.execute("SELECT to_tsquery('english', %s)", (expression,)).fetchone()
