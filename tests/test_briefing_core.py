"""The briefing pipeline on real arXiv papers, without Django or a model."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from academichub.core.briefing import build_briefing
from academichub.core.briefing.bridges import archive_of, between_themes, cross_listed, method_travel
from academichub.core.briefing.cluster import choose_themes, silhouette
from academichub.core.briefing.grounding import check_sentences, parse_paragraphs, verify_briefing
from academichub.core.briefing.labels import ctfidf, top_phrases
from academichub.core.briefing.model import BriefPaper, Sentence, Theme
from academichub.core.briefing.render import to_markdown
from academichub.core.briefing.select import paper_tokens, select_papers
from academichub.core.briefing.text import contribution, parse_citations, terms
from tests.briefing_data import all_arxiv_papers, cs_papers, minilm

CITE = re.compile(r"\[(\d+)\]")


def blobs(k: int, per: int, dim: int = 32, spread: float = 0.15, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    rows = [centres[c] + spread * rng.normal(size=(per, dim)) * np.linalg.norm(centres[c]) / np.sqrt(dim) for c in range(k)]
    return np.vstack(rows), np.repeat(np.arange(k), per)


# ------------------------------------------------------------------ selection


def test_token_budget_keeps_the_best_ranked_prefix():
    papers = list(cs_papers())[:40]
    budget = sum(paper_tokens(p) for p in papers[:10]) + 5
    chosen = select_papers(papers, budget_tokens=budget)
    assert [p.key for p in chosen.papers] == [p.key for p in papers[:10]]
    assert chosen.tokens <= budget and chosen.dropped == 30
    assert len(select_papers(papers, max_papers=7).papers) == 7
    with pytest.raises(ValueError):
        select_papers(papers, budget_tokens=0)


# ------------------------------------------------------------------ number of themes


@pytest.mark.parametrize("k", [2, 4, 6])
def test_silhouette_picks_the_number_of_blobs(k):
    vectors, truth = blobs(k, 25)
    found = choose_themes(vectors, k_max=9)
    assert found.k == k
    assert max(found.tried, key=found.tried.get) == k
    # each found cluster is one blob
    for c in range(found.k):
        assert len(set(truth[found.labels == c])) == 1


def test_silhouette_matches_a_direct_computation():
    vectors, truth = blobs(3, 10, dim=8)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    distance = 1 - unit @ unit.T
    expected = []
    for i in range(len(unit)):
        same = truth == truth[i]
        a = distance[i, same & (np.arange(len(unit)) != i)].mean()
        b = min(distance[i, truth == c].mean() for c in set(truth.tolist()) - {truth[i]})
        expected.append((b - a) / max(a, b))
    assert silhouette(unit, truth) == pytest.approx(np.mean(expected), abs=1e-5)


def test_tiny_sets_make_one_theme_and_small_clusters_are_folded():
    vectors, _ = blobs(2, 2)
    assert choose_themes(vectors).k == 1
    vectors, _ = blobs(3, 12)
    odd = np.vstack([vectors, vectors[:1] * -1])  # one outlier must not become a theme
    found = choose_themes(odd, min_size=3)
    assert np.bincount(found.labels).min() >= 3


def test_themes_on_real_papers_follow_their_fields():
    papers = list(cs_papers())
    found = choose_themes(minilm(papers), k_max=8)
    assert 3 <= found.k <= 7, found.tried
    fields = np.array([p.primary for p in papers])
    purity = sum(Counter(fields[found.labels == c]).most_common(1)[0][1] for c in range(found.k)) / len(papers)
    assert purity >= 0.7, (purity, found.tried)


# ------------------------------------------------------------------ labels


def test_ctfidf_prefers_distinctive_terms():
    papers = [BriefPaper(i, f"Graph {w} study", f"We use graph methods for {w} {w} problems.") for i, w in
              enumerate(["protein", "protein", "protein", "galaxy", "galaxy", "galaxy"])]
    weights = ctfidf(papers, [0, 0, 0, 1, 1, 1])
    assert weights[0]["protein"] > weights[0]["graph"]
    assert "protein" in top_phrases(weights[0], 1)[0] and "galaxy" in top_phrases(weights[1], 1)[0]
    assert not any("galaxy" in p for p in top_phrases(weights[0], 5))


def test_a_phrase_replaces_the_word_it_contains():
    assert top_phrases({"diffusion": 1.0, "diffusion policy": 0.8, "robot": 0.5}, 2) == ["diffusion policy", "robot"]
    assert top_phrases({"diffusion": 1.0, "diffusion policy": 0.2, "robot": 0.5}, 2) == ["diffusion", "robot"]


def test_labels_on_real_themes_are_distinct_and_typical_of_their_theme():
    papers = list(cs_papers())
    briefing = build_briefing(papers, minilm, language="en")
    labels = [tuple(t.phrases[:3]) for t in briefing.themes]
    assert len(set(labels)) == len(labels)
    doc_terms = [set(terms(p.text)) for p in papers]
    for theme in briefing.themes:
        top = theme.phrases[0]
        inside = np.mean([top in doc_terms[i] for i in theme.members])
        outside = np.mean([top in doc_terms[i] for i in range(len(papers)) if i not in theme.members])
        assert inside > 2 * outside and sum(top in doc_terms[i] for i in theme.members) >= 2


# ------------------------------------------------------------------ bridges


def test_a_paper_halfway_between_two_related_themes_is_a_bridge():
    rng = np.random.default_rng(5)
    basis = np.linalg.qr(rng.normal(size=(16, 3)))[0].T
    centres = [basis[0], 0.5 * basis[0] + np.sqrt(0.75) * basis[1], basis[2]]  # themes 0 and 1 are related
    vectors = np.vstack([c + 0.25 * rng.normal(size=(20, 16)) / 4 for c in centres])
    middle = (centres[0] + centres[1]) / 2
    vectors = np.vstack([vectors, middle])
    found = choose_themes(vectors)
    assert found.k == 3
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    bridges = between_themes(unit, found.labels, found.centroids)
    assert [b.papers for b in bridges] == [[60]]
    assert sorted(bridges[0].themes) == sorted({int(found.labels[0]), int(found.labels[20])})
    far = np.vstack([vectors, -middle])  # an outlier close to nothing is no bridge
    found = choose_themes(far)
    assert 61 not in [b.papers[0] for b in between_themes(far / np.linalg.norm(far, axis=1, keepdims=True), found.labels, found.centroids)]


def test_methods_travel_and_cross_listings_are_found_across_archives():
    def paper(i, cats, text):
        return BriefPaper(i, text, f"{text} and more words", categories=cats)

    papers = [paper(0, ["cs.LG"], "graph neural network for molecules"), paper(1, ["cs.LG"], "graph neural network pruning"),
              paper(2, ["cond-mat.soft"], "graph neural network for glasses"), paper(3, ["math.CO"], "extremal combinatorics"),
              paper(4, ["q-bio.NC", "cs.LG"], "spiking neurons")] + [paper(5 + i, ["math.CO"], f"ramsey numbers {i}") for i in range(30)]
    themes = [Theme(0, [0, 1, 2], [0], ["graph neural"], [("cs.LG", 2)]), Theme(1, list(range(3, 35)), [3], ["ramsey"], [("math.CO", 9)])]
    travel = method_travel(papers, themes)
    assert travel and travel[0].phrase == "graph neural" and set(travel[0].fields) == {"cs", "cond-mat"}
    listed = cross_listed(papers, themes, np.array([0, 0, 0, 1, 0] + [1] * 30))
    assert [(b.papers, b.fields) for b in listed] == [([4], ["q-bio", "cs"])]


def test_a_briefing_across_arxiv_archives_finds_cross_domain_links():
    papers = list(all_arxiv_papers())
    assert len({archive_of(p.primary) for p in papers}) == 5
    briefing = build_briefing(papers, minilm, language="en", scope="all arXiv", window="sample")
    kinds = Counter(b.kind for b in briefing.bridges)
    assert kinds["cross_listed"] >= 1 and sum(kinds.values()) >= 3, kinds
    crossing = [b for b in briefing.bridges if b.kind in ("cross_listed", "method_travel")]
    assert any(len({archive_of(f) if "." in f else f for f in b.fields}) >= 2 for b in crossing)
    links = next(s for s in briefing.sections if s.kind == "links")
    assert links.sentences and all(s.cites for s in links.sentences)


# ------------------------------------------------------------------ composition and grounding


@pytest.fixture(scope="module")
def two_windows():
    papers = list(cs_papers(per_field=60))
    return papers[:160], papers[160:]


def _resolved(briefing, markdown):
    valid = {e.n for e in briefing.catalogue}
    body = markdown.split("\n## References")[0]
    return [int(n) for n in CITE.findall(body)], valid


@pytest.mark.parametrize("language", ["en", "zh"])
def test_offline_briefing_is_fully_grounded(two_windows, language):
    now, before = two_windows
    briefing = build_briefing(now, minilm, language=language, scope="cs", window="2025", previous=before)
    markdown = to_markdown(briefing)
    cited, valid = _resolved(briefing, markdown)
    assert cited and set(cited) <= valid
    assert briefing.grounding.unresolved_removed == 0
    assert briefing.grounding.uncited_share <= 0.10
    kinds = [s.kind for s in briefing.sections]
    assert kinds[0] == "overview" and "theme" in kinds and {"links", "notable", "trends"} <= set(kinds)
    assert all(t.share_before is not None for t in briefing.themes)
    for n in set(cited):  # each [n] is the paper the reference list names
        entry = briefing.entry(n)
        assert entry.key == now[n - 1].key and f"[{n}] arXiv:{entry.arxiv_id}" in markdown
    heading = {"en": "## Cross-domain links", "zh": "## 跨领域关联"}[language]
    assert heading in markdown


def test_zh_and_en_share_structure_and_citations(two_windows):
    now, before = two_windows
    en = build_briefing(now, minilm, language="en", previous=before)
    zh = build_briefing(now, minilm, language="zh", previous=before)
    assert [s.kind for s in en.sections] == [s.kind for s in zh.sections]
    assert [[x.cites for x in s.sentences] for s in en.sections] == [[x.cites for x in s.sentences] for s in zh.sections]
    assert re.search(r"[\u4e00-\u9fff]", zh.sections[0].sentences[0].text)
    assert not re.search(r"[\u4e00-\u9fff]", en.sections[0].sentences[0].text)


def test_grounding_removes_fabricated_citations_and_invented_numbers():
    sources = {1: "We reach 87.5% accuracy on ImageNet.", 2: "A survey of graph methods."}
    text = ("Paper one reaches 87.5% accuracy [1]. It also beats everything by 42% [1]. "
            "A survey covers graphs [2][9]. A claim about nothing real [7]. Uncited filler sentence here.")
    kept, report = check_sentences(parse_paragraphs(text), {1, 2}, sources)
    assert [s.text for s in kept] == ["Paper one reaches 87.5% accuracy.", "A survey covers graphs.",
                                      "Uncited filler sentence here."]
    assert [s.cites for s in kept] == [[1], [2], []]
    assert report.unresolved_removed == 2 and report.unsupported_numbers == 1 and report.dropped_sentences == 2
    assert report.uncited_sentences == 1 and "citation_removed" in kept[1].flags


def test_the_final_audit_removes_citations_outside_the_catalogue(two_windows):
    briefing = build_briefing(two_windows[0][:40], minilm)
    briefing.sections[0].sentences.append(Sentence("An invented claim", [999, 1]))
    audit = verify_briefing(briefing)
    assert audit.unresolved_removed == 1 and briefing.sections[0].sentences[-1].cites == [1]
    assert "[999]" not in to_markdown(briefing)


def test_citation_and_sentence_helpers():
    assert parse_citations("as shown [1], [2, 4] and [5-7] and [3–3]") == [1, 2, 4, 5, 6, 7, 3, 3]
    assert "We propose" in contribution("Deep nets are big. We propose a small one. It works.")
    assert [s.text for s in parse_paragraphs("## Heading\n- First point here [1].\n2. Second point, e.g. this [2].")] == \
        ["First point here.", "Second point, e.g. this."]


@pytest.mark.parametrize("comment, venue", [
    ("Accepted at CVPR 2026", "CVPR 2026"), ("accepted to NeurIPS 2025 (spotlight)", "NeurIPS 2025"),
    ("To appear in the Journal of Machine Learning Research", "Journal of Machine Learning Research"),
    ("12 pages, 5 figures", ""), ("Published in the proceedings of something", ""),
])  # fmt: skip
def test_venue_notes_come_from_the_comments(comment, venue):
    from academichub.core.briefing.analysis import venue_of

    assert venue_of(BriefPaper(1, "t", "a", comments=comment)) == venue
