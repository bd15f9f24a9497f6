"""The public directory of charity points: which are open to the public, where, what they
accept, what they need now and what is on their shelves. (Whether one is open now is read
from its opening hours by `charity.portal.opening_hours`.)

Plain functions over a session (no Flask). Only active points of active organisations are
public. Nothing here touches people: no beneficiary, donor or volunteer appears.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from charity.core.clock import org_today
from charity.core.db import contains
from charity.goods.expiry import not_expired
from charity.goods.queries.stock import NeedRow, needs_list
from charity.goods.models import (ItemCategory, ItemType, PreRegistration, RefusedGood,
                                  StockBalance)
from charity.orgs.models import CharityPoint, Organization, PointKind

KINDS = tuple(k.value for k in PointKind)


def _public():
    return [CharityPoint.active.is_(True), Organization.active.is_(True)]


def public_points_stmt(district: str | None = None, kind: str | None = None,
                       q: str | None = None):
    """Active points of active organisations, by district and name (a statement, for
    paging); optionally in one district, of one kind, or whose name or address contains q."""
    stmt = (sa.select(CharityPoint).join(CharityPoint.organization)
            .where(*_public()).options(contains_eager(CharityPoint.organization)))
    if district:
        stmt = stmt.where(CharityPoint.district == district)
    if kind:
        stmt = stmt.where(CharityPoint.kind == PointKind(kind))
    if q:
        stmt = stmt.where(sa.or_(contains(CharityPoint.name, q),
                                 contains(CharityPoint.address, q)))
    return stmt.order_by(CharityPoint.district, CharityPoint.name, CharityPoint.id)


def districts(session: Session) -> list[str]:
    """Districts that have a public point (the choices of the district filter)."""
    return list(session.scalars(
        sa.select(CharityPoint.district).join(CharityPoint.organization)
        .where(*_public(), CharityPoint.district != "")
        .distinct().order_by(CharityPoint.district)))


def public_point(session: Session, point_id: int) -> CharityPoint | None:
    """The point if the public may see it (active, of an active organisation), else None."""
    if not 0 < point_id < 2**31:
        return None
    return session.scalar(
        sa.select(CharityPoint).join(CharityPoint.organization)
        .where(CharityPoint.id == point_id, *_public())
        .options(contains_eager(CharityPoint.organization)))


@dataclass
class ShelfCategory:
    """What is on the shelves in one category: quantities per unit (件 and kg do not add)."""

    name: str
    items: int = 0
    quantities: list[tuple[Decimal, str]] = field(default_factory=list)


@dataclass
class PointPage:
    point: CharityPoint
    accepted: list[str]
    refused: list[RefusedGood]
    needs: list[NeedRow]
    shelves: list[ShelfCategory]


def shelves(session: Session, point_id: int, today: dt.date) -> list[ShelfCategory]:
    """Quantities on hand per category and unit on `today`, categories in catalogue order;
    food past its expiry date is not on offer and not shown (it is written off). (The stock
    dashboard's `on_hand_by_category` adds quantities of all units; the public must see
    "120 件 · 35 kg", not 155.)"""
    rows = session.execute(
        sa.select(ItemCategory.id, ItemCategory.name, ItemType.unit,
                  sa.func.count(sa.distinct(StockBalance.item_type_id)),
                  sa.func.sum(StockBalance.quantity))
        .join(ItemType, ItemType.id == StockBalance.item_type_id)
        .join(ItemCategory, ItemCategory.id == ItemType.category_id)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
               not_expired(today))
        .group_by(ItemCategory.id, ItemCategory.name, ItemCategory.sort, ItemType.unit)
        .order_by(ItemCategory.sort, ItemCategory.name, ItemType.unit))
    out: dict[int, ShelfCategory] = {}
    for cat_id, name, unit, items, quantity in rows:
        row = out.setdefault(cat_id, ShelfCategory(name))
        row.items += items
        row.quantities.append((Decimal(quantity or 0), unit))
    return list(out.values())


def point_page(session: Session, point: CharityPoint) -> PointPage:
    """Everything the public page of a point shows: the categories its organisation
    catalogues (what it accepts), the goods it refuses with the reason, its needs list
    (items below the wanted level) and its shelves by category — both as of today in the
    organisation's calendar, expired food left out."""
    today = org_today(point.organization)
    accepted = list(session.scalars(
        sa.select(ItemCategory.name).join(ItemType, ItemType.category_id == ItemCategory.id)
        .where(ItemType.organization_id == point.organization_id, ItemType.active.is_(True))
        .group_by(ItemCategory.id, ItemCategory.name, ItemCategory.sort)
        .order_by(ItemCategory.sort, ItemCategory.name)))
    refused = list(session.scalars(
        sa.select(RefusedGood).where(RefusedGood.organization_id == point.organization_id,
                                     RefusedGood.active.is_(True))
        .order_by(RefusedGood.name)))
    return PointPage(point, accepted, refused, needs_list(session, point.id, today),
                     shelves(session, point.id, today))


MAX_DROPOFF_POINTS = 500


def dropoff_points(session: Session) -> list[CharityPoint]:
    """The points a donor may announce a drop-off at: the public ones, by district and name."""
    return list(session.scalars(public_points_stmt().limit(MAX_DROPOFF_POINTS)))


def dropoff_by_code(session: Session, code: str) -> PreRegistration | None:
    """The drop-off pre-registration with this code (as typed: trimmed, any case)."""
    code = code.strip().upper()[:16]
    return session.scalar(sa.select(PreRegistration).where(PreRegistration.code == code))
