"""The three published 12345 rates, per organisation, category and month of arrival:

- on-time completion (按时办结率): answered by the answer deadline (as extended with approval)
  over answered;
- call-back (回访率): answered complaints whose complainant's satisfaction was recorded, over
  answered;
- satisfaction (满意率): 满意 + 基本满意 over those rated (the latest rating of each).

A rate is None where its denominator is zero (nothing to rate, not 0 %). Counts only, of
active organisations: never a complaint's content.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.complaints.models import Complaint, ComplaintCategory, Satisfaction
from charity.orgs.models import Organization

CONTENT = (Satisfaction.SATISFIED, Satisfaction.FAIRLY)


@dataclass
class Counts:
    submitted: int = 0
    answered: int = 0
    on_time: int = 0
    called_back: int = 0
    satisfied: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.answered)

    @property
    def callback_rate(self) -> Decimal | None:
        return percent(self.called_back, self.answered)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(self.satisfied, self.called_back)


@dataclass
class RateRow:
    organization_id: int
    organization: str
    category: str
    month: tuple[int, int]
    counts: Counts


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole in per cent with one decimal (half up), or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _counts(answered_at, answer_due, rating, tz) -> Counts:
    answered = answered_at is not None
    return Counts(submitted=1, answered=int(answered),
                  on_time=int(answered and answered_at.astimezone(tz).date() <= answer_due),
                  called_back=int(answered and rating is not None),
                  satisfied=int(answered and rating in CONTENT))


def rate_rows(session: Session, start: dt.date, end: dt.date,
              organization_id: int | None = None) -> list[RateRow]:
    """One row per organisation × category × month of arrival between start and end."""
    stmt = (sa.select(Organization.id, Organization.name, Organization.timezone,
                      ComplaintCategory.name, Complaint.submitted_on, Complaint.answered_at,
                      Complaint.answer_due, Complaint.rating)
            .join(Organization, Organization.id == Complaint.organization_id)
            .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
            .where(Organization.active.is_(True), Complaint.submitted_on >= start,
                   Complaint.submitted_on <= end))
    if organization_id is not None:
        stmt = stmt.where(Complaint.organization_id == organization_id)
    rows: dict[tuple, RateRow] = {}
    for org_id, org_name, tz, category, day, answered_at, due, rating in session.execute(stmt):
        key = (org_id, category, (day.year, day.month))
        row = rows.setdefault(key, RateRow(org_id, org_name, category, key[2], Counts()))
        row.counts.add(_counts(answered_at, due, rating, ZoneInfo(tz or "Asia/Shanghai")))
    return sorted(rows.values(), key=lambda r: (r.organization_id, r.month, r.category))


def totals(rows: list[RateRow], key=lambda row: None) -> dict:
    """The rows' counts added up by `key` (one total by default, under None)."""
    out: dict = {}
    for row in rows:
        out.setdefault(key(row), Counts()).add(row.counts)
    return out


def organization_rates(session: Session, organization_id: int, start: dt.date,
                       end: dt.date) -> Counts:
    """An organisation's counts (and so its three rates) for complaints that arrived between
    start and end: what the transparency score can use."""
    return totals(rate_rows(session, start, end, organization_id)).get(None, Counts())


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def row_data(row: RateRow) -> dict:
    """One row as the open data API gives it (rates as text, one decimal, or null)."""
    c = row.counts
    return {"organization_id": row.organization_id, "organization": row.organization,
            "category": row.category, "month": f"{row.month[0]:04d}-{row.month[1]:02d}",
            "submitted": c.submitted, "answered": c.answered, "on_time": c.on_time,
            "called_back": c.called_back, "satisfied": c.satisfied,
            "on_time_rate": _rate(c.on_time_rate), "callback_rate": _rate(c.callback_rate),
            "satisfaction_rate": _rate(c.satisfaction_rate)}
