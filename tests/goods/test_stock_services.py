"""Service-level tests of the stock ledger and the goods documents."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import PermissionDenied, ValidationFailed
from charity.funds.models import EntryKind, FundEntry
from charity.goods import services as documents
from charity.goods.services import distributions as distribution, intake
from charity.goods.models import DocStatus, StockBalance, StockMovement
from charity.goods.services.stock_ledger import InsufficientStock, verify_stock
from charity.core.system import system_actor

TODAY = dt.date(2026, 11, 25)
D = Decimal


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def test_intake_puts_stock_on_the_shelf(db, make_point, make_item, stock):
    point = make_point()
    item = make_item(point.organization)
    stock(point, item, 12)
    assert on_hand(db, point, item) == 12
    assert verify_stock(db) == []


@pytest.mark.parametrize("line, field", [
    ({"expiry_date": None, "inspected": True}, "lines-0-expiry_date"),
    ({"expiry_date": dt.date(2026, 11, 24), "inspected": True}, "lines-0-expiry_date"),
    ({"expiry_date": dt.date(2027, 1, 1), "inspected": False}, "lines-0-inspected"),
])
def test_food_without_or_past_expiry_is_refused(db, make_point, make_food, line, field):
    point = make_point()
    rice = make_food(point.organization)
    data = {"received_on": TODAY, "lines": [{"item_type_id": rice.id, "quantity": "2", **line}]}
    with pytest.raises(ValidationFailed) as err:
        intake.post_intake(system_actor(), db, point, data, today=TODAY)
    assert err.value.field == field


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", "1000000"])
def test_bad_quantities(db, make_point, make_item, quantity):
    point = make_point()
    coat = make_item(point.organization)
    with pytest.raises(ValidationFailed) as err:
        intake.post_intake(system_actor(), db, point, {
            "lines": [{"item_type_id": coat.id, "quantity": quantity}]}, today=TODAY)
    assert err.value.field == "lines-0-quantity"


def test_goods_receipt_needs_fair_value_basis(db, make_point, make_item, make_donor):
    point = make_point()
    donor = make_donor(org=point.organization)
    coat = make_item(point.organization)
    data = {"donor_id": donor.id, "with_receipt": True,
            "lines": [{"item_type_id": coat.id, "quantity": "3", "unit_value": "40"}]}
    with pytest.raises(ValidationFailed) as err:
        intake.post_intake(system_actor(), db, point, data, today=TODAY)
    assert err.value.field == "lines-0-valuation_basis"
    data["lines"][0]["valuation_basis"] = "同类商品市场价"
    doc = intake.post_intake(system_actor(), db, point, data, today=TODAY)
    assert doc.receipt is not None and doc.receipt.total == D("120.00")
    assert doc.receipt.kind.value == "goods"


def test_distribution_deducts_points_and_stock(db, make_point, make_item, stock, make_household):
    point = make_point()
    org = point.organization
    coat = make_item(org, point_price=30)
    stock(point, coat, 5)
    hh = make_household(org, monthly_points=100)
    d = distribution.post_distribution(system_actor(), db, point, {
        "beneficiary_id": hh.id, "lines": [{"item_type_id": coat.id, "quantity": "3"}]},
        today=TODAY)
    assert d.points_total == 90
    assert on_hand(db, point, coat) == 2
    assert distribution.points_balance(db, hh, TODAY) == 10
    with pytest.raises(ValidationFailed, match="10"):
        distribution.post_distribution(system_actor(), db, point, {
            "beneficiary_id": hh.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
            today=TODAY)


def test_distribution_refuses_more_than_stock_and_uncertified(db, make_point, make_item, stock,
                                                             make_household):
    point = make_point()
    org = point.organization
    coat = make_item(org, point_price=0)
    stock(point, coat, 1)
    hh = make_household(org)
    with pytest.raises(InsufficientStock):
        distribution.post_distribution(system_actor(), db, point, {
            "beneficiary_id": hh.id, "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
            today=TODAY)
    expired = make_household(org, certified_until=dt.date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as err:
        distribution.post_distribution(system_actor(), db, point, {
            "beneficiary_id": expired.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
            today=TODAY)
    assert err.value.field == "beneficiary_id"


def test_monthly_limit(db, make_point, make_item, stock, make_household):
    point = make_point()
    org = point.organization
    oil = make_item(org, name="食用油", unit="桶", point_price=0, monthly_limit=D("2"))
    stock(point, oil, 10)
    hh = make_household(org)
    post = lambda q: distribution.post_distribution(system_actor(), db, point, {  # noqa: E731
        "beneficiary_id": hh.id, "lines": [{"item_type_id": oil.id, "quantity": q}]},
        today=TODAY)
    post("2")
    with pytest.raises(ValidationFailed) as err:
        post("1")
    assert err.value.field == "lines-0-quantity"


def test_transfer_with_loss(db, make_point, make_item, stock):
    a = make_point()
    b = make_point(a.organization)
    coat = make_item(a.organization)
    stock(a, coat, 10)
    t = documents.send_transfer(system_actor(), db, a, {
        "to_point_id": b.id, "lines": [{"item_type_id": coat.id, "quantity": "6"}]},
        today=TODAY)
    assert on_hand(db, a, coat) == 4 and on_hand(db, b, coat) == 0
    line = t.lines[0]
    with pytest.raises(ValidationFailed):  # a shortfall needs its reason
        documents.receive_transfer(system_actor(), db, t, {line.id: {"quantity": "5"}},
                                   today=TODAY)
    documents.receive_transfer(system_actor(), db, t, {
        line.id: {"quantity": "5", "loss_reason": "运输途中破损"}}, today=TODAY)
    assert on_hand(db, b, coat) == 5
    assert t.status.value == "received" and line.loss_reason == "运输途中破损"
    with pytest.raises(ValidationFailed):
        documents.receive_transfer(system_actor(), db, t, {}, today=TODAY)
    assert verify_stock(db) == []


def test_stocktake_approval_posts_differences(db, make_point, make_item, stock):
    point = make_point()
    coat = make_item(point.organization)
    stock(point, coat, 10)
    st = documents.start_stocktake(system_actor(), db, point, today=TODAY)
    line = st.lines[0]
    documents.set_counts(system_actor(), db, st, {line.id: "8"})
    documents.submit_stocktake(system_actor(), db, st)
    diffs = documents.stocktake_differences(db, st)
    assert diffs[0][1] == D("-2")
    documents.approve_stocktake(system_actor(), db, st, today=TODAY)
    assert on_hand(db, point, coat) == 8 and line.expected == 10
    with pytest.raises(ValidationFailed):
        documents.approve_stocktake(system_actor(), db, st, today=TODAY)


def test_sale_posts_commercial_income(db, make_point, make_item, stock):
    point = make_point()
    coat = make_item(point.organization, sale_price=D("15.50"))
    stock(point, coat, 4)
    sale = documents.post_sale(system_actor(), db, point, {
        "payment_method": "wechat", "lines": [{"item_type_id": coat.id, "quantity": "2"}]},
        today=TODAY)
    entry = db.get(FundEntry, sale.fund_entry_id)
    assert entry.kind == EntryKind.SALE_INCOME and entry.amount == D("31.00")
    assert on_hand(db, point, coat) == 2


def test_reversing_an_intake(db, make_point, make_item, stock, make_household):
    point = make_point()
    coat = make_item(point.organization, point_price=0)
    doc = stock(point, coat, 3)
    intake.reverse_intake(system_actor(), db, doc, "录错数量", today=TODAY)
    assert on_hand(db, point, coat) == 0 and doc.status == DocStatus.REVERSED
    moves = db.scalars(sa.select(StockMovement).where(StockMovement.document_id == doc.id,
                                                      StockMovement.document_type == "intake"))
    assert sorted(m.quantity for m in moves) == [D("-3"), D("3")]
    with pytest.raises(ValidationFailed):
        intake.reverse_intake(system_actor(), db, doc, "again", today=TODAY)
    assert verify_stock(db) == []


def test_volunteer_cannot_post_at_another_point(db, make_point, make_item, make_user):
    a = make_point()
    b = make_point(a.organization)
    coat = make_item(a.organization)
    volunteer = make_user("volunteer", org=a.organization, points=[a])
    with pytest.raises(PermissionDenied):
        intake.post_intake(volunteer, db, b, {
            "lines": [{"item_type_id": coat.id, "quantity": "1"}]}, today=TODAY)
    intake.post_intake(volunteer, db, a, {
        "lines": [{"item_type_id": coat.id, "quantity": "1"}]}, today=TODAY)
