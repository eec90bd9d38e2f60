"""Upvotes: one per reader per paper, toggled, with a count that stays exact under concurrency.

Each toggle runs in one transaction that first locks the paper's
``PaperStats`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the write lock). Toggles of one paper
therefore run one after another, and the stored count changes by exactly the
vote row that was added or removed, so ``PaperStats.upvotes`` always equals
the number of ``Upvote`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from academichub.daily.models import PaperStats, Upvote


@dataclass(frozen=True)
class VoteState:
    paper_id: int
    voted: bool
    upvotes: int


def stats_row(paper_id: int) -> PaperStats:
    """The paper's stats row, created if missing, locked until the transaction ends."""
    PaperStats.objects.bulk_create([PaperStats(paper_id=paper_id)], ignore_conflicts=True)
    return PaperStats.objects.select_for_update().get(paper_id=paper_id)


@transaction.atomic
def toggle(user, paper_id: int) -> VoteState:
    """Add the reader's upvote if absent, remove it if present; returns the new state."""
    stats_row(paper_id)
    removed, _ = Upvote.objects.filter(user=user, paper_id=paper_id).delete()
    if not removed:
        Upvote.objects.create(user=user, paper_id=paper_id)
    delta = -1 if removed else 1
    PaperStats.objects.filter(paper_id=paper_id).update(upvotes=F("upvotes") + delta, points=F("points") + delta)
    upvotes = PaperStats.objects.values_list("upvotes", flat=True).get(paper_id=paper_id)
    return VoteState(paper_id, not removed, upvotes)


def voted_ids(user, paper_ids) -> set[int]:
    """Which of these papers the reader has upvoted (one query per page)."""
    if not (user and user.is_authenticated):
        return set()
    return set(Upvote.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list("paper_id", flat=True))


def state(user, paper_id: int) -> VoteState:
    upvotes = PaperStats.objects.filter(paper_id=paper_id).values_list("upvotes", flat=True).first() or 0
    return VoteState(paper_id, paper_id in voted_ids(user, [paper_id]), upvotes)
