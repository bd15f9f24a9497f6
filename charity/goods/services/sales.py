"""Charity sales at a point (义卖/慈善消费): goods out, proceeds into the fund ledger as
commercial income (kept apart from donation income)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.funds.services import ledger
from charity.goods.models import MovementKind, Sale, SaleLine
from charity.goods.services.checks import (
    filled_lines,
    item_and_quantity,
    not_future,
    require_point_active,
)
from charity.goods.services.stock_ledger import take

PAYMENT_METHODS = ("cash", "wechat", "alipay", "bank_transfer", "other")


def _priced_lines(session: Session, organization_id: int, raw_lines: list[dict]) -> list:
    """(index, item, quantity, unit price, batch) per line; an empty price is the item's."""
    lines = []
    for i, raw in enumerate(raw_lines):
        item, qty = item_and_quantity(session, organization_id, raw, i)
        price = raw.get("unit_price")
        if price in (None, ""):
            if item.sale_price is None:
                raise ValidationFailed(_l("This item has no sale price."),
                                       field=f"lines-{i}-unit_price")
            price = item.sale_price
        price = check_amount(price, field=f"lines-{i}-unit_price")
        lines.append((i, item, qty, price, raw.get("batch") or None))
    return lines


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
    lines = _priced_lines(session, org.id, filled_lines(data))
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
    sale.fund_entry_id = _post_proceeds(actor, session, point, sale, today).id
    record(session, actor, "sale.post", sale, {"point_id": point.id, "total": str(total)})
    session.flush()
    return sale


def _post_proceeds(actor, session: Session, point, sale: Sale, today: dt.date):
    """The sale's proceeds in the fund ledger. The sale itself was authorised (goods.sell at
    this point); its proceeds are posted by the system on the seller's behalf, since
    volunteers do not post money directly."""
    from charity.core.system import system_actor

    entry = ledger.post_entry(system_actor(), session, point.organization, {
        "kind": "sale_income", "amount": sale.total, "entry_date": sale.sold_on,
        "counterparty": point.name, "purpose": "慈善超市义卖收入",
        "reference": f"sale:{sale.id}", "source_type": "sale", "source_id": sale.id,
        "channel": None}, today=today)
    entry.posted_by_id = getattr(actor, "id", None)
    return entry
