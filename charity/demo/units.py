"""Demo packaging units (issue 20 §2): detergent by the box, towels by the pack, so the staff
screens show "3 箱 + 5 瓶" and the counter forms offer a unit beside the quantity."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.system import system_actor
from charity.goods.models import ItemType
from charity.goods.services.units import add_item_unit

# item name, packaging unit, base units in one
UNITS = (("洗衣液", "箱", "12"), ("毛巾", "包", "10"))


def load_units_demo(session: Session, org) -> None:
    """Add the demo's packaging units that are missing (running twice adds nothing)."""
    for name, unit, factor in UNITS:
        item = session.scalar(sa.select(ItemType).where(ItemType.organization_id == org.id,
                                                        ItemType.name == name))
        if item is None or any(u.name == unit for u in item.units):
            continue
        add_item_unit(system_actor(), session, item,
                      {"name": unit, "factor": factor, "shown": True})
