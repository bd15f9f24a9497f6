"""Is a charity point open now? Read from the free-text opening hours staff write.

Only the plain forms staff actually write are understood ("周一至周六 09:00-18:00",
"每天 08:30-17:00", "周一、三、五 09:00-12:00, 14:00-17:00", several clauses separated by
"；"). Anything else gives None and the page shows the text without a verdict: a wrong
"open" sends a neighbour to a closed door. Pure functions: no database, no Flask.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from charity.orgs.models import CharityPoint


_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_WORDS = {"每天": range(7), "每日": range(7), "全天": range(7), "工作日": range(5),
          "周末": range(5, 7)}
_TIME = r"([01]?\d|2[0-4])[:：]([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}\s*[-–—~～至到]\s*{_TIME}$")
_DAYS_SPAN = re.compile(r"^(?:周|星期)([一二三四五六日天七])\s*[至到\-–—~～]\s*(?:周|星期)?"
                        r"([一二三四五六日天七])$")
_DAYS_LIST = re.compile(r"^(?:周|星期)([一二三四五六日天七](?:[、，,/]?[一二三四五六日天七])*)$")
_CLAUSE = re.compile(r"^(\S*?)\s*(\d.*)$")


def _days(spec: str) -> set[int] | None:
    if not spec:
        return set(range(7))
    if spec in _WORDS:
        return set(_WORDS[spec])
    if m := _DAYS_SPAN.match(spec):
        a, b = _DAY[m.group(1)], _DAY[m.group(2)]
        return set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
    if m := _DAYS_LIST.match(spec):
        return {_DAY[c] for c in m.group(1) if c in _DAY}
    return None


def _minutes(h: str, m: str) -> int:
    return int(h) * 60 + int(m)


def opening_schedule(text: str) -> list[tuple[set[int], list[tuple[int, int]]]] | None:
    """The opening hours as (weekdays 0=Monday, [(from, to) in minutes]) clauses, or None
    if the text is not in one of the plain forms."""
    clauses = [c.strip() for c in re.split(r"[；;\n]", text or "") if c.strip()]
    if not clauses:
        return None
    schedule = []
    for clause in clauses:
        m = _CLAUSE.match(clause)
        if m is None:
            return None
        days = _days(m.group(1).rstrip("：:"))
        if not days:
            return None
        spans = []
        for part in re.split(r"\s*[,，、]\s*", m.group(2).strip()):
            r = _RANGE.match(part)
            if r is None:
                return None
            start, end = _minutes(r.group(1), r.group(2)), _minutes(r.group(3), r.group(4))
            if not start < end <= 24 * 60:
                return None  # past midnight or nonsense: do not guess
            spans.append((start, end))
        schedule.append((days, spans))
    return schedule


def is_open(opening_hours: str, local_now: dt.datetime) -> bool | None:
    """Open at `local_now` (a time in the point's zone)? None when the hours are not
    understood. Public holidays are not known here; the page says so."""
    schedule = opening_schedule(opening_hours)
    if schedule is None:
        return None
    minute = local_now.hour * 60 + local_now.minute
    return any(local_now.weekday() in days and any(a <= minute < b for a, b in spans)
               for days, spans in schedule)


def open_now(point: CharityPoint, now: dt.datetime | None = None) -> bool | None:
    """Is `point` open now, by its organisation's clock? None when unknown."""
    now = now or dt.datetime.now(dt.timezone.utc)
    zone = ZoneInfo(point.organization.timezone or "Asia/Shanghai")
    return is_open(point.opening_hours, now.astimezone(zone))


def open_now_map(points, now: dt.datetime | None = None) -> dict[int, bool | None]:
    return {p.id: open_now(p, now) for p in points}

