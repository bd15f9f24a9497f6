"""Households, distributions to them, and charity sales."""
import datetime as dt
from decimal import Decimal

from tests.auth.policies.common import MANAGERS, STAFF

# Staff who hand out and sell at the counter (goods.distribute, goods.sell); auditors only read.
WORKERS = STAFF - {"auditor"}

POLICY = {
    "beneficiaries.beneficiary_list": STAFF,
    "beneficiaries.beneficiary_new": MANAGERS,
    "beneficiaries.beneficiary_edit": MANAGERS,
    "beneficiaries.beneficiary_view": STAFF,
    "beneficiaries.beneficiary_toggle": MANAGERS,
    "beneficiaries.beneficiary_erase": MANAGERS,
    "distributions.distribution_list": STAFF,
    "distributions.distribution_new": WORKERS,
    "distributions.distribution_view": STAFF,
    "distributions.distribution_reverse": MANAGERS,
    "sales.sale_list": STAFF,
    "sales.sale_new": WORKERS,
    "sales.sale_view": STAFF,
    # Find as you type at the counter (JSON): items for anyone who sees goods, households
    # for those who hand them out.
    "lookup.items": STAFF,
    "lookup.households": WORKERS,
}


def url_args(world, db):
    """A household that received goods at the world's point, and a sale there."""
    from charity.goods.services.catalogue import create_item_type
    from charity.goods.services.distributions import post_distribution
    from charity.goods.services.sales import post_sale
    from charity.goods.services.intake import post_intake
    from charity.goods.models import ItemCategory
    from charity.people.beneficiaries import register
    from charity.people.identity import make_id
    from charity.core.system import system_actor

    import sqlalchemy as sa

    actor, org, point = system_actor(), world["org"], world["point"]
    today = dt.date(2026, 11, 25)
    category = db.scalar(sa.select(ItemCategory).where(ItemCategory.code == "clothing"))
    coat = create_item_type(actor, db, org, {
        "name": "棉衣", "category_id": category.id, "unit": "件",
        "default_fair_value": Decimal("30.00"), "point_price": 10,
        "sale_price": Decimal("15.00")})
    post_intake(actor, db, point, {"received_on": today, "lines": [
        {"item_type_id": coat.id, "quantity": "10", "condition": "good"}]}, today=today)
    household = register(actor, db, org, {
        "name": "李四", "categories": ["dibao"], "members": 2, "community": "张掖路社区",
        "phone": "13909310000", "address": "张掖路1号", "id_number": make_id("62010219800101999"),
        "certified_until": dt.date(2027, 6, 30), "monthly_points": 100})
    dist = post_distribution(actor, db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    sale = post_sale(actor, db, point, {
        "payment_method": "cash", "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    db.flush()
    return {"beneficiary_id": household.id, "distribution_id": dist.id, "sale_id": sale.id}
