"""What the stock screens show: on hand by category, food to check, the needs list, today's
counters, filtered balance and movement queries.

Plain functions over a session (no Flask): the public portal reuses `needs_list`.
Every figure comes from the stock balances, which the ledger keeps in the same transaction
as each movement (`charity verify` recomputes them from the movements).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.permissions import scope_points
from charity.core.roles import Role
from charity.core.clock import org_today
from charity.goods.expiry import expired, not_expired
from charity.goods.models import (Distribution, DocStatus, Intake, ItemCategory, ItemType,
                                  StockBalance, StockMovement, StockTarget)
from charity.goods.queries.lists import where_given
from charity.orgs.models import CharityPoint, Organization

ZERO = Decimal("0")
EXPIRY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class CategoryRow:
    category: str
    items: int
    quantity: Decimal  # available: within its expiry date today
    value: Decimal  # fair value of all on hand (expired goods count until written off)
    expired: Decimal = ZERO  # on the shelf past its expiry date: to be written off


@dataclass(frozen=True)
class NeedRow:
    item: ItemType
    wanted: Decimal
    on_hand: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.wanted - self.on_hand)

    @property
    def below(self) -> bool:
        return self.on_hand < self.wanted


def on_hand_by_category(session: Session, point_id: int, today: dt.date) -> list[CategoryRow]:
    """Per category: the quantity available on `today` (expired batches left out and
    counted apart) and the fair value on hand (categories with nothing left omitted)."""
    rows = session.execute(
        sa.select(ItemCategory.name, sa.func.count(sa.distinct(StockBalance.item_type_id)),
                  sa.func.sum(sa.case((not_expired(today), StockBalance.quantity), else_=0)),
                  sa.func.sum(StockBalance.value),
                  sa.func.sum(sa.case((expired(today), StockBalance.quantity), else_=0)))
        .join(ItemType, ItemType.id == StockBalance.item_type_id)
        .join(ItemCategory, ItemCategory.id == ItemType.category_id)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0)
        .group_by(ItemCategory.id, ItemCategory.name, ItemCategory.sort)
        .order_by(ItemCategory.sort, ItemCategory.name))
    return [CategoryRow(name, items, Decimal(q or 0), Decimal(v or 0), Decimal(x or 0))
            for name, items, q, v, x in rows]


def expiring(session: Session, point_id: int, today: dt.date,
             days: int = EXPIRY_WINDOW_DAYS) -> list[StockBalance]:
    """Batches on hand that expire within `days` (or already expired), soonest first."""
    return list(session.scalars(
        sa.select(StockBalance)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
               StockBalance.expiry_date.is_not(None),
               StockBalance.expiry_date <= today + dt.timedelta(days=days))
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.expiry_date, StockBalance.item_type_id, StockBalance.batch)
        .limit(500)))


def _on_hand_sums(point_id: int, today: dt.date):
    """Item → quantity within its expiry date on `today` (expired food does not meet a
    need: it is written off)."""
    return (sa.select(StockBalance.item_type_id, sa.func.sum(StockBalance.quantity).label("q"))
            .where(StockBalance.point_id == point_id, not_expired(today))
            .group_by(StockBalance.item_type_id).subquery())


def point_today(session: Session, point_id: int) -> dt.date:
    """Today in the calendar of the point's organisation."""
    return org_today(session.get(CharityPoint, point_id).organization)


def targets(session: Session, point_id: int, today: dt.date | None = None) -> list[NeedRow]:
    """Every wanted level of the point with what is on hand on `today` (by default the
    organisation's today; expired batches left out), those furthest below first."""
    sums = _on_hand_sums(point_id, today or point_today(session, point_id))
    rows = session.execute(
        sa.select(ItemType, StockTarget.wanted, sums.c.q)
        .join(StockTarget, StockTarget.item_type_id == ItemType.id)
        .outerjoin(sums, sums.c.item_type_id == ItemType.id)
        .where(StockTarget.point_id == point_id)
        .order_by(ItemType.name))
    out = [NeedRow(item, Decimal(wanted), Decimal(q or 0)) for item, wanted, q in rows]
    return sorted(out, key=lambda r: (not r.below, -r.shortfall, r.item.name))


def needs_list(session: Session, point_id: int, today: dt.date | None = None) -> list[NeedRow]:
    """Items the point has less of (within its expiry date on `today`, by default the
    organisation's today) than it wants — what the public portal asks donors for."""
    return [row for row in targets(session, point_id, today) if row.below and row.item.active]


def today_counts(session: Session, point_id: int, today: dt.date) -> dict[str, int]:
    """Posted (not reversed) intakes and distributions of the point dated `today`."""
    intakes = session.scalar(sa.select(sa.func.count()).select_from(Intake).where(
        Intake.point_id == point_id, Intake.received_on == today,
        Intake.status == DocStatus.POSTED))
    distributions = session.scalar(sa.select(sa.func.count()).select_from(Distribution).where(
        Distribution.point_id == point_id, Distribution.distributed_on == today,
        Distribution.status == DocStatus.POSTED))
    return {"intakes": intakes or 0, "distributions": distributions or 0}


def totals(session: Session, point_id: int) -> tuple[Decimal, Decimal]:
    """Everything on the point's shelf, expired or not: quantity and fair value on the books
    (expired goods leave the books when written off)."""
    q, v = session.execute(
        sa.select(sa.func.sum(StockBalance.quantity), sa.func.sum(StockBalance.value))
        .where(StockBalance.point_id == point_id)).one()
    return Decimal(q or 0), Decimal(v or 0)


# --- filtered lists (the balance list, its export, the movement list) ------------------------

@dataclass
class StockFilter:
    point_id: int | None = None
    category_id: int | None = None
    item_type_id: int | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def balances_stmt(flt: StockFilter):
    """Balances with something on hand, joined to their point, item and category."""
    stmt = (sa.select(StockBalance)
            .join(CharityPoint, CharityPoint.id == StockBalance.point_id)
            .join(ItemType, ItemType.id == StockBalance.item_type_id)
            .join(ItemCategory, ItemCategory.id == ItemType.category_id)
            .where(StockBalance.quantity > 0))
    return where_given(stmt, (flt.point_id, lambda v: StockBalance.point_id == v),
                       (flt.category_id, lambda v: ItemType.category_id == v),
                       (flt.item_type_id, lambda v: StockBalance.item_type_id == v))


# The balance list's keyset order (charity.web.keyset), served by the unique index.
BALANCE_KEYS = (StockBalance.point_id, StockBalance.item_type_id, StockBalance.batch)


def balance_order(stmt):
    return stmt.order_by(CharityPoint.name, CharityPoint.id, ItemCategory.sort, ItemType.name,
                         StockBalance.expiry_date.is_(None), StockBalance.expiry_date,
                         StockBalance.batch)


def movements_stmt(flt: StockFilter):
    return where_given(sa.select(StockMovement),
                       (flt.point_id, lambda v: StockMovement.point_id == v),
                       (flt.item_type_id, lambda v: StockMovement.item_type_id == v),
                       (flt.kind, lambda v: StockMovement.kind == v),
                       (flt.date_from, lambda v: StockMovement.movement_date >= v),
                       (flt.date_to, lambda v: StockMovement.movement_date <= v))


def balances(user, flt: StockFilter):
    """`balances_stmt` within the user's points.

    A balance has no organisation column: an organisation's user is scoped through the
    point's. The list walks the (point, item, batch) index in order, and PostgreSQL, not
    knowing where one organisation's points lie, walked it from the far end through the
    other organisations' balances (147,000 rows, 73 ms, for the last page at factor 1). The
    organisation's lowest and highest point id bound the walk to its own stretch."""
    stmt = scope_points(user, balances_stmt(flt), StockBalance.point_id,
                        CharityPoint.organization_id)
    if user.role in (Role.MANAGER, Role.AUDITOR):
        ids = sa.select(CharityPoint.id).where(
            CharityPoint.organization_id == user.organization_id)
        stmt = stmt.where(StockBalance.point_id.between(
            ids.with_only_columns(sa.func.min(CharityPoint.id)).scalar_subquery(),
            ids.with_only_columns(sa.func.max(CharityPoint.id)).scalar_subquery()))
    return stmt


def balance_count(session: Session, user, flt: StockFilter) -> int:
    return session.scalar(balances(user, flt).with_only_columns(
        sa.func.count(StockBalance.id)).order_by(None)) or 0


def movements(user, flt: StockFilter):
    """The filtered movements within the user's points, newest first."""
    stmt = scope_points(user, movements_stmt(flt), StockMovement.point_id,
                        StockMovement.organization_id)
    return stmt.options(selectinload(StockMovement.item_type)).order_by(
        StockMovement.movement_date.desc(), StockMovement.id.desc())


def export_rows_stmt(user, flt: StockFilter):
    """The filtered balances as export rows: organisation, point, category, item, unit,
    batch, expiry date, quantity, fair value."""
    stmt = balances(user, flt).with_only_columns(
        Organization.name, CharityPoint.name, ItemCategory.name, ItemType.name, ItemType.unit,
        StockBalance.batch, StockBalance.expiry_date, StockBalance.quantity,
        StockBalance.value).join(Organization, Organization.id == CharityPoint.organization_id)
    return balance_order(stmt)
