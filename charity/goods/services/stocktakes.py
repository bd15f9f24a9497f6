"""Stocktakes (盘点): a count sheet of a point's shelves, counted (blind for volunteers),
submitted, and approved by a manager, which posts each difference to the stock ledger."""
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
from charity.core.i18n import _l
from charity.goods.models import (ItemCategory, ItemType, MovementKind, StockBalance, Stocktake,
                                  StocktakeLine, StocktakeStatus)
from charity.goods.quantities import plain_qty
from charity.goods.queries.lists import COUNT_ACTION, counted_line_ids
from charity.goods.services.checks import check_quantity, item_of
from charity.goods.services.stock_ledger import balance_row, move


class Uncounted(ValidationFailed):
    """Submitting a sheet with lines nobody counted."""

    def __init__(self, line_ids):
        super().__init__(_l("Count every line before submitting: enter 0 for an item that "
                            "is not there."))
        self.line_ids = set(line_ids)


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
               extra: list[dict] | None = None, units: dict | None = None) -> Stocktake:
    """Record counted quantities (line id → quantity, typed in the packaging unit `units`
    names for the line, else the base unit) and lines for items found but not expected;
    only while the sheet is a draft."""
    require(actor, "goods.stocktake", st)
    if st.status != StocktakeStatus.DRAFT:
        raise ValidationFailed(_l("Only a draft count sheet can be changed."))
    for line in st.lines:
        if line.id in counts:
            raw = counts[line.id]
            line.counted = Decimal("0") if str(raw).strip() in ("0", "0.0") else \
                check_quantity(raw, line.item_type, f"line-{line.id}",
                               (units or {}).get(line.id))
    for i, raw in enumerate(extra or []):
        if not raw.get("item_type_id"):
            continue
        item = item_of(session, st.organization_id, raw["item_type_id"], f"extra-{i}")
        qty = check_quantity(raw.get("quantity"), item, f"extra-{i}", raw.get("unit_id"))
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


def record_counts(actor, session: Session, st: Stocktake, counts: dict, extras: list[dict]
                  ) -> set[int]:
    """Log who counted which lines (set_counts itself does not), and return their ids."""
    session.expire(st, ["lines"])
    found = {(int(e["item_type_id"]), (e.get("batch") or "").strip())
             for e in extras if e.get("item_type_id")}
    ids = set(counts) | {ln.id for ln in st.lines if (ln.item_type_id, ln.batch) in found}
    if ids:
        counted = {ln.id: ln.counted for ln in st.lines}
        record(session, actor, COUNT_ACTION, st,
               {"lines": {str(i): plain_qty(counted[i]) for i in sorted(ids) if i in counted}})
    return ids


def save_counts(actor, session: Session, st: Stocktake, counts: dict, extras: list[dict],
                submit: bool = False, units: dict | None = None) -> Stocktake:
    """What the count sheet's buttons do: record the counts (and who entered them) and, to
    submit, refuse while a line was never counted (the sheet starts with the system's
    quantities, which a blind count must not take for counted)."""
    before = counted_line_ids(session, st)
    set_counts(actor, session, st, counts, extras, units)
    done = before | record_counts(actor, session, st, counts, extras)
    if submit:
        missing = [ln.id for ln in st.lines if ln.id not in done]
        if missing:
            raise Uncounted(missing)
        submit_stocktake(actor, session, st)
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


def stocktake_differences(session: Session, st: Stocktake
                          ) -> list[tuple[StocktakeLine, Decimal]]:
    """(line, counted − on hand now) for every line, as the approver sees them: what
    approving now would post."""
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
