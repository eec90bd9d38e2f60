"""The radar's pure core: keyword clauses, the scoring function, learning, diversity, namesakes."""

from __future__ import annotations

import numpy as np
import pytest

from academichub.core.embeddings import HashingEmbedderForTests
from academichub.core.interests import add_clause, match_text, parse_keywords, remove_clause
from academichub.core.people import AuthoredPaper, split_people
from academichub.core.ranking import (
    Candidates, FollowedAuthor, Profile, Weights, diversify, fit_preference_model, score_candidates,
)  # fmt: skip

EMBED = HashingEmbedderForTests(256)
# author ids
CHENRUI_WU, CHENRUI_SHI, YUWEI_WU, OTHER = 1, 2, 3, 4


def candidates(papers: list[dict], *, vectors: bool = True) -> Candidates:
    """papers: dicts with title, abstract, authors (ids), categories, age, upvotes."""
    texts = [f"{p['title']}. {p.get('abstract', '')}" for p in papers]
    return Candidates(
        ids=[p.get("id", i + 1) for i, p in enumerate(papers)],
        titles=[match_text(p["title"]) for p in papers],
        abstracts=[match_text(p.get("abstract", "")) for p in papers],
        authors=[tuple(p.get("authors", (OTHER,))) for p in papers],
        categories=[tuple(p.get("categories", ("cs.CL",))) for p in papers],
        ages=np.array([p.get("age", 3) for p in papers], dtype=float),
        upvotes=np.array([p.get("upvotes", 0) for p in papers], dtype=float),
        vectors=EMBED.embed(texts) if vectors else None,
    )  # fmt: skip


def reasons_of(ranking, paper_id):
    item = next(i for i in ranking.items if i.paper_id == paper_id)
    return [(r.code, r.params) for r in item.reasons]


# ------------------------------------------------------------------ keyword clauses


def test_keyword_line_round_trips_through_chips():
    text = 'agent "tool use" planning OR reasoning -survey'
    keywords = parse_keywords(text)
    assert [c.source for c in keywords.clauses] == ["agent", '"tool use"', "planning OR reasoning", "-survey"]
    assert remove_clause(text, "planning OR reasoning") == 'agent "tool use" -survey'
    assert remove_clause(text, "-survey") == 'agent "tool use" planning OR reasoning'
    assert add_clause("agent", "benchmark", excluded=True) == "agent -benchmark"
    assert add_clause("agent", "Agent") == "agent"  # no duplicate chip


def test_keyword_reasons_say_where_and_exclusions_drop_papers():
    papers = candidates([
        {"id": 1, "title": "Multimodal Agents Explore Tools", "abstract": "Step-wise preference tuning."},
        {"id": 2, "title": "Preference Tuning at Scale", "abstract": "An agent learns to call tools."},
        {"id": 3, "title": "A Survey of Agents", "abstract": "We review agent work."},
        {"id": 4, "title": "Protein Folding", "abstract": "Nothing about the topic."},
    ])
    ranked = score_candidates(papers, Profile(keywords=parse_keywords("agent -survey")))
    assert [i.paper_id for i in ranked.items] == [1, 2]     # 3 excluded, 4 matches nothing
    assert ("keyword", {"term": "agent", "where": "title"}) in reasons_of(ranked, 1)
    assert ("keyword", {"term": "agent", "where": "abstract"}) in reasons_of(ranked, 2)
    assert ranked.eligible == 2


def test_or_and_phrases_and_stems():
    papers = candidates([
        {"id": 1, "title": "Planning with language models"},
        {"id": 2, "title": "Chain-of-thought reasoning"},
        {"id": 3, "title": "Tool use in agentic systems"},
        {"id": 4, "title": "Tools used badly"},          # not the phrase "tool use"
        {"id": 5, "title": "Agencies and ageing"},        # "agent" must not match "agencies"
    ])
    ranked = score_candidates(papers, Profile(keywords=parse_keywords('planning OR reasoning "tool use" agent')))
    assert sorted(i.paper_id for i in ranked.items) == [1, 2, 3]


# ------------------------------------------------------------------ authors


def test_followed_author_matches_by_id_never_by_pieces_of_two_names():
    """The reference screen's defect: "Chenrui Wu" matched a paper by Chenrui Shi and Yuwei Wu."""
    papers = candidates([
        {"id": 1, "title": "SPORT: tool usage exploration", "authors": (CHENRUI_SHI, YUWEI_WU)},
        {"id": 2, "title": "Another paper", "authors": (OTHER, CHENRUI_WU)},
    ])
    profile = Profile(authors=(FollowedAuthor(CHENRUI_WU, "Chenrui Wu"),))
    ranked = score_candidates(papers, profile)
    assert [i.paper_id for i in ranked.items] == [2]
    assert reasons_of(ranked, 2)[0] == ("author", {"name": "Chenrui Wu"})


def test_a_narrowed_author_needs_a_shared_coauthor_or_category():
    papers = candidates([
        {"id": 1, "title": "x", "authors": (CHENRUI_WU, 50), "categories": ("cs.CV",)},
        {"id": 2, "title": "y", "authors": (CHENRUI_WU, 60), "categories": ("q-bio.NC",)},
        {"id": 3, "title": "z", "authors": (CHENRUI_WU, 70), "categories": ("cs.RO",)},
    ])
    person = FollowedAuthor(CHENRUI_WU, "Chenrui Wu", coauthors=frozenset({50}), categories=frozenset({"cs.RO"}))
    ranked = score_candidates(papers, Profile(authors=(person,)))
    assert sorted(i.paper_id for i in ranked.items) == [1, 3]


def test_namesakes_are_grouped_by_shared_coauthors():
    papers = [
        AuthoredPaper(1, frozenset({10, 11}), ("cs.CV",)),
        AuthoredPaper(2, frozenset({11, 12}), ("cs.CV",)),
        AuthoredPaper(3, frozenset({12}), ("cs.LG",)),
        AuthoredPaper(4, frozenset({90}), ("q-bio.NC",)),
        AuthoredPaper(5, frozenset(), ("cs.CV",)),
    ]
    groups = split_people(papers)
    assert [sorted(g.paper_ids) for g in groups] == [[1, 2, 3], [5], [4]]
    assert groups[0].categories[0] == ("cs.CV", 2)
    assert groups[0].coauthors[0] == (11, 2) or groups[0].coauthors[0] == (12, 2)


# ------------------------------------------------------------------ the other signals


def test_categories_recency_and_popularity_are_bounded_tie_breakers():
    papers = candidates([
        {"id": 1, "title": "Agents", "categories": ("cs.CL",), "age": 6},
        {"id": 2, "title": "Agents", "categories": ("cs.AI", "cs.CL"), "age": 6},
        {"id": 3, "title": "Agents", "categories": ("cs.CL",), "age": 0},
        {"id": 4, "title": "Agents", "categories": ("cs.CL",), "age": 6, "upvotes": 40},
        {"id": 5, "title": "Unrelated", "categories": ("cs.CL",)},
    ])
    ranked = score_candidates(papers, Profile(keywords=parse_keywords("agent"), categories=frozenset({"cs.CL"})))
    scores = {i.paper_id: i.score for i in ranked.items}
    assert scores[1] > scores[2]               # primary beats cross-list
    assert scores[3] > scores[1]               # newer
    assert scores[4] > scores[1]               # popular
    assert ("popular", {"upvotes": 40}) in reasons_of(ranked, 4)
    assert ("new", {}) in reasons_of(ranked, 3)
    assert scores[5] < min(scores[k] for k in (1, 2, 3, 4))   # category alone ranks below keyword matches
    assert max(scores[k] for k in (3, 4)) - scores[1] < Weights().keyword  # never outweigh a keyword


def test_liked_papers_and_interest_give_semantic_reasons():
    liked = EMBED.embed(["graph neural networks for molecules. message passing on molecular graphs",
                         "molecular property prediction with graph neural networks",
                         "graph neural networks for molecular property prediction on graphs"])  # fmt: skip
    papers = candidates([
        {"id": 1, "title": "Graph neural networks for molecular property prediction",
         "abstract": "message passing on molecular graphs"},
        {"id": 2, "title": "Speech recognition for low-resource languages", "abstract": "acoustic models"},
    ])  # fmt: skip
    interest = EMBED.embed(["speech recognition acoustic models languages"])[0]
    ranked = score_candidates(papers, Profile(liked=liked, interest=interest))
    assert ("liked", {"n": 3}) in reasons_of(ranked, 1)
    assert ("interest", {}) in reasons_of(ranked, 2)


def test_a_dislike_pushes_similar_papers_down_at_once():
    papers = candidates([
        {"id": 1, "title": "Agents for web navigation", "abstract": "browser agent clicks web pages"},
        {"id": 2, "title": "Agents for robot control", "abstract": "robot arm agent grasps objects"},
    ])
    profile = Profile(keywords=parse_keywords("agent"))
    before = [i.paper_id for i in score_candidates(papers, profile).items]
    profile.disliked = EMBED.embed(["Agents for web navigation. browser agent clicks web pages on the web"])
    after = [i.paper_id for i in score_candidates(papers, profile).items]
    assert before == [2, 1] or before == [1, 2]
    assert after == [2, 1]
    profile.disliked = EMBED.embed(["Agents for robot control. robot arm agent grasps objects with a robot"])
    assert [i.paper_id for i in score_candidates(papers, profile).items] == [1, 2]


# ------------------------------------------------------------------ learning


def _topic(word: str, n: int, start: int) -> list[str]:
    return [f"{word} {word} study number {start + k} about {word} methods and {word} data" for k in range(n)]


def test_no_model_until_enough_ratings_of_both_kinds():
    x = EMBED.embed(_topic("vision", 5, 0) + _topic("speech", 5, 0))
    assert fit_preference_model(x[:7], np.array([1, 1, 1, 1, 1, 0, 0])) is None     # too few
    assert fit_preference_model(x, np.array([1] * 9 + [0])) is None                 # one dislike only
    assert fit_preference_model(x, np.array([1] * 5 + [0] * 5)) is not None


def test_learned_model_takes_over_and_flips_the_ranking():
    liked_words, disliked_words = "vision", "speech"
    train = EMBED.embed(_topic(liked_words, 6, 0) + _topic(disliked_words, 6, 0))
    model = fit_preference_model(train, np.array([1] * 6 + [0] * 6))
    papers = candidates([
        {"id": 1, "title": "speech methods", "abstract": "speech data study"},
        {"id": 2, "title": "vision methods", "abstract": "vision data study"},
    ])
    ranked = score_candidates(papers, Profile(model=model))
    assert [i.paper_id for i in ranked.items] == [2, 1]
    assert any(code == "taste" for code, _ in reasons_of(ranked, 2))
    flipped = fit_preference_model(train, np.array([0] * 6 + [1] * 6))
    assert [i.paper_id for i in score_candidates(papers, Profile(model=flipped)).items] == [1, 2]


# ------------------------------------------------------------------ diversity


def test_mmr_keeps_near_duplicates_out_of_one_batch():
    papers = candidates([
        {"id": 1, "title": "Agents agents for tool use", "abstract": "tool agents tool"},
        {"id": 2, "title": "Agents agents for tool use", "abstract": "tool agents tool"},   # a copy
        {"id": 3, "title": "Agent benchmarks for planning", "abstract": "planning evaluation", "age": 9},
    ])
    ranked = score_candidates(papers, Profile(keywords=parse_keywords("agent")))
    plain = [i.paper_id for i in ranked.items[:2]]
    varied = [i.paper_id for i in diversify(ranked.items, papers.vectors, 2)]
    assert set(plain) == {1, 2}
    assert 3 in varied and len(set(varied) & {1, 2}) == 1


def test_without_vectors_everything_still_ranks():
    papers = candidates([{"id": 1, "title": "Agents"}, {"id": 2, "title": "Nothing"}], vectors=False)
    ranked = score_candidates(papers, Profile(keywords=parse_keywords("agent"), interest=None))
    assert [i.paper_id for i in ranked.items] == [1]
    assert [i.paper_id for i in diversify(ranked.items, None, 5)] == [1]


@pytest.mark.parametrize("size", [0, 1])
def test_tiny_inputs(size):
    papers = candidates([{"id": 1, "title": "Agents"}][:size])
    assert score_candidates(papers, Profile()).eligible == size
