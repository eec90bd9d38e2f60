"""Briefings from a RECORDED real model: SmolLM2-135M-Instruct's answers, replayed on loopback.

``tests/fixtures/briefings/smollm2-135m-recorded.json`` holds the answers
llama-cpp-python gave when serving SmolLM2-135M-Instruct to
``bench/record_llm.py`` (same 80 papers, same prompts). Replaying them
through a server speaking the OpenAI protocol runs the real HTTP client,
the streaming reader and the grounding check on what a real small model
writes, without building llama.cpp in CI. ``tests/test_briefing_live.py``
(``-m slow``) runs the model itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from academichub.core.briefing import build_briefing
from academichub.core.briefing.llm import OpenAICompatible
from academichub.core.briefing.render import to_markdown
from academichub.core.briefing.text import numbers, parse_citations
from tests.briefing_data import cs_papers, minilm
from tests.openai_server import FakeOpenAI

RECORDING = Path(__file__).parent / "fixtures" / "briefings" / "smollm2-135m-recorded.json"


@pytest.fixture(scope="module")
def recording() -> dict:
    return json.loads(RECORDING.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_recorded_small_model_answers_end_in_grounded_briefings(recording, language):
    papers = list(cs_papers())[:80]
    assert [p.key for p in papers] == recording["papers"]
    with FakeOpenAI(recording=RECORDING) as server:
        llm = OpenAICompatible(server.base_url, recording["model"], max_retries=0)
        briefing = build_briefing(papers, minilm, language=language, backend=llm)
        asked = len(server.bodies)
    assert not briefing.usage.errors, "a prompt changed since the recording: run bench/record_llm.py again"
    assert asked == briefing.usage.calls >= 2
    valid = {e.n for e in briefing.catalogue}
    body = re.split(r"\n## (?:References|参考文献)", to_markdown(briefing))[0]
    assert set(int(n) for n in re.findall(r"\[(\d+)\]", body)) <= valid
    sources = {i + 1: f"{p.title} {p.abstract}" for i, p in enumerate(papers)}
    for section in briefing.sections:
        if section.engine == "offline":
            continue
        for sentence in section.sentences:  # no number the cited abstracts do not state
            stated = numbers(sentence.text)
            assert not stated or stated <= set().union(*(numbers(sources[n]) for n in sentence.cites)) | _context(briefing)
    g = briefing.grounding
    written = [s for s in briefing.sections if s.kind in ("overview", "theme")]
    assert len([s for s in written if s.engine != "offline"]) + g.regenerated_sections == len(written)
    assert g.unresolved_removed + g.unsupported_numbers > 0  # this model invents: the check caught it
    print(language, g.to_dict())


def _context(briefing) -> set[str]:
    """Numbers the prompts state themselves (paper and theme counts)."""
    counts = [len(briefing.catalogue), len(briefing.themes)] + [len(t.members) for t in briefing.themes] + [3]
    return {str(c) for c in counts if c >= 10} | {str(c) for c in counts}


def test_the_recording_is_of_the_real_model(recording):
    assert "RECORDED" in recording["what"] and "SmolLM2-135M" in recording["server"]
    texts = [a["text"] for a in recording["answers"].values()]
    assert texts and all(isinstance(t, str) for t in texts)
    assert any(parse_citations(t) for t in texts)
