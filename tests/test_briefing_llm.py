"""LLM backends against a loopback server speaking the OpenAI chat-completions protocol."""

from __future__ import annotations

import re

import pytest

from academichub.core.briefing import build_briefing
from academichub.core.briefing.llm import (Cached, Cascade, LLMError, MemoryCache, OpenAICompatible, Prices,
                                           backend_from, settings_from)  # fmt: skip
from academichub.core.briefing.render import to_markdown
from tests.briefing_data import cs_papers, minilm
from tests.openai_server import Answer, FakeOpenAI

NUMBERS = re.compile(r"^\[(\d+)\]", re.M)


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


def backend(server, **options) -> OpenAICompatible:
    options.setdefault("sleep", lambda s: None)
    return OpenAICompatible(server.base_url, options.pop("model", "small"), **options)


# ------------------------------------------------------------------ protocol


def test_whole_answer_with_usage_cost_and_key(server):
    server.script(Answer("Graph methods travel to chemistry [1]."))
    llm = backend(server, api_key="sk-test", stream=False, prices=Prices(input=1.0, output=2.0))
    result = llm.complete("Summarise", system="Be brief", max_tokens=50)
    assert result.text == "Graph methods travel to chemistry [1]."
    assert result.prompt_tokens > 0 and result.completion_tokens == 6 and not result.estimated
    assert result.cost == pytest.approx((result.prompt_tokens * 1.0 + 6 * 2.0) / 1e6)
    body, headers = server.bodies[0], server.headers[0]
    assert body["messages"] == [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Summarise"}]
    assert body["model"] == "small" and body["max_tokens"] == 50 and "stream" not in body
    assert headers["Authorization"] == "Bearer sk-test"


def test_streaming_delivers_tokens_as_they_come(server):
    text = "Diffusion policies now run on real robots [2]. They need fewer demonstrations [3]."
    server.script(Answer(text))
    pieces = []
    result = backend(server).complete("Go", on_token=pieces.append)
    assert server.bodies[0]["stream"] is True
    assert len(pieces) == len(text.split(" ")) and "".join(pieces) == text == result.text
    assert result.finish_reason == "stop" and result.completion_tokens == len(text.split())


def test_streaming_without_usage_estimates_tokens(server):
    server.script(Answer("A short answer [1].", usage=False))
    result = backend(server).complete("Go")
    assert result.estimated and result.completion_tokens == 4 and result.prompt_tokens > 0


def test_429_is_retried_after_the_time_it_asks(server):
    waits = []
    server.script(Answer(status=429, headers={"Retry-After": "2"}), Answer("Fine [1]."))
    result = backend(server, sleep=waits.append).complete("Go")
    assert result.text == "Fine [1]." and result.attempts == 2 and waits == [2.0]


def test_500_is_retried_with_backoff_then_fails_clearly(server):
    waits = []
    server.script(Answer(status=500))
    with pytest.raises(LLMError) as failure:
        backend(server, max_retries=2, backoff=0.5, sleep=waits.append).complete("Go")
    assert failure.value.code == "server_error" and "gave up after 3 attempts" in str(failure.value)
    assert len(server.bodies) == 3 and 0.5 <= waits[0] < waits[1] <= 1.2


def test_a_hung_server_times_out(server):
    server.script(Answer("late", delay=3))
    with pytest.raises(LLMError) as failure:
        backend(server, timeout=0.3, max_retries=1).complete("Go")
    assert failure.value.code == "timeout" and "ACADEMICHUB_LLM_TIMEOUT" in str(failure.value)
    assert len(server.bodies) == 2


@pytest.mark.parametrize("raw", [b"<html>oops</html>", b'{"choices": []}', b'{"object": "list"}'])
def test_malformed_answers_are_an_error_not_a_crash(server, raw):
    server.script(Answer(raw=raw))
    with pytest.raises(LLMError) as failure:
        backend(server, stream=False).complete("Go")
    assert failure.value.code == "malformed"


def test_refusals_are_not_retried(server):
    server.script(Answer(status=401))
    with pytest.raises(LLMError) as failure:
        backend(server).complete("Go")
    assert failure.value.code == "refused" and "ACADEMICHUB_LLM_API_KEY" in str(failure.value)
    assert len(server.bodies) == 1


def test_an_unreachable_server_is_a_clear_error():
    llm = OpenAICompatible("http://127.0.0.1:9/v1", "m", max_retries=0)
    with pytest.raises(LLMError) as failure:
        llm.complete("Go")
    assert failure.value.code == "unreachable" and "ACADEMICHUB_LLM_BASE_URL" in str(failure.value)


# ------------------------------------------------------------------ cache and cascade


def test_the_cache_answers_the_same_input_without_a_call(server, tmp_path):
    from academichub.core.briefing.llm import FileCache

    server.script(Answer("Once [1]."), Answer("Twice [1]."))
    for store in (MemoryCache(), FileCache(tmp_path)):
        server.bodies.clear()
        llm = Cached(backend(server, prices=Prices(1, 1)), store)
        first, second = llm.complete("Same"), llm.complete("Same")
        assert second.text == first.text and second.cached and not first.cached and second.cost == 0
        assert len(server.bodies) == 1
        llm.complete("Different")
        assert len(server.bodies) == 2


def test_cascade_uses_the_strong_model_only_when_needed(server):
    def answer(body):
        return Answer("" if body["model"] == "cheap" and "hard" in body["messages"][-1]["content"] else f"{body['model']} says [1].")

    server.responder = answer
    cascade = Cascade(backend(server, model="cheap"), backend(server, model="strong"))
    easy = cascade.complete("easy")
    assert easy.text == "cheap says [1]." and easy.tier == 0
    hard = cascade.complete("hard")
    assert hard.text == "strong says [1]." and hard.tier == 1
    assert [b["model"] for b in server.bodies] == ["cheap", "cheap", "strong"]


def test_settings_from_the_environment(tmp_path):
    assert backend_from(settings_from({})) is None
    env = {"ACADEMICHUB_LLM_BASE_URL": "http://127.0.0.1:1/v1", "ACADEMICHUB_LLM_MODEL": "qwen-turbo",
           "ACADEMICHUB_LLM_STRONG_MODEL": "qwen-max", "ACADEMICHUB_LLM_API_KEY": "k", "ACADEMICHUB_LLM_TIMEOUT": "5",
           "ACADEMICHUB_LLM_PRICE_IN": "0.3"}  # fmt: skip
    chosen = backend_from(settings_from(env), cache_dir=tmp_path)
    assert isinstance(chosen, Cascade) and chosen.model == "qwen-turbo→qwen-max"
    assert isinstance(chosen.cheap, Cached) and chosen.cheap.inner.timeout == 5 and chosen.cheap.inner.prices.input == 0.3
    single = backend_from(settings_from({**env, "ACADEMICHUB_LLM_STRONG_MODEL": ""}))
    assert isinstance(single, OpenAICompatible) and single.api_key == "k"
    with pytest.raises(LLMError):
        settings_from({**env, "ACADEMICHUB_LLM_TIMEOUT": "soon"})


# ------------------------------------------------------------------ the writer, grounded


def allowed_numbers(body) -> list[int]:
    return [int(n) for n in NUMBERS.findall(body["messages"][-1]["content"])] or \
        [int(n) for n in re.findall(r"\[(\d+)\]", body["messages"][-1]["content"])]


@pytest.fixture(scope="module")
def papers():
    return list(cs_papers())[:80]


def test_llm_briefing_keeps_grounded_sentences_and_streams(server, papers):
    def answer(body):
        n = allowed_numbers(body)
        return Answer(f"Work on this theme advances quickly [{n[0]}]. Another paper extends it [{n[-1]}][777]. "
                      f"It improves results by 99.9% [{n[0]}].")

    server.responder = answer
    streamed = []
    briefing = build_briefing(papers, minilm, backend=backend(server, model="small"),
                              on_progress=lambda stage, text: streamed.append(text))  # fmt: skip
    written = [s for s in briefing.sections if s.kind in ("overview", "theme")]
    assert written and all(s.engine == "small" for s in written)
    assert all(len(s.sentences) == 2 for s in written)  # the invented 99.9% was dropped
    g = briefing.grounding
    assert g.unresolved_removed == len(written) and g.unsupported_numbers == len(written)
    assert g.regenerated_sections == 0
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", to_markdown(briefing).split("## References")[0])]
    assert 777 not in cited and set(cited) <= {e.n for e in briefing.catalogue}
    assert any("advances quickly" in text for text in streamed)
    assert briefing.usage.calls == len(written) and briefing.usage.prompt_tokens > 0 and briefing.usage.models == ["small"]


def test_fabricated_only_answers_are_regenerated_offline(server, papers):
    server.responder = lambda body: Answer("Everything is solved [4242]. Nobody disagrees [5151].")
    briefing = build_briefing(papers, minilm, language="zh", backend=backend(server))
    written = [s for s in briefing.sections if s.kind in ("overview", "theme")]
    assert all(s.engine == "offline" for s in written)
    assert briefing.grounding.regenerated_sections == len(written) and briefing.grounding.unresolved_removed == 2 * len(written)
    assert briefing.grounding.uncited_share <= 0.10
    assert "4242" not in to_markdown(briefing)


def test_failures_end_in_an_offline_briefing_with_the_errors_recorded(server, papers):
    server.script(Answer(status=500))
    briefing = build_briefing(papers, minilm, backend=backend(server, max_retries=1))
    assert briefing.sections and all(s.engine == "offline" for s in briefing.sections)
    assert briefing.usage.errors and all("server_error" in e for e in briefing.usage.errors)
    assert briefing.grounding.regenerated_sections == len([s for s in briefing.sections if s.kind in ("overview", "theme")])


def test_writer_cascade_moves_to_the_strong_model_when_the_cheap_one_is_not_grounded(server, papers):
    def answer(body):
        n = allowed_numbers(body)
        if body["model"] == "cheap":
            return Answer(f"A fabricated claim [{900 + n[0]}]. A real one [{n[0]}].")
        return Answer(f"A careful summary of the theme [{n[0]}].")

    server.responder = answer
    cascade = Cascade(backend(server, model="cheap"), backend(server, model="strong"))
    briefing = build_briefing(papers, minilm, backend=cascade)
    written = [s for s in briefing.sections if s.kind in ("overview", "theme")]
    assert all(s.engine == "strong" for s in written)
    assert briefing.usage.models == ["cheap", "strong"] and briefing.usage.calls == 2 * len(written)
    assert briefing.grounding.unresolved_removed == 0


@pytest.mark.parametrize("failure", [
    Answer(status=429, headers={"Retry-After": "0"}), Answer(status=500), Answer("late [1].", delay=2),
    Answer(raw=b"\x00\xff not json"), Answer("[1] [2] [3]"), Answer(""),
    Answer("Plain prose that cites no paper at all. Another sentence without any source."),
], ids=["429", "500", "timeout", "malformed", "only-citations", "empty", "uncited-prose"])  # fmt: skip
def test_every_failure_ends_in_a_grounded_briefing(server, papers, failure):
    server.script(failure)
    briefing = build_briefing(papers, minilm, backend=backend(server, timeout=0.5, max_retries=1, stream=False))
    markdown = to_markdown(briefing)
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", markdown.split("## References")[0])]
    assert cited and set(cited) <= {e.n for e in briefing.catalogue}
    assert briefing.grounding.regenerated_sections == len([s for s in briefing.sections if s.kind in ("overview", "theme")])
    assert briefing.grounding.uncited_share <= 0.10
