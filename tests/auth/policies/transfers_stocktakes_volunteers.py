"""Access policy of the transfer, stocktake and volunteer screens
(charity/goods/transfer_views.py, charity/goods/stocktake_views.py,
charity/people/volunteer_views.py).

Goods work (transfer, stocktake) and the sign-in board are for those who work (not
auditors, who only read); a volunteer acts only at their own points, which the world's
objects are at."""
import datetime as dt

from tests.auth.policies.common import MANAGERS, READERS, STAFF

WORKERS = STAFF - {"auditor"}

POLICY = {
    "transfers.transfer_list": STAFF,
    "transfers.transfer_new": WORKERS,
    "transfers.transfer_view": STAFF,
    "transfers.transfer_receive": WORKERS,
    "stocktakes.stocktake_list": STAFF,
    "stocktakes.stocktake_new": WORKERS,
    "stocktakes.stocktake_view": STAFF,
    "stocktakes.stocktake_approve": MANAGERS,
    "volunteers.volunteer_list": READERS,
    "volunteers.volunteer_new": MANAGERS,
    "volunteers.volunteer_edit": MANAGERS,
    "volunteers.shift_board": WORKERS,
    "volunteers.hours": READERS,
    "volunteers.dashboard": READERS,
}


def url_args(world, db):
    """A transfer in transit from another point to the world's point (where its volunteer
    works), a draft count sheet of the world's point, and a volunteer profile."""
    import sqlalchemy as sa

    from charity.goods import services as documents
    from charity.goods.services.catalogue import create_item_type
    from charity.goods.services.intake import post_intake
    from charity.goods.models import ItemCategory
    from charity.orgs.services import create_point
    from charity.people.volunteers import create_volunteer
    from charity.core.system import system_actor

    actor, org, here = system_actor(), world["org"], world["point"]
    day = dt.date(2026, 11, 2)
    other = create_point(actor, db, org, {"kind": "station", "name": "调拨来源站"})
    category = db.scalar(sa.select(ItemCategory).where(ItemCategory.code == "clothing"))
    item = create_item_type(actor, db, org, {"name": "调拨棉衣", "category_id": category.id,
                                             "unit": "件", "point_price": 0})
    post_intake(actor, db, other, {"received_on": day, "lines": [
        {"item_type_id": item.id, "quantity": "4", "condition": "good"}]}, today=day)
    transfer = documents.send_transfer(actor, db, other, {
        "to_point_id": here.id, "sent_on": day,
        "lines": [{"item_type_id": item.id, "quantity": "2"}]}, today=day)
    stocktake = documents.start_stocktake(actor, db, here, today=day)
    volunteer = create_volunteer(actor, db, org, {
        "name": "志愿者甲", "community": "张掖路社区", "party_member": True})
    return {"transfer_id": transfer.id, "stocktake_id": stocktake.id,
            "volunteer_id": volunteer.id}
