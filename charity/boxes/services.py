"""The write side of boxes. A box never changes stock by itself: packing only checks that the
goods are on hand and not already in another box; sending, handing out and losing a box post
the goods documents through their own services (transfer, distribution, write-off), whose
rules (stock never below zero, expired food never leaves, monthly limits, points) apply
unchanged. Services flush, the caller commits."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.boxes.models import Box, BoxEvent, BoxEventKind, BoxLine, BoxState
from charity.boxes.queries import free_quantity
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import StockBalance, StocktakeStatus, Transfer, WriteOffReason
from charity.goods.services.checks import filled_lines, item_and_quantity, require_point_active
from charity.goods.services.distributions import post_distribution
from charity.goods.services.transfers import receive_transfer, send_transfer
from charity.goods.services.write_offs import post_write_off

CODE_PREFIX = "BX"


def _step(actor, session: Session, box: Box, kind: BoxEventKind, document=None,
          note: str = "", document_type: str = "") -> BoxEvent:
    """Stamp one step of the box's life (who, when, where, which document) and audit it."""
    event = BoxEvent(box_id=box.id, kind=kind, point_id=box.point_id,
                     by_id=getattr(actor, "id", None), note=note[:300],
                     document_type=document_type or (document.__tablename__ if document
                                                      is not None else ""),
                     document_id=getattr(document, "id", None))
    session.add(event)
    record(session, actor, f"box.{kind.value}", box,
           {"code": box.code, "document": event.document_type,
            "document_id": event.document_id})
    session.flush()
    return event


def _require_state(box: Box, *states: BoxState) -> None:
    if box.state not in states:
        raise ValidationFailed(_l("Box %(code)s cannot do this in its present state.",
                                  code=box.code))


def _document_lines(box: Box) -> list[dict]:
    """The box's contents as the lines of a goods document (each batch named)."""
    return [{"item_type_id": line.item_type_id, "quantity": str(line.quantity),
             "batch": line.batch} for line in box.lines]


def pack_box(actor, session: Session, point, data: dict) -> Box:
    """Pack goods on hand at `point` into a new box: each line names an item, a batch on the
    shelf and a quantity that is on hand and not already in another box on the shelf."""
    require(actor, "boxes.pack", point)
    require_point_active(point)
    wanted: dict[tuple[int, str], tuple] = {}
    for i, raw in enumerate(filled_lines(data)):
        item, qty = item_and_quantity(session, point.organization_id, raw, i)
        key = (item.id, (raw.get("batch") or "").strip())
        earlier = wanted.get(key)
        wanted[key] = (item, qty + (earlier[1] if earlier else 0), i)
    # A unique placeholder until the id is known (the code is made from it below).
    box = Box(organization_id=point.organization_id, point_id=point.id,
              code=f"{CODE_PREFIX}-{uuid.uuid4().hex[:12]}",
              label=(data.get("label") or "").strip()[:100],
              created_by_id=getattr(actor, "id", None))
    for (item_id, batch), (item, qty, i) in sorted(wanted.items()):
        # Two volunteers packing the same batch at once: the second waits, then sees the first
        # box (PostgreSQL; SQLite writers are serial anyway).
        session.execute(sa.select(StockBalance.id).where(
            StockBalance.point_id == point.id, StockBalance.item_type_id == item_id,
            StockBalance.batch == batch).with_for_update())
        free = free_quantity(session, point.id, item_id, batch)
        if qty > free:
            raise ValidationFailed(
                _l("Only %(free)s %(unit)s of %(item)s are on the shelf and not in a box.",
                   free=free.normalize(), unit=item.unit, item=item.name),
                field=f"lines-{i}-quantity")
        box.lines.append(BoxLine(item_type_id=item_id, batch=batch, quantity=qty))
    session.add(box)
    session.flush()
    box.code = f"{CODE_PREFIX}{box.id:06d}"
    _step(actor, session, box, BoxEventKind.PACKED)
    return box


def send_box(actor, session: Session, box: Box, to_point_id, today: dt.date | None = None
             ) -> Box:
    """Send the whole box to another point: one transfer of exactly its contents."""
    _require_state(box, BoxState.ON_SHELF)
    transfer = send_transfer(actor, session, box.point, {
        "to_point_id": to_point_id, "note": box.code, "lines": _document_lines(box)},
        today=today)
    box.state = BoxState.IN_TRANSIT
    box.transfer_id = transfer.id
    _step(actor, session, box, BoxEventKind.SENT, transfer)
    return box


def arrive_boxes(actor, session: Session, transfer: Transfer) -> Transfer:
    """After `transfer` was received: its boxes are on the destination's shelf, holding what
    arrived (a shortfall the receiver recorded leaves the box); a box of which nothing
    arrived is lost. Called in the same transaction as `receive_transfer`."""
    received = {(ln.item_type_id, ln.batch): ln for ln in transfer.lines}
    boxes = session.scalars(sa.select(Box).where(Box.transfer_id == transfer.id,
                                                 Box.state == BoxState.IN_TRANSIT)).all()
    for box in boxes:
        box.point_id = transfer.to_point_id
        for line in list(box.lines):
            arrived = received[(line.item_type_id, line.batch)].quantity_received or 0
            line.quantity = min(line.quantity, arrived)
            if not line.quantity:
                box.lines.remove(line)
                session.delete(line)
        box.state = BoxState.ON_SHELF if box.lines else BoxState.LOST
        kind = BoxEventKind.RECEIVED if box.lines else BoxEventKind.LOST
        _step(actor, session, box, kind, transfer)
    return transfer


def receive_box(actor, session: Session, box: Box, today: dt.date | None = None) -> Box:
    """Receive a box in transit, whole, at its destination (its transfer, all of it)."""
    _require_state(box, BoxState.IN_TRANSIT)
    transfer = session.get(Transfer, box.transfer_id)
    arrive_boxes(actor, session, receive_transfer(actor, session, transfer, {}, today=today))
    return box


def hand_out_box(actor, session: Session, box: Box, beneficiary_id,
                 today: dt.date | None = None) -> Box:
    """Hand the whole box to a household: one distribution of exactly its contents (points,
    monthly limits and the food rules of the distribution service apply)."""
    _require_state(box, BoxState.ON_SHELF)
    dist = post_distribution(actor, session, box.point, {
        "beneficiary_id": beneficiary_id, "lines": _document_lines(box)}, today=today)
    box.state = BoxState.HANDED_OUT
    box.distribution_id = dist.id
    _step(actor, session, box, BoxEventKind.HANDED_OUT, dist)
    return box


def lose_box(actor, session: Session, box: Box, note: str,
             today: dt.date | None = None) -> Box:
    """A box on the shelf is gone: its contents are written off (one write-off per line)."""
    _require_state(box, BoxState.ON_SHELF)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_l("Say what happened to the box."), field="note")
    for line in box.lines:
        wo = post_write_off(actor, session, box.point, {
            "item_type_id": line.item_type_id, "quantity": str(line.quantity),
            "batch": line.batch, "reason": WriteOffReason.UNUSABLE.value,
            "note": f"{box.code}: {note}"[:300]}, today=today)
        _step(actor, session, box, BoxEventKind.LOST, wo, note=note)
    box.state = BoxState.LOST
    session.flush()
    return box


def count_boxes(actor, session: Session, stocktake, found_ids):
    """Record which boxes on the stocktake's shelf were found (counted) and which were not
    (missing). A box may be checked again while the sheet is not approved: the last check
    counts. Returns the stocktake."""
    require(actor, "goods.stocktake", stocktake)
    if stocktake.status == StocktakeStatus.APPROVED:
        raise ValidationFailed(_l("This count sheet is already approved."))
    found = {int(i) for i in found_ids}
    boxes = list(session.scalars(sa.select(Box).where(
        Box.point_id == stocktake.point_id, Box.state == BoxState.ON_SHELF).order_by(Box.id)))
    for box in boxes:
        kind = BoxEventKind.COUNTED if box.id in found else BoxEventKind.MISSING
        _step(actor, session, box, kind, stocktake)
    return stocktake


def settle_boxes(actor, session: Session, stocktake):
    """After the stocktake's approval: boxes it found missing are lost. Their goods were not
    counted, so the stocktake's differences already took them off the ledger; nothing more
    is posted. Returns the stocktake (chained after `approve_stocktake`)."""
    last = {}
    for event in session.scalars(sa.select(BoxEvent).where(
            BoxEvent.document_type == "stocktake", BoxEvent.document_id == stocktake.id)
            .order_by(BoxEvent.id)):
        last[event.box_id] = event.kind
    for box_id, kind in sorted(last.items()):
        box = session.get(Box, box_id)
        if kind == BoxEventKind.MISSING and box.state == BoxState.ON_SHELF \
                and box.point_id == stocktake.point_id:
            box.state = BoxState.LOST
            _step(actor, session, box, BoxEventKind.LOST, stocktake)
    return stocktake


__all__ = ["arrive_boxes", "count_boxes", "hand_out_box", "lose_box", "pack_box",
           "receive_box", "send_box", "settle_boxes"]
