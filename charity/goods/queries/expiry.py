"""Food and its expiry dates, as the screens read them: what is expired on a point's shelf
(to be written off, never handed out), what expires soon (flagged at hand-out and offered
first), and the daily checks the scheduler made.

"Expired" is always counted on a calendar day of the organisation: a batch is expired on day
d when its expiry date is before d (`charity.goods.services.stock_ledger.is_expired`), the
same rule the ledger refuses outgoing movements by.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.goods.expiry import ExpiryCheck
from charity.goods.models import StockBalance
from charity.goods.expiry import expired, is_expired

DEFAULT_WARNING_DAYS = 7
ZERO = Decimal("0")


def warning_days(org) -> int:
    """How close to its expiry date a batch is flagged at hand-out (the organisation's
    setting, 7 days unless it chose otherwise)."""
    days = getattr(org, "expiry_warning_days", None)
    return DEFAULT_WARNING_DAYS if days is None else int(days)


def expires_soon(balance: StockBalance, today: dt.date, days: int) -> bool:
    """Within its expiry date today, but for at most `days` more days."""
    return (balance.expiry_date is not None and not is_expired(balance.expiry_date, today)
            and (balance.expiry_date - today).days <= days)


def expired_batches(session: Session, point_ids: Iterable[int], today: dt.date
                    ) -> list[StockBalance]:
    """Batches on the shelves of `point_ids` past their expiry date on `today`, by point,
    item and expiry date (with their item types loaded)."""
    ids = sorted(set(point_ids))
    if not ids:
        return []
    return list(session.scalars(
        sa.select(StockBalance)
        .where(StockBalance.point_id.in_(ids), StockBalance.quantity > 0,
               expired(today))
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.point_id, StockBalance.item_type_id, StockBalance.expiry_date,
                  StockBalance.batch)))


def expired_by_item(session: Session, point_id: int, today: dt.date) -> dict[int, Decimal]:
    """Item id → quantity on the point's shelf that is past its expiry date on `today`."""
    return {item_id: Decimal(q) for item_id, q in session.execute(
        sa.select(StockBalance.item_type_id, sa.func.sum(StockBalance.quantity))
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
               expired(today))
        .group_by(StockBalance.item_type_id))}


@dataclass(frozen=True)
class SoonRow:
    """A batch to hand out first: it expires within the organisation's warning window."""

    balance: StockBalance
    days_left: int


def expiring_soon(session: Session, point_id: int, today: dt.date, days: int
                  ) -> list[SoonRow]:
    """Batches on the point's shelf within their expiry date but expiring within `days`
    days, soonest first (what the hand-out screens flag and offer first)."""
    rows = session.scalars(
        sa.select(StockBalance)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0,
               StockBalance.expiry_date >= today,
               StockBalance.expiry_date <= today + dt.timedelta(days=days))
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.expiry_date, StockBalance.item_type_id, StockBalance.batch))
    return [SoonRow(b, (b.expiry_date - today).days) for b in rows]


def last_checks(session: Session, point_ids: Iterable[int]) -> dict[int, ExpiryCheck]:
    """Point id → the scheduler's latest daily expiry check of that point."""
    ids = sorted(set(point_ids))
    if not ids:
        return {}
    latest = (sa.select(ExpiryCheck.point_id, sa.func.max(ExpiryCheck.checked_on).label("day"))
              .where(ExpiryCheck.point_id.in_(ids)).group_by(ExpiryCheck.point_id).subquery())
    return {c.point_id: c for c in session.scalars(
        sa.select(ExpiryCheck).join(latest, sa.and_(latest.c.point_id == ExpiryCheck.point_id,
                                                    latest.c.day == ExpiryCheck.checked_on)))}
