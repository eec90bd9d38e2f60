"""The optimised scorer ranks exactly as the straightforward one did (real abstracts, no Django).

``tests/fixtures/built_radar_ranking_golden.json`` holds the top 50 (ids,
scores, reasons) and eligible counts that the scorer produced on the fixed
case of ``tests/radar_case.py`` before the positional text index, the
single stacked vector product and the partial sort; see the builder script
beside it. The keyword masks are also checked, term by term, against
``interests.find_term``, the per-paper rule they implement.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from academichub.core.interests import TextIndex, find_term, parse_keywords
from academichub.core.ranking import score_candidates
from tests import radar_case


@pytest.fixture(scope="module")
def case(cs_corpus):
    candidates, _ = radar_case.build_candidates(radar_case.load_records(cs_corpus))
    return candidates


@pytest.mark.parametrize("name", ["bench", "similarity", "phrases", "open"])
def test_same_ranking_as_before_the_fast_path(case, name):
    golden = json.loads(radar_case.GOLDEN.read_text(encoding="utf-8"))[name]
    profile, hidden = radar_case.profiles(case)[name]
    now = radar_case.snapshot(score_candidates(case, profile, limit=50, hidden=hidden))
    assert now["eligible"] == golden["eligible"]
    assert [i[0] for i in now["items"]] == [i[0] for i in golden["items"]]
    assert np.allclose([i[1] for i in now["items"]], [i[1] for i in golden["items"]], atol=2e-5)
    assert [i[2] for i in now["items"]] == [i[2] for i in golden["items"]]


def test_the_top_k_is_the_head_of_the_full_ranking(case):
    """The partial sort (limit) returns the same head as ranking everything, ties included."""
    profile, hidden = radar_case.profiles(case)["similarity"]
    everything = score_candidates(case, profile, hidden=hidden)
    for limit in (1, 7, 50):
        head = score_candidates(case, profile, limit=limit, hidden=hidden)
        assert [i.paper_id for i in head.items] == [i.paper_id for i in everything.items[:limit]]


TERMS = ('agent "language model" planning reasoning diffusion* ti:segmentation abs:"point cloud" '
         '"large language models" "chain of thought" "reinforcement learning from human feedback" '
         '"vision language" model a "a survey" "of the" x zzzz "zzzz model" "model zzzz" "in the*" 3d '
         '"3d gaussian" llm transformer* "state space model" "the the" 1 "of"')  # fmt: skip


@pytest.mark.parametrize("field", ["title", "abstract"])
def test_text_index_masks_follow_find_term(case, field):
    texts = case.titles if field == "title" else case.abstracts
    index = TextIndex(texts)
    checked = 0
    for clause in parse_keywords(TERMS).clauses:
        for term in clause.terms:
            if term.field not in (None, field):
                continue
            expected = [find_term(term, t if field == "title" else " ", t if field == "abstract" else " ") == field
                        for t in texts]  # fmt: skip
            assert index.mask(term).tolist() == expected, term
            checked += 1
    assert checked > 25


def test_text_index_edge_cases():
    index = TextIndex([" agents plan ", " ", " agentic planning agent "])
    terms = parse_keywords('agent "plan" "agent planning" "agentic planning" planx').positive
    masks = [index.mask(c.terms[0]).tolist() for c in terms]
    assert masks == [[True, False, True], [True, False, False],   # "planning" runs on by 4 > 3 letters
                     [False, False, False], [False, False, True],
                     [False, False, False]]  # fmt: skip
    assert TextIndex([]).mask(terms[0].terms[0]).tolist() == []
