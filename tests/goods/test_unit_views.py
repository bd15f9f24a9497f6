"""Packaging units on the staff screens (issue 20 §2): the catalogue's units page, a counter
form posted in boxes, and pages that say the quantity as people do ("3 箱 + 5 瓶")."""
import re

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.goods.models import ItemUnit, StockBalance
from charity.goods.services.units import add_item_unit


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def milk(db, make_item, org):
    return make_item(org, name="盒装牛奶", unit="瓶", default_fair_value=None)


@pytest.fixture
def box(db, milk):
    unit = add_item_unit(system_actor(), db, milk, {"name": "箱", "factor": "24", "shown": True})
    db.commit()
    return unit


def token_of(html):
    tag = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def test_manager_adds_and_removes_a_unit(client, login, db, make_user, org, milk):
    login(make_user("manager", org=org))
    url = f"/staff/catalogue/{milk.id}/units"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, data={"submission_token": token_of(page.get_data(as_text=True)),
                                      "name": "箱", "factor": "24", "shown": "y"})
    assert response.status_code == 302
    unit = db.scalar(sa.select(ItemUnit).where(ItemUnit.item_type_id == milk.id))
    assert (unit.name, unit.factor, unit.shown) == ("箱", 24, True)
    html = client.get(url).get_data(as_text=True)
    assert "1 箱" in html and "24 瓶" in html
    # A fraction of a bottle is refused next to the field, nothing is added.
    page = client.post(url, data={"submission_token": token_of(html), "name": "半箱",
                                  "factor": "12.5"})
    assert page.status_code == 200 and 'id="factor-error"' in page.get_data(as_text=True)
    response = client.post(url, data={"submission_token": token_of(html), "remove": unit.id})
    assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(ItemUnit)) == 0


def test_intake_posted_in_boxes(client, login, db, make_user, org, point, milk, box):
    login(make_user("volunteer", org=org, points=[point]))
    html = client.get("/staff/intake/new").get_data(as_text=True)
    # The unit select sits beside the quantity; each packaging unit names its item.
    assert 'name="lines-0-unit_id"' in html and 'data-units-of="lines-0-item_type_id"' in html
    assert f'data-item="{milk.id}"' in html and "js/units.js" in html
    response = client.post("/staff/intake/new", data={
        "submission_token": token_of(html), "point_id": str(point.id),
        "donor_mode": "anonymous", "lines-0-item_type_id": str(milk.id),
        "lines-0-quantity": "3", "lines-0-unit_id": str(box.id), "lines-0-condition": "good",
        "lines-0-unit_value": "2.00"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert on_hand(db, point, milk) == 3 * 24
    assert "3 箱" in client.get(response.location).get_data(as_text=True)


def test_a_fraction_of_a_bottle_is_refused_next_to_the_quantity(client, login, db, make_user,
                                                                 org, point, milk, box):
    login(make_user("volunteer", org=org, points=[point]))
    html = client.get("/staff/intake/new").get_data(as_text=True)
    page = client.post("/staff/intake/new", data={
        "submission_token": token_of(html), "point_id": str(point.id),
        "donor_mode": "anonymous", "lines-0-item_type_id": str(milk.id),
        "lines-0-quantity": "0.1", "lines-0-unit_id": str(box.id), "lines-0-condition": "good",
        "lines-0-unit_value": "2.00"})
    assert page.status_code == 200
    assert 'id="lines-0-quantity-error"' in page.get_data(as_text=True)
    assert on_hand(db, point, milk) == 0


def test_stock_list_says_boxes_and_bottles(client, login, db, make_user, org, point, milk, box,
                                           stock):
    stock(point, milk, 3 * 24 + 5)
    login(make_user("manager", org=org))
    html = client.get("/staff/stock/balances").get_data(as_text=True)
    assert "3 箱 + 5 瓶" in html


def test_the_demo_counts_detergent_by_the_box(demo_committed_app):
    """The demo's packaging units (charity/demo/units.py) reach its staff pages."""
    from charity.core.extensions import db as _db
    from charity.goods.models import ItemType

    app = demo_committed_app
    with app.app_context():
        item = _db.session.scalar(sa.select(ItemType).where(ItemType.name == "洗衣液"))
        assert [(u.name, u.factor) for u in item.units] == [("箱", 12)]
        _db.session.remove()
