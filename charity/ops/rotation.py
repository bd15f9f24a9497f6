"""Which backup archives to keep: a grandfather-father-son rotation, as a pure function.

Kept: the newest archive of each of the `daily` most recent days that have one, of each of
the `weekly` most recent ISO weeks, and of each of the `monthly` most recent months — the
union of the three (one archive often serves as day, week and month at once). Days, weeks
and months are counted over archives that exist, so a machine that was off for a fortnight
does not lose its older copies: a gap never pushes every archive out of the rotation.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ARCHIVE_RE = re.compile(r"^charity-(\d{8}T\d{6}Z)\.tar\.gz$")


@dataclass(frozen=True)
class Rotation:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def archive_name(at: dt.datetime) -> str:
    """The file name of an archive taken at `at` (UTC): it sorts by time."""
    return f"charity-{at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"


def archive_time(name: str) -> dt.datetime | None:
    """When an archive was taken, from its name; None for any other file."""
    match = ARCHIVE_RE.match(name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(
        tzinfo=dt.timezone.utc)


def archives(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """The complete archives in `folder` (never a `.partial` one), oldest first."""
    if not folder.is_dir():
        return []
    found = [(archive_time(p.name), p) for p in folder.iterdir() if p.is_file()]
    return sorted((at, p) for at, p in found if at is not None)


def _newest_per(times: list[dt.datetime], key: Callable[[dt.datetime], object],
                count: int) -> set[dt.datetime]:
    chosen: dict[object, dt.datetime] = {}
    for at in sorted(times, reverse=True):
        k = key(at)
        if k not in chosen:
            if len(chosen) == count:
                break
            chosen[k] = at
    return set(chosen.values())


def to_keep(times: Iterable[dt.datetime], rotation: Rotation,
            tz: dt.tzinfo = dt.timezone.utc) -> set[dt.datetime]:
    """The archive times (of `times`) the rotation keeps; days, weeks and months are those
    of the time zone `tz` (the organisation's calendar)."""
    times = list(times)
    local = {at: at.astimezone(tz) for at in times}
    return (_newest_per(times, lambda at: local[at].date(), rotation.daily)
            | _newest_per(times, lambda at: local[at].isocalendar()[:2], rotation.weekly)
            | _newest_per(times, lambda at: (local[at].year, local[at].month),
                          rotation.monthly))
