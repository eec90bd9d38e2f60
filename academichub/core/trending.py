"""Trending: a Hacker News style score that decays with age (pure; no Django).

The formula, with the constants below::

    points = upvotes here + upvotes on Hugging Face Daily Papers
    age    = hours since 00:00 UTC of the paper's announcement day (never < 0)

    score  = points / (age + OFFSET) ** GRAVITY     while age < WINDOW_DAYS * 24
           = 0                                      afterwards ("falls off")

Why this shape: it is the ranking Hacker News has used for years. Votes count
linearly, age divides with an exponent above 1, so a paper needs ever more
votes to stay up as it ages and a fresh paper with a few votes overtakes an
old one with many. ``OFFSET`` keeps brand-new papers from dividing by ~0.
Papers without points score 0: trending is about attention, and a page that
sorts by it falls back to upvotes and then to the newest (see the listing).

Page views are not counted: pages never write to the database on GET, and
votes are a cleaner signal than views that crawlers inflate.

Scores are recomputed by a periodic task (``academichub.daily.tasks``), not
per request; every score is relative to that run's clock, so scores from one
run are comparable with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

GRAVITY = 1.8
OFFSET_HOURS = 2.0
WINDOW_DAYS = 7


@dataclass(frozen=True)
class Formula:
    """The constants in one place, so tests and settings can vary them together."""

    gravity: float = GRAVITY
    offset_hours: float = OFFSET_HOURS
    window_days: int = WINDOW_DAYS

    def window_start(self, now: datetime) -> date:
        """The oldest announcement day still inside the window at `now`."""
        return (_utc(now) - timedelta(days=self.window_days)).date() + timedelta(days=1)


DEFAULT = Formula()


def _utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (Django stores UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def age_hours(announced: date, now: datetime) -> float:
    """Hours from the start of the announcement day (UTC) to `now`; 0 for days in the future."""
    start = datetime.combine(announced, time(0, 0), tzinfo=timezone.utc)
    return max(0.0, (_utc(now) - start).total_seconds() / 3600.0)


def score(points: int, announced: date | None, now: datetime, formula: Formula = DEFAULT) -> float:
    """The trending score of a paper with `points` announced on `announced`, at `now`."""
    if points <= 0 or announced is None:
        return 0.0
    age = age_hours(announced, now)
    if age >= formula.window_days * 24:
        return 0.0
    return points / (age + formula.offset_hours) ** formula.gravity
