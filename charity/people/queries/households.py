"""Households (受助对象) as the screens read them: the filtered list, the recertification
reminders, a household's distributions, its points left and certification state."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from charity.auth.permissions import scope_organizations
from charity.core.clock import month_key
from charity.core.db import contains
from charity.core.extensions import db
from charity.goods.models import Distribution, DistributionLine
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary, PointsEntry

RECERTIFY_WITHIN_DAYS = 30  # a certification ending within this many days is flagged
REMINDER_LIMIT = 20
CERT_STATES = ("expiring", "expired", "valid")
STATUSES = ("active", "inactive")
_LAST4 = re.compile(r"^\d{3}[\dX]$")


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


def _scoped(user):
    return scope_organizations(user, sa.select(Beneficiary), Beneficiary.organization_id)


def _certified(stmt, cert: str, today: dt.date):
    soon = today + dt.timedelta(days=RECERTIFY_WITHIN_DAYS)
    if cert == "expiring":
        return stmt.where(Beneficiary.certified_until >= today,
                          Beneficiary.certified_until <= soon)
    if cert == "expired":
        return stmt.where(sa.or_(Beneficiary.certified_until < today,
                                 Beneficiary.certified_until.is_(None)))
    return stmt.where(Beneficiary.certified_until >= today)


def household_list(user, args: dict, today: dt.date, by_last4: bool):
    """The households of the user's organisations, filtered by `args` (q, category, cert,
    status; an unknown value is dropped from `args`). `q` matches the name or community;
    with `by_last4` (readers of private data) also the ID number's last four characters —
    never the phone: a search term ends up in the address bar and the access log."""
    stmt = _scoped(user)
    if args["q"]:
        conditions = [contains(Beneficiary.name, args["q"]),
                      contains(Beneficiary.community, args["q"])]
        if by_last4 and _LAST4.match(args["q"].upper()):
            conditions.append(Beneficiary.id_number_last4 == args["q"].upper())
        stmt = stmt.where(sa.or_(*conditions))
    if args["category"] in BENEFICIARY_CATEGORY_NAMES:
        # The categories are a JSON list of fixed codes: match the quoted code in its text.
        stmt = stmt.where(sa.cast(Beneficiary.categories, sa.Text)
                          .like(f'%"{args["category"]}"%'))
    else:
        args["category"] = ""
    if args["cert"] in CERT_STATES:
        stmt = _certified(stmt, args["cert"], today)
    else:
        args["cert"] = ""
    if args["status"] in STATUSES:
        stmt = stmt.where(Beneficiary.active.is_(args["status"] == "active"))
    else:
        args["status"] = ""
    return stmt.order_by(Beneficiary.name, Beneficiary.id)


def _due(stmt, today: dt.date, within_days: int = RECERTIFY_WITHIN_DAYS):
    """Active households whose certification ends within `within_days` (or has ended)."""
    return stmt.where(Beneficiary.active.is_(True),
                      Beneficiary.certified_until <= today + dt.timedelta(days=within_days))


def recertification_reminders(user, today: dt.date) -> tuple[list[Beneficiary], int]:
    """The reminder box of the list: the first REMINDER_LIMIT households due for
    recertification in the user's organisations, and how many there are."""
    due = _due(_scoped(user), today)
    first = db.session.scalars(due.order_by(Beneficiary.certified_until, Beneficiary.id)
                               .limit(REMINDER_LIMIT)).all()
    return first, db.session.scalar(due.with_only_columns(sa.func.count(Beneficiary.id)))


def due_for_recertification(session, organization_id: int, today: dt.date,
                            within_days: int = RECERTIFY_WITHIN_DAYS) -> list[Beneficiary]:
    """Active households of one organisation due for recertification, soonest first."""
    return list(session.scalars(_due(
        sa.select(Beneficiary).where(Beneficiary.organization_id == organization_id), today,
        within_days).order_by(Beneficiary.certified_until)))


def distribution_history(household: Beneficiary):
    """The household's distributions, newest first, with their lines (for paging)."""
    return (sa.select(Distribution).where(Distribution.beneficiary_id == household.id)
            .options(selectinload(Distribution.point), selectinload(Distribution.project),
                     selectinload(Distribution.lines).selectinload(DistributionLine.item_type))
            .order_by(Distribution.distributed_on.desc(), Distribution.id.desc()))
