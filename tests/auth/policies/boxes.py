"""Access policy of the box screens (charity/boxes/views/boxes.py, labels.py).

Everyone on the staff sees boxes and prints labels; packing and the box's steps (send,
receive, hand out, lost, the stocktake's box check) are for those who work, not auditors;
a volunteer acts only at their own points, where the world's box and count sheet are."""
import datetime as dt

from tests.auth.policies.common import STAFF, WORKERS

POLICY = {
    "boxes.box_list_view": STAFF,
    "boxes.box_open": STAFF,
    "boxes.box_new": WORKERS,
    "boxes.box_view": STAFF,
    "boxes.box_send": WORKERS,
    "boxes.box_receive": WORKERS,
    "boxes.box_hand_out": WORKERS,
    "boxes.box_lose": WORKERS,
    "boxes.box_check": WORKERS,
    "box_labels.box_label": STAFF,
    "box_labels.label_sheet": STAFF,
}


def url_args(world, db):
    """A box of two coats on the world's point's shelf, and a count sheet of that point."""
    import sqlalchemy as sa

    from charity.boxes.services import pack_box
    from charity.core.system import system_actor
    from charity.goods import services as documents
    from charity.goods.models import ItemCategory
    from charity.goods.services.catalogue import create_item_type
    from charity.goods.services.intake import post_intake

    actor, org, here = system_actor(), world["org"], world["point"]
    day = dt.date(2026, 11, 2)
    category = db.scalar(sa.select(ItemCategory).where(ItemCategory.code == "clothing"))
    item = create_item_type(actor, db, org, {"name": "装箱棉衣", "category_id": category.id,
                                             "unit": "件", "point_price": 0})
    post_intake(actor, db, here, {"received_on": day, "lines": [
        {"item_type_id": item.id, "quantity": "4", "condition": "good"}]}, today=day)
    box = pack_box(actor, db, here, {"lines": [{"item_type_id": item.id, "quantity": "2"}]})
    stocktake = documents.start_stocktake(actor, db, here, today=day)
    return {"box_id": box.id, "stocktake_id": stocktake.id}
