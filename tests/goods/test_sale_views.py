"""Charity sales at the counter: stock out, commercial income in the fund ledger, refusals
next to the field with nothing written, one posting per form."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.funds.models import EntryKind, FundEntry
from charity.goods.models import Sale, StockBalance, StockMovement


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

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
def coat(make_item, org, point, stock):
    item = make_item(org, sale_price=Decimal("15.50"))
    stock(point, item, 4)
    return item


def counts(db):
    return tuple(db.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Sale, StockMovement, FundEntry))


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def open_form(client, point=None):
    page = client.get("/staff/sales/new" + (f"?point={point.id}" if point else ""))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return html, re.search(r'value="([^"]+)"', tag).group(1)


def form_data(token, point, lines, payment="wechat"):
    data = {"submission_token": token, "point_id": str(point.id), "payment_method": payment,
            "sold_on": ""}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    return data


def error_of(html, field_id):
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', html)
    return match.group(1) if match else None


def test_sale_takes_stock_out_and_books_commercial_income(client, login, db, manager, point,
                                                          coat):
    login(manager)
    html, token = open_form(client)
    assert coat.name in html and "4 on hand" in html
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(coat.id), "quantity": "2"}]))
    assert response.status_code == 302
    sale = db.scalar(sa.select(Sale))
    assert response.location.endswith(f"/staff/sales/{sale.id}")
    assert sale.total == Decimal("31.00") and sale.payment_method == "wechat"
    assert on_hand(db, point, coat) == 2
    entry = db.get(FundEntry, sale.fund_entry_id)
    assert entry.kind == EntryKind.SALE_INCOME and entry.amount == Decimal("31.00")
    page = client.get(f"/staff/sales/{sale.id}").get_data(as_text=True)
    assert coat.name in page and "31.00" in page
    assert f"/staff/funds/{entry.id}" in page  # the ledger entry of the proceeds


def test_unit_price_can_be_typed(client, login, db, manager, point, coat):
    login(manager)
    _html, token = open_form(client)
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(coat.id), "quantity": "3", "unit_price": "10.5"}],
        payment="cash"))
    assert response.status_code == 302
    sale = db.scalar(sa.select(Sale))
    assert sale.total == Decimal("31.50")
    assert db.get(FundEntry, sale.fund_entry_id).amount == Decimal("31.50")


@pytest.mark.parametrize("line, field, message", [
    ({"quantity": "5"}, "lines-0-quantity", "Not enough"),
    ({"quantity": "1", "unit_price": "-1"}, "lines-0-unit_price", None),
    ({"quantity": "1", "unit_price": "abc"}, "lines-0-unit_price", None),
    ({"quantity": "0"}, "lines-0-quantity", "greater than zero"),
])
def test_refusals_next_to_the_line_and_nothing_written(client, login, db, manager, point, coat,
                                                       line, field, message):
    login(manager)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(coat.id), **line}]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = error_of(html, field)
    assert found, html[-4000:]
    if message:
        assert message in found
    assert counts(db) == before and on_hand(db, point, coat) == 4


def test_item_without_a_sale_price_needs_one(client, login, db, manager, point, make_item, org,
                                            stock):
    mug = make_item(org, sale_price=None)
    stock(point, mug, 2)
    login(manager)
    _html, token = open_form(client)
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(mug.id), "quantity": "1"}]))
    assert response.status_code == 200
    assert "no sale price" in error_of(response.get_data(as_text=True), "lines-0-unit_price")
    assert db.scalar(sa.select(sa.func.count(Sale.id))) == 0


def test_unknown_payment_method_is_refused(client, login, db, manager, point, coat):
    login(manager)
    _html, token = open_form(client)
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(coat.id), "quantity": "1"}], payment="barter"))
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "payment_method")
    assert db.scalar(sa.select(sa.func.count(Sale.id))) == 0


def test_double_submit_sells_once(client, login, db, manager, point, coat):
    login(manager)
    _html, token = open_form(client)
    data = form_data(token, point, [{"item_type_id": str(coat.id), "quantity": "1"}])
    first = client.post("/staff/sales/new", data=data)
    second = client.post("/staff/sales/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Sale.id))) == 1
    assert on_hand(db, point, coat) == 3


def test_volunteer_cannot_sell_at_another_point(client, login, db, volunteer, make_point, org,
                                                coat, stock):
    elsewhere = make_point(org)
    stock(elsewhere, coat, 3)
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post("/staff/sales/new", data=form_data(
        token, elsewhere, [{"item_type_id": str(coat.id), "quantity": "1"}]))
    assert response.status_code == 403
    assert counts(db) == before and on_hand(db, elsewhere, coat) == 3


def test_volunteer_sells_at_own_point(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post("/staff/sales/new", data=form_data(
        token, point, [{"item_type_id": str(coat.id), "quantity": "1"}]))
    assert response.status_code == 302
    assert on_hand(db, point, coat) == 3


def test_sale_list_shows_the_points_sales_and_total(client, login, db, manager, point, coat):
    from charity.goods.services.sales import post_sale
    from charity.core.system import system_actor

    post_sale(system_actor(), db, point, {"payment_method": "cash", "lines": [
        {"item_type_id": coat.id, "quantity": "2"}]})
    login(manager)
    html = client.get("/staff/sales/").get_data(as_text=True)
    assert coat.name in html and "31.00" in html
    assert "31.00" not in client.get("/staff/sales/?payment=wechat").get_data(as_text=True)


def test_sales_of_another_point_are_hidden_from_a_volunteer(client, login, db, volunteer,
                                                             make_point, org, coat, stock):
    from charity.goods.services.sales import post_sale
    from charity.core.system import system_actor

    elsewhere = make_point(org)
    stock(elsewhere, coat, 2)
    theirs = post_sale(system_actor(), db, elsewhere, {"payment_method": "alipay", "lines": [
        {"item_type_id": coat.id, "quantity": "1"}]})
    login(volunteer)
    assert client.get(f"/staff/sales/{theirs.id}").status_code == 403
    assert elsewhere.name not in client.get("/staff/sales/").get_data(as_text=True)
