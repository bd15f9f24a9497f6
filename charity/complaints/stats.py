"""Public monthly complaint statistics: counts only, never a complaint's content."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.complaints.models import Complaint, ComplaintCategory, ComplaintChannel
from charity.complaints.models import ComplaintStatus
from charity.orgs.models import Organization


@dataclass
class Row:
    label: str
    channel: str = ""
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class MonthlyStats:
    start: dt.date
    end: dt.date
    months: list[tuple[int, int]]
    by_category: list[Row]
    by_status: list[Row]
    month_totals: dict[tuple[int, int], int]

    @property
    def total(self) -> int:
        return sum(self.month_totals.values())


def window(year: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """A calendar year, or (no year) the last twelve months including this one."""
    if year is not None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = today.year * 12 + today.month - 1 - 11
    return dt.date(first // 12, first % 12 + 1, 1), today


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_stats(session: Session, *, today: dt.date, year: int | None = None,
                  organization_id: int | None = None) -> MonthlyStats:
    """Complaints per month × category and per month × current status, of active
    organisations (or one of them), in the year or the last twelve months. Categories of the
    same name in several organisations are counted together."""
    start, end = window(year, today)
    month_y = sa.extract("year", Complaint.submitted_on)
    month_m = sa.extract("month", Complaint.submitted_on)
    base = (sa.select(month_y, month_m).join(Organization,
                                             Organization.id == Complaint.organization_id)
            .where(Organization.active.is_(True), Complaint.submitted_on >= start,
                   Complaint.submitted_on <= end))
    if organization_id is not None:
        base = base.where(Complaint.organization_id == organization_id)

    by_category: dict[tuple[str, str], Row] = {}
    if organization_id is not None:
        # Show the organisation's configured categories even where nothing was filed.
        for cat in session.scalars(sa.select(ComplaintCategory).where(
                ComplaintCategory.organization_id == organization_id,
                ComplaintCategory.active.is_(True))
                .order_by(ComplaintCategory.channel, ComplaintCategory.sort_order)):
            by_category[(cat.channel.value, cat.name)] = Row(cat.name, cat.channel.value)
    stmt = (base.add_columns(ComplaintCategory.channel, ComplaintCategory.name,
                             sa.func.count(Complaint.id))
            .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
            .group_by(month_y, month_m, ComplaintCategory.channel, ComplaintCategory.name))
    month_totals: dict[tuple[int, int], int] = {}
    for y, m, channel, name, count in session.execute(stmt):
        key = (int(y), int(m))
        channel = ComplaintChannel(channel).value
        row = by_category.setdefault((channel, name), Row(name, channel))
        row.counts[key] = row.counts.get(key, 0) + count
        month_totals[key] = month_totals.get(key, 0) + count
    channel_order = {c.value: i for i, c in enumerate(ComplaintChannel)}
    categories = sorted(by_category.values(), key=lambda r: channel_order[r.channel])

    statuses = {s.value: Row(s.value) for s in ComplaintStatus}
    stmt = base.add_columns(Complaint.status, sa.func.count(Complaint.id)).group_by(
        month_y, month_m, Complaint.status)
    for y, m, status, count in session.execute(stmt):
        statuses[ComplaintStatus(status).value].counts[(int(y), int(m))] = count
    return MonthlyStats(start=start, end=end, months=_months(start, end),
                        by_category=categories, by_status=list(statuses.values()),
                        month_totals=month_totals)
