"""Briefings for 10 fixed (scope, window) pairs over ../shared/data, scored for grounding.

    nice -n 10 .venv/bin/python bench/eval_briefings.py [--engine offline|llm] [--max-papers 100]

Radars are not built yet, so each "radar" is what a radar's feed would be:
a category (or archives) plus optional query words, ranked (query: most
matched words first; otherwise a stable hash order), over a window; the
window before it of the same length is the "previous window" for trends.
Seven pairs come from the CS corpus (announcement days); three span
several arXiv archives and come from the 200k all-arXiv sample (first
version dates). Vectors: MiniLM (int8), the project's embedder.

``--engine llm`` writes the overview and themes with an LLM: the server at
``ACADEMICHUB_LLM_BASE_URL`` if set, else SmolLM2-135M-Instruct started
locally by ``bench/llm_server.py``.

Per briefing it prints papers in, themes, bridges, citations, unresolved
citations (checked here, independently of the pipeline: every [n] in the
rendered text against the catalogue; goal 0), the share of sentences
without a citation (goal <= 10%), fabricated citations the grounding check
removed, sentences dropped for a number no cited abstract holds, the
sections the model wrote that passed the grounding check (the others are
the offline engine's), and seconds (embedding included). Ends with
``RESULT engine=... briefings=... unresolved_citations=... uncited_share=... bridges_total=... seconds_mean=...
sections_by_llm=...``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from academichub import paths  # noqa: E402
from academichub.core import dumps  # noqa: E402
from academichub.core.briefing import build_briefing  # noqa: E402
from academichub.core.briefing.bridges import archive_of  # noqa: E402
from academichub.core.briefing.model import from_record  # noqa: E402
from academichub.core.briefing.render import to_markdown  # noqa: E402
from academichub.core.embeddings import get_embedder  # noqa: E402

CS = "arxiv-cs-2025-2026.jsonl.gz"
ALL = "arxiv-all-2007-2017-sample200k.jsonl.gz"


@dataclass
class Pair:
    name: str
    data: str
    start: date
    end: date
    categories: tuple[str, ...] = ()  # primary category or archive codes; empty: any
    words: tuple[str, ...] = ()  # any of these in title/abstract; empty: no filter

    @property
    def previous(self) -> tuple[date, date]:
        length = (self.end - self.start).days + 1
        return self.start - timedelta(days=length), self.start - timedelta(days=1)


def d(text: str) -> date:
    return date.fromisoformat(text)


PAIRS = [
    Pair("cs.CL week", CS, d("2026-06-22"), d("2026-06-26"), ("cs.CL",)),
    Pair("cs.CV day", CS, d("2026-06-24"), d("2026-06-24"), ("cs.CV",)),
    Pair("cs.AI week", CS, d("2026-03-23"), d("2026-03-27"), ("cs.AI",)),
    Pair("cs.IT month", CS, d("2026-05-01"), d("2026-05-31"), ("cs.IT",)),
    Pair("robot manipulation month", CS, d("2026-06-01"), d("2026-06-30"), (), ("robot", "manipulation", "embodied")),
    Pair("cs.GT quarter", CS, d("2026-02-01"), d("2026-04-30"), ("cs.GT",)),
    Pair("diffusion week", CS, d("2026-05-25"), d("2026-05-29"), (), ("diffusion",)),
    Pair("all arXiv, 2016 Q1", ALL, d("2016-01-01"), d("2016-03-31")),
    Pair("networks across fields, 2014", ALL, d("2014-01-01"), d("2014-12-31"), ("cs", "physics", "q-bio", "cond-mat", "math", "stat"), ("network", "networks")),
    Pair("learning across fields, 2013-2015", ALL, d("2013-01-01"), d("2015-12-31"), ("q-bio", "physics", "cond-mat", "astro-ph", "stat", "math"), ("learning", "neural")),
]  # fmt: skip


def matches(pair: Pair, record, day: date | None) -> str | None:
    """"now", "before" or None: which window of the pair a record falls in."""
    if day is None:
        return None
    if pair.categories:
        code = record.categories[0] if record.categories else ""
        if code not in pair.categories and archive_of(code) not in pair.categories:
            return None
    if pair.words and not any(w in f"{record.title} {record.abstract}".lower() for w in pair.words):
        return None
    before = pair.previous
    if pair.start <= day <= pair.end:
        return "now"
    return "before" if before[0] <= day <= before[1] else None


def rank_key(pair: Pair, record) -> tuple:
    text = f"{record.title} {record.abstract}".lower()
    hits = sum(text.count(w) for w in pair.words)
    return (-hits, hashlib.blake2b(record.arxiv_id.encode(), digest_size=4).hexdigest())


def collect(pairs: list[Pair], cap: int) -> dict[str, dict[str, list]]:
    """Each pair's records in its window and the previous one (one pass over each file)."""
    found = {p.name: {"now": [], "before": []} for p in pairs}
    for name in {p.data for p in pairs}:
        wanted = [p for p in pairs if p.data == name]
        stream, raw = dumps.open_dump(paths.shared_dir() / "data" / name)
        try:
            for line in dumps.read_dump(stream):
                record = line.record
                if record is None or not record.abstract:
                    continue
                day = record.announced or record.published
                for pair in wanted:
                    where = matches(pair, record, day)
                    if where:
                        found[pair.name][where].append(record)
        finally:
            raw.close()
    for pair in pairs:
        for where in ("now", "before"):
            ranked = sorted(found[pair.name][where], key=lambda r: rank_key(pair, r))[:cap]
            found[pair.name][where] = [from_record(r, key=r.arxiv_id) for r in ranked]
    return found


class Vectors:
    """MiniLM vectors, computed once per paper across engines."""

    def __init__(self):
        self.model, self.cache = get_embedder("minilm"), {}

    def __call__(self, papers):
        import numpy as np

        missing = [p for p in papers if p.key not in self.cache]
        if missing:
            self.cache.update(zip([p.key for p in missing], self.model.embed([p.text for p in missing])))
        return np.stack([self.cache[p.key] for p in papers])


def score(briefing) -> dict:
    text = to_markdown(briefing)
    body = text.split("\n## References")[0] if "\n## References" in text else text.split("\n## 参考文献")[0]
    valid = {e.n for e in briefing.catalogue}
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    sentences = [s for section in briefing.sections for s in section.sentences]
    uncited = sum(1 for s in sentences if not s.cites)
    by_llm = sum(1 for section in briefing.sections if section.engine != "offline")
    return {"citations": len(cited), "unresolved": sum(1 for n in cited if n not in valid),
            "uncited_share": uncited / max(len(sentences), 1), "sentences": len(sentences),
            "by_llm": f"{by_llm}/{len(briefing.sections)}"}  # fmt: skip


def backend_for(engine: str, stack: "contextlib.ExitStack"):
    if engine == "offline":
        return None
    from academichub.core.briefing.llm import OpenAICompatible

    base = os.environ.get("ACADEMICHUB_LLM_BASE_URL")
    model = os.environ.get("ACADEMICHUB_LLM_MODEL", "")
    if not base:
        from bench.llm_server import MODEL_NAME, smollm2_server

        base, model = stack.enter_context(smollm2_server(threads=int(os.environ.get("LLAMA_THREADS", "1")))), MODEL_NAME
    return OpenAICompatible(base, model, api_key=os.environ.get("ACADEMICHUB_LLM_API_KEY", ""), timeout=300, max_retries=1)


def main() -> None:
    import contextlib

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["offline", "llm"], default="offline")
    parser.add_argument("--max-papers", type=int, default=100)
    parser.add_argument("--language", choices=["en", "zh"], default="en")
    parser.add_argument("--only", type=int, nargs="*", help="pair numbers (1-10) to run")
    parser.add_argument("--out", type=Path, help="write each briefing's Markdown to this directory")
    args = parser.parse_args()
    pairs = [p for i, p in enumerate(PAIRS, 1) if not args.only or i in args.only]
    started = time.monotonic()
    found = collect(pairs, args.max_papers)
    print(f"read the data in {time.monotonic() - started:.1f} s")
    vectors, rows = Vectors(), []
    with contextlib.ExitStack() as stack:
        backend = backend_for(args.engine, stack)
        header = f"{'pair':36} {'in':>4} {'prev':>4} {'fields':>6} {'themes':>6} {'bridges':>7} {'cites':>5} {'unres':>5} {'uncited':>7} {'removed':>7} {'numbers':>7} {'by_llm':>6} {'secs':>6}"
        print(header)
        for pair in pairs:
            now, before = found[pair.name]["now"], found[pair.name]["before"]
            t0 = time.monotonic()
            briefing = build_briefing(now, vectors, language=args.language, scope=pair.name,
                                      window=f"{pair.start} – {pair.end}", previous=before or None,
                                      backend=backend, max_papers=args.max_papers)  # fmt: skip
            seconds = time.monotonic() - t0
            s = score(briefing)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"\W+", "-", pair.name).strip("-")
                (args.out / f"{args.engine}-{args.language}-{name}.md").write_text(to_markdown(briefing, title=pair.name))
            fields = len({archive_of(p.primary) if pair.data == ALL else p.primary for p in now[: args.max_papers]})
            rows.append((s, len(briefing.bridges), seconds))
            print(f"{pair.name[:36]:36} {briefing.papers_in:>4} {len(before):>4} {fields:>6} {len(briefing.themes):>6} "
                  f"{len(briefing.bridges):>7} {s['citations']:>5} {s['unresolved']:>5} {s['uncited_share']:>7.1%} "
                  f"{briefing.grounding.unresolved_removed:>7} {briefing.grounding.unsupported_numbers:>7} "
                  f"{s['by_llm']:>6} {seconds:>6.1f}")  # fmt: skip
            if briefing.usage.errors:
                print("   llm errors:", "; ".join(briefing.usage.errors)[:300])
    count = len(rows)
    unresolved = sum(r[0]["unresolved"] for r in rows)
    uncited = sum(r[0]["uncited_share"] * r[0]["sentences"] for r in rows) / max(sum(r[0]["sentences"] for r in rows), 1)
    engine = args.engine if args.engine == "offline" else f"llm:{backend.model}"
    written = sum(int(r[0]["by_llm"].split("/")[0]) for r in rows)
    print(f"RESULT engine={engine} briefings={count} unresolved_citations={unresolved} uncited_share={uncited:.3f} "
          f"bridges_total={sum(r[1] for r in rows)} seconds_mean={sum(r[2] for r in rows) / max(count, 1):.2f} "
          f"sections_by_llm={written}")


if __name__ == "__main__":
    main()
