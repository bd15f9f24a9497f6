"""Sales, transfers between points, stocktakes and write-offs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.funds import ledger
from charity.goods.common import check_quantity, item_of, not_future, require_point_active
from charity.goods.models import (ItemCategory, ItemType, MovementKind, Sale, SaleLine,
                                  StockBalance, Stocktake, StocktakeLine, StocktakeStatus,
                                  Transfer, TransferLine, TransferStatus, WriteOff,
                                  WriteOffReason)
from charity.goods.stock import balance_row, move, take
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.orgs.models import CharityPoint

PAYMENT_METHODS = ("cash", "wechat", "alipay", "bank_transfer", "other")


# --- sales -----------------------------------------------------------------------------------

def post_sale(actor, session: Session, point, data: dict, today: dt.date | None = None) -> Sale:
    """Sell donated goods at their sale price; stock out, proceeds into the fund ledger as
    commercial income (kept apart from donation income)."""
    require(actor, "goods.sell", point)
    require_point_active(point)
    org = point.organization
    today = today or org_today(org)
    day = not_future(data.get("sold_on") or today, today, "sold_on")
    method = data.get("payment_method")
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(_l("Choose how the buyer paid."), field="payment_method")
    raw_lines = [ln for ln in data.get("lines") or [] if ln.get("item_type_id")]
    if not raw_lines:
        raise ValidationFailed(_l("Add at least one line."), field="lines")
    lines = []
    for i, raw in enumerate(raw_lines):
        item = item_of(session, org.id, raw.get("item_type_id"), f"lines-{i}-item_type_id")
        qty = check_quantity(raw.get("quantity"), item, f"lines-{i}-quantity")
        price = raw.get("unit_price")
        if price in (None, ""):
            if item.sale_price is None:
                raise ValidationFailed(_l("This item has no sale price."),
                                       field=f"lines-{i}-unit_price")
            price = item.sale_price
        price = check_amount(price, field=f"lines-{i}-unit_price")
        lines.append((i, item, qty, price, raw.get("batch") or None))
    total = sum((qty * price for _, _, qty, price, _ in lines), Decimal("0")).quantize(
        Decimal("0.01"))
    sale = Sale(organization_id=org.id, point_id=point.id, sold_on=day, payment_method=method,
                total=total, posted_by_id=getattr(actor, "id", None))
    session.add(sale)
    session.flush()
    for i, item, qty, price, batch in sorted(lines, key=lambda ln: (ln[1].id, ln[4] or "")):
        for m in take(session, organization_id=org.id, point_id=point.id, item_type=item,
                      quantity=qty, batch=batch, kind=MovementKind.SALE, movement_date=day,
                      document_type="sale", document_id=sale.id, actor=actor,
                      field=f"lines-{i}-quantity"):
            part = -m.quantity
            session.add(SaleLine(sale_id=sale.id, item_type_id=item.id, batch=m.batch,
                                 quantity=part, unit_price=price,
                                 amount=(part * price).quantize(Decimal("0.01"))))
    # The sale itself was authorised (goods.sell at this point); its proceeds are posted by
    # the system on the seller's behalf, since volunteers do not post money directly.
    from charity.core.system import system_actor

    entry = ledger.post_entry(system_actor(), session, org, {
        "kind": "sale_income", "amount": total, "entry_date": day,
        "counterparty": point.name, "purpose": "慈善超市义卖收入",
        "reference": f"sale:{sale.id}", "source_type": "sale", "source_id": sale.id,
        "channel": None}, today=today)
    entry.posted_by_id = getattr(actor, "id", None)
    sale.fund_entry_id = entry.id
    record(session, actor, "sale.post", sale, {"point_id": point.id, "total": str(total)})
    session.flush()
    return sale


# --- transfers -------------------------------------------------------------------------------

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
    raw_lines = [ln for ln in data.get("lines") or [] if ln.get("item_type_id")]
    if not raw_lines:
        raise ValidationFailed(_l("Add at least one line."), field="lines")
    transfer = Transfer(organization_id=org.id, from_point_id=from_point.id,
                        to_point_id=to_point.id, sent_on=day,
                        note=(data.get("note") or "").strip(),
                        sent_by_id=getattr(actor, "id", None))
    session.add(transfer)
    session.flush()
    checked = []
    for i, raw in enumerate(raw_lines):
        item = item_of(session, org.id, raw.get("item_type_id"), f"lines-{i}-item_type_id")
        checked.append((i, item, check_quantity(raw.get("quantity"), item, f"lines-{i}-quantity"),
                        raw))
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
    """Receive a transfer at its destination. `received` maps line id → {quantity, loss_reason};
    a shortfall is recorded as lost with its reason."""
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
            check_quantity(raw_qty, line.item_type, field)
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


# --- stocktakes ------------------------------------------------------------------------------

def start_stocktake(actor, session: Session, point, category_id=None,
                    today: dt.date | None = None) -> Stocktake:
    """A count sheet for a point (whole shelf, or one category), prefilled with what is on
    hand; the counter overwrites the counted quantities."""
    require(actor, "goods.stocktake", point)
    today = today or org_today(point.organization)
    raw = str(category_id or "")
    if category_id and (not raw.isascii() or not raw.isdigit() or int(raw) >= 2**31
                        or session.get(ItemCategory, int(raw)) is None):
        raise ValidationFailed(_l("Unknown category."), field="category_id")
    st = Stocktake(organization_id=point.organization_id, point_id=point.id,
                   category_id=int(category_id) if category_id else None, counted_on=today,
                   created_by_id=getattr(actor, "id", None))
    session.add(st)
    session.flush()
    stmt = sa.select(StockBalance).join(ItemType).where(StockBalance.point_id == point.id,
                                                        StockBalance.quantity > 0)
    if category_id:
        stmt = stmt.where(ItemType.category_id == int(category_id))
    for bal in session.scalars(stmt.order_by(ItemType.name, StockBalance.batch)):
        session.add(StocktakeLine(stocktake_id=st.id, item_type_id=bal.item_type_id,
                                  batch=bal.batch, counted=bal.quantity))
    record(session, actor, "stocktake.start", st, {"point_id": point.id})
    session.flush()
    return st


def set_counts(actor, session: Session, st: Stocktake, counts: dict[int, object],
               extra: list[dict] | None = None) -> Stocktake:
    """Record counted quantities (line id → quantity) and lines for items found but not
    expected; only while the sheet is a draft."""
    require(actor, "goods.stocktake", st)
    if st.status != StocktakeStatus.DRAFT:
        raise ValidationFailed(_l("Only a draft count sheet can be changed."))
    for line in st.lines:
        if line.id in counts:
            raw = counts[line.id]
            line.counted = Decimal("0") if str(raw).strip() in ("0", "0.0") else \
                check_quantity(raw, line.item_type, f"line-{line.id}")
    for i, raw in enumerate(extra or []):
        if not raw.get("item_type_id"):
            continue
        item = item_of(session, st.organization_id, raw["item_type_id"], f"extra-{i}")
        qty = check_quantity(raw.get("quantity"), item, f"extra-{i}")
        batch = (raw.get("batch") or "").strip()
        existing = next((ln for ln in st.lines if ln.item_type_id == item.id
                         and ln.batch == batch), None)
        if existing:
            existing.counted = qty
        else:
            session.add(StocktakeLine(stocktake_id=st.id, item_type_id=item.id, batch=batch,
                                      counted=qty))
    session.flush()
    return st


def submit_stocktake(actor, session: Session, st: Stocktake) -> Stocktake:
    require(actor, "goods.stocktake", st)
    if st.status != StocktakeStatus.DRAFT:
        raise ValidationFailed(_l("Only a draft count sheet can be submitted."))
    st.status = StocktakeStatus.SUBMITTED
    st.submitted_at = utcnow()
    st.submitted_by_id = getattr(actor, "id", None)
    record(session, actor, "stocktake.submit", st)
    session.flush()
    return st


def stocktake_differences(session: Session, st: Stocktake) -> list[tuple[StocktakeLine, Decimal]]:
    """(line, counted − on hand now) for every line, as the approver sees them."""
    out = []
    for line in st.lines:
        bal = session.scalar(sa.select(StockBalance.quantity).where(
            StockBalance.point_id == st.point_id, StockBalance.item_type_id == line.item_type_id,
            StockBalance.batch == line.batch)) or Decimal("0")
        out.append((line, line.counted - Decimal(bal)))
    return out


def approve_stocktake(actor, session: Session, st: Stocktake,
                      today: dt.date | None = None) -> Stocktake:
    """A manager approves: each difference against the balance at this moment is posted as a
    stocktake adjustment."""
    require(actor, "goods.stocktake_approve", st)
    if st.status != StocktakeStatus.SUBMITTED:
        raise ValidationFailed(_l("Only a submitted count sheet can be approved."))
    today = today or org_today(st.point.organization)
    for line in sorted(st.lines, key=lambda ln: (ln.item_type_id, ln.batch)):
        row = balance_row(session, st.point_id, line.item_type_id, line.batch)
        line.expected = row.quantity
        diff = line.counted - row.quantity
        if diff != 0:
            move(session, organization_id=st.organization_id, point_id=st.point_id,
                 item_type=line.item_type, quantity=diff, kind=MovementKind.STOCKTAKE,
                 movement_date=today, document_type="stocktake", document_id=st.id,
                 actor=actor, batch=line.batch,
                 unit_value=None if diff < 0 else (line.item_type.default_fair_value
                                                   or Decimal("0")),
                 reason="盘点差异")
    st.status = StocktakeStatus.APPROVED
    st.approved_at = utcnow()
    st.approved_by_id = getattr(actor, "id", None)
    record(session, actor, "stocktake.approve", st, {"lines": len(st.lines)})
    session.flush()
    return st


# --- write-offs ------------------------------------------------------------------------------

def post_write_off(actor, session: Session, point, data: dict,
                   today: dt.date | None = None) -> WriteOff:
    """Take expired, damaged or unusable goods off the shelf, with the reason."""
    require(actor, "goods.write_off", point)
    org = point.organization
    today = today or org_today(org)
    day = not_future(data.get("written_off_on") or today, today, "written_off_on")
    try:
        reason = WriteOffReason(data.get("reason"))
    except ValueError:
        raise ValidationFailed(_l("Choose the reason."), field="reason") from None
    item = item_of(session, org.id, data.get("item_type_id"), "item_type_id")
    qty = check_quantity(data.get("quantity"), item, "quantity")
    batch = (data.get("batch") or "").strip()
    wo = WriteOff(organization_id=org.id, point_id=point.id, item_type_id=item.id, batch=batch,
                  quantity=qty, reason=reason, note=(data.get("note") or "").strip()[:300],
                  written_off_on=day, posted_by_id=getattr(actor, "id", None))
    session.add(wo)
    session.flush()
    move(session, organization_id=org.id, point_id=point.id, item_type=item, quantity=-qty,
         kind=MovementKind.WRITE_OFF, movement_date=day, document_type="write_off",
         document_id=wo.id, actor=actor, batch=batch, reason=reason.value, field="quantity")
    record(session, actor, "write_off.post", wo, {"item": item.id, "quantity": str(qty),
                                                  "reason": reason.value})
    session.flush()
    return wo
