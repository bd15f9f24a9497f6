"""The stock screens: the dashboard's figures are the ledger's, the needs list, the export
matches the balances, and a write-off takes goods off the shelf but never more than is there."""
import csv
import datetime as dt
import html as htmllib
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.goods.services.distributions import post_distribution
from charity.goods.services.intake import post_intake
from charity.goods.models import (IntakeLine, ItemCategory, ItemType, StockBalance,
                                  StockMovement, StockTarget, WriteOff)
from charity.core.system import system_actor


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
def today(org):
    return org_today(org)


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def other_point(make_point, org):
    return make_point(org)


@pytest.fixture
def volunteer(make_user, org, point):
    return make_user("volunteer", org=org, points=[point])


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def receive(db, today):
    """Put goods on a shelf through a real intake, dated `day` (default: today)."""
    def put(point, item, quantity, expiry=None, day=None, batch=""):
        day = day or today
        line = {"item_type_id": item.id, "quantity": str(quantity), "batch": batch}
        if item.perishable:
            line.update(expiry_date=expiry or today + dt.timedelta(days=200), inspected=True)
        doc = post_intake(system_actor(), db, point, {"received_on": day, "lines": [line]},
                          today=day)
        db.commit()
        return doc

    return put


@pytest.fixture
def shelf(make_item, make_food, org, point, other_point, receive, today, category):
    """Coats and towels at the point, rice in two batches (one expired, one expiring soon),
    and coats at the other point."""
    coat = make_item(org)  # 件, 30.00
    towel = make_item(org, name="毛巾", unit="条", default_fair_value=Decimal("8.00"),
                      category_id=category("household").id)
    rice = make_food(org)  # 袋, 50.00
    receive(point, coat, 5)
    receive(point, towel, 12)
    receive(point, rice, 3, expiry=today + dt.timedelta(days=10), batch="R-soon",
            day=today - dt.timedelta(days=100))
    # Food received in good time that has since gone past its date.
    receive(point, rice, 2, expiry=today - dt.timedelta(days=1), batch="R-old",
            day=today - dt.timedelta(days=100))
    receive(other_point, coat, 7)
    return {"coat": coat, "towel": towel, "rice": rice}


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def on_hand(db, point, item, batch=None):
    stmt = sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id)
    if batch is not None:
        stmt = stmt.where(StockBalance.batch == batch)
    return db.scalar(stmt)


# --- the dashboard ---------------------------------------------------------------------------

def test_dashboard_figures_equal_the_ledger(client, login, db, volunteer, point, shelf, today,
                                            make_household, org):
    household = make_household(org, certified_until=today + dt.timedelta(days=90))
    post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id,
        "lines": [{"item_type_id": shelf["coat"].id, "quantity": "2"}]}, today=today)
    db.commit()
    login(volunteer)
    response = client.get("/staff/stock/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Quantity available per category, recomputed from the movements of the point: batches
    # past their expiry date today are not available (Food Safety Law Arts. 53–54) and are
    # shown apart, as expired.
    def ledger(expired: bool):
        expiry = sa.select(IntakeLine.expiry_date).where(
            IntakeLine.item_type_id == StockMovement.item_type_id,
            IntakeLine.batch == StockMovement.batch).limit(1).scalar_subquery()
        condition = expiry < today if expired else sa.or_(expiry.is_(None), expiry >= today)
        return {name: Decimal(q) for name, q in db.execute(
            sa.select(ItemCategory.name, sa.func.sum(StockMovement.quantity))
            .join(ItemType, ItemType.id == StockMovement.item_type_id)
            .join(ItemCategory, ItemCategory.id == ItemType.category_id)
            .where(StockMovement.point_id == point.id, condition)
            .group_by(ItemCategory.name)).all() if q}

    shown = re.findall(r'<td data-label="Category">([^<]+)</td>\s*<td[^>]*>\d+</td>\s*'
                       r'<td[^>]*data-qty="([^"]+)"', html)
    assert {name: Decimal(q) for name, q in shown} == ledger(expired=False)
    assert Decimal(dict(shown)["衣物鞋帽"]) == 3  # 5 received, 2 handed out
    assert Decimal(dict(shown)["粮油食品"]) == 3  # R-soon only: R-old (2) is expired
    expired_shown = re.findall(r'data-expired="([^"]+)"', html)
    assert [Decimal(q) for q in expired_shown] == list(ledger(expired=True).values()) == [2]
    values = re.findall(r'data-label="Fair value" class="num" data-value="([^"]+)"', html)
    stored = db.scalar(sa.select(sa.func.sum(StockBalance.value)).where(
        StockBalance.point_id == point.id))
    assert sum(Decimal(v) for v in values) == stored
    # Today's counters: the coats, the towels (today) — the rice came 100 days ago.
    assert re.search(r'id="count-intakes">2<', html)
    assert re.search(r'id="count-distributions">1<', html)
    # Food: the expired batch is a red warning with a link to write it off; the other is listed.
    warning = re.search(r'<div class="warning-expired".*?</div>', html, re.S).group(0)
    assert "R-old" in warning and "R-soon" not in warning
    assert f"item={shelf['rice'].id}" in warning and "reason=expired" in warning
    assert "R-soon" in html


def test_dashboard_of_another_point_is_forbidden(client, login, volunteer, other_point, shelf):
    login(volunteer)
    assert client.get(f"/staff/stock/?point={other_point.id}").status_code == 403


def test_manager_sets_wanted_levels_and_the_needs_list_shows_the_gap(client, login, db, manager,
                                                                     volunteer, point, shelf):
    login(manager)
    page = client.get(f"/staff/stock/?point={point.id}").get_data(as_text=True)
    assert 'action="/staff/stock/targets"' in page
    bad = client.post("/staff/stock/targets", data={"point_id": str(point.id),
                                                     "item_type_id": str(shelf["coat"].id),
                                                     "wanted": "2.5"})
    assert bad.status_code == 200
    assert "whole numbers" in error_of(bad.get_data(as_text=True), "wanted")
    assert db.scalar(sa.select(sa.func.count()).select_from(StockTarget)) == 0
    done = client.post("/staff/stock/targets", data={"point_id": str(point.id),
                                                      "item_type_id": str(shelf["coat"].id),
                                                      "wanted": "20"})
    assert done.status_code == 302
    client.post("/staff/stock/targets", data={"point_id": str(point.id),
                                              "item_type_id": str(shelf["towel"].id),
                                              "wanted": "10"})
    html = client.get(f"/staff/stock/?point={point.id}").get_data(as_text=True)
    needs = html[html.index('id="needs"'):]
    row = re.search(r'<tr class="below">.*?</tr>', needs, re.S).group(0)
    assert shelf["coat"].name in row and ">15<" in row  # 20 wanted, 5 on hand
    from charity.goods.queries.stock import needs_list

    assert [r.item.id for r in needs_list(db, point.id)] == [shelf["coat"].id]
    # 0 removes the wanted level.
    client.post("/staff/stock/targets", data={"point_id": str(point.id),
                                              "item_type_id": str(shelf["coat"].id),
                                              "wanted": "0"})
    assert needs_list(db, point.id) == []
    client.post("/logout")
    login(volunteer)
    assert client.post("/staff/stock/targets", data={
        "point_id": str(point.id), "item_type_id": str(shelf["coat"].id),
        "wanted": "5"}).status_code == 403


# --- lists and export ------------------------------------------------------------------------

def test_balances_and_movements_are_filtered_and_scoped(client, login, volunteer, point,
                                                        other_point, shelf):
    login(volunteer)
    html = client.get("/staff/stock/balances").get_data(as_text=True)
    assert shelf["towel"].name in html and "R-old" in html
    assert other_point.name not in html.split("<table", 1)[1]
    only_rice = client.get(f"/staff/stock/balances?item={shelf['rice'].id}").get_data(
        as_text=True)
    assert "R-soon" in only_rice and shelf["towel"].name not in only_rice.split("<table", 1)[1]
    moves = client.get(f"/staff/stock/movements?kind=donation_in&item={shelf['coat'].id}")
    assert moves.status_code == 200
    body = moves.get_data(as_text=True).split("<table", 1)[1]
    assert body.count('data-label="Kind">Donation received<') == 1  # only the point's coats
    assert client.get("/staff/stock/movements?from=2000-01-01&to=2000-01-02").status_code == 200


def test_export_csv_parses_and_matches_the_balances(client, login, db, manager, point, shelf):
    login(manager)
    response = client.get(f"/staff/stock/export.csv?point={point.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    exported = {(r["Item"], r["Batch"]): (Decimal(r["Quantity"]), Decimal(r["Fair value (yuan)"]))
                for r in rows}
    balances = db.execute(sa.select(ItemType.name, StockBalance.batch, StockBalance.quantity,
                                    StockBalance.value)
                          .join(ItemType, ItemType.id == StockBalance.item_type_id)
                          .where(StockBalance.point_id == point.id,
                                 StockBalance.quantity > 0)).all()
    assert exported == {(n, b): (q, v) for n, b, q, v in balances}
    assert len(rows) == 4
    everything = client.get("/staff/stock/export.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything.lstrip("\ufeff"))))) == 5
    xlsx = client.get("/staff/stock/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_volunteers_cannot_export(client, login, volunteer):
    login(volunteer)
    assert client.get("/staff/stock/export.csv").status_code == 403


# --- write-offs ------------------------------------------------------------------------------

def test_write_off_reduces_the_stock(client, login, db, volunteer, point, shelf):
    rice = shelf["rice"]
    login(volunteer)
    page = client.get(f"/staff/stock/write-off?item={rice.id}&batch=R-old&reason=expired")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = token_of(html)
    response = client.post("/staff/stock/write-off", data={
        "submission_token": token, "point_id": str(point.id), "reason": "expired",
        "item_type_id": str(rice.id), "batch": "R-old", "quantity": "2", "note": "已过期"})
    assert response.status_code == 302
    assert on_hand(db, point, rice, "R-old") == 0 and on_hand(db, point, rice, "R-soon") == 3
    wo = db.scalar(sa.select(WriteOff))
    assert wo.reason.value == "expired" and wo.quantity == 2 and wo.posted_by_id == volunteer.id
    # Sent again (double click): posted once.
    again = client.post("/staff/stock/write-off", data={
        "submission_token": token, "point_id": str(point.id), "reason": "expired",
        "item_type_id": str(rice.id), "batch": "R-old", "quantity": "2"})
    assert again.status_code == 302
    assert db.scalar(sa.select(sa.func.count(WriteOff.id))) == 1
    assert "R-old" not in client.get("/staff/stock/").get_data(as_text=True)


@pytest.mark.parametrize("quantity, text", [("6", "Not enough"), ("0", "greater than zero"),
                                            ("1.5", "whole numbers")])
def test_write_off_refuses_more_than_on_hand(client, login, db, volunteer, point, shelf,
                                             quantity, text):
    coat = shelf["coat"]
    login(volunteer)
    token = token_of(client.get("/staff/stock/write-off").get_data(as_text=True))
    before = db.scalar(sa.select(sa.func.count(StockMovement.id)))
    response = client.post("/staff/stock/write-off", data={
        "submission_token": token, "point_id": str(point.id), "reason": "damaged",
        "item_type_id": str(coat.id), "batch": "", "quantity": quantity})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in (error_of(html, "quantity") or ""), html[:3000]
    assert db.scalar(sa.select(sa.func.count(StockMovement.id))) == before
    assert db.scalar(sa.select(sa.func.count(WriteOff.id))) == 0
    assert on_hand(db, point, coat) == 5


def test_write_off_at_another_point_is_forbidden(client, login, db, volunteer, other_point,
                                                 shelf):
    login(volunteer)
    token = token_of(client.get("/staff/stock/write-off").get_data(as_text=True))
    response = client.post("/staff/stock/write-off", data={
        "submission_token": token, "point_id": str(other_point.id), "reason": "damaged",
        "item_type_id": str(shelf["coat"].id), "quantity": "1"})
    assert response.status_code == 403
    assert on_hand(db, other_point, shelf["coat"]) == 7


def test_movements_name_their_documents_and_reasons_in_the_readers_language(
        client, login, db, manager, point, shelf, today, make_household, org):
    """Issue 15: the list said "sale 214 / distribution 553 / intake 814" in Chinese too."""
    from charity.goods.services.sales import post_sale
    from charity.goods.services.write_offs import post_write_off

    household = make_household(org, certified_until=today + dt.timedelta(days=90))
    post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id,
        "lines": [{"item_type_id": shelf["coat"].id, "quantity": "1"}]}, today=today)
    post_sale(system_actor(), db, point, {"payment_method": "cash", "lines": [
        {"item_type_id": shelf["towel"].id, "quantity": "1"}]}, today=today)
    post_write_off(system_actor(), db, point, {"reason": "expired", "batch": "R-old",
                                               "item_type_id": shelf["rice"].id, "quantity": "2"})
    db.commit()
    login(manager)
    client.get("/?lang=zh_CN")
    html = client.get(f"/staff/stock/movements?point={point.id}").get_data(as_text=True)
    cells = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(
        r'<td data-label="单据">(.*?)</td>', html, re.S)]
    movements = db.execute(sa.select(StockMovement.document_type, StockMovement.document_id)
                           .where(StockMovement.point_id == point.id)).all()
    assert len(cells) == len(movements) == 7
    # The document's name as its own page is titled in Chinese, then its number.
    chinese = {"intake": "捐赠接收单", "distribution": "发放单", "sale": "义卖单"}
    for kind, number in movements:
        if kind in chinese:
            assert f"{chinese[kind]} {number}" in cells
    assert not [c for c in cells if re.match(r"(intake|distribution|sale|write_off) ", c)]
    reasons = re.findall(r'<td data-label="原因">([^<]*)</td>', html)
    assert "过期" in reasons and "expired" not in reasons
