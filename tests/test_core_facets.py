"""Facet sentences of an abstract: what "same problem / method / results" search by."""

from __future__ import annotations

import pytest

from academichub.core.facets import FACETS, facet_abstract, facet_sentences, sentences

ABSTRACT = ("Open-vocabulary detection remains hard for small objects. Existing detectors miss them in clutter. "
            "We propose a multi-scale prompt tuning method that aligns region features with text. "
            "Experiments on LVIS show that our method outperforms the strongest baseline by 3.1 AP.")


def test_sentences_split_after_full_stops_before_capitals():
    assert len(sentences(ABSTRACT)) == 4
    assert sentences("e.g. a value of 3.5 is kept. Next") == ["e.g. a value of 3.5 is kept.", "Next"]
    assert sentences("") == []


def test_each_facet_picks_its_sentences():
    assert facet_sentences(ABSTRACT, "background") == sentences(ABSTRACT)[:2]
    assert facet_sentences(ABSTRACT, "method") == [sentences(ABSTRACT)[2]]
    assert facet_sentences(ABSTRACT, "result") == [sentences(ABSTRACT)[3]]


def test_a_facet_never_comes_back_empty():
    plain = "A survey of graph databases. It lists systems."
    for facet in FACETS:
        assert facet_sentences(plain, facet)
    assert facet_abstract("", "method") == ""
    with pytest.raises(ValueError):
        facet_sentences(ABSTRACT, "colour")
