"""The delivery world: milk at point A in three batches — OLD (2 boxes, expired three days
ago), SOON (1 box, expires in 3 days) and NEW (5 boxes, in 30 days), 5 points a box — a
certified household with a delivery need and 100 points a month, its assigned volunteer,
another volunteer, a manager and an auditor."""
import datetime as dt
from decimal import Decimal

import pytest

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.delivery.services import create_delivery, record_need
from charity.goods.services.intake import post_intake

A = system_actor()


@pytest.fixture
def dw(db, make_org, make_point, make_food, make_user, make_household):
    org = make_org()
    today = org_today(org)
    point = make_point(org, name="张掖路慈善超市")
    milk = make_food(org, name="牛奶", unit="箱", point_price=5)
    for batch, qty, expiry in (("OLD", 2, -3), ("SOON", 1, 3), ("NEW", 5, 30)):
        post_intake(A, db, point, {"received_on": today - dt.timedelta(days=10), "lines": [{
            "item_type_id": milk.id, "quantity": str(qty), "batch": batch, "inspected": True,
            "expiry_date": today + dt.timedelta(days=expiry)}]}, today=today)
    household = make_household(org, certified_until=today + dt.timedelta(days=90),
                               community="雁滩社区", address="雁滩路8号3单元")
    manager = make_user("manager", org=org)
    record_need(manager, db, household, {"reason": "elderly_alone", "address": "雁滩路8号3单元201"})
    db.commit()
    return {"org": org, "today": today, "point": point, "milk": milk, "household": household,
            "manager": manager, "volunteer": make_user("volunteer", org=org, points=[point]),
            "other": make_user("volunteer", org=org, points=[point]),
            "auditor": make_user("auditor", org=org)}


@pytest.fixture
def order(db, dw):
    """`order(quantity)`: a delivery of milk to the household, assigned to the volunteer."""
    def make(quantity=3, **data):
        values = {"beneficiary_id": dw["household"].id, "assigned_to_id": dw["volunteer"].id,
                  "planned_on": dw["today"],
                  "lines": [{"item_type_id": dw["milk"].id, "quantity": Decimal(quantity)}]}
        values.update(data)
        delivery = create_delivery(dw["manager"], db, dw["point"], values, today=dw["today"])
        db.commit()
        return delivery

    return make
