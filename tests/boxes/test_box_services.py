"""Boxes (issue 20 §3), service level: every state change, and that the stock ledger's rows
— not the box — say what moved. Each test reads the movements the box's documents posted
and compares them with what the box held."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.boxes import services as boxes
from charity.boxes.models import Box, BoxEvent, BoxLine, BoxState
from charity.boxes.queries import free_quantity, shortfalls
from charity.core.errors import ValidationFailed
from charity.core.system import system_actor
from charity.goods import services as documents
from charity.goods.models import StockBalance, StockMovement
from charity.goods.services.stock_ledger import verify_stock

D = Decimal


def balance(db, point, item, batch=""):
    return D(db.scalar(sa.select(StockBalance.quantity).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id,
        StockBalance.batch == batch)) or 0)


def moved(db, document_type, document_ids, point=None):
    """(item id, batch) → sum of the ledger's movements of those documents (at `point`)."""
    stmt = sa.select(StockMovement.item_type_id, StockMovement.batch,
                     sa.func.sum(StockMovement.quantity)).where(
        StockMovement.document_type == document_type,
        StockMovement.document_id.in_(list(document_ids)))
    if point is not None:
        stmt = stmt.where(StockMovement.point_id == point.id)
    rows = db.execute(stmt.group_by(StockMovement.item_type_id, StockMovement.batch))
    return {(i, b): D(q) for i, b, q in rows}


def contents(box):
    return {(ln.item_type_id, ln.batch): ln.quantity for ln in box.lines}


def boxed_within_ledger(db):
    """Every batch holds at least what the boxes on its shelf say they hold."""
    rows = db.execute(sa.select(Box.point_id, BoxLine.item_type_id, BoxLine.batch,
                                sa.func.sum(BoxLine.quantity))
                      .join(Box, Box.id == BoxLine.box_id)
                      .where(Box.state == BoxState.ON_SHELF)
                      .group_by(Box.point_id, BoxLine.item_type_id, BoxLine.batch))
    for point_id, item_id, batch, boxed in rows:
        on_hand = db.scalar(sa.select(StockBalance.quantity).where(
            StockBalance.point_id == point_id, StockBalance.item_type_id == item_id,
            StockBalance.batch == batch)) or 0
        assert D(boxed) <= D(on_hand), (point_id, item_id, batch)
    assert verify_stock(db) == []


@pytest.fixture
def shelf(db, make_point, make_item, stock):
    """A point with 20 coats and 10 scarves on the shelf, and a second point of its org."""
    point = make_point()
    coat, scarf = make_item(point.organization), make_item(point.organization)
    stock(point, coat, 20)
    stock(point, scarf, 10)
    other = make_point(org=point.organization)
    return point, other, coat, scarf


def pack(db, point, *lines, label="女装 冬 M"):
    box = boxes.pack_box(system_actor(), db, point, {"label": label, "lines": [
        {"item_type_id": item.id, "quantity": str(qty)} for item, qty in lines]})
    db.flush()
    return box


def test_packing_names_the_batches_and_moves_no_stock(db, shelf):
    point, _other, coat, scarf = shelf
    before = db.scalar(sa.select(sa.func.count()).select_from(StockMovement))
    box = pack(db, point, (coat, 12), (scarf, 3))
    assert box.state == BoxState.ON_SHELF and box.code == f"BX{box.id:06d}"
    assert contents(box) == {(coat.id, ""): 12, (scarf.id, ""): 3}
    assert db.scalar(sa.select(sa.func.count()).select_from(StockMovement)) == before
    assert balance(db, point, coat) == 20  # the ledger is unchanged: a box is a view
    assert free_quantity(db, point.id, coat.id, "") == 8
    assert [e.kind.value for e in box.events] == ["packed"]
    boxed_within_ledger(db)


def test_goods_already_in_a_box_cannot_be_packed_again(db, shelf):
    point, _other, coat, _scarf = shelf
    pack(db, point, (coat, 12))
    with pytest.raises(ValidationFailed) as err:
        pack(db, point, (coat, 9))
    assert err.value.field == "lines-0-quantity"
    pack(db, point, (coat, 8))
    assert free_quantity(db, point.id, coat.id, "") == 0


def test_a_box_needs_a_line_and_goods_of_its_point(db, shelf, make_point, make_item):
    point, other, coat, _scarf = shelf
    with pytest.raises(ValidationFailed):
        boxes.pack_box(system_actor(), db, point, {"lines": []})
    with pytest.raises(ValidationFailed):
        pack(db, other, (coat, 1))  # nothing of it on the other point's shelf
    stranger = make_item(make_point().organization)
    with pytest.raises(ValidationFailed):
        pack(db, point, (stranger, 1))


def test_sending_a_box_transfers_exactly_its_contents(db, shelf):
    point, other, coat, scarf = shelf
    box = pack(db, point, (coat, 12), (scarf, 3))
    boxes.send_box(system_actor(), db, box, other.id)
    assert box.state == BoxState.IN_TRANSIT and box.transfer_id
    out = moved(db, "transfer", [box.transfer_id], point)
    assert out == {k: -q for k, q in contents(box).items()}
    assert balance(db, point, coat) == 8 and balance(db, point, scarf) == 7
    boxes.receive_box(system_actor(), db, box)
    assert box.state == BoxState.ON_SHELF and box.point_id == other.id
    assert moved(db, "transfer", [box.transfer_id], other) == contents(box)
    assert balance(db, other, coat) == 12 and balance(db, other, scarf) == 3
    assert [e.kind.value for e in box.events] == ["packed", "sent", "received"]
    boxed_within_ledger(db)


def test_a_shortfall_on_arrival_leaves_the_box(db, shelf):
    point, other, coat, scarf = shelf
    box = pack(db, point, (coat, 12), (scarf, 3))
    boxes.send_box(system_actor(), db, box, other.id)
    transfer = _transfer(db, box)
    documents.receive_transfer(system_actor(), db, transfer, {
        line.id: ({"quantity": "10", "loss_reason": "途中破损"} if line.item_type_id == coat.id
                  else {"quantity": "0", "loss_reason": "丢失"})
        for line in transfer.lines})
    boxes.arrive_boxes(system_actor(), db, transfer)
    assert box.state == BoxState.ON_SHELF
    assert contents(box) == {(coat.id, ""): 10}
    assert contents(box) == moved(db, "transfer", [transfer.id], other)
    boxed_within_ledger(db)


def _transfer(db, box):
    from charity.goods.models import Transfer
    return db.get(Transfer, box.transfer_id)


def test_a_box_of_which_nothing_arrived_is_lost(db, shelf):
    point, other, coat, _scarf = shelf
    box = pack(db, point, (coat, 5))
    boxes.send_box(system_actor(), db, box, other.id)
    transfer = _transfer(db, box)
    documents.receive_transfer(system_actor(), db, transfer, {
        transfer.lines[0].id: {"quantity": "0", "loss_reason": "整箱丢失"}})
    boxes.arrive_boxes(system_actor(), db, transfer)
    assert box.state == BoxState.LOST and box.lines == []
    assert moved(db, "transfer", [transfer.id], other) == {}


def test_handing_out_a_box_posts_one_distribution_of_its_contents(db, shelf, make_household):
    point, _other, coat, scarf = shelf
    household = make_household(point.organization, monthly_points=1000)
    box = pack(db, point, (coat, 4), (scarf, 2))
    boxes.hand_out_box(system_actor(), db, box, household.id)
    assert box.state == BoxState.HANDED_OUT and box.distribution_id
    assert moved(db, "distribution", [box.distribution_id]) == {
        k: -q for k, q in contents(box).items()}
    assert balance(db, point, coat) == 16 and balance(db, point, scarf) == 8
    assert box.events[-1].document_type == "distribution"
    with pytest.raises(ValidationFailed):
        boxes.hand_out_box(system_actor(), db, box, household.id)  # already handed out
    boxed_within_ledger(db)


def test_a_refused_distribution_leaves_the_box_on_the_shelf(db, shelf, make_household):
    point, _other, coat, _scarf = shelf
    poor = make_household(point.organization, monthly_points=5)  # a coat costs 10 points
    box = pack(db, point, (coat, 4))
    with pytest.raises(ValidationFailed):
        boxes.hand_out_box(system_actor(), db, box, poor.id)
    assert box.state == BoxState.ON_SHELF and balance(db, point, coat) == 20


def test_a_lost_box_is_written_off(db, shelf):
    point, _other, coat, scarf = shelf
    box = pack(db, point, (coat, 6), (scarf, 1))
    with pytest.raises(ValidationFailed) as err:
        boxes.lose_box(system_actor(), db, box, " ")
    assert err.value.field == "note"
    boxes.lose_box(system_actor(), db, box, "仓库漏水")
    assert box.state == BoxState.LOST
    write_offs = [e.document_id for e in box.events if e.document_type == "write_off"]
    assert moved(db, "write_off", write_offs) == {k: -q for k, q in contents(box).items()}
    assert balance(db, point, coat) == 14 and balance(db, point, scarf) == 9
    boxed_within_ledger(db)


def test_boxes_in_transit_cannot_be_handed_out_or_lost(db, shelf, make_household):
    point, other, coat, _scarf = shelf
    box = pack(db, point, (coat, 2))
    boxes.send_box(system_actor(), db, box, other.id)
    with pytest.raises(ValidationFailed):
        boxes.hand_out_box(system_actor(), db, box, make_household(point.organization).id)
    with pytest.raises(ValidationFailed):
        boxes.lose_box(system_actor(), db, box, "不见了")
    with pytest.raises(ValidationFailed):
        boxes.send_box(system_actor(), db, box, other.id)


def test_a_stocktake_counts_boxes_and_a_missing_one_is_lost(db, shelf, make_user):
    point, _other, coat, scarf = shelf
    found = pack(db, point, (coat, 5))
    missing = pack(db, point, (scarf, 4))
    st = documents.start_stocktake(system_actor(), db, point)
    boxes.count_boxes(system_actor(), db, st, [found.id])
    # The counter counts what is there: the missing box's four scarves are not.
    scarf_line = next(ln for ln in st.lines if ln.item_type_id == scarf.id)
    documents.set_counts(system_actor(), db, st, {scarf_line.id: "6"})
    documents.submit_stocktake(system_actor(), db, st)
    documents.approve_stocktake(system_actor(), db, st)
    assert boxes.settle_boxes(system_actor(), db, st) is st
    assert missing.state == BoxState.LOST
    assert found.state == BoxState.ON_SHELF
    assert moved(db, "stocktake", [st.id]) == {(scarf.id, ""): D(-4)}
    kinds = db.scalars(sa.select(BoxEvent.kind).where(BoxEvent.box_id == missing.id)
                       .order_by(BoxEvent.id)).all()
    assert [k.value for k in kinds] == ["packed", "missing", "lost"]
    boxed_within_ledger(db)


def test_goods_taken_loose_from_a_boxed_batch_show_as_a_shortfall(db, shelf, make_household):
    point, _other, coat, _scarf = shelf
    box = pack(db, point, (coat, 15))
    household = make_household(point.organization, monthly_points=1000)
    documents.post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "8"}]})
    # 12 coats left on the ledger, the box says 15: three of its coats are not there.
    assert shortfalls(db, box) == {box.lines[0].id: D(3)}


def test_expired_food_in_a_box_is_not_handed_out(db, make_point, make_food, stock,
                                                 make_household):
    point = make_point()
    rice = make_food(point.organization)
    stock(point, rice, 4, expiry=dt.date(2026, 11, 20))
    batch = db.scalar(sa.select(StockBalance.batch).where(StockBalance.item_type_id == rice.id))
    box = boxes.pack_box(system_actor(), db, point, {"lines": [
        {"item_type_id": rice.id, "quantity": "4", "batch": batch}]})
    household = make_household(point.organization, monthly_points=1000)
    with pytest.raises(ValidationFailed):
        boxes.hand_out_box(system_actor(), db, box, household.id, today=dt.date(2026, 11, 25))
    assert box.state == BoxState.ON_SHELF
