"""Keyword retrieval (`academichub.search.keyword`): ranking, syntax, filters, safety.

Runs on SQLite (FTS5) and, with ACADEMICHUB_TEST_DB=postgresql, on
PostgreSQL (weighted tsvector + GIN). Papers are written through the real
catalogue writer, so the index under test is the one production fills.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from academichub.core.query import parse
from academichub.core.records import PaperRecord, Version
from academichub.papers.models import Paper
from academichub.papers.storage import CatalogueWriter
from academichub.search.keyword import keyword_ranking
from tests.factories import make_papers

pytestmark = pytest.mark.django_db

FILLER = "We report experiments on several benchmarks and discuss limitations of the approach in detail."


def rec(arxiv_id, title, abstract=FILLER, authors=("Ana Lopez",), cats=("cs.LG",), day=date(2025, 3, 20),
        **extra) -> PaperRecord:  # fmt: skip
    return PaperRecord(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=list(authors),
                       categories=list(cats), versions=[Version(1, day)], announced=day, **extra)  # fmt: skip


CORPUS = [
    rec("2503.00001", "Diffusion models for image editing", authors=["Chenrui Wu"], cats=["cs.CV"]),
    rec("2503.00002", "A survey of graph learning",
        abstract="Diffusion appears once here. " + FILLER, authors=["Yann LeCun"], cats=["cs.LG", "stat.ML"]),
    rec("2503.00003", "Robot grasping with tactile sensing", abstract="Video diffusion policies for robots. " + FILLER,
        authors=["Maria Diffusion"], cats=["cs.RO"], day=date(2021, 6, 1)),
    rec("2503.00004", "Contrastive learning of speech", abstract="Image editing with language. " + FILLER,
        authors=["James Smith"], cats=["eess.AS", "cs.CL"], day=date(2019, 1, 5)),
    rec("2503.00005", "Neural network pruning", abstract="Deep neural network compression by pruning. " + FILLER,
        authors=["Yann LeCun", "Ana Lopez"], cats=["cs.LG"], day=date(2024, 12, 31),
        journal_ref="NeurIPS 2024"),  # fmt: skip
    rec("2503.00006", "Network neural deep: word order matters", abstract="Neural network, deep. " + FILLER,
        cats=["math.OC"], day=date(2025, 1, 1)),
    rec("2503.00007", "Transformers for video", abstract="Transformer transformation of video frames. " + FILLER,
        cats=["cs.CV"], day=date(2025, 6, 1)),
]


@pytest.fixture
def corpus() -> dict[str, int]:
    CatalogueWriter("arxiv-oai").write(CORPUS)
    CatalogueWriter("biorxiv").write([rec(None, "Diffusion of proteins in membranes", doi="10.1101/2025.01.01.1",
                                          cats=["q-bio.BM"], venue="bioRxiv")])  # fmt: skip
    return {p.arxiv_id or p.doi: p.pk for p in Paper.objects.all()}


def ids(text: str, corpus: dict[str, int], limit: int = 20) -> list[str]:
    by_pk = {pk: key for key, pk in corpus.items()}
    return [by_pk[pid] for pid, _ in keyword_ranking(parse(text), limit)]


def test_field_weights_title_over_authors_over_abstract(corpus):
    found = ids("diffusion", corpus)
    # title match first, author-name match before the abstract-only one
    assert found[0] in ("2503.00001", "10.1101/2025.01.01.1")
    assert found.index("2503.00003") < found.index("2503.00002")
    assert set(found) == {"2503.00001", "2503.00002", "2503.00003", "10.1101/2025.01.01.1"}


def test_scores_are_descending_and_limit_is_respected(corpus):
    ranking = keyword_ranking(parse("diffusion"), 2)
    assert len(ranking) == 2
    assert ranking[0][1] >= ranking[1][1]


def test_all_words_required_and_phrase(corpus):
    assert set(ids("deep neural network", corpus)) == {"2503.00005", "2503.00006"}
    assert ids('"deep neural network"', corpus) == ["2503.00005"]


def test_exclusion_or_and_fields(corpus):
    assert "2503.00003" not in ids("diffusion -video", corpus)
    assert set(ids("grasping OR pruning", corpus)) == {"2503.00003", "2503.00005"}
    assert ids("ti:diffusion", corpus) and "2503.00002" not in ids("ti:diffusion", corpus)
    assert "2503.00003" not in ids("ti:diffusion", corpus)
    assert set(ids("abs:diffusion", corpus)) == {"2503.00002", "2503.00003"}
    assert ids("au:LeCun", corpus) == ["2503.00002", "2503.00005"] or set(ids("au:LeCun", corpus)) == {
        "2503.00002", "2503.00005"}  # fmt: skip
    assert ids('au:"Yann LeCun" pruning', corpus) == ["2503.00005"]
    assert ids("au:James", corpus) == ["2503.00004"]
    assert ids("transform*", corpus) == ["2503.00007"]


def test_category_filters(corpus):
    assert ids("diffusion cat:cs.CV", corpus) == ["2503.00001"]
    assert set(ids("diffusion cat:cs", corpus)) == {"2503.00001", "2503.00002", "2503.00003"}
    assert set(ids("diffusion cat:cs.CV cat:cs.RO", corpus)) == {"2503.00001", "2503.00003"}
    assert "2503.00001" not in ids("diffusion -cat:cs.CV", corpus)
    assert set(ids("diffusion cat:stat.ML", corpus)) == {"2503.00002"}  # a cross-list counts


def test_date_filters(corpus):
    assert ids("diffusion year:2021", corpus) == ["2503.00003"]
    assert set(ids("network year:2024-2025", corpus)) == {"2503.00005", "2503.00006"}
    assert ids("network after:2025", corpus) == ["2503.00006"]
    assert ids("network before:2025-01-01", corpus) == ["2503.00005"]
    assert ids("network after:2024-12-31 before:2025-01-01", corpus) == ["2503.00005"]
    assert ids("network year:>=2026", corpus) == []


def test_source_and_venue_filters(corpus):
    assert ids("diffusion source:biorxiv", corpus) == ["10.1101/2025.01.01.1"]
    assert "10.1101/2025.01.01.1" not in ids("diffusion source:arxiv", corpus)
    assert "10.1101/2025.01.01.1" not in ids("diffusion -source:biorxiv", corpus)
    assert ids("network venue:NeurIPS", corpus) == ["2503.00005"]
    assert ids("network -venue:NeurIPS", corpus) == ["2503.00006"]
    assert ids("diffusion venue:bioRxiv", corpus) == ["10.1101/2025.01.01.1"]
    assert ids("network venue:100%_sure", corpus) == []


HOSTILE = ['"', '"unbalanced', "NEAR(a b)", "a*", "*", "-", "OR", "AND OR NOT", "title:", "ti:", "au:", "cat:",
           "year:abc", "'; DROP TABLE papers_paper; --", "diffusion)" * 50, "x" * 5000, "\x00\x01", "🙂 🙂",
           "{title}: x", "^diffusion", "col:diffusion", "diffusion -", "- -", "多模态智能体 强化学习",
           "venue:'%", "source:%_", "au:\"", "NOT diffusion", "diffusion NOT", "a OR", "OR b", ""]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(corpus, text):
    ranking = keyword_ranking(parse(text), 20)
    assert isinstance(ranking, list)
    assert all(isinstance(pid, int) and isinstance(score, float) for pid, score in ranking)


def test_hostile_input_is_still_searched_sensibly(corpus):
    assert ids('diffusion "image editing', corpus) == ["2503.00001"]  # unclosed quote: rest is a phrase
    assert "2503.00001" in ids("diffusion)", corpus)
    assert ids("", corpus) == []
    assert keyword_ranking(parse("diffusion"), 0) == []
    assert keyword_ranking(parse("diffusion"), -5) == []


# ---------------------------------------------------------------- the fast path (top lists, both databases)

WORDS = ("model learning network neural deep data graph image video language robot policy training vision "
         "attention transformer diffusion reward agent benchmark").split()  # fmt: skip


def _synthetic(n: int) -> list[PaperRecord]:
    """Deterministic papers mixing frequent words with varied lengths, fields, dates and categories."""
    import random

    rng = random.Random(7)
    cats = ["cs.CV", "cs.LG", "cs.CL", "cs.RO", "math.OC"]
    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
        abstract = " ".join(rng.choice(WORDS + ["the", "of", "we", "show"] * 3) for _ in range(rng.randint(5, 60)))
        out.append(rec(f"2401.{i + 1:05d}", title, abstract, authors=[f"Author {rng.choice(WORDS).title()}"],
                       cats=[rng.choice(cats)], day=date(2015 + i % 10, 1 + i % 12, 1)))  # fmt: skip
    return out


@pytest.fixture
def small_lists(monkeypatch):
    """Lists of 40 papers, for units matching >= 30: small enough that the threshold really decides."""
    from academichub.search import keyword

    monkeypatch.setattr(keyword, "TOP_K", 40)
    monkeypatch.setattr(keyword, "MIN_DF", 30)
    monkeypatch.setattr(keyword, "FILTERED_TOP_K", 15)
    return keyword


QUERIES = ["model", "learning", "deep neural network", "model -video", "model cat:cs.CV", "learning year:2019",
           "graph OR attention", "ti:diffusion", "au:Robot", '"neural network"', "policy after:2020-03 before:2023",
           "model learning", "transformer -cat:math.OC", "reward agent benchmark", "model cat:math.OC year:2016"]


@pytest.mark.parametrize("text", QUERIES)
def test_fast_path_equals_full_scoring(small_lists, text):
    from django.db import connection

    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    parsed = parse(text)
    with connection.cursor() as cursor:
        full = small_lists.full_ranking(cursor, parsed, 10)
    assert full, "the synthetic corpus must match every query"
    fast = keyword_ranking(parsed, 10)
    with connection.cursor() as cursor:
        from_lists = small_lists._rank_from_top_lists(cursor, parsed, 10)
    if text in ("model", "learning", "model -video", "ti:diffusion", "model learning", "graph OR attention",
                "deep neural network", "au:Robot"):
        assert from_lists is not None, "a query of frequent units must be answered from the lists"
    assert [pid for pid, _ in fast] == [pid for pid, _ in full]
    if from_lists is not None:
        assert from_lists == fast
    assert [round(s, 9) for _, s in fast] == [round(s, 9) for _, s in full]


def test_fast_path_answers_common_queries_from_lists(small_lists, monkeypatch):
    """The common single-word query is answered without full scoring (the point of the lists)."""
    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    calls = []
    real = small_lists.full_ranking
    monkeypatch.setattr(small_lists, "full_ranking", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert len(keyword_ranking(parse("model"), 10)) == 10
    assert len(keyword_ranking(parse("model cat:cs.CV"), 5)) == 5
    assert calls == []


def test_selective_filters_get_lists_of_their_own(small_lists, monkeypatch):
    """A filtered query the words' lists cannot prove is listed within its filters once, then answered
    from that list, exactly, with new papers scored live; the rebuild drops filtered lists."""
    from django.db import connection

    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    parsed = parse("model cat:math.OC")
    first = keyword_ranking(parsed, 10)
    with connection.cursor() as cursor:
        unit = small_lists.filtered_unit(small_lists._units(cursor, parse("model"))[0], parsed.filters)
        assert small_lists._listed(cursor, unit)
        assert [p for p, _ in first] == [p for p, _ in small_lists.full_ranking(cursor, parsed, 10)]
    calls = []
    real = small_lists.full_ranking
    monkeypatch.setattr(small_lists, "full_ranking", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert keyword_ranking(parse("model cat:math.OC"), 10) == first
    assert calls == []
    CatalogueWriter("arxiv-oai").write([rec("2402.00002", "model model model", "model", cats=["math.OC"])])
    newest = Paper.objects.get(arxiv_id="2402.00002").pk
    assert keyword_ranking(parse("model cat:math.OC"), 10)[0][0] == newest
    monkeypatch.setattr(small_lists, "full_ranking", real)
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    with connection.cursor() as cursor:
        assert not small_lists._listed(cursor, unit)


def test_new_and_changed_papers_are_searched_before_the_rebuild(small_lists):
    """Papers written after the lists were built (pending) are scored live; changed ones leave the lists."""
    from django.db import connection

    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    keyword_ranking(parse("model"), 10)
    CatalogueWriter("arxiv-oai").write([rec("2402.00001", "model model model", "model", authors=["Model Person"])])
    newest = Paper.objects.get(arxiv_id="2402.00001").pk
    assert keyword_ranking(parse("model"), 10)[0][0] == newest
    old_best = keyword_ranking(parse("model"), 10)[1][0]
    old = Paper.objects.get(pk=old_best)
    CatalogueWriter("arxiv-oai").write([rec(old.arxiv_id, "nothing here", "nothing at all")])  # a new version
    fast = keyword_ranking(parse("model"), 10)
    assert old_best not in [pid for pid, _ in fast]
    with connection.cursor() as cursor:
        assert [p for p, _ in fast] == [p for p, _ in small_lists.full_ranking(cursor, parse("model"), 10)]
    assert small_lists.rebuild_top_lists(frequent_words=30, sample=600) > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM paper_fts_pending")
        assert cursor.fetchone()[0] == 0
    assert keyword_ranking(parse("model"), 10)[0][0] == newest


def test_deleted_papers_leave_the_lists(small_lists):
    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    best = keyword_ranking(parse("model"), 10)[0][0]
    Paper.objects.filter(pk=best).delete()
    assert best not in [pid for pid, _ in keyword_ranking(parse("model"), 10)]


def test_list_status_reports_pending_papers(small_lists):
    CatalogueWriter("arxiv-oai").write(_synthetic(50))
    assert small_lists.list_status()["pending"] == 50
    small_lists.rebuild_top_lists(frequent_words=5, sample=50)
    status = small_lists.list_status()
    assert status["pending"] == 0 and status["lists"] > 0 and status["fast_path"]


def test_the_periodic_job_folds_new_papers_into_the_lists():
    from academichub.search import keyword, tasks

    make_papers(date(2026, 5, 4), count=3, start=900)
    assert keyword.list_status()["pending"] > 0
    tasks.refresh_keyword_lists.call_local()
    assert keyword.list_status()["pending"] == 0


def test_word_shares_estimate_how_common_words_are():
    from academichub.search import keyword, tasks

    CatalogueWriter("arxiv-oai").write(_synthetic(300))
    shares = keyword.word_shares()
    assert shares and all(keyword.SHARE_KEPT <= v <= 1.0 for v in shares.values())
    assert "the" not in shares  # stopwords are not content words
    assert max(shares, key=shares.get) in {"show", *WORDS}  # the synthetic abstracts repeat "show"
    assert tasks.refresh_word_shares.call_local() == len(shares)


def test_only_one_process_estimates_word_shares_at_a_time():
    from django.core.cache import cache

    from academichub.search import keyword

    CatalogueWriter("arxiv-oai").write(_synthetic(100))
    cache.add(keyword.SHARES_KEY + ":building", 1, 120)  # another process is at it
    assert keyword.word_shares() == {}
    cache.delete(keyword.SHARES_KEY + ":building")
    assert keyword.word_shares()


def test_filtered_lists_are_capped(small_lists, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(small_lists, "MAX_FILTERED_LISTS", 2)
    CatalogueWriter("arxiv-oai").write(_synthetic(600))
    small_lists.rebuild_top_lists(frequent_words=30, sample=600)
    for text in ("model cat:math.OC", "model cat:cs.RO", "learning cat:math.OC"):
        keyword_ranking(parse(text), 10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT unit FROM paper_fts_unit")
        filtered = [u for (u,) in cursor.fetchall() if small_lists._is_filtered(u)]
    assert len(filtered) == 2
    assert any("learn" in u for u in filtered)  # the newest list is kept, an older one went
