"""Recompute trending scores (``core.trending``), run by a periodic task.

A run: (1) brings in the window's outside attention (Hugging Face upvotes,
organisations) from ``PaperSignal``; (2) scores every paper of the window
that has stats; (3) sets papers that left the window back to 0, so they fall
off trending lists. Votes between runs change counts at once but the order
only at the next run, so a page never does this work.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Max
from django.utils import timezone

from academichub.core import trending
from academichub.daily import organizations, page_cache
from academichub.daily.models import PaperOrganization, PaperStats
from academichub.papers.models import Authorship, PaperSignal

SIGNAL_SOURCE = "hf-daily"
BATCH = 500


@dataclass
class RunStats:
    scored: int = 0
    fell_off: int = 0
    signals: int = 0


def recompute(now: datetime | None = None, formula: trending.Formula = trending.DEFAULT) -> RunStats:
    now = now or timezone.now()
    start = formula.window_start(now)
    result = RunStats(signals=sync_signals(start))
    result.fell_off = (PaperStats.objects.filter(trending__gt=0).exclude(paper__announced__gte=start)
                       .update(trending=0.0, trending_at=now))  # fmt: skip
    rows = PaperStats.objects.filter(paper__announced__gte=start).select_related("paper").only(
        "paper_id", "points", "trending", "paper__announced"
    )
    changed = []
    for stats in rows.iterator(chunk_size=BATCH):
        stats.trending = trending.score(stats.points, stats.paper.announced, now, formula)
        stats.trending_at = now
        changed.append(stats)
    PaperStats.objects.bulk_update(changed, ["trending", "trending_at"], batch_size=BATCH)
    result.scored = len(changed)
    page_cache.invalidate()  # the new order, TL;DRs and organisations show at once
    return result


def sync_signals(start) -> int:
    """Hugging Face upvotes (the highest daily count) and organisations of the window's papers."""
    signals = (PaperSignal.objects.filter(source=SIGNAL_SOURCE, paper__announced__gte=start)
               .values("paper_id").annotate(upvotes=Max("upvotes")))  # fmt: skip
    count = 0
    for row in signals:
        PaperStats.objects.bulk_create([PaperStats(paper_id=row["paper_id"])], ignore_conflicts=True)
        PaperStats.objects.filter(paper_id=row["paper_id"]).update(
            external_upvotes=row["upvotes"], points=F("upvotes") + row["upvotes"]
        )
        count += 1
    claimed = (PaperSignal.objects.filter(source=SIGNAL_SOURCE, paper__announced__gte=start)
               .exclude(organization="").values_list("paper_id", "organization").distinct())  # fmt: skip
    for paper_id, name in claimed:
        organizations.attach(paper_id, [name], PaperOrganization.Source.HUGGING_FACE)
    organisations_from_affiliations(start)
    return count


def organisations_from_affiliations(start) -> int:
    """Organisations named in the stored author affiliations of the window's papers, once per paper."""
    done = PaperOrganization.objects.filter(source=PaperOrganization.Source.AFFILIATION).values("paper_id")
    rows = (Authorship.objects.filter(paper__announced__gte=start).exclude(affiliation="")
            .exclude(paper_id__in=done).values_list("paper_id", "affiliation"))  # fmt: skip
    by_paper = defaultdict(list)
    for paper_id, affiliation in rows:
        by_paper[paper_id].append(affiliation)
    return sum(organizations.from_affiliations(paper_id, found) for paper_id, found in by_paper.items())
