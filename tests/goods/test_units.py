"""Packaging units (issue 20 §2): a quantity typed in any of an item's units reaches the
ledger in the base unit, exactly, through every stock document; pages say it as people do.

Expected figures are computed here from the conversions (1 箱 = 24 瓶, 1 斤 = 0.5 kg,
1 袋 = 5 kg), never read back from the code under test."""
import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.core.system import system_actor
from charity.funds.models import FundEntry
from charity.goods import services as documents
from charity.goods.models import StockBalance, StockMovement
from charity.goods.quantities import in_units
from charity.goods.services.intake import post_intake
from charity.goods.services.stock_ledger import verify_stock
from charity.goods.services.units import add_item_unit, remove_item_unit

TODAY = dt.date(2026, 11, 25)
BOX = 24  # 瓶 in one 箱


# --- the one formatter -----------------------------------------------------------------------

def _item(unit, *units, countable=True):
    return SimpleNamespace(unit=unit, countable=countable, units=[
        SimpleNamespace(name=n, factor=D(f), shown=s) for n, f, s in units])


@pytest.mark.parametrize("base, expected", [
    (D(77), "3 箱 + 5 瓶"), (D(72), "3 箱"), (D(5), "5 瓶"), (D(0), "0 瓶"),
    (D(-25), "-1 箱 + -1 瓶"),
])
def test_bottles_are_shown_in_boxes_and_bottles(base, expected):
    assert in_units(base, _item("瓶", ("箱", BOX, True))) == expected


def test_weighed_goods_are_shown_in_their_shown_units_only():
    rice = _item("kg", ("袋", 5, True), ("斤", "0.5", False), countable=False)
    assert in_units(D("12.5"), rice) == "2 袋 + 2.5 kg"
    assert in_units(D("3.250"), rice) == "3.25 kg"  # 斤 converts input, it is not shown
    assert in_units(D("12.5"), _item("kg", countable=False)) == "12.5 kg"


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture
def milk(db, make_point, make_item, category):
    """A point with milk counted in 瓶 (1 箱 = 24 瓶, 2 points and ¥3.00 a bottle)."""
    point = make_point()
    item = make_item(point.organization, name="牛奶", unit="瓶", category_id=category("food").id,
                     point_price=2, sale_price=D("3.00"), default_fair_value=D("3.00"))
    box = add_item_unit(system_actor(), db, item, {"name": "箱", "factor": "24", "shown": True})
    db.commit()
    return SimpleNamespace(point=point, item=item, box=box)


@pytest.fixture
def rice(db, make_point, make_item, category):
    """Rice weighed in kg (1 斤 = 0.5 kg, 1 袋 = 5 kg)."""
    point = make_point()
    item = make_item(point.organization, name="散装大米", unit="kg", countable=False,
                     category_id=category("food").id, point_price=1)
    jin = add_item_unit(system_actor(), db, item, {"name": "斤", "factor": "0.5"})
    bag = add_item_unit(system_actor(), db, item, {"name": "袋", "factor": "5", "shown": True})
    db.commit()
    return SimpleNamespace(point=point, item=item, jin=jin, bag=bag)


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def ledger(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockMovement.quantity), 0)).where(
        StockMovement.point_id == point.id, StockMovement.item_type_id == item.id))


def receive(db, point, *lines):
    return post_intake(system_actor(), db, point, {"received_on": TODAY, "lines": [
        {"condition": "good", **line} for line in lines]}, today=TODAY)


def in_boxes(m, quantity, **extra):
    return {"item_type_id": m.item.id, "quantity": quantity, "unit_id": str(m.box.id), **extra}


# --- conversion through every stock document -------------------------------------------------

def test_intake_in_boxes_and_bottles_is_kept_in_bottles(db, milk):
    doc = receive(db, milk.point, in_boxes(milk, "2"),
                  {"item_type_id": milk.item.id, "quantity": "5"})
    assert [ln.quantity for ln in doc.lines] == [2 * BOX, 5]
    assert on_hand(db, milk.point, milk.item) == ledger(db, milk.point, milk.item) == 2 * BOX + 5
    assert doc.total_value == (2 * BOX + 5) * D("3.00")  # the fair value is per bottle
    assert verify_stock(db) == []


def test_weighed_rice_in_jin_and_bags(db, rice):
    receive(db, rice.point,
            {"item_type_id": rice.item.id, "quantity": "3", "unit_id": str(rice.bag.id)},
            {"item_type_id": rice.item.id, "quantity": "7", "unit_id": str(rice.jin.id)},
            {"item_type_id": rice.item.id, "quantity": "0.25"})
    assert on_hand(db, rice.point, rice.item) == 3 * 5 + D("3.5") + D("0.25")


@pytest.mark.parametrize("quantity, unit", [
    ("0.1", "box"),      # 2.4 瓶: not a whole bottle
    ("0.001", "jin"),    # 0.0005 kg: below the gram
    ("5000", "box"),     # 120,000 瓶: not plausible
    ("0", "box"), ("abc", "box"),
])
def test_a_quantity_that_is_no_whole_step_is_refused_next_to_it(db, milk, rice, quantity,
                                                                 unit):
    m = milk if unit == "box" else rice
    unit_id = milk.box.id if unit == "box" else rice.jin.id
    with pytest.raises(ValidationFailed) as err:
        receive(db, m.point, {"item_type_id": m.item.id, "quantity": quantity,
                              "unit_id": str(unit_id)})
    assert err.value.field == "lines-0-quantity"


def test_half_a_box_is_twelve_bottles(db, milk):
    receive(db, milk.point, in_boxes(milk, "0.5"))
    assert on_hand(db, milk.point, milk.item) == 12


def test_a_unit_of_another_item_is_refused(db, milk, rice):
    with pytest.raises(ValidationFailed) as err:
        receive(db, milk.point, {"item_type_id": milk.item.id, "quantity": "1",
                                 "unit_id": str(rice.bag.id)})
    assert err.value.field == "lines-0-quantity"


def test_distribution_in_boxes_prices_points_and_limits_per_bottle(db, milk, make_household):
    receive(db, milk.point, in_boxes(milk, "3"))
    org = milk.point.organization
    milk.item.monthly_limit = D(30)
    hh = make_household(org, monthly_points=200)
    give = lambda lines: documents.post_distribution(  # noqa: E731
        system_actor(), db, milk.point, {"beneficiary_id": hh.id, "lines": lines}, today=TODAY)
    with pytest.raises(ValidationFailed):  # 2 箱 = 48 瓶, over the 30-bottle monthly limit
        give([in_boxes(milk, "2")])
    dist = give([in_boxes(milk, "1"), {"item_type_id": milk.item.id, "quantity": "2"}])
    assert dist.points_total == (BOX + 2) * 2
    assert on_hand(db, milk.point, milk.item) == 3 * BOX - BOX - 2


def test_sale_in_boxes_is_priced_per_bottle(db, milk):
    receive(db, milk.point, in_boxes(milk, "2"))
    sale = documents.post_sale(system_actor(), db, milk.point, {
        "payment_method": "cash", "lines": [in_boxes(milk, "1")]}, today=TODAY)
    assert db.get(FundEntry, sale.fund_entry_id).amount == BOX * D("3.00")
    assert on_hand(db, milk.point, milk.item) == BOX


def test_transfer_sent_and_received_in_boxes(db, milk, make_point):
    other = make_point(milk.point.organization)
    receive(db, milk.point, in_boxes(milk, "2"))
    t = documents.send_transfer(system_actor(), db, milk.point, {
        "to_point_id": other.id, "lines": [in_boxes(milk, "1.5")]}, today=TODAY)
    assert t.lines[0].quantity_sent == 36
    line = t.lines[0]
    documents.receive_transfer(system_actor(), db, t, {line.id: {
        "quantity": "1", "unit_id": str(milk.box.id), "loss_reason": "破损"}}, today=TODAY)
    assert on_hand(db, other, milk.item) == BOX and line.quantity_received == BOX
    assert on_hand(db, milk.point, milk.item) == 2 * BOX - 36
    assert verify_stock(db) == []


def test_stocktake_counted_in_boxes(db, milk, rice):
    receive(db, milk.point, in_boxes(milk, "2"))
    st = documents.start_stocktake(system_actor(), db, milk.point, today=TODAY)
    line = st.lines[0]
    documents.set_counts(system_actor(), db, st, {line.id: "1"},
                         units={line.id: str(milk.box.id)})
    assert line.counted == BOX
    with pytest.raises(ValidationFailed) as err:
        documents.set_counts(system_actor(), db, st, {line.id: "1"},
                             units={line.id: str(rice.jin.id)})
    assert err.value.field == f"line-{line.id}"
    documents.submit_stocktake(system_actor(), db, st)
    documents.approve_stocktake(system_actor(), db, st, today=TODAY)
    assert on_hand(db, milk.point, milk.item) == BOX


def test_write_off_in_jin(db, rice):
    receive(db, rice.point, {"item_type_id": rice.item.id, "quantity": "10"})
    documents.post_write_off(system_actor(), db, rice.point, {
        "reason": "damaged", "item_type_id": rice.item.id, "quantity": "3",
        "unit_id": str(rice.jin.id)}, today=TODAY)
    assert on_hand(db, rice.point, rice.item) == D("10") - 3 * D("0.5")


# --- the catalogue's units -------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"name": "瓶", "factor": "1"}, "name"),        # the base unit itself
    ({"name": "箱", "factor": "12"}, "name"),       # already there
    ({"name": "", "factor": "12"}, "name"),
    ({"name": "半瓶", "factor": "0.5"}, "factor"),  # bottles are whole
    ({"name": "盒", "factor": "0"}, "factor"),
    ({"name": "盒", "factor": "x"}, "factor"),
])
def test_bad_units_are_refused(db, milk, data, field):
    with pytest.raises(ValidationFailed) as err:
        add_item_unit(system_actor(), db, milk.item, data)
    assert err.value.field == field


def test_removing_a_unit_keeps_the_stock(db, milk):
    receive(db, milk.point, in_boxes(milk, "1"))
    remove_item_unit(system_actor(), db, milk.item, milk.box.id)
    assert milk.item.units == [] and on_hand(db, milk.point, milk.item) == BOX


def test_the_base_unit_cannot_be_renamed_once_stock_is_counted_in_it(db, milk):
    from charity.goods.services.catalogue import update_item_type

    update_item_type(system_actor(), db, milk.item, {"unit": "盒"})  # nothing counted yet
    receive(db, milk.point, {"item_type_id": milk.item.id, "quantity": "5"})
    with pytest.raises(ValidationFailed) as err:
        update_item_type(system_actor(), db, milk.item, {"unit": "箱"})
    assert err.value.field == "unit" and milk.item.unit == "盒"
