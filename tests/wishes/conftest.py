"""Fixtures of the micro-wish tests: an organisation with a point, wishes, intakes."""
import pytest

from charity.core.system import system_actor


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def point(make_point, org):
    return make_point(org, name="张掖路慈善超市", address="张掖路56号",
                      opening_hours="周一至周六 09:00-18:00", phone="0931-8411001")


@pytest.fixture
def make_wish(db, point):
    from charity.wishes.services import create_wish

    def factory(org=None, at=None, **data):
        at = at or point
        values = {"point_id": at.id, "what": "一件冬衣", "tag": "留守儿童", "age": "8"}
        values.update(data)
        wish = create_wish(system_actor(), db, org or at.organization, values)
        db.commit()
        return wish

    return factory


@pytest.fixture
def intake_at(db, make_item, stock):
    """A posted intake at `point` (one coat)."""
    def factory(point):
        item = make_item(point.organization)
        return stock(point, item, 1)

    return factory
