"""Opening stock of one charity point: posted as one stocktake-style opening document (an
approved count sheet whose lines are the counted quantities), each line a stocktake
movement into the ledger — so `charity verify` and every stock report see it like any other
count. Reads the sheet the stock export writes (its organisation, point and category columns
are ignored: the point is chosen, the category is the item's)."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa

from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.goods.models import (
    ItemType,
    MovementKind,
    StockBalance,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
)
from charity.goods.services.checks import check_quantity
from charity.goods.services.stock_ledger import move
from charity.imports import cells
from charity.imports.cells import CellError, Column
from charity.imports.kinds.base import Kind

REASON = "期初库存"  # the movements' reason, as stocktake differences say "盘点差异"
CENT = Decimal("0.01")

COLUMNS = (
    Column("name", _l("Item"), cells.text(100), required=True, sample="大米", width=20),
    Column("unit", _l("Unit"), cells.text(16), required=True, sample="袋", width=8),
    Column("batch", _l("Batch"), cells.text(64), sample="20261201"),
    Column("expiry_date", _l("Expiry date"), cells.date, sample="2027-06-30", width=12),
    Column("quantity", _l("Quantity"), cells.quantity(), required=True, sample=10),
    Column("value", _l("Fair value (yuan)"), cells.amount(), sample="250.00"),
    Column("basis", _l("Valuation basis"), cells.text(200), compare=False,
           sample="市场价", width=20),
)


class Stock(Kind):
    name = "stock"
    title = _l("Opening stock")
    columns = COLUMNS
    needs_point = True
    audit_action = "import.stock"

    def context(self, session, organization, point, id_key) -> dict:
        items = session.scalars(sa.select(ItemType).where(
            ItemType.organization_id == organization.id))
        return {(i.name, i.unit): i for i in items}

    def clean(self, items: dict, values: dict) -> dict:
        item = items.get((values["name"], values["unit"]))
        if item is None:
            raise CellError(_l("Not in the catalogue (name and unit): import the catalogue "
                               "first."), column="name")
        try:
            check_quantity(values["quantity"], item, "quantity")
        except ValidationFailed as refused:
            raise CellError(refused.message, column="quantity") from None
        if item.perishable and values["expiry_date"] is None:
            raise CellError(_l("Food needs its expiry date."), column="expiry_date")
        if values["value"] is None:
            values["value"] = ((item.default_fair_value or Decimal(0))
                               * values["quantity"]).quantize(CENT)
        values["item"] = item
        return values

    def keys(self, values: dict) -> list[tuple]:
        return [("name", values["name"], values["unit"], values["batch"])]

    def records(self, session, organization, point):
        rows = session.execute(sa.select(StockBalance, ItemType).join(ItemType).where(
            StockBalance.point_id == point.id, StockBalance.quantity > 0)
            .order_by(ItemType.name, StockBalance.batch))
        for balance, item in rows:
            yield {"name": item.name, "unit": item.unit, "batch": balance.batch,
                   "expiry_date": balance.expiry_date, "quantity": balance.quantity.normalize(),
                   "value": balance.value, "basis": ""}

    def insert(self, session, actor, organization, point, rows: list[dict]) -> None:
        if not rows:
            return  # nothing new: no empty count sheet
        today = org_today(organization)
        now, by = utcnow(), getattr(actor, "id", None)
        sheet = Stocktake(organization_id=organization.id, point_id=point.id, counted_on=today,
                          status=StocktakeStatus.APPROVED, created_by_id=by, submitted_at=now,
                          submitted_by_id=by, approved_at=now, approved_by_id=by)
        session.add(sheet)
        session.flush()
        for row in rows:
            session.add(StocktakeLine(stocktake_id=sheet.id, item_type_id=row["item"].id,
                                      batch=row["batch"], counted=row["quantity"],
                                      expected=Decimal(0)))
            for quantity, unit_value in _valued_parts(row["quantity"], row["value"]):
                move(session, organization_id=organization.id, point_id=point.id,
                     item_type=row["item"], quantity=quantity, kind=MovementKind.STOCKTAKE,
                     movement_date=today, document_type="stocktake", document_id=sheet.id,
                     actor=actor, batch=row["batch"], unit_value=unit_value,
                     expiry=row["expiry_date"],
                     reason=f"{REASON}：{row['basis']}" if row["basis"] else REASON)


def _valued_parts(quantity: Decimal, value: Decimal) -> list[tuple[Decimal, Decimal]]:
    """The line as movements whose values add up to `value` exactly: a unit value in fen
    rarely divides a total (100.00 for 3 is 33.33 + 33.33 + 33.34), so the last unit
    carries the remaining fen (the unit value is rounded down: that rest is never negative)."""
    unit = (value / quantity).quantize(CENT, rounding=ROUND_DOWN)
    if unit * quantity == value or quantity <= 1:
        return [(quantity, unit)]
    rest = quantity - 1
    return [(rest, unit), (Decimal(1), value - (unit * rest).quantize(CENT))]


KIND = Stock()
