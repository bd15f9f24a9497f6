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
from charity.orgs.models import CharityPoint

POINT = "张掖路慈善超市"
# label, items (demo catalogue names), how many of each item (at most what is free)
BOXES = [("冬衣 成人", ("棉衣", "羽绒服", "毛衣"), 3), ("冬衣 儿童", ("儿童外套",), 4),
         ("鞋帽 围巾", ("棉鞋", "围巾手套套装"), 2)]


def load_boxes_demo(session: Session, org) -> None:
    if session.scalar(sa.select(Box.id).where(Box.organization_id == org.id).limit(1)):
        return
    point = session.scalar(sa.select(CharityPoint).where(
        CharityPoint.organization_id == org.id, CharityPoint.name == POINT))
    if point is None:
        return
    for label, names, each in BOXES:
        lines, seen = [], set()
        for row, free in packable(session, point.id):
            if row.item_type.name in names and row.item_type_id not in seen and free >= 1:
                seen.add(row.item_type_id)
                lines.append({"item_type_id": row.item_type_id, "batch": row.batch,
                              "quantity": str(min(each, int(free)))})
        if lines:
            pack_box(system_actor(), session, point, {"label": label, "lines": lines})
