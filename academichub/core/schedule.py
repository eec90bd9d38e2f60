"""When arXiv announces, and so when to ingest.

arXiv announces new submissions Sunday to Thursday at 20:00 US Eastern; the
mailings are dated the next weekday (Monday to Friday). The default schedule
"20:00 America/New_York sun-thu" runs right after each announcement; any
"HH:MM Zone days" string can replace it (``ARXIV_SCHEDULE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    at: time
    zone: ZoneInfo
    weekdays: frozenset[int]  # 0 = Monday

    def is_due(self, moment: datetime) -> bool:
        """True during the minute the schedule fires (Huey checks once a minute)."""
        local = moment.astimezone(self.zone)
        return local.weekday() in self.weekdays and (local.hour, local.minute) == (self.at.hour, self.at.minute)


def parse_schedule(text: str) -> Schedule:
    """Parse "20:00 America/New_York sun-thu" (days: ranges or comma lists)."""
    parts = text.split()
    if len(parts) != 3:
        raise ScheduleError(f"schedule {text!r}: expected 'HH:MM Zone days', e.g. '20:00 America/New_York sun-thu'")
    try:
        hour, minute = (int(x) for x in parts[0].split(":"))
        at = time(hour, minute)
    except ValueError as exc:
        raise ScheduleError(f"schedule {text!r}: bad time {parts[0]!r}") from exc
    try:
        zone = ZoneInfo(parts[1])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"schedule {text!r}: unknown time zone {parts[1]!r}") from exc
    return Schedule(at, zone, frozenset(_parse_days(parts[2], text)))


def _parse_days(spec: str, text: str) -> set[int]:
    days: set[int] = set()
    for piece in spec.lower().split(","):
        first, _, last = piece.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ScheduleError(f"schedule {text!r}: bad days {spec!r} (use e.g. mon-fri or sun,tue)")
        start, end = DAYS.index(first), DAYS.index(last or first)
        span = (end - start) % 7
        days.update((start + i) % 7 for i in range(span + 1))
    return days


def is_announcement_day(day: date) -> bool:
    """arXiv mailings are dated Monday to Friday (holidays aside)."""
    return day.weekday() < 5


def latest_announcement_day(now: datetime) -> date:
    """The mailing date of the most recent announcement at `now`."""
    eastern = now.astimezone(ZoneInfo("America/New_York"))
    day = eastern.date() + (timedelta(days=1) if eastern.time() >= time(20, 0) else timedelta())
    while not is_announcement_day(day):
        day -= timedelta(days=1)
    return day
