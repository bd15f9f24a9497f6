"""Access policy of home delivery (charity/delivery/views/).

Every member of staff reads the orders and the day's sheets in scope (the addresses on them
only where assigned, or as a manager: tested in tests/delivery); managers order deliveries
and record households' needs; the steps and the phone view of the day are work (not
auditors). The public sees counts by month and community."""
from tests.auth.policies.common import MANAGERS, PUBLIC, STAFF, WORKERS

POLICY = {
    "deliveries.delivery_list": STAFF,
    "deliveries.delivery_new": MANAGERS,
    "deliveries.delivery_detail": STAFF,
    "deliveries.delivery_pack": WORKERS,
    "deliveries.delivery_dispatch": WORKERS,
    "deliveries.delivery_deliver": WORKERS,
    "deliveries.delivery_fail": WORKERS,
    "delivery_sheets.packing_list": STAFF,
    "delivery_sheets.route_sheet": STAFF,
    "delivery_sheets.today": WORKERS,
    "delivery_needs.needs": MANAGERS,
    "public_deliveries.stats": PUBLIC,
    "api.delivery_stats": PUBLIC,
}


def url_args(world, db):
    """A delivery of one bag of rice at the world's point, assigned to its volunteer."""
    from decimal import Decimal

    import sqlalchemy as sa

    from charity.core.clock import org_today
    from charity.core.system import system_actor
    from charity.delivery.services import create_delivery, record_need
    from charity.goods.models import ItemCategory
    from charity.goods.services.catalogue import create_item_type
    from charity.goods.services.intake import post_intake
    from charity.people.beneficiaries import register

    actor, org, point = system_actor(), world["org"], world["point"]
    today = org_today(org)
    clothing = db.scalar(sa.select(ItemCategory).where(ItemCategory.code == "clothing"))
    item = create_item_type(actor, db, org, {"name": "送货棉被", "unit": "床", "point_price": 0,
                                              "category_id": clothing.id})
    post_intake(actor, db, point, {"received_on": today, "lines": [
        {"item_type_id": item.id, "quantity": "3", "condition": "good"}]}, today=today)
    household = register(actor, db, org, {"name": "送货户", "community": "雁滩社区",
                                          "address": "雁滩路1号", "members": 1, "categories": ["disabled"],
                                          "certified_until": today.replace(year=today.year + 1)})
    manager = world["actors"]["manager"]
    record_need(manager, db, household, {"reason": "disability", "address": "雁滩路1号"})
    delivery = create_delivery(manager, db, point, {
        "beneficiary_id": household.id, "assigned_to_id": world["actors"]["volunteer"].id,
        "lines": [{"item_type_id": item.id, "quantity": Decimal(1)}]}, today=today)
    db.commit()
    return {"delivery_id": delivery.id}
