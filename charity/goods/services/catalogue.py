"""The catalogue: item types per organisation, refused goods."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import diff, record
from charity.auth.permissions import require
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import check_amount
from charity.goods.models import ItemCategory, ItemType, RefusedGood, StockMovement
from charity.goods.queries.counter import id_of

# Units whose quantities are whole numbers.
COUNTABLE_UNITS = {"件", "个", "双", "套", "本", "台", "袋", "箱", "瓶", "包", "条", "床", "盒", "桶",
                   "张", "把", "只", "辆", "顶", "副", "piece", "pcs"}

FIELDS = ("name", "category_id", "unit", "countable", "default_fair_value", "point_price",
          "sale_price", "perishable", "barcode", "monthly_limit")


def _clean(session, org_id, data, current: ItemType | None) -> dict:
    clean = {k: data[k] for k in FIELDS if k in data}
    for k, v in list(clean.items()):
        if isinstance(v, str):
            clean[k] = v.strip()
    if not clean.get("name", current.name if current else ""):
        raise ValidationFailed(_l("This field is required."), field="name")
    if not clean.get("unit", current.unit if current else ""):
        raise ValidationFailed(_l("This field is required."), field="unit")
    if "category_id" in clean:
        try:
            cat = session.get(ItemCategory, int(clean["category_id"]))
        except (TypeError, ValueError):
            cat = None
        if cat is None:
            raise ValidationFailed(_l("Choose a category."), field="category_id")
        clean["category_id"] = cat.id
    if "countable" not in clean and current is None:
        clean["countable"] = clean.get("unit") in COUNTABLE_UNITS
    for key in ("default_fair_value", "sale_price"):
        if key in clean:
            clean[key] = None if clean[key] in (None, "") else check_amount(
                clean[key], field=key, allow_zero=True)
    if "point_price" in clean:
        try:
            clean["point_price"] = int(clean["point_price"] or 0)
        except (TypeError, ValueError):
            clean["point_price"] = -1
        if not 0 <= clean["point_price"] <= 100000:
            raise ValidationFailed(_l("Enter a whole number of points."), field="point_price")
    if "monthly_limit" in clean and clean["monthly_limit"] in ("", None):
        clean["monthly_limit"] = None
    if "barcode" in clean:
        clean["barcode"] = clean["barcode"] or None
        if clean["barcode"]:
            clash = session.scalar(sa.select(ItemType.id).where(
                ItemType.organization_id == org_id, ItemType.barcode == clean["barcode"]))
            if clash is not None and (current is None or clash != current.id):
                raise ValidationFailed(_l("Another item has this barcode."), field="barcode")
    name = clean.get("name", current.name if current else "")
    unit = clean.get("unit", current.unit if current else "")
    clash = session.scalar(sa.select(ItemType.id).where(
        ItemType.organization_id == org_id, ItemType.name == name, ItemType.unit == unit))
    if clash is not None and (current is None or clash != current.id):
        raise ValidationFailed(_l("This item is already in the catalogue."), field="name")
    return clean


def create_item_type(actor, session: Session, organization, data: dict) -> ItemType:
    """Add an item type (volunteers may, during intake)."""
    require(actor, "catalogue.add", organization)
    item = ItemType(organization_id=organization.id,
                    **_clean(session, organization.id, data, None))
    session.add(item)
    session.flush()
    record(session, actor, "item_type.create", item, {"name": item.name, "unit": item.unit})
    return item


def create_counter_item(actor, session: Session, organization, data: dict) -> ItemType:
    """An item type added from the intake form: food (by its category) has an expiry date
    even when the box was not ticked."""
    category = session.get(ItemCategory, id_of(data.get("category_id")) or -1)
    perishable = bool(data.get("perishable")) or (category is not None
                                                  and category.code == "food")
    return create_item_type(actor, session, organization, {**data, "perishable": perishable})


def update_item_type(actor, session: Session, item: ItemType, data: dict) -> ItemType:
    require(actor, "catalogue.manage", item)
    clean = _clean(session, item.organization_id, data, item)
    if clean.get("unit", item.unit) != item.unit and session.scalar(
            sa.select(StockMovement.id).where(StockMovement.item_type_id == item.id).limit(1)):
        # The ledger is in the base unit (issue 20 §2): renaming it would recount the stock.
        raise ValidationFailed(_l("Stock of this item is counted in %(unit)s: add a packaging "
                                  "unit instead.", unit=item.unit), field="unit")
    changes = diff(item, clean)
    for k, v in clean.items():
        setattr(item, k, v)
    if changes:
        record(session, actor, "item_type.update", item, changes)
    session.flush()
    return item


def find_by_barcode(session: Session, organization_id: int, code: str) -> ItemType | None:
    code = (code or "").strip()
    if not code:
        return None
    return session.scalar(sa.select(ItemType).where(ItemType.organization_id == organization_id,
                                                    ItemType.barcode == code,
                                                    ItemType.active.is_(True)))


def add_refused_good(actor, session: Session, organization, name: str, reason: str) -> RefusedGood:
    require(actor, "catalogue.manage", organization)
    if not (name or "").strip():
        raise ValidationFailed(_l("This field is required."), field="name")
    if not (reason or "").strip():
        raise ValidationFailed(_l("This field is required."), field="reason")
    row = RefusedGood(organization_id=organization.id, name=name.strip()[:100],
                      reason=reason.strip()[:300])
    session.add(row)
    session.flush()
    record(session, actor, "refused_good.create", row, {"name": row.name})
    return row
