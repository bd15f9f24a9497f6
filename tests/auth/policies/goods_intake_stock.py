"""Access policy of the counter intake, the catalogue, the stock screens and the public
drop-off pre-registration (charity/goods/intake_views.py, catalogue_views.py,
stock_views.py, charity/portal/dropoff_views.py).

Intake and write-offs are work (not auditors, who only read); a volunteer acts at their own
points, where the world's intake is. Managers keep the catalogue, the goods not accepted and
the wanted levels, and correct intakes; readers export."""
import datetime as dt
from decimal import Decimal

from tests.auth.policies.common import MANAGERS, PUBLIC, READERS, STAFF

WORKERS = STAFF - {"auditor"}

POLICY = {
    "intake.intake_new": WORKERS,
    "intake.intake_view": STAFF,
    "intake.intake_list": STAFF,
    "intake.intake_reverse": MANAGERS,
    "intake.intake_receipt": WORKERS,
    "catalogue.item_list": STAFF,
    "catalogue.item_new": MANAGERS,
    "catalogue.item_edit": MANAGERS,
    "catalogue.item_units": MANAGERS,
    "catalogue.refused_list": STAFF,
    "catalogue.refused_new": MANAGERS,
    "stock.dashboard": STAFF,
    "stock.target_set": MANAGERS,
    "stock.balance_list": STAFF,
    "stock.movement_list": STAFF,
    "stock.export": READERS,
    "stock.write_off_new": WORKERS,
    "stock.write_off_expired_all": WORKERS,
    "dropoff.dropoff_new": PUBLIC,
    "dropoff.dropoff_done": PUBLIC,
}


def url_args(world, db):
    """An item type of the world's organisation with an intake at the world's point, and a
    pre-registered drop-off there."""
    import sqlalchemy as sa

    from charity.goods.services.catalogue import create_item_type
    from charity.goods.services import post_intake, preregister
    from charity.goods.models import ItemCategory
    from charity.core.system import system_actor

    actor, org, point = system_actor(), world["org"], world["point"]
    day = dt.date(2026, 11, 3)
    category = db.scalar(sa.select(ItemCategory).where(ItemCategory.code == "household"))
    item = create_item_type(actor, db, org, {
        "name": "入库测试毛巾", "category_id": category.id, "unit": "条",
        "default_fair_value": Decimal("8.00")})
    intake = post_intake(actor, db, point, {"received_on": day, "lines": [
        {"item_type_id": item.id, "quantity": "3", "condition": "new"}]}, today=day)
    prereg = preregister(db, point, {"items": "两袋衣服"}, today=day)
    db.flush()
    return {"intake_id": intake.id, "item_type_id": item.id, "dropoff_code": prereg.code,
            "fmt": "csv"}
