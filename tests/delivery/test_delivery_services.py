"""Home delivery's ledger rules (issue 19 part 2), computed from the rows the test reads:
a reservation blocks a second hand-out; delivery posts the stock out and the points; a
failure returns the stock; expired food is never reserved nor delivered; steps are stamped
and only the assignee (or a manager) delivers."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import PermissionDenied, ValidationFailed
from charity.delivery.models import DeliveryLine, DeliveryStatus
from charity.delivery.services import create_delivery, deliver, dispatch, fail, pack
from charity.goods.models import MovementKind, StockBalance, StockMovement
from charity.goods.services.distributions import post_distribution
from charity.goods.services.stock_ledger import ExpiredStock, InsufficientStock
from charity.people.models import PointsEntry

D = Decimal


def shelf(db, dw):
    """(batch → (quantity, reserved)) at the point, from the balance rows."""
    rows = db.execute(sa.select(StockBalance.batch, StockBalance.quantity, StockBalance.reserved)
                      .where(StockBalance.point_id == dw["point"].id,
                             StockBalance.item_type_id == dw["milk"].id))
    return {b: (D(q), D(r)) for b, q, r in rows}


def ledger_sum(db, dw, kind=None):
    stmt = sa.select(sa.func.coalesce(sa.func.sum(StockMovement.quantity), 0)).where(
        StockMovement.point_id == dw["point"].id, StockMovement.item_type_id == dw["milk"].id)
    if kind is not None:
        stmt = stmt.where(StockMovement.kind == kind)
    return D(db.scalar(stmt))


def points_spent(db, dw) -> int:
    return -int(db.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.beneficiary_id == dw["household"].id, PointsEntry.amount < 0)))


def counter(db, dw, quantity):
    return post_distribution(dw["volunteer"], db, dw["point"], {
        "beneficiary_id": dw["household"].id, "distributed_on": dw["today"],
        "lines": [{"item_type_id": dw["milk"].id, "quantity": str(quantity)}]},
        today=dw["today"])


def test_order_reserves_first_expiry_first_out_and_skips_expired(db, dw, order):
    delivery = order(3)
    lines = {ln.batch: D(ln.quantity) for ln in db.scalars(
        sa.select(DeliveryLine).where(DeliveryLine.delivery_id == delivery.id))}
    assert lines == {"SOON": D(1), "NEW": D(2)}  # OLD expired: never chosen
    assert shelf(db, dw) == {"OLD": (2, 0), "SOON": (1, 1), "NEW": (5, 2)}
    assert ledger_sum(db, dw) == D(8)  # a reservation moves nothing in the ledger
    assert delivery.status == DeliveryStatus.RESERVED and len(delivery.confirm_code) == 4


def test_reservation_blocks_a_second_hand_out(db, dw, order):
    order(3)
    # 8 on the shelf: 2 expired, 3 reserved, so 3 may still be handed out at the counter.
    with pytest.raises(InsufficientStock):
        counter(db, dw, 4)
    db.rollback()
    counter(db, dw, 3)
    db.commit()
    assert ledger_sum(db, dw, MovementKind.DISTRIBUTION) == D(-3)
    assert shelf(db, dw)["NEW"] == (D(2), D(2))  # the reserved boxes stayed
    with pytest.raises(InsufficientStock):
        order(1)  # and a second delivery cannot take them either


def test_named_batch_reserved_cannot_be_sold(db, dw, order):
    from charity.goods.services.sales import post_sale

    order(3)
    with pytest.raises(InsufficientStock):
        post_sale(dw["volunteer"], db, dw["point"], {
            "sold_on": dw["today"], "payment_method": "cash", "lines": [
                {"item_type_id": dw["milk"].id, "quantity": "1", "batch": "SOON",
                 "unit_price": "10"}]}, today=dw["today"])


def test_delivered_posts_stock_out_and_points(db, dw, order):
    delivery = order(3)
    pack(dw["other"], db, delivery)
    dispatch(dw["volunteer"], db, delivery)
    deliver(dw["volunteer"], db, delivery, delivery.confirm_code, today=dw["today"])
    db.commit()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.packed_by_id == dw["other"].id and delivery.packed_at is not None
    assert delivery.out_by_id == delivery.delivered_by_id == dw["volunteer"].id
    moved = db.execute(sa.select(StockMovement.batch, StockMovement.quantity).where(
        StockMovement.document_type == "distribution",
        StockMovement.document_id == delivery.distribution_id)).all()
    assert sorted((b, D(q)) for b, q in moved) == [("NEW", D(-2)), ("SOON", D(-1))]
    assert shelf(db, dw) == {"OLD": (2, 0), "SOON": (0, 0), "NEW": (3, 0)}
    assert points_spent(db, dw) == 3 * 5
    assert delivery.distribution.beneficiary_id == dw["household"].id


def test_wrong_code_is_refused_and_nothing_moves(db, dw, order):
    delivery = order(3)
    pack(dw["volunteer"], db, delivery)
    dispatch(dw["volunteer"], db, delivery)
    db.commit()
    wrong = "0000" if delivery.confirm_code != "0000" else "1111"
    with pytest.raises(ValidationFailed) as err:
        deliver(dw["volunteer"], db, delivery, wrong, today=dw["today"])
    assert err.value.field == "code"
    db.rollback()
    assert ledger_sum(db, dw, MovementKind.DISTRIBUTION) == 0
    assert shelf(db, dw)["NEW"] == (D(5), D(2))


def test_failed_delivery_returns_the_stock(db, dw, order):
    delivery = order(3)
    pack(dw["volunteer"], db, delivery)
    dispatch(dw["volunteer"], db, delivery)
    with pytest.raises(ValidationFailed):
        fail(dw["volunteer"], db, delivery, "  ")
    fail(dw["volunteer"], db, delivery, "家中无人")
    db.commit()
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == "家中无人"
    assert shelf(db, dw) == {"OLD": (2, 0), "SOON": (1, 0), "NEW": (5, 0)}
    assert ledger_sum(db, dw) == D(8) and points_spent(db, dw) == 0
    counter(db, dw, 6)  # everything within its date can be handed out again


def test_only_expired_stock_is_refused_at_order(db, dw, order):
    with pytest.raises(InsufficientStock):
        order(7)  # 8 on the shelf, but 2 are expired


def test_batch_that_expires_before_delivery_is_refused(db, dw, order):
    delivery = order(1)  # SOON, expiring in 3 days
    pack(dw["volunteer"], db, delivery)
    dispatch(dw["volunteer"], db, delivery)
    db.commit()
    with pytest.raises(ExpiredStock):
        deliver(dw["volunteer"], db, delivery, delivery.confirm_code,
                today=dw["today"] + dt.timedelta(days=4))
    db.rollback()
    assert ledger_sum(db, dw, MovementKind.DISTRIBUTION) == 0
    fail(dw["volunteer"], db, delivery, "过期")
    assert shelf(db, dw)["SOON"] == (D(1), D(0))


def test_a_batch_planned_after_its_expiry_is_not_reserved(db, dw, order):
    delivery = order(1, planned_on=dw["today"] + dt.timedelta(days=5))
    assert [ln.batch for ln in delivery.lines] == ["NEW"]


def test_points_and_monthly_limits_are_checked_at_order(db, dw, order):
    dw["milk"].point_price = 40  # 3 boxes = 120 points > 100 a month
    db.commit()
    with pytest.raises(ValidationFailed) as err:
        order(3)
    assert err.value.field == "lines"


def test_only_the_assignee_or_a_manager_delivers(db, dw, order):
    delivery = order(1)
    pack(dw["other"], db, delivery)
    with pytest.raises(ValidationFailed):
        dispatch(dw["other"], db, delivery)
    with pytest.raises(PermissionDenied):
        dispatch(dw["auditor"], db, delivery)
    dispatch(dw["manager"], db, delivery)
    with pytest.raises(ValidationFailed):
        deliver(dw["other"], db, delivery, delivery.confirm_code, today=dw["today"])


def test_steps_out_of_order_are_refused(db, dw, order):
    delivery = order(1)
    with pytest.raises(ValidationFailed):
        deliver(dw["volunteer"], db, delivery, delivery.confirm_code, today=dw["today"])
    pack(dw["volunteer"], db, delivery)
    with pytest.raises(ValidationFailed):
        pack(dw["volunteer"], db, delivery)


def test_household_without_a_need_and_volunteers_cannot_order(db, dw, make_household):
    plain = make_household(dw["org"])
    data = {"beneficiary_id": plain.id, "assigned_to_id": dw["volunteer"].id,
            "lines": [{"item_type_id": dw["milk"].id, "quantity": "1"}]}
    with pytest.raises(ValidationFailed) as err:
        create_delivery(dw["manager"], db, dw["point"], data, today=dw["today"])
    assert err.value.field == "beneficiary_id"
    with pytest.raises(PermissionDenied):
        create_delivery(dw["volunteer"], db, dw["point"], data, today=dw["today"])


def test_verify_recomputes_reservations_from_open_deliveries(db, dw, order):
    from charity.delivery.reservations import verify_reservations

    delivery = order(3)
    fail(dw["volunteer"], db, order(1), "取消")
    assert verify_reservations(db) == []
    row = db.scalar(sa.select(StockBalance).where(StockBalance.batch == "NEW",
                                                  StockBalance.point_id == dw["point"].id))
    row.reserved = D(0)  # drifted: the open delivery still holds 2 of NEW
    db.flush()
    problems = verify_reservations(db)
    assert len(problems) == 1 and "reserved 0" in problems[0]
    assert delivery.status == DeliveryStatus.RESERVED
