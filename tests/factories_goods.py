"""Factories for the goods tests: catalogue items, stocked points, households."""
import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor

_n = itertools.count(1)


@pytest.fixture
def category(db):
    from charity.goods.models import ItemCategory

    def get(code="clothing"):
        return db.scalar(sa.select(ItemCategory).where(ItemCategory.code == code))

    return get


@pytest.fixture
def make_item(db, category):
    from charity.goods.services.catalogue import create_item_type

    def factory(org, **data):
        values = {"name": f"棉衣{next(_n)}", "category_id": category("clothing").id, "unit": "件",
                  "default_fair_value": Decimal("30.00"), "point_price": 10,
                  "sale_price": Decimal("15.00")}
        values.update(data)
        item = create_item_type(system_actor(), db, org, values)
        db.commit()  # as a request would: a later request's rollback must not undo it
        return item

    return factory


@pytest.fixture
def make_food(make_item, category):
    def factory(org, **data):
        values = {"name": f"大米{next(_n)}", "category_id": category("food").id, "unit": "袋",
                  "perishable": True, "default_fair_value": Decimal("50.00"), "point_price": 20}
        values.update(data)
        return make_item(org, **values)

    return factory


@pytest.fixture
def stock(db):
    """Put `quantity` of `item` on the shelf of `point` through a real intake."""
    from charity.goods.services.intake import post_intake

    def put(point, item, quantity, expiry=None, day=dt.date(2026, 11, 1)):
        line = {"item_type_id": item.id, "quantity": str(quantity), "condition": "good"}
        if item.perishable:
            line.update(expiry_date=expiry or dt.date(2027, 6, 1), inspected=True)
        doc = post_intake(system_actor(), db, point, {"received_on": day, "lines": [line]},
                          today=dt.date(2026, 11, 25))
        db.commit()
        return doc

    return put


@pytest.fixture
def make_household(db):
    from charity.people.beneficiaries import register
    from charity.people.identity import make_id

    def factory(org, **data):
        n = next(_n)
        values = {"name": f"住户{n}", "categories": ["dibao"], "members": 3, "community": "张掖路社区",
                  "phone": f"1390931{n:04d}", "address": f"张掖路{n}号",
                  "id_number": make_id(f"62010219800101{n:03d}"),
                  "certified_until": dt.date(2027, 6, 30), "monthly_points": 100}
        values.update(data)
        household = register(system_actor(), db, org, values)
        db.commit()
        return household

    return factory
