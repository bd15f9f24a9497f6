"""Working days (工作日): weekends and holidays off, make-up working days (调休上班) on.

Pure functions over a `Calendar`; the calendar itself is entered by an administrator
(charity.complaints.calendar) and loaded once per request. The 12345 time limits count
working days *after* the day a complaint arrives: arrived on Friday, 1 working day → Monday.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)  # days off (法定节假日)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # make-up working days

    @classmethod
    def from_ranges(cls, holidays=(), workdays=()) -> Calendar:
        """From (first, last) date ranges, both inclusive."""
        return cls(frozenset(_days(holidays)), frozenset(_days(workdays)))


def _days(ranges):
    for first, last in ranges:
        day = first
        while day <= last:
            yield day
            day += ONE_DAY


WEEKENDS_ONLY = Calendar()


def is_working_day(day: dt.date, calendar: Calendar = WEEKENDS_ONLY) -> bool:
    """A make-up working day works even on a weekend; a holiday is off even on a weekday."""
    if day in calendar.workdays:
        return True
    return day.weekday() < 5 and day not in calendar.holidays


def add_working_days(start: dt.date, n: int, calendar: Calendar = WEEKENDS_ONLY) -> dt.date:
    """The n-th working day after `start` (n ≥ 0; n = 0 is `start` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += ONE_DAY
        if is_working_day(day, calendar):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date,
                         calendar: Calendar = WEEKENDS_ONLY) -> int:
    """How many working days lie after `start` up to and including `end` (negative when
    `end` is before `start`): the inverse of add_working_days on working days."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += is_working_day(day, calendar)
    return count
