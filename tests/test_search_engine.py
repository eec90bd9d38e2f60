"""The search engine on real arXiv records: syntax, filters, hostile input, sorting, Chinese, similar papers."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest

from academichub.core.highlight import Matcher, highlight
from academichub.papers.models import Paper
from academichub.search import engine
from academichub.search.engine import search, similar
from tests.search_support import *  # noqa: F403 — fixtures

pytestmark = pytest.mark.django_db


def text_of(paper: Paper) -> str:
    return f"{paper.title_text} {paper.abstract_text}".lower()


def papers(result) -> list[Paper]:
    return [hit.paper for hit in result.hits]


# ---------------------------------------------------------------- keywords from minute one


def test_keyword_search_works_before_any_embedding(catalogue):
    result = search("diffusion", limit=50)
    assert result.mode == "keyword"
    assert result.total >= 10
    assert all("diffus" in text_of(p) for p in papers(result))
    assert any("not ready" in m for m in result.messages)  # says why there is no semantic side


def test_hybrid_once_papers_are_embedded(catalogue):
    assert embed_all() == len(catalogue)
    result = search("video diffusion", limit=20)
    assert result.mode == "hybrid"
    assert not any("not ready" in m for m in result.messages)
    both = [h for h in result.hits if h.keyword_rank and h.semantic_rank]
    assert both, "fusion should rank papers found by both sides"
    assert result.hits[0].score >= result.hits[-1].score


def test_words_are_all_required_unless_none_match(catalogue):
    result = search("video segmentation", limit=100)
    assert result.hits and all("video" in text_of(p) and "segment" in text_of(p) for p in papers(result))
    relaxed = search("video zxqvunmatchable", limit=10)
    assert relaxed.hits and any("some of them" in m for m in relaxed.messages)


# ---------------------------------------------------------------- syntax


def test_phrase_and_exclusion(catalogue):
    embed_all()
    phrase = search('"image generation"', limit=100)
    assert phrase.total > 0
    assert all("image generation" in " ".join(text_of(p).split()) for p in papers(phrase))
    excluded = search("diffusion -video", limit=100)
    assert excluded.total > 0
    assert all("video" not in text_of(p) for p in papers(excluded))  # a hard constraint on BOTH sides


def test_or_groups(catalogue):
    either = {p.pk for p in papers(search("lidar OR radar", limit=100))}
    lidar = {p.pk for p in papers(search("lidar", limit=100))}
    radar = {p.pk for p in papers(search("radar", limit=100))}
    assert lidar and radar and either == lidar | radar


def test_author_and_title_fields(catalogue):
    paper = Paper.objects.exclude(authors_text="").order_by("id")[7]
    family = paper.author_list[0].split()[-1]
    result = search(f"au:{family}", limit=100)
    assert paper.pk in [p.pk for p in papers(result)]
    assert all(family.lower() in p.authors_text.lower() for p in papers(result))
    assert "<mark>" in next(h.authors_html for h in result.hits if h.paper.pk == paper.pk)
    titled = search("ti:video", limit=100)
    assert titled.total > 0 and all("video" in p.title_text.lower() for p in papers(titled))


def test_category_year_and_date_syntax(catalogue):
    embed_all()
    result = search("learning cat:cs.RO", limit=100)
    assert result.total > 0
    for paper in papers(result):
        assert "cs.RO" in set(paper.paper_categories.values_list("category_id", flat=True))
    dated = search("model after:2025-09 before:2026-01", limit=100)
    assert dated.total > 0
    assert all(date(2025, 9, 1) <= (p.published or p.announced) < date(2026, 1, 1) for p in papers(dated))
    only_2026 = search("model year:2026", limit=100)
    assert only_2026.total > 0 and all((p.published or p.announced).year == 2026 for p in papers(only_2026))


def test_filters_only_lists_newest_matching_papers(catalogue):
    result = search("cat:cs.CL", limit=50)
    assert result.mode == "filters" and result.total > 0
    days = [p.announced for p in papers(result)]
    assert days == sorted(days, reverse=True)


# ---------------------------------------------------------------- form filters


def test_form_filters_apply_to_both_sides(catalogue):
    embed_all()
    result = search("learning", filters={"category": "cs.CV", "after": "2025-06-01", "before": "2026-03-01"},
                    limit=100)  # fmt: skip
    assert result.mode == "hybrid" and result.total > 0
    for paper in papers(result):
        assert "cs.CV" in set(paper.paper_categories.values_list("category_id", flat=True))
        assert date(2025, 6, 1) <= (paper.published or paper.announced) < date(2026, 3, 1)
    assert search("learning", filters={"source": "arxiv"}).total > 0
    assert search("learning", filters={"source": "pubmed"}).total == 0


def test_author_form_field(catalogue):
    paper = Paper.objects.exclude(authors_text="").order_by("id")[3]
    name = paper.author_list[0]
    result = search("", filters={"author": name})
    assert paper.pk in [p.pk for p in papers(result)]


def test_bad_filter_values_are_explained_not_fatal(catalogue):
    result = search("video", filters={"category": "not a category!", "after": "yesterday"})
    assert result.total > 0
    assert any("not an arXiv category" in m for m in result.messages)
    assert any("is not a date" in m for m in result.messages)


# ---------------------------------------------------------------- hostile input

HOSTILE = ['"unbalanced quote', 'video"', 'NEAR(video diffusion, 3)', "*", "vid*", "a*", '" OR OR "', "OR", "-",
           "ti:", "au:", "cat:", "year:abc", "after:2025-13-45", "^video", "title:video", "video AND", "((((",
           "'; DROP TABLE papers_paper; --", "<script>alert(1)</script>", "\x00video\x00", "\ud800", "   ",
           "", "x" * 10_240, "video " * 3000, "-video", "😀 emoji", "ﾃｽﾄ", "\\", "%_%", "{}[]"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_fail(catalogue, client, text):
    result = search(text)
    assert isinstance(result.total, int)
    raw = "q=" + quote(text, safe="", errors="surrogatepass")  # as a browser would send the bytes
    page = client.get(f"/search?{raw}")
    assert page.status_code == 200
    api = client.get(f"/api/search?{raw}")
    assert api.status_code == 200
    assert api.json()["total"] == result.total
    assert Paper.objects.count() == len(catalogue)


def test_malformed_queries_get_clear_messages(catalogue):
    assert any("unbalanced quote" in m for m in search('"video diffusion').messages)
    assert any("longer than" in m for m in search("x" * 10_240).messages)
    assert any("Nothing to search" in m for m in search("-").messages)
    assert any("need at least one word" in m for m in search("-video").messages)
    assert search("").messages == []  # an empty box is not an error
    assert any("Unknown sort" in m for m in search("video", sort="bogus").messages)


def test_highlighting_escapes_before_marking():
    matcher = Matcher(["script", "alert"])
    html = highlight('<script>alert("x")</script> & alerts', matcher)
    assert "<script>" not in html and "&lt;" in html and "&amp;" in html
    assert html.count("<mark>") == 4  # script x2, alert, alerts (a stemmed match)


def test_results_are_highlighted_and_safe(db, search_env, client):
    from tests.factories import XSS_ABSTRACT, make_papers

    make_papers(date(2025, 5, 1), count=2, title="Robust <b>sorting</b> networks", abstract=XSS_ABSTRACT)
    result = search("sorting nothing")
    assert result.hits
    hit = result.hits[0]
    assert "<mark>sorting</mark>" in hit.title_html and "<b>" not in hit.title_html
    assert "<script>" not in hit.snippet_html and "<mark>nothing</mark>" in hit.snippet_html
    body = client.get("/search", {"q": "sorting nothing"}).content.decode()
    assert "<script>window" not in body and "<mark>sorting</mark>" in body


# ---------------------------------------------------------------- sorting and paging


def test_sort_by_date_and_popularity(catalogue):
    by_date = papers(search("learning", sort="date", limit=50))
    days = [p.announced for p in by_date]
    assert days == sorted(days, reverse=True)
    relevance = papers(search("learning", limit=50))
    favourite = relevance[-1]
    from academichub.daily.models import PaperStats

    PaperStats.objects.create(paper=favourite, upvotes=1, external_upvotes=98, points=99)
    assert papers(search("learning", sort="popularity", limit=50))[0] == favourite


def test_pages_do_not_overlap(catalogue):
    first, second = search("learning", limit=10), search("learning", page=2, limit=10)
    assert first.total == second.total > 20
    assert not set(first.ids) & set(second.ids)
    assert second.page == 2 and first.pages == second.pages


# ---------------------------------------------------------------- Chinese


def test_chinese_query_is_translated_and_searched(catalogue):
    embed_all()
    result = search("视频 扩散模型", limit=20)
    assert result.translated_query == "video diffusion model"
    assert result.mode == "hybrid" and result.total > 0
    top = papers(result)[:5]
    assert all("video" in text_of(p) and "diffusion" in text_of(p) for p in top)
    assert "<mark>" in result.hits[0].title_html + result.hits[0].snippet_html


def test_chinese_words_without_translation_are_reported(catalogue):
    result = search("视频 锟斤拷")
    assert any("Not translated" in m for m in result.messages)
    assert result.total > 0  # the known word is still searched


# ---------------------------------------------------------------- similar papers


def test_similar_papers_fuse_neighbours_and_title_overlap(catalogue):
    embed_all()
    paper = Paper.objects.filter(title_text__icontains="video").order_by("id").first()
    items = similar(paper, limit=8)
    assert 0 < len(items) <= 8
    assert paper.pk not in [item.paper.pk for item in items]
    assert any(item.keyword_rank and item.semantic_rank for item in items)
    assert [item.score for item in items] == sorted((item.score for item in items), reverse=True)


def test_similar_works_without_embeddings_and_within_candidates(catalogue):
    paper = Paper.objects.filter(title_text__icontains="video").order_by("id").first()
    assert similar(paper)  # keyword overlap alone
    pool = list(Paper.objects.exclude(pk=paper.pk).values_list("pk", flat=True)[:30])
    embed_all()
    assert {item.paper.pk for item in similar(paper, candidates=pool, limit=50)} <= set(pool)


def test_similar_on_the_paper_page_and_in_the_api(catalogue, client):
    embed_all()
    paper = Paper.objects.filter(title_text__icontains="video").order_by("id").first()
    page = client.get(f"/paper/{paper.arxiv_id}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="similar"' in body
    api = client.get(f"/api/papers/{paper.arxiv_id}/similar", {"limit": 5})
    assert api.status_code == 200
    ids = [item["id"] for item in api.json()["results"]]
    assert ids == [item.paper.pk for item in similar(paper, limit=5)]
    for pid in ids:
        assert f'data-paper-id="{pid}"' in body
    missing = client.get("/api/papers/2599.99999/similar")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/papers/{paper.pk}/similar", {"limit": 0}).status_code == 400


def test_similar_by_facet_on_the_engine_the_page_and_the_api(catalogue, client):
    embed_all()
    paper = Paper.objects.filter(title_text__icontains="video").order_by("id").first()
    overall = [item.paper.pk for item in similar(paper, limit=8)]
    by_method = similar(paper, limit=8, facet="method")
    assert by_method and paper.pk not in [item.paper.pk for item in by_method]
    assert [item.paper.pk for item in by_method] != overall  # a different question, a different answer
    pool = list(Paper.objects.exclude(pk=paper.pk).values_list("pk", flat=True)[:25])
    assert {i.paper.pk for i in similar(paper, candidates=pool, limit=50, facet="result")} <= set(pool)
    with pytest.raises(ValueError):
        similar(paper, facet="colour")
    api = client.get(f"/api/papers/{paper.arxiv_id}/similar", {"limit": 8, "facet": "method"}).json()
    assert api["facet"] == "method" and [r["id"] for r in api["results"]] == [i.paper.pk for i in by_method]
    bad = client.get(f"/api/papers/{paper.arxiv_id}/similar", {"facet": "colour"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_facet"
    body = client.get(f"/paper/{paper.arxiv_id}", {"similar": "method"}).content.decode()
    assert '<strong aria-current="true">Same method</strong>' in body
    assert all(f'data-paper-id="{i.paper.pk}"' in body for i in by_method)
    assert 'href="?similar=result#similar-heading"' in body
    ignored = client.get(f"/paper/{paper.arxiv_id}", {"similar": "<script>"})
    assert ignored.status_code == 200 and "<script>" not in ignored.content.decode().split('class="similar"')[1]


def test_the_worker_computes_the_newest_papers_similar_lists_before_a_reader_asks(catalogue, client, monkeypatch):
    from django.core.cache import cache

    from academichub.search import engine, tasks

    cache.clear()
    newest = list(Paper.objects.exclude(announced=None).order_by("-announced", "-id")[:5])
    assert engine.warm_similar(newest=5) == 5
    assert engine.warm_similar(newest=5) == 0  # all cached: nothing to do
    expected = [item.paper.pk for item in engine.similar(newest[0], limit=engine.PAGE_SIMILAR_LIMIT)]

    def not_again(*args, **kwargs):
        raise AssertionError("computed on a page although the worker had")

    monkeypatch.setattr(engine, "similar", not_again)
    body = client.get(f"/paper/{newest[0].arxiv_id}").content.decode()
    assert all(f'data-paper-id="{pk}"' in body for pk in expected)
    assert tasks.warm_similar_papers.call_local() == 0  # a per-process cache: the web would never see it


# ---------------------------------------------------------------- page == API


@pytest.mark.parametrize("params", [
    {"q": "video diffusion"},
    {"q": "learning", "category": "cs.CV", "sort": "date"},
    {"q": "model", "after": "2025-06-01", "page": "2", "limit": "10"},
    {"q": "视频 扩散模型"},
    {"q": "cat:cs.RO"},
    {"q": '"video diffusion'},
])  # fmt: skip
def test_search_page_and_api_return_the_same_results(catalogue, client, params):
    embed_all()
    page = client.get("/search", params)
    api = client.get("/api/search", params)
    assert page.status_code == api.status_code == 200
    data = api.json()
    page_ids = [int(i) for i in re.findall(r'class="card search-hit" id="paper-(\d+)"', page.content.decode())]
    assert page_ids == [item["id"] for item in data["results"]]
    assert data["total"] > 0 and page_ids


def test_htmx_request_gets_only_the_results(catalogue, client):
    full = client.get("/search", {"q": "video"}).content.decode()
    partial = client.get("/search", {"q": "video"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in full and "<html" not in partial and "search-hit" in partial


def test_search_page_in_chinese(catalogue, client):
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/search", {"q": "video"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "筛选与排序" in body and "条结果" in body
    body = client.get("/search", {"q": '"video'}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "引号不成对" in body  # the parser's own messages are translated too


def test_engine_limits_are_clamped(catalogue):
    result = search("learning", page=10_000, limit=10_000)
    assert result.limit == engine.MAX_LIMIT and result.page == engine.MAX_PAGES
    assert search("learning", page="x", limit=None).page == 1


# ---------------------------------------------------------------- cached rankings


def test_rankings_are_cached_until_the_catalogue_changes(catalogue, django_assert_max_num_queries):
    from academichub.papers.storage import CatalogueWriter
    from academichub.core.records import PaperRecord

    first = search("video diffusion", limit=10)
    with django_assert_max_num_queries(8):  # catalogue state + hits; no keyword or vector search
        again = search("video diffusion", limit=10)
    assert [h.paper.pk for h in again.hits] == [h.paper.pk for h in first.hits]
    assert again.mode == first.mode and again.messages == first.messages
    CatalogueWriter("test").write([PaperRecord(arxiv_id="2601.99999", title="Video diffusion video diffusion",
                                               abstract="Video diffusion for video diffusion.", authors=["A B"])])
    fresh = search("video diffusion", limit=10)
    assert "2601.99999" in [h.paper.arxiv_id for h in fresh.hits]


def test_a_cache_outage_does_not_fail_search(catalogue, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assert search("video diffusion", limit=5).hits
