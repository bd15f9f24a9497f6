"""Spending points at the counter, giving them to a household, expiry, never negative."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import PermissionDenied, ValidationFailed
from charity.core.system import system_actor
from charity.goods.models import StockBalance
from charity.points.models import EntryKind, PointsAccount, PointsLedgerEntry
from charity.points.services import expiry, spending
from charity.points.services.ledger import InsufficientPoints, account_of, post, verify_points

from tests.points.conftest import TODAY


def balance(db, **holder):
    """The balance as the sum of the holder's ledger rows (not the stored balance)."""
    column, value = next(iter(holder.items()))
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsLedgerEntry.amount), 0))
                     .join(PointsAccount, PointsAccount.id == PointsLedgerEntry.account_id)
                     .where(getattr(PointsAccount, column) == value))


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0))
                     .where(StockBalance.point_id == point.id,
                            StockBalance.item_type_id == item.id))


def redeem(db, point, volunteer, item, qty, day=TODAY):
    return spending.redeem(system_actor(), db, point, {
        "volunteer_id": volunteer.id, "redeemed_on": day,
        "lines": [{"item_type_id": item.id, "quantity": str(qty)}]}, today=TODAY)


def test_a_volunteer_spends_points_at_the_counter(db, make_point, make_item, stock, earned):
    point = make_point()
    item = make_item(point.organization, point_price=10)
    stock(point, item, 5)
    volunteer = earned(point, 30)
    doc = redeem(db, point, volunteer, item, 2)
    db.commit()
    assert doc.points_total == 20
    assert balance(db, volunteer_id=volunteer.id) == 30 - 20
    assert on_hand(db, point, item) == 3
    with pytest.raises(InsufficientPoints):  # 10 left, 20 needed
        redeem(db, point, volunteer, item, 2)
    db.rollback()
    assert balance(db, volunteer_id=volunteer.id) == 10
    assert on_hand(db, point, item) == 3
    assert verify_points(db) == []


def test_monthly_limits_apply_to_volunteers(db, make_point, make_item, stock, earned):
    point = make_point()
    item = make_item(point.organization, point_price=1, monthly_limit=Decimal("2"))
    stock(point, item, 10)
    volunteer = earned(point, 30)
    redeem(db, point, volunteer, item, 2, day=dt.date(2026, 10, 31))
    redeem(db, point, volunteer, item, 2, day=TODAY)  # a new month
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        redeem(db, point, volunteer, item, 1, day=TODAY)
    assert refused.value.field == "lines-0-quantity"


def test_giving_points_to_a_certified_household(db, make_point, earned, make_household,
                                                make_user):
    point = make_point()
    org = point.organization
    volunteer = earned(point, 30)
    household = make_household(org)
    spending.give(system_actor(), db, volunteer, {"beneficiary_id": household.id,
                                                  "points": "12", "note": "结对帮扶"},
                  today=TODAY)
    assert balance(db, volunteer_id=volunteer.id) == 18
    assert balance(db, beneficiary_id=household.id) == 12
    credit = db.scalar(sa.select(PointsLedgerEntry).where(PointsLedgerEntry.amount == 12))
    assert credit.kind == EntryKind.GIVE and credit.expires_on == dt.date(2028, 11, 25)
    lapsed = make_household(org, certified_until=dt.date(2026, 1, 31))
    for data, field in (({"beneficiary_id": lapsed.id, "points": "1"}, "beneficiary_id"),
                        ({"beneficiary_id": household.id, "points": "19"}, "points"),
                        ({"beneficiary_id": household.id, "points": "-3"}, "points")):
        with pytest.raises(ValidationFailed) as refused:
            spending.give(system_actor(), db, volunteer, data, today=TODAY)
        assert refused.value.field == field
        db.rollback()
    someone_else = make_user("volunteer", points=[point])
    with pytest.raises(PermissionDenied):  # a volunteer gives only their own points
        spending.give(someone_else, db, volunteer, {"beneficiary_id": household.id,
                                                    "points": "1"}, today=TODAY)


def test_points_expire_oldest_first_once(db, make_point, make_item, stock, earned):
    point = make_point()
    item = make_item(point.organization, point_price=5)
    stock(point, item, 5)
    volunteer = earned(point, 30, day=dt.date(2024, 11, 20))  # valid to 2026-11-20
    earned(point, 20, day=dt.date(2026, 1, 5), volunteer=volunteer)  # valid to 2028-01-05
    redeem(db, point, volunteer, item, 2, day=dt.date(2026, 10, 1))  # 10 of the old 30 used
    db.commit()
    account = account_of(db, point.organization_id, volunteer_id=volunteer.id)
    assert expiry.expiring_soon(db, account, dt.date(2026, 10, 25)) == 20
    assert expiry.expire_points(db, dt.date(2026, 11, 20)) == {}  # still valid that day
    assert expiry.expire_points(db, dt.date(2026, 11, 21)) == {account.id: 20}
    assert expiry.expire_points(db, dt.date(2026, 11, 22)) == {}  # nothing twice
    assert balance(db, volunteer_id=volunteer.id) == 20
    assert expiry.expiring_soon(db, account, TODAY) == 0
    assert verify_points(db) == []


def test_a_balance_never_goes_negative(db, make_point, earned):
    point = make_point()
    volunteer = earned(point, 10)
    account = account_of(db, point.organization_id, volunteer_id=volunteer.id)
    with pytest.raises(InsufficientPoints):
        post(db, account, EntryKind.ADJUST, -11, actor=None, day=TODAY, reason="测试")
    db.rollback()
    with pytest.raises(sa.exc.IntegrityError):  # the database refuses it too
        with db.begin_nested():
            db.execute(sa.update(PointsAccount).where(PointsAccount.id == account.id)
                       .values(balance=-1))
    db.rollback()
    db.execute(sa.update(PointsAccount).where(PointsAccount.id == account.id).values(balance=7))
    assert verify_points(db) == [f"points account {account.id}: stored 7, ledger 10"]


def test_a_household_spends_gifted_points_after_its_allowance(db, make_point, make_item,
                                                              stock, earned, make_household):
    from charity.goods.services import distributions
    from charity.people.models import PointsEntry

    point = make_point()
    item = make_item(point.organization, point_price=35)
    stock(point, item, 6)
    volunteer = earned(point, 30)
    household = make_household(point.organization, monthly_points=100)
    spending.give(system_actor(), db, volunteer, {"beneficiary_id": household.id,
                                                  "points": "20"}, today=TODAY)
    dist = distributions.post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "distributed_on": TODAY,
        "lines": [{"item_type_id": item.id, "quantity": "3"}]}, today=TODAY)  # 105 points
    db.commit()
    month = sa.select(sa.func.sum(PointsEntry.amount)).where(
        PointsEntry.beneficiary_id == household.id)
    assert db.scalar(month) == 100 - 100  # the allowance first
    assert balance(db, beneficiary_id=household.id) == 20 - 5  # then 5 gifted points
    with pytest.raises(ValidationFailed):  # 15 gifted points left, 35 needed
        distributions.post_distribution(system_actor(), db, point, {
            "beneficiary_id": household.id, "distributed_on": TODAY,
            "lines": [{"item_type_id": item.id, "quantity": "1"}]}, today=TODAY)
    db.rollback()
    distributions.reverse_distribution(system_actor(), db, dist, "发错了", today=TODAY)
    db.commit()
    assert db.scalar(month) == 100 and balance(db, beneficiary_id=household.id) == 20
    assert verify_points(db) == []


def test_the_scheduler_expires_points(db, make_point, earned):
    from charity.ops.scheduler import tick

    point = make_point()
    volunteer = earned(point, 30, day=dt.date(2024, 11, 20))  # valid to 2026-11-20
    assert tick(db, dt.date(2026, 11, 20)).expired_points == 0
    assert tick(db, dt.date(2026, 11, 21)).expired_points == 30
    assert tick(db, dt.date(2026, 11, 22)).expired_points == 0
    assert balance(db, volunteer_id=volunteer.id) == 0


def test_charity_verify_checks_the_points_ledger(db, runner, make_point, earned):
    point = make_point()
    volunteer = earned(point, 30)
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "ok   points ledger" in result.output
    account = account_of(db, point.organization_id, volunteer_id=volunteer.id)
    db.execute(sa.update(PointsAccount).where(PointsAccount.id == account.id)
               .values(balance=31))
    db.commit()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert f"points account {account.id}: stored 31, ledger 30" in result.output
