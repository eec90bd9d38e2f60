"""Day, week and month periods: parsing their URL forms and stepping between them.

URL forms: ``2026-06-30`` (day), ``2026-W27`` (ISO week, Monday to Sunday),
``2026-06`` (month). Pure date arithmetic; no database.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("day", "week", "month")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month
    start: date
    end: date  # inclusive

    @property
    def slug(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return containing(self.kind, self.end + timedelta(days=1))

    def days(self) -> int:
        return (self.end - self.start).days + 1


def containing(kind: str, day: date) -> Period:
    """The day, ISO week or month that contains `day`."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def parse(kind: str, text: str) -> Period:
    """A period from its URL form; ``ValueError`` naming the expected form otherwise."""
    text = (text or "").strip()
    if kind == "day":
        return containing("day", date.fromisoformat(text)) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else _bad()
    if kind == "week":
        match = _WEEK.match(text) or _bad()
        return containing("week", date.fromisocalendar(int(match[1]), int(match[2]), 1))
    match = _MONTH.match(text) or _bad()
    return containing("month", date(int(match[1]), int(match[2]), 1))


def _bad():
    raise ValueError("not a period")


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """Weeks (Monday first) of a month for a calendar; days of other months are None."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[d if d.month == month else None for d in week] for week in weeks]
