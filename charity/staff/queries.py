"""What the staff home page shows: the user's open points, a few counts, the disclosure
deadlines due soon or overdue, and expired food waiting to be written off."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.disclosure.models import Obligation
from charity.disclosure.queries import subject_names, without_narrative
from charity.goods.expiry import ExpiryCheck
from charity.goods.models import Distribution, DocStatus, Intake, Sale, StockBalance
from charity.goods.queries.expiry import expired_batches, last_checks
from charity.orgs.models import CharityPoint, Organization

POINTS_SHOWN = 50
DEADLINES_SHOWN = 20
EXPIRED_POINTS_SHOWN = 20
TODAY_POINTS_SHOWN = 5


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


@dataclass
class TodayAtPoint:
    """The day's work at one point (its organisation's today): posted documents that were
    not reversed, and the sales' proceeds."""

    point: CharityPoint
    today: dt.date
    counts: dict = field(default_factory=dict)  # "intake" | "distribution" | "sale" → n
    sales_total: Decimal = Decimal("0")


_DAY_DOCUMENTS = (("intake", Intake, Intake.received_on),
                  ("distribution", Distribution, Distribution.distributed_on),
                  ("sale", Sale, Sale.sold_on))


def today_figures(points: list[CharityPoint]) -> list[TodayAtPoint]:
    """Today's intakes, distributions and sales (and their proceeds) at each of `points`:
    one grouped query per kind of document and day."""
    out = {p.id: TodayAtPoint(p, org_today(p.organization)) for p in points}
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for row in out.values():
        by_day[row.today].append(row.point.id)
    for today, ids in by_day.items():
        for kind, model, day in _DAY_DOCUMENTS:
            total = sa.func.sum(model.total) if model is Sale else sa.literal(0)
            rows = db.session.execute(
                sa.select(model.point_id, sa.func.count(model.id), total)
                .where(model.point_id.in_(ids), day == today,
                       model.status == DocStatus.POSTED)
                .group_by(model.point_id))
            for point_id, n, amount in rows:
                out[point_id].counts[kind] = n
                if model is Sale:
                    out[point_id].sales_total = Decimal(amount or 0)
    return list(out.values())
