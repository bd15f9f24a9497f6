"""Catalogue items. Kept to one small module: when items get packaging units (issue 20 §2)
their columns are added here."""
from __future__ import annotations

import sqlalchemy as sa

from charity.core.i18n import _l
from charity.goods.models import ItemCategory, ItemType
from charity.goods.services.catalogue import COUNTABLE_UNITS
from charity.imports import cells
from charity.imports.cells import CellError, Column
from charity.imports.kinds.base import Kind, yes_no_choices

# The units offered in the template's drop-down (any other unit is accepted too).
UNITS = ("件", "个", "袋", "箱", "瓶", "包", "盒", "桶", "双", "套", "本", "条", "kg", "斤", "L")


def category_names(session) -> list[str]:
    return list(session.scalars(sa.select(ItemCategory.name).order_by(ItemCategory.sort,
                                                                         ItemCategory.id)))


COLUMNS = (
    Column("name", _l("Name"), cells.text(100), required=True, sample="大米", width=20),
    Column("category", _l("Category"), cells.text(64), required=True, choices=category_names,
           sample="粮油食品"),
    Column("unit", _l("Unit"), cells.text(16), required=True, sample="袋",
           choices=lambda _s: list(UNITS), width=8),
    Column("barcode", _l("Barcode"), cells.text(64), sample="6901234567892", width=16),
    Column("default_fair_value", _l("Default fair value per unit (yuan)"), cells.amount(),
           sample="25.00"),
    Column("sale_price", _l("Charity-sale price (yuan)"), cells.amount()),
    Column("point_price", _l("Price in love points (爱心积分)"),
           cells.whole(0, 100000, default=0), sample=20),
    Column("monthly_limit", _l("Most a household may receive per month"),
           cells.quantity(optional=True), sample=2),
    Column("perishable", _l("Food with an expiry date (checked at intake)"), cells.yes_no,
           sample="是", choices=yes_no_choices, show=cells.yes_no_text),
)


class Catalogue(Kind):
    name = "catalogue"
    title = _l("Catalogue")
    columns = COLUMNS
    audit_action = "import.catalogue"

    def context(self, session, organization, point, id_key) -> dict:
        out = {}
        for cat in session.scalars(sa.select(ItemCategory)):
            out[cat.code.lower()] = cat
            out[cat.name.lower()] = cat
        return out

    def clean(self, categories: dict, values: dict) -> dict:
        category = categories.get(values["category"].lower())
        if category is None:
            raise CellError(_l("Unknown category: %(value)s.", value=values["category"]),
                            column="category")
        values.update(category=category.name, category_id=category.id,
                      barcode=values["barcode"] or None)
        return values

    def keys(self, values: dict) -> list[tuple]:
        name_unit = ("name", values["name"], values["unit"])
        return [("barcode", values["barcode"]), name_unit] if values["barcode"] else [name_unit]

    def records(self, session, organization, point):
        rows = session.execute(sa.select(ItemType, ItemCategory.name).join(ItemCategory).where(
            ItemType.organization_id == organization.id).order_by(ItemType.id))
        for item, category in rows:
            row = {c.key: getattr(item, c.key) for c in COLUMNS if c.key != "category"}
            yield {**row, "category": category}

    def insert(self, session, actor, organization, point, rows: list[dict]) -> None:
        if rows:
            session.execute(sa.insert(ItemType), [
                {**{k: v for k, v in row.items() if k != "category"},
                 "organization_id": organization.id,
                 "countable": row["unit"] in COUNTABLE_UNITS} for row in rows])


KIND = Catalogue()
