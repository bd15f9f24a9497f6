"""Transfers between the points of an organisation (调拨): sent (stock leaves now, in
transit), received at the destination, a shortfall recorded as lost with its reason."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import MovementKind, Transfer, TransferLine, TransferStatus
from charity.goods.services.checks import (check_quantity, filled_lines, item_and_quantity,
                                           not_future, require_point_active)
from charity.goods.services.stock_ledger import balance_row, move, take
from charity.orgs.models import CharityPoint


def send_transfer(actor, session: Session, from_point, data: dict,
                  today: dt.date | None = None) -> Transfer:
    """Send goods to another point of the organisation: stock leaves now (in transit)."""
    require(actor, "goods.transfer", from_point)
    require_point_active(from_point, "from_point_id")
    org = from_point.organization
    today = today or org_today(org)
    try:
        to_point = session.get(CharityPoint, int(data.get("to_point_id")))
    except (TypeError, ValueError):
        to_point = None
    if to_point is None or to_point.organization_id != org.id or to_point.id == from_point.id:
        raise ValidationFailed(_l("Choose another point of the organisation."),
                               field="to_point_id")
    require_point_active(to_point, "to_point_id")
    day = not_future(data.get("sent_on") or today, today, "sent_on")
    raw_lines = filled_lines(data)
    transfer = Transfer(organization_id=org.id, from_point_id=from_point.id,
                        to_point_id=to_point.id, sent_on=day,
                        note=(data.get("note") or "").strip(),
                        sent_by_id=getattr(actor, "id", None))
    session.add(transfer)
    session.flush()
    checked = [(i, *item_and_quantity(session, org.id, raw, i), raw)
               for i, raw in enumerate(raw_lines)]
    for i, item, qty, raw in sorted(checked, key=lambda c: (c[1].id, c[3].get("batch") or "")):
        for m in take(session, organization_id=org.id, point_id=from_point.id, item_type=item,
                      quantity=qty, batch=raw.get("batch") or None,
                      kind=MovementKind.TRANSFER_OUT, movement_date=day,
                      document_type="transfer", document_id=transfer.id, actor=actor,
                      field=f"lines-{i}-quantity"):
            src = balance_row(session, from_point.id, item.id, m.batch, lock=False)
            session.add(TransferLine(transfer_id=transfer.id, item_type_id=item.id,
                                     batch=m.batch, expiry_date=src.expiry_date,
                                     unit_value=m.unit_value, quantity_sent=-m.quantity))
    record(session, actor, "transfer.send", transfer,
           {"from": from_point.id, "to": to_point.id})
    session.flush()
    return transfer


def receive_transfer(actor, session: Session, transfer: Transfer, received: dict,
                     today: dt.date | None = None) -> Transfer:
    """Receive a transfer at its destination. `received` maps line id → {quantity, loss_reason,
    unit_id (optional: a packaging unit)}; a shortfall is recorded as lost with its reason."""
    to_point = session.get(CharityPoint, transfer.to_point_id)
    require(actor, "goods.transfer", to_point)
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise ValidationFailed(_l("This transfer was already received."))
    today = today or org_today(to_point.organization)
    for line in sorted(transfer.lines, key=lambda ln: (ln.item_type_id, ln.batch)):
        got = received.get(line.id, {})
        raw_qty = got.get("quantity", line.quantity_sent)
        field = f"line-{line.id}-quantity"
        qty = Decimal("0") if raw_qty in ("0", 0, Decimal("0")) else \
            check_quantity(raw_qty, line.item_type, field, got.get("unit_id"))
        if qty > line.quantity_sent:
            raise ValidationFailed(_l("More than was sent."), field=field)
        reason = (got.get("loss_reason") or "").strip()
        if qty < line.quantity_sent and not reason:
            raise ValidationFailed(_l("Say what happened to the missing goods."),
                                   field=f"line-{line.id}-loss_reason")
        line.quantity_received = qty
        line.loss_reason = reason
        if qty > 0:
            move(session, organization_id=transfer.organization_id, point_id=to_point.id,
                 item_type=line.item_type, quantity=qty, kind=MovementKind.TRANSFER_IN,
                 movement_date=today, document_type="transfer", document_id=transfer.id,
                 actor=actor, batch=line.batch, unit_value=line.unit_value,
                 expiry=line.expiry_date)
    transfer.status = TransferStatus.RECEIVED
    transfer.received_at = utcnow()
    transfer.received_by_id = getattr(actor, "id", None)
    lost = {ln.id: str(ln.quantity_sent - ln.quantity_received) for ln in transfer.lines
            if ln.quantity_received < ln.quantity_sent}
    record(session, actor, "transfer.receive", transfer, {"lost": lost})
    session.flush()
    return transfer
