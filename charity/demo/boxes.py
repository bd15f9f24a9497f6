"""Demo data of boxes (issue 20 §3): a few labelled boxes of sorted clothing on the shelf of
张掖路慈善超市, packed from what the goods demo put there. Idempotent like the rest of the
demo: skipped when the organisation has boxes already."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.boxes.models import Box
from charity.boxes.queries import packable
from charity.boxes.services import pack_box
from charity.core.system import system_actor
from charity.goods.models import ItemCategory, ItemType
from charity.orgs.models import CharityPoint

POINT = "张掖路慈善超市"
# label, how many of each clothing batch (at most what is free), how many boxes
BOXES = [("冬衣 成人", 4), ("冬衣 儿童", 3), ("鞋帽", 2)]


def load_boxes_demo(session: Session, org) -> None:
    if session.scalar(sa.select(Box.id).where(Box.organization_id == org.id).limit(1)):
        return
    point = session.scalar(sa.select(CharityPoint).where(
        CharityPoint.organization_id == org.id, CharityPoint.name == POINT))
    if point is None:
        return
    clothing = session.scalar(sa.select(ItemCategory.id).where(ItemCategory.code == "clothing"))
    for label, per_batch in BOXES:
        lines = [{"item_type_id": row.item_type_id, "batch": row.batch,
                  "quantity": str(min(per_batch, int(free)))}
                 for row, free in packable(session, point.id)
                 if free >= 1 and session.get(ItemType, row.item_type_id).category_id == clothing
                 and row.item_type.countable][:2]
        if lines:
            pack_box(system_actor(), session, point, {"label": label, "lines": lines})
