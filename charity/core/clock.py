"""Calendar days in an organisation's time zone (deadlines and dates are counted there)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def today_in(tz_name: str | None, now: dt.datetime | None = None) -> dt.date:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(ZoneInfo(tz_name or "Asia/Shanghai")).date()


def org_today(org, now: dt.datetime | None = None) -> dt.date:
    return today_in(getattr(org, "timezone", None), now)


def month_key(day: dt.date) -> str:
    """The calendar month a day falls in ("2026-11"): the period of monthly allowances."""
    return f"{day:%Y-%m}"
