"""What the staff home page shows: the user's open points, a few counts, the disclosure
deadlines due soon or overdue, and expired food waiting to be written off."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.disclosure.models import Obligation
from charity.disclosure.queries import subject_names, without_narrative
from charity.goods.models import ExpiryCheck, StockBalance
from charity.goods.queries.expiry import expired_batches, last_checks
from charity.orgs.models import CharityPoint, Organization

POINTS_SHOWN = 50
DEADLINES_SHOWN = 20
EXPIRED_POINTS_SHOWN = 20


def _open_points(user):
    stmt = scope_points(user, sa.select(CharityPoint), CharityPoint.id,
                        CharityPoint.organization_id)
    return stmt.where(CharityPoint.active.is_(True))


def open_points(user) -> list[CharityPoint]:
    """The open points `user` works at, by name (the first POINTS_SHOWN)."""
    return list(db.session.scalars(_open_points(user).order_by(CharityPoint.name)
                                   .limit(POINTS_SHOWN)))


def counts(user) -> dict[str, int]:
    """Open points; for those who may see organisations also organisations and accounts."""
    out = {}
    if can(user, "orgs.view"):
        out["orgs"] = db.session.scalar(scope_organizations(
            user, sa.select(sa.func.count(Organization.id)), Organization.id))
        out["users"] = db.session.scalar(scope_organizations(
            user, sa.select(sa.func.count(User.id)), User.organization_id))
    out["points"] = db.session.scalar(_open_points(user).with_only_columns(
        sa.func.count(CharityPoint.id)))
    return out


def deadlines(user) -> tuple[list, dict, set[int]]:
    """Disclosure obligations due in the next 7 days or overdue (the reason this system
    exists), soonest first, with their subjects' names and the ids of the project reports
    still without a progress narrative; nothing without disclosure.view."""
    if not can(user, "disclosure.view"):
        return [], {}, set()
    due = db.session.scalars(scope_organizations(
        user, sa.select(Obligation), Obligation.organization_id)
        .where(Obligation.status.in_(("due", "overdue")))
        .order_by(Obligation.due).limit(DEADLINES_SHOWN)).all()
    return due, subject_names(due), without_narrative(db.session, due)


@dataclass
class ExpiredAtPoint:
    """A point with food on its shelf past its expiry date today (its organisation's)."""

    point: CharityPoint
    today: dt.date
    batches: list[StockBalance]
    check: ExpiryCheck | None  # the scheduler's latest daily check of the point
    can_write_off: bool


def expired_food(user) -> list[ExpiredAtPoint]:
    """The user's open points (of active organisations) that have expired food on the shelf,
    each with its expired batches — food that may only be written off (Food Safety Law
    Arts. 53–54) — and whether the user may write it off there; the first
    EXPIRED_POINTS_SHOWN by name."""
    if not can(user, "goods.view"):
        return []
    points = db.session.scalars(
        _open_points(user).join(Organization, Organization.id == CharityPoint.organization_id)
        .where(Organization.active.is_(True))
        .options(sa.orm.contains_eager(CharityPoint.organization))
        .order_by(CharityPoint.name, CharityPoint.id)).all()
    by_day: dict[dt.date, list[CharityPoint]] = defaultdict(list)
    for point in points:
        by_day[org_today(point.organization)].append(point)
    found: dict[int, list[StockBalance]] = defaultdict(list)
    for today, day_points in by_day.items():
        for batch in expired_batches(db.session, [p.id for p in day_points], today):
            found[batch.point_id].append(batch)
    shown = [p for p in points if p.id in found][:EXPIRED_POINTS_SHOWN]
    checks = last_checks(db.session, [p.id for p in shown])
    return [ExpiredAtPoint(p, org_today(p.organization), found[p.id], checks.get(p.id),
                           can(user, "goods.write_off", p)) for p in shown]
