"""Working days on the official Chinese calendar.

Sources, in order: a schedule the office loaded for that year (ScheduleYear/OfficialDay), then
the `chinese_calendar` package (2004 to the last year it knows), then weekends alone. An answer
that had to fall back to weekends alone is marked provisional, never silently presented as final.
"""

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from taizhang.workdays.models import OfficialDay, ScheduleYear


@dataclass(frozen=True)
class WorkdayAnswer:
    date: dt.date
    provisional: bool


def invalidate() -> None:
    """Forget cached schedules after the office loads a year."""
    _loaded_schedule.cache_clear()
    _working_ordinals.cache_clear()


@lru_cache(maxsize=64)
def _loaded_schedule(year: int) -> dict[dt.date, bool] | None:
    if not ScheduleYear.objects.filter(year=year).exists():
        return None
    return dict(OfficialDay.objects.filter(date__year=year).values_list("date", "is_workday"))


def _package_knows(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def year_is_known(year: int) -> bool:
    return _loaded_schedule(year) is not None or _package_knows(dt.date(year, 6, 1))


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, is that answer provisional)."""
    loaded = _loaded_schedule(day.year)
    if loaded is not None:
        return loaded.get(day, day.weekday() < 5), False
    return _package_day(day)


@lru_cache(maxsize=8192)
def _package_day(day: dt.date) -> tuple[bool, bool]:
    """The package's answer (it never changes; asking it costs ~50 µs a day)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_workdays(start: dt.date, days: int) -> WorkdayAnswer:
    """The date `days` working days after `start` (start itself not counted)."""
    day, provisional, remaining = start, False, days
    while remaining > 0:
        day += dt.timedelta(days=1)
        working, unsure = is_workday(day)
        provisional |= unsure
        if working:
            remaining -= 1
    return WorkdayAnswer(day, provisional)


def latest_start(by: dt.date, days: int) -> dt.date:
    """The last day from which `days` working days (days ≥ 1) end on or before `by`: whatever
    started on it or earlier is due by `by`."""
    day = by - dt.timedelta(days=1)
    while add_workdays(day, days).date > by:
        day -= dt.timedelta(days=1)
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -workdays_between(end, start)
    first, last = start.toordinal() + 1, end.toordinal()
    count = 0
    for year in range(start.year, end.year + 1):
        days = _working_ordinals(year)
        count += bisect.bisect_right(days, last) - bisect.bisect_left(days, first)
    return count


@lru_cache(maxsize=64)
def _working_ordinals(year: int) -> tuple[int, ...]:
    """The year's working days as ordinals, in order (a queue's ages are counted from them)."""
    day, end, found = dt.date(year, 1, 1), dt.date(year, 12, 31), []
    while day <= end:
        if is_workday(day)[0]:
            found.append(day.toordinal())
        day += dt.timedelta(days=1)
    return tuple(found)
