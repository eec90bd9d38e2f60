"""Latency of the delivery endpoints over the real corpus: papers API, exports, feeds.

    ACADEMICHUB_HOME=/tmp/x .venv/bin/academichub import ../shared/data/arxiv-cs-2025-2026.jsonl.gz  # once
    nice -n 10 .venv/bin/python bench/delivery_api.py --home /tmp/x [--runs 20]

Requests go through Django's test client in-process (routing, auth, throttle,
serialisation, the SQLite catalogue of 74,728 papers), not over a socket.
Measured: the first page of /api/papers (all, a big category, a small one, a
day), the 40th page reached by cursor (keyset pagination must not slow down
with depth), one paper by arXiv id, a 100-paper BibTeX/RIS/CSL-JSON export,
and the day and category feeds (100 entries). Prints p50/p95 per case (ms).
"""

from __future__ import annotations

import argparse
import statistics
import time

from _django import setup


def timed(client, url: str, params: dict | None = None, runs: int = 20) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params}: HTTP {response.status_code} {response.content[:200]!r}")
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True, help="an ACADEMICHUB_HOME holding the imported corpus")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup(args.home)
    from django.conf import settings
    from django.test import Client

    from academichub.papers.models import Paper

    settings.API_RATE_LIMIT_ANON = 10**9
    client = Client()
    papers = Paper.objects.count()
    day = Paper.objects.exclude(announced=None).order_by("-announced").values_list("announced", flat=True).first()
    ids = list(Paper.objects.order_by("-id").values_list("arxiv_id", flat=True)[:100])
    cursor = None
    for _ in range(39):
        cursor = client.get("/api/papers", {"limit": 25, **({"cursor": cursor} if cursor else {})}).json()["next_cursor"]
    cases = {
        "list": ("/api/papers", {}),
        "list_cs.CL": ("/api/papers", {"category": "cs.CL"}),
        "list_cs.DS": ("/api/papers", {"category": "cs.DS"}),
        "list_day": ("/api/papers", {"day": day.isoformat()}),
        "list_page40": ("/api/papers", {"cursor": cursor}),
        "paper": (f"/api/papers/{ids[0]}", {}),
        "export100_bibtex": ("/api/papers/export", {"id": ids, "format": "bibtex"}),
        "export100_ris": ("/api/papers/export", {"id": ids, "format": "ris"}),
        "export100_csl": ("/api/papers/export", {"id": ids, "format": "csl-json"}),
        "feed_today_atom": ("/feeds/today.atom", {}),
        "feed_cs.CV_rss": ("/feeds/category/cs.CV.rss", {}),
    }
    print(f"{papers} papers; {args.runs} runs per case (ms)")
    results = {}
    for name, (url, params) in cases.items():
        timed(client, url, params, runs=2)  # warm caches
        samples = timed(client, url, params, args.runs)
        results[name] = (statistics.median(samples), p(samples, 0.95))
        print(f"{name:18s} p50 {results[name][0]:7.1f}  p95 {results[name][1]:7.1f}")
    figures = " ".join(f"{name}_p50_ms={v[0]:.1f}" for name, v in results.items())
    print(f"RESULT papers={papers} {figures}")


if __name__ == "__main__":
    main()
