"""Earning points for hours: approval first, at the rate in force on the day served."""
import datetime as dt

import pytest
import sqlalchemy as sa

from charity.core.errors import PermissionDenied, ValidationFailed
from charity.core.system import system_actor
from charity.points.models import EntryKind, PointsLedgerEntry, ReviewStatus
from charity.points.services import earning
from charity.points.services.ledger import verify_points

from tests.points.conftest import TODAY


def entries(db, volunteer_id):
    from charity.points.models import PointsAccount

    return db.scalars(sa.select(PointsLedgerEntry).join(
        PointsAccount, PointsAccount.id == PointsLedgerEntry.account_id)
        .where(PointsAccount.volunteer_id == volunteer_id)
        .order_by(PointsLedgerEntry.id)).all()


def test_approved_hours_earn_at_the_rate(db, make_point, make_volunteer, served, rate):
    point = make_point()
    volunteer = make_volunteer(point.organization)
    rate(point.organization, 10)
    shift = served(volunteer, point, dt.date(2026, 11, 2), minutes=150)  # 2.5 hours
    assert entries(db, volunteer.id) == []  # signed out, not yet approved: nothing counts
    review = earning.review_hours(system_actor(), db, shift, approve=True)
    [entry] = entries(db, volunteer.id)
    assert (review.status, review.points) == (ReviewStatus.APPROVED, 25)
    assert (entry.kind, entry.amount, entry.balance_after) == (EntryKind.EARN, 25, 25)
    assert (entry.document_type, entry.document_id) == ("hours_review", review.id)
    # 24 months from the day served (Civil Code month arithmetic)
    assert entry.expires_on == dt.date(2028, 11, 2)
    assert verify_points(db) == []


def test_a_rate_change_is_dated_and_never_retroactive(db, make_point, make_volunteer, served,
                                                       rate):
    point = make_point()
    org = point.organization
    volunteer = make_volunteer(org)
    rate(org, 10, start=dt.date(2026, 11, 1))
    before = served(volunteer, point, dt.date(2026, 11, 9), minutes=60)
    rate(org, 20, start=dt.date(2026, 11, 10))
    after = served(volunteer, point, dt.date(2026, 11, 10), minutes=60)
    # Both reviewed after the change: each earns at its own day's rate.
    assert earning.review_hours(system_actor(), db, after, approve=True).points == 20
    assert earning.review_hours(system_actor(), db, before, approve=True).points == 10
    assert [e.amount for e in entries(db, volunteer.id)] == [20, 10]
    with pytest.raises(ValidationFailed) as refused:
        earning.set_terms(system_actor(), db, org, {
            "points_per_hour": 30, "effective_from": dt.date(2026, 11, 20)}, today=TODAY)
    assert refused.value.field == "effective_from"


def test_rejected_hours_earn_nothing_and_need_a_reason(db, make_point, make_volunteer,
                                                       served, rate):
    point = make_point()
    volunteer = make_volunteer(point.organization)
    rate(point.organization, 10)
    shift = served(volunteer, point, dt.date(2026, 11, 2))
    with pytest.raises(ValidationFailed):
        earning.review_hours(system_actor(), db, shift, approve=False, reason=" ")
    review = earning.review_hours(system_actor(), db, shift, approve=False,
                                  reason="未实际到岗")
    assert (review.status, review.points) == (ReviewStatus.REJECTED, 0)
    assert entries(db, volunteer.id) == []
    with pytest.raises(ValidationFailed):  # reviewed once
        earning.review_hours(system_actor(), db, shift, approve=True)


def test_only_a_manager_reviews_signed_out_hours(db, make_point, make_volunteer, served, rate,
                                                 make_user):
    from charity.people import volunteers

    point = make_point()
    volunteer = make_volunteer(point.organization)
    rate(point.organization, 10)
    shift = served(volunteer, point, dt.date(2026, 11, 2))
    clerk = make_user("volunteer", points=[point])
    with pytest.raises(PermissionDenied):
        earning.review_hours(clerk, db, shift, approve=True)
    other_manager = make_user("manager")
    with pytest.raises(PermissionDenied):
        earning.review_hours(other_manager, db, shift, approve=True)
    open_shift = volunteers.sign_in(system_actor(), db, volunteer, point, "supermarket")
    with pytest.raises(ValidationFailed):
        earning.review_hours(system_actor(), db, open_shift, approve=True)


def test_a_manager_adjusts_points_with_a_reason(db, make_point, earned, make_user):
    point = make_point()
    volunteer = earned(point, 30)
    manager = make_user("manager", org=point.organization)
    with pytest.raises(ValidationFailed):
        earning.adjust(manager, db, volunteer, "-5", " ", today=TODAY)
    with pytest.raises(ValidationFailed):  # never below zero
        earning.adjust(manager, db, volunteer, "-31", "多记了", today=TODAY)
    db.rollback()
    entry = earning.adjust(manager, db, volunteer, "-5", "多记了半小时", today=TODAY)
    assert (entry.kind, entry.amount, entry.balance_after) == (EntryKind.ADJUST, -5, 25)
    assert (entry.reason, entry.posted_by_id) == ("多记了半小时", manager.id)
    assert [e.amount for e in entries(db, volunteer.id)] == [30, -5]
    with pytest.raises(PermissionDenied):
        earning.adjust(make_user("volunteer", points=[point]), db, volunteer, "5", "奖励")
    assert verify_points(db) == []
