"""What the delivery screens and the public figures read."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.models import User
from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.roles import Role
from charity.delivery.models import (
    OPEN_STATUSES,
    Delivery,
    DeliveryLine,
    DeliveryNeed,
    DeliveryStatus,
)
from charity.orgs.models import Organization
from charity.people.models import Beneficiary


def _loaded():
    return (selectinload(Delivery.beneficiary), selectinload(Delivery.point),
            selectinload(Delivery.assigned_to),
            selectinload(Delivery.lines).selectinload(DeliveryLine.item_type))


def delivery_list(user, status: str | None, day: dt.date | None):
    """The deliveries `user` may see, newest day first (a select, to paginate)."""
    stmt = scope_points(user, sa.select(Delivery), Delivery.point_id, Delivery.organization_id)
    if status:
        stmt = stmt.where(Delivery.status == status)
    if day:
        stmt = stmt.where(Delivery.planned_on == day)
    return stmt.options(*_loaded()).order_by(Delivery.planned_on.desc(), Delivery.id.desc())


def day_sheet(session: Session, user, day: dt.date, mine_only: bool) -> list[Delivery]:
    """The open deliveries of `day` (to pack, to take out, to hand over) by community; a
    volunteer's phone view (`mine_only`) lists only those assigned to them."""
    stmt = scope_points(user, sa.select(Delivery), Delivery.point_id, Delivery.organization_id)
    stmt = stmt.where(Delivery.planned_on == day, Delivery.status.in_(OPEN_STATUSES))
    if mine_only:
        stmt = stmt.where(Delivery.assigned_to_id == user.id)
    return list(session.scalars(stmt.options(*_loaded()).order_by(
        Delivery.community, Delivery.id)))


def by_community(deliveries: list[Delivery]) -> list[tuple[str, list[Delivery]]]:
    return [(c, list(rows)) for c, rows in groupby(deliveries, key=lambda d: d.community)]


def addresses(session: Session, deliveries: list[Delivery]) -> dict[int, str]:
    """Delivery id → the household's delivery address (callers show it only where
    `may_see_address` allows)."""
    ids = {d.beneficiary_id for d in deliveries}
    if not ids:
        return {}
    rows = dict(session.execute(sa.select(DeliveryNeed.beneficiary_id, DeliveryNeed.address)
                                .where(DeliveryNeed.beneficiary_id.in_(ids))).all())
    return {d.id: rows.get(d.beneficiary_id) or d.beneficiary.address for d in deliveries}


def households_in_need(session: Session, user, org_id: int | None) -> list[Beneficiary]:
    """Households with an active delivery need, by name."""
    stmt = sa.select(Beneficiary).join(DeliveryNeed, DeliveryNeed.beneficiary_id == Beneficiary.id
                                       ).where(DeliveryNeed.active.is_(True),
                                               Beneficiary.erased_at.is_(None))
    stmt = scope_organizations(user, stmt, Beneficiary.organization_id)
    if org_id is not None:
        stmt = stmt.where(Beneficiary.organization_id == org_id)
    return list(session.scalars(stmt.order_by(Beneficiary.name, Beneficiary.id).limit(500)))


def needs(session: Session, user) -> list[DeliveryNeed]:
    stmt = scope_organizations(user, sa.select(DeliveryNeed), DeliveryNeed.organization_id)
    return list(session.scalars(stmt.options(selectinload(DeliveryNeed.beneficiary))
                                .order_by(DeliveryNeed.id.desc()).limit(500)))


def couriers(session: Session, point) -> list[User]:
    """Who may be assigned a delivery from `point`: its organisation's active managers and
    the volunteers who work there."""
    stmt = sa.select(User).where(User.organization_id == point.organization_id,
                                 User.active.is_(True),
                                 User.role.in_([Role.MANAGER, Role.VOLUNTEER]))
    users = session.scalars(stmt.order_by(User.display_name, User.id))
    return [u for u in users if can(u, "delivery.work", point)]


def monthly_counts(session: Session, start: dt.date, end: dt.date,
                   organization_id: int | None = None) -> list[dict]:
    """Delivered orders per organisation, month and community, from `start` to `end`
    inclusive: counts only (no name, no address)."""
    stmt = (sa.select(Delivery.organization_id, Organization.name, Delivery.delivered_on,
                      Delivery.community, sa.func.count())
            .join(Organization, Organization.id == Delivery.organization_id)
            .where(Delivery.status == DeliveryStatus.DELIVERED,
                   Delivery.delivered_on >= start, Delivery.delivered_on <= end)
            .group_by(Delivery.organization_id, Organization.name, Delivery.delivered_on,
                      Delivery.community))
    if organization_id is not None:
        stmt = stmt.where(Delivery.organization_id == organization_id)
    months: Counter = Counter()
    for org_id, org_name, day, community, n in session.execute(stmt):
        months[(org_id, org_name, f"{day:%Y-%m}", community)] += n
    return [{"organization_id": o, "organization": name, "month": m, "community": c,
             "delivered": n} for (o, name, m, c), n in sorted(months.items())]
