"""The read side of boxes: lists, what a batch holds outside boxes, and whether the ledger
still has what a box says it holds (one definition of each figure)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.permissions import scope_points
from charity.boxes.models import Box, BoxLine, BoxState
from charity.core.db import contains
from charity.goods.models import ItemType, StockBalance, Transfer

ZERO = Decimal(0)


def boxed_quantity(session: Session, point_id: int, item_type_id: int, batch: str) -> Decimal:
    """How much of the batch lies in boxes on the shelf of the point."""
    return Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(BoxLine.quantity), 0))
        .join(Box, Box.id == BoxLine.box_id)
        .where(Box.point_id == point_id, Box.state == BoxState.ON_SHELF,
               BoxLine.item_type_id == item_type_id, BoxLine.batch == batch)) or 0)


def on_hand(session: Session, point_id: int, item_type_id: int, batch: str) -> Decimal:
    """The ledger's balance of the batch at the point."""
    return Decimal(session.scalar(sa.select(StockBalance.quantity).where(
        StockBalance.point_id == point_id, StockBalance.item_type_id == item_type_id,
        StockBalance.batch == batch)) or 0)


def free_quantity(session: Session, point_id: int, item_type_id: int, batch: str) -> Decimal:
    """On hand and not in a box on the shelf: what a new box may take."""
    return max(ZERO, on_hand(session, point_id, item_type_id, batch)
               - boxed_quantity(session, point_id, item_type_id, batch))


def packable(session: Session, point_id: int) -> list[tuple[StockBalance, Decimal]]:
    """The batches on the point's shelf with some quantity outside boxes: (balance, free)."""
    rows = session.scalars(
        sa.select(StockBalance).join(ItemType)
        .where(StockBalance.point_id == point_id, StockBalance.quantity > 0)
        .options(selectinload(StockBalance.item_type))
        .order_by(ItemType.name, StockBalance.batch))
    out = []
    for row in rows:
        free = row.quantity - boxed_quantity(session, point_id, row.item_type_id, row.batch)
        if free > 0:
            out.append((row, free))
    return out


def shortfalls(session: Session, box: Box) -> dict[int, Decimal]:
    """line id → how much of the line the ledger no longer has at the box's point, when the
    boxes on the shelf together hold more of a batch than its balance (goods taken out
    loose, a stocktake difference). Empty for a box that is not on the shelf."""
    if box.state != BoxState.ON_SHELF:
        return {}
    out = {}
    for line in box.lines:
        missing = boxed_quantity(session, box.point_id, line.item_type_id, line.batch) \
            - on_hand(session, box.point_id, line.item_type_id, line.batch)
        if missing > 0:
            out[line.id] = min(missing, line.quantity)
    return out


def box_list(user, point_id: int | None = None, state: str | None = None, q: str = ""):
    """The boxes the user may see (those of their points, and those on their way to them),
    newest first; by point, state, and code, label or item."""
    visible = scope_points(user, sa.select(Box.id), Box.point_id, Box.organization_id)
    arriving = scope_points(user, sa.select(Box.id).join(Transfer, Transfer.id == Box.transfer_id)
                            .where(Box.state == BoxState.IN_TRANSIT),
                            Transfer.to_point_id, Box.organization_id)
    stmt = sa.select(Box).where(sa.or_(Box.id.in_(visible), Box.id.in_(arriving)))
    if point_id:
        stmt = stmt.where(Box.point_id == point_id)
    if state:
        stmt = stmt.where(Box.state == BoxState(state))
    if q:
        item_match = sa.select(BoxLine.box_id).join(ItemType).where(contains(ItemType.name, q))
        stmt = stmt.where(sa.or_(contains(Box.code, q), contains(Box.label, q),
                                 Box.id.in_(item_match)))
    return stmt.options(selectinload(Box.lines).selectinload(BoxLine.item_type),
                        selectinload(Box.point)).order_by(Box.id.desc())


def box_by_code(session: Session, code: str) -> Box | None:
    """The box a label names: its code (any case, spaces ignored)."""
    wanted = "".join((code or "").split()).upper()[:16]
    if not wanted:
        return None
    return session.scalar(sa.select(Box).where(Box.code == wanted))


def open_boxes_at(session: Session, point_id: int) -> list[Box]:
    """The boxes on a point's shelf, with their contents (a stocktake's box check)."""
    return list(session.scalars(
        sa.select(Box).where(Box.point_id == point_id, Box.state == BoxState.ON_SHELF)
        .options(selectinload(Box.lines).selectinload(BoxLine.item_type))
        .order_by(Box.code)))
