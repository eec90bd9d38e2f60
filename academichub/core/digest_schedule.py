"""When a radar's email digest is due, and which announcement days it covers. Pure: no Django.

A digest is daily or weekly (weekly on Mondays) at an hour of the reader's
own time zone. Each scheduled moment is a :class:`Period`, and its ``label``
(the reader's local date, or the ISO week) is what makes a digest idempotent:
one email per (user, radar, period), however often the hourly job runs.

Which papers a period covers is fixed by its moment alone, so a rerun after a
crash, or a retry hours later, renders the same period: the announcement days
``end - days + 1 … end``, where ``end`` is the UTC date of the moment minus
``lag_hours``. arXiv dates a mailing by the UTC day it goes out (00:00 UTC);
the lag leaves time for the hub to import it, so a digest never marks a day
as covered before its papers arrived. Consecutive periods tile the days with
no gap and no overlap: a daily reader in Shanghai (07:00 = 23:00 UTC) gets
the previous UTC day, one in New York (07:00 = 11:00 UTC) the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FREQUENCIES = {"day": 1, "week": 7}
WEEKLY_ON = 0  # Monday
LAG_HOURS = 6


@dataclass(frozen=True)
class Period:
    frequency: str  # "day" | "week"
    label: str  # "day:2026-06-30" or "week:2026-W27": unique per radar and period
    due_at: datetime  # the scheduled moment, UTC
    start: date  # first announcement day covered
    end: date  # last announcement day covered

    @property
    def days(self) -> int:
        return FREQUENCIES[self.frequency]


def zone(name: str) -> ZoneInfo:
    """The reader's zone; UTC for a name this machine does not know (a profile never breaks a job)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_period(frequency: str, now: datetime, tz_name: str, hour: int, lag_hours: int = LAG_HOURS) -> Period:
    """The most recent scheduled period at or before `now` (an aware datetime)."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {sorted(FREQUENCIES)}, not {frequency!r}")
    tz = zone(tz_name)
    day = now.astimezone(tz).date()
    if frequency == "week":
        day -= timedelta(days=(day.weekday() - WEEKLY_ON) % 7)
    if moment(day, hour, tz) > now:
        day -= timedelta(days=FREQUENCIES[frequency])
    return period_of(frequency, day, moment(day, hour, tz), lag_hours)


def moment(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 local on `day`, in UTC (a nonexistent DST hour moves forward, as clocks do)."""
    local = datetime.combine(day, time(min(max(hour, 0), 23)), tzinfo=tz)
    return local.astimezone(timezone.utc)


def period_of(frequency: str, local_day: date, due_at: datetime, lag_hours: int = LAG_HOURS) -> Period:
    end = (due_at.astimezone(timezone.utc) - timedelta(hours=lag_hours)).date()
    start = end - timedelta(days=FREQUENCIES[frequency] - 1)
    if frequency == "week":
        year, week, _weekday = local_day.isocalendar()
        label = f"week:{year}-W{week:02d}"
    else:
        label = f"day:{local_day.isoformat()}"
    return Period(frequency, label, due_at.astimezone(timezone.utc), start, end)
