"""Server time of the daily pages at catalogue scale (75k papers): day, week and month, 100 cards each.

    .venv/bin/python bench/daily_pages.py [--home DIR] [--runs 15]

Uses the data directory DIR (default: a new temporary one). If its catalogue
is empty, the shared corpus (74,728 arXiv CS papers) is imported first
(about 3 minutes); reuse a filled directory to skip that. Attention is then
simulated so the pages sort on real data: PaperStats rows for a random 20%
of the papers (points 1-200, seeded), three curator picks on the busiest
day, and one trending recomputation. Each page is requested in-process with
Django's test client (middleware, session, queries, templates: the whole
server side, no network) after two warm-up requests, sorted by trending.
Prints wall-clock median and p95 and CPU time per page, then one line:
RESULT day_page_ms=… week_page_ms=… month_page_ms=… (wall medians), the CPU
medians (*_cpu_ms) and the load average: on a machine shared with other
work, wall time includes waiting for a CPU, CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, time as dtime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

SHARE_WITH_VOTES = 0.2


def fill(home: Path) -> int:
    from academichub import paths
    from academichub.papers.models import Paper
    from academichub.sources.importer import import_dump

    if not Paper.objects.exists():
        print(f"importing {paths.default_corpus()} into {home} …", flush=True)
        import_dump(paths.default_corpus())
    return Paper.objects.count()


def simulate_attention(day) -> None:
    """Stats for a seeded random share of papers, picks on `day`, one trending run (the periodic task's work)."""
    from django.contrib.auth import get_user_model

    from academichub.daily import scores
    from academichub.daily.models import PaperStats, Pick
    from academichub.papers.models import Paper

    rng = random.Random(6)
    if not PaperStats.objects.exists():
        ids = list(Paper.objects.values_list("id", flat=True))
        chosen = rng.sample(ids, int(len(ids) * SHARE_WITH_VOTES))
        rows = [PaperStats(paper_id=pid, upvotes=(n := rng.randint(1, 200)), points=n) for pid in chosen]
        PaperStats.objects.bulk_create(rows, batch_size=2000)
    if not Pick.objects.filter(day=day).exists():
        curator, _ = get_user_model().objects.get_or_create(username="bench-curator", defaults={"is_staff": True})
        for position, pid in enumerate(Paper.objects.filter(announced=day).values_list("id", flat=True)[:3], 1):
            Pick.objects.create(day=day, paper_id=pid, position=position, note="Bench pick.", curator=curator)
    scores.recompute(now=datetime.combine(day, dtime(12, 0), tzinfo=timezone.utc))


def timed(client, url: str, runs: int, marker: str = '<article class="card"') -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of `runs` requests (CPU time shows the cost on a busy machine)."""
    for _ in range(2):
        response = client.get(url)
    cards = response.content.decode().count(marker)
    if response.status_code != 200 or cards < 100:
        raise SystemExit(f"{url}: status {response.status_code}, {cards} cards (need >= 100)")
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    p95 = sorted(wall)[int(0.95 * (runs - 1))]
    print(f"{url:<36} {cards:>4} cards  wall median {statistics.median(wall):6.1f} ms  p95 {p95:6.1f} ms  "
          f"cpu median {statistics.median(cpu):6.1f} ms  min {min(cpu):6.1f} ms", flush=True)  # fmt: skip
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="data directory to use (filled if empty)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = _django.setup(args.home)
    from django.db.models import Count
    from django.test import Client

    from academichub.daily.periods import containing
    from academichub.papers.models import Paper

    papers = fill(home)
    busiest = Paper.objects.values("announced").annotate(n=Count("id")).order_by("-n").first()
    day = busiest["announced"]
    simulate_attention(day)
    print(f"catalogue: {papers} papers; busiest day {day} ({busiest['n']} papers)")
    client = Client(HTTP_HOST="localhost")
    pages = {"day": f"/day/{day}/?sort=trending", "week": f"/week/{containing('week', day).slug}/?sort=trending",
             "month": f"/month/{containing('month', day).slug}/?sort=trending"}  # fmt: skip
    results = {kind: timed(client, url, args.runs) for kind, url in pages.items()}
    timed(client, f"/api/daily/day/{day}?sort=upvotes", args.runs, marker='"rank":')
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall time includes waiting for a CPU)")
    print("RESULT " + " ".join(f"{kind}_page_ms={statistics.median(wall):.1f}" for kind, (wall, _) in results.items())
          + " " + " ".join(f"{kind}_page_cpu_ms={statistics.median(cpu):.1f}" for kind, (_, cpu) in results.items())
          + f" load={load:.1f}")


if __name__ == "__main__":
    main()
