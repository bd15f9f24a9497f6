"""The catalogue screens: managers add and edit item types and the goods not accepted;
volunteers read it (and add item types only from the intake form)."""
import html as htmllib
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.goods.models import ItemType, RefusedGood


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def volunteer(make_user, org, point):
    return make_user("volunteer", org=org, points=[point])


@pytest.fixture
def coat(make_item, org):
    return make_item(org, name="羽绒服", barcode="6901234500001")


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def value_of(html, name):
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return htmllib.unescape(value.group(1)) if value else None


def item_data(category, **changes):
    data = {"name": "儿童羽绒服", "category_id": str(category("clothing").id), "unit": "件",
            "countable": "y", "default_fair_value": "120", "point_price": "40",
            "sale_price": "60.50", "barcode": "6909999000011", "monthly_limit": "1"}
    data.update(changes)
    return data


def test_manager_adds_an_item_type(client, login, db, manager, org, category):
    login(manager)
    assert client.get("/staff/catalogue/new").status_code == 200
    response = client.post("/staff/catalogue/new", data=item_data(category))
    assert response.status_code == 302
    item = db.scalar(sa.select(ItemType).where(ItemType.name == "儿童羽绒服"))
    assert item.organization_id == org.id and item.point_price == 40
    assert item.default_fair_value == Decimal("120.00") and item.sale_price == Decimal("60.50")
    assert item.monthly_limit == Decimal("1") and item.barcode == "6909999000011"


def test_manager_edits_prices_and_limits(client, login, db, manager, coat, category):
    login(manager)
    page = client.get(f"/staff/catalogue/{coat.id}/edit").get_data(as_text=True)
    assert value_of(page, "default_fair_value") == "30.00"
    assert value_of(page, "barcode") == coat.barcode
    response = client.post(f"/staff/catalogue/{coat.id}/edit", data=item_data(
        category, name=coat.name, point_price="25", sale_price="18", perishable="",
        barcode="6901234500099", monthly_limit="2", default_fair_value="35"))
    assert response.status_code == 302
    db.expire_all()
    item = db.get(ItemType, coat.id)
    assert item.point_price == 25 and item.sale_price == Decimal("18.00")
    assert item.barcode == "6901234500099" and item.monthly_limit == Decimal("2")
    assert item.default_fair_value == Decimal("35.00")


@pytest.mark.parametrize("field, value, text", [
    ("barcode", "6901234500001", "Another item has this barcode"),
    ("sale_price", "-3", None),
    ("point_price", "x", "whole number of points"),
    ("monthly_limit", "0", "greater than zero"),
    ("name", "", "required"),
])
def test_bad_item_input_is_answered_next_to_the_field(client, login, db, manager, coat, category,
                                                      field, value, text):
    login(manager)
    before = db.scalar(sa.select(sa.func.count(ItemType.id)))
    response = client.post("/staff/catalogue/new", data=item_data(category, **{field: value}))
    assert response.status_code == 200
    message = error_of(response.get_data(as_text=True), field)
    assert message and (text is None or text in message), message
    assert db.scalar(sa.select(sa.func.count(ItemType.id))) == before


def test_volunteer_reads_but_cannot_edit(client, login, db, volunteer, coat, category):
    login(volunteer)
    html = client.get("/staff/catalogue/").get_data(as_text=True)
    assert coat.name in html and f"/staff/catalogue/{coat.id}/edit" not in html
    assert client.get(f"/staff/catalogue/{coat.id}/edit").status_code == 403
    response = client.post(f"/staff/catalogue/{coat.id}/edit",
                           data=item_data(category, name="改名"))
    assert response.status_code == 403
    db.expire_all()
    assert db.get(ItemType, coat.id).name == "羽绒服"
    assert client.get("/staff/catalogue/new").status_code == 403
    assert client.post("/staff/catalogue/refused/new",
                       data={"name": "x", "reason": "y"}).status_code == 403


def test_a_manager_of_another_organisation_cannot_edit(client, login, make_org, make_user, coat,
                                                       category):
    login(make_user("manager", org=make_org()))
    assert client.get(f"/staff/catalogue/{coat.id}/edit").status_code == 403
    assert coat.name not in client.get("/staff/catalogue/").get_data(as_text=True)


def test_search_by_name_or_barcode_and_filter_by_category(client, login, volunteer, coat,
                                                          make_food, org, category):
    rice = make_food(org)
    login(volunteer)
    by_barcode = client.get(f"/staff/catalogue/?q={coat.barcode}").get_data(as_text=True)
    assert coat.name in by_barcode and rice.name not in by_barcode
    by_name = client.get("/staff/catalogue/?q=羽绒").get_data(as_text=True)
    assert coat.name in by_name and rice.name not in by_name
    food = client.get(f"/staff/catalogue/?category={category('food').id}").get_data(as_text=True)
    assert rice.name in food and coat.name not in food


def test_refused_goods(client, login, db, manager, volunteer, org):
    login(manager)
    missing = client.post("/staff/catalogue/refused/new", data={"name": "内衣", "reason": ""})
    assert missing.status_code == 200 and error_of(missing.get_data(as_text=True), "reason")
    assert db.scalar(sa.select(sa.func.count(RefusedGood.id))) == 0
    done = client.post("/staff/catalogue/refused/new",
                       data={"name": "内衣", "reason": "卫生原因不接收贴身衣物"})
    assert done.status_code == 302
    row = db.scalar(sa.select(RefusedGood))
    assert row.organization_id == org.id
    client.post("/logout")
    login(volunteer)
    listed = client.get("/staff/catalogue/refused").get_data(as_text=True)
    assert "内衣" in listed and "卫生原因不接收贴身衣物" in listed
    assert "内衣" in client.get("/staff/intake/new").get_data(as_text=True)
