"""Stock held for a home delivery: reserved first-expiry-first-out when the order is made,
released when it is delivered (the distribution then takes it) or when it fails.

A reservation is not a stock movement (the goods are still on the shelf, and the ledger
records only goods that move): it is `StockBalance.reserved`, changed under the same row
lock as every movement, so the stock ledger refuses to hand out, sell or transfer what an
open delivery holds (`stock_ledger.move`)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.delivery.models import OPEN_STATUSES, Delivery, DeliveryLine
from charity.goods.models import ItemType, StockBalance
from charity.goods.quantities import quantity_text
from charity.goods.services.stock_ledger import (
    InsufficientStock,
    available_batches,
    balance_row,
)


def reserve(session: Session, delivery: Delivery, item: ItemType, quantity: Decimal,
            on: dt.date, field: str, batch: str | None = None) -> list[DeliveryLine]:
    """Reserve `quantity` of `item` at the delivery's point from the batches still within
    their expiry date on `on` (the planned day), earliest expiry first (or from `batch`)."""
    left, lines = quantity, []
    for candidate in available_batches(session, delivery.point_id, item.id, on=on):
        if left <= 0:
            break
        if batch is not None and candidate.batch != batch:
            continue
        row = balance_row(session, delivery.point_id, item.id, candidate.batch)  # locked
        part = min(left, row.quantity - row.reserved)
        if part <= 0:
            continue
        row.reserved = row.reserved + part
        line = DeliveryLine(delivery_id=delivery.id, item_type_id=item.id, batch=row.batch,
                            quantity=part)
        session.add(line)
        lines.append(line)
        left -= part
    if left > 0:
        raise InsufficientStock(
            _l("Not enough %(item)s within its expiry date to reserve: %(have)s %(unit)s "
               "free.", item=item.name, have=quantity_text(quantity - left), unit=item.unit),
            field=field)
    session.flush()
    return lines


def release(session: Session, delivery: Delivery) -> None:
    """Give the delivery's reserved stock back to the shelf (nothing moves in the ledger)."""
    for line in delivery.lines:
        row = balance_row(session, delivery.point_id, line.item_type_id, line.batch)
        if row.reserved < line.quantity:
            raise ValidationFailed(_l("The reservation of this delivery is inconsistent; "
                                      "ask a manager to check the stock."), field="lines")
        row.reserved = row.reserved - line.quantity
    session.flush()


def verify_reservations(session: Session) -> list[str]:
    """Balances whose reserved quantity differs from the open deliveries' lines (for
    `charity verify`)."""
    held = (sa.select(Delivery.point_id, DeliveryLine.item_type_id, DeliveryLine.batch,
                      sa.func.sum(DeliveryLine.quantity).label("q"))
            .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
            .where(Delivery.status.in_(OPEN_STATUSES))
            .group_by(Delivery.point_id, DeliveryLine.item_type_id, DeliveryLine.batch)
            .subquery())
    rows = session.execute(
        sa.select(StockBalance.point_id, StockBalance.item_type_id, StockBalance.batch,
                  StockBalance.reserved, StockBalance.quantity, held.c.q)
        .outerjoin(held, sa.and_(held.c.point_id == StockBalance.point_id,
                                 held.c.item_type_id == StockBalance.item_type_id,
                                 held.c.batch == StockBalance.batch))
        .where(sa.or_(StockBalance.reserved != 0, held.c.q.is_not(None))))
    problems = []
    for point_id, item_id, batch, reserved, quantity, expected in rows:
        expected = Decimal(expected or 0)
        if Decimal(reserved) != expected:
            problems.append(f"stock point {point_id} item {item_id} batch {batch!r}: "
                            f"reserved {reserved}, open deliveries {expected}")
        if Decimal(reserved) > Decimal(quantity):
            problems.append(f"stock point {point_id} item {item_id} batch {batch!r}: "
                            f"reserved {reserved} > on hand {quantity}")
    return problems
