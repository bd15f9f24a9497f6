"""Read-side questions about households that views of several features ask."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from charity.core.extensions import db
from charity.goods.services.distributions import month_key
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary, PointsEntry

RECERTIFY_WITHIN_DAYS = 30  # a certification ending within this many days is flagged


def category_names(values) -> list[str]:
    return [BENEFICIARY_CATEGORY_NAMES.get(v, v) for v in values or []]


def points_left(households, day: dt.date) -> dict[int, int]:
    """Points each household has left in `day`'s month, read-only: the month's allowance
    counts even before the first distribution credits it (charity.goods.distribution)."""
    households = list(households)
    if not households:
        return {}
    rows = db.session.execute(
        sa.select(PointsEntry.beneficiary_id, sa.func.sum(PointsEntry.amount),
                  sa.func.sum(sa.case((PointsEntry.kind == "allowance", 1), else_=0)))
        .where(PointsEntry.beneficiary_id.in_([b.id for b in households]),
               PointsEntry.month == month_key(day))
        .group_by(PointsEntry.beneficiary_id))
    found = {bid: (int(total or 0), int(allowances or 0)) for bid, total, allowances in rows}
    out = {}
    for b in households:
        total, allowances = found.get(b.id, (0, 0))
        out[b.id] = total + (0 if allowances else b.monthly_points)
    return out


def certification_state(b: Beneficiary, today: dt.date) -> str:
    """'none', 'expired', 'expiring' (within 30 days) or 'valid'."""
    if b.certified_until is None:
        return "none"
    if b.certified_until < today:
        return "expired"
    if b.certified_until <= today + dt.timedelta(days=RECERTIFY_WITHIN_DAYS):
        return "expiring"
    return "valid"
