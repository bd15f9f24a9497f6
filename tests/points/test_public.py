"""Public time-bank figures: hours and points per month on the home page and in the API,
counted from the rows; volunteers named only with their consent."""
import datetime as dt
from decimal import Decimal

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.people import volunteers
from charity.points.services import spending

from tests.points.conftest import TODAY
from tests.portal.test_api import validator_for


def test_api_counts_hours_and_redeemed_points(client, db, make_point, make_volunteer, earned,
                                              make_item, stock, make_user):
    from charity.points.services.earning import set_consent

    point = make_point()
    item = make_item(point.organization, point_price=4)
    stock(point, item, 5)
    named = earned(point, 30, day=dt.date(2026, 10, 5))  # 3 hours in October
    earned(point, 15, day=dt.date(2026, 11, 2), volunteer=named)  # 1.5 hours in November
    quiet = make_volunteer(point.organization, name="不愿具名者")
    earned(point, 10, day=dt.date(2026, 11, 3), volunteer=quiet)  # 1 hour in November
    spending.redeem(system_actor(), db, point, {
        "volunteer_id": named.id, "redeemed_on": TODAY,
        "lines": [{"item_type_id": item.id, "quantity": "3"}]}, today=TODAY)
    db.commit()
    response = client.get("/api/v1/timebank/stats?year=2026")
    assert response.status_code == 200
    months = {m["month"]: m for m in response.get_json()["data"]["months"]}
    assert months["2026-10"]["hours"] == "3.00" and months["2026-10"]["points_redeemed"] == 0
    assert months["2026-11"]["hours"] == "2.50" and months["2026-11"]["points_redeemed"] == 12
    assert response.get_json()["data"]["volunteers_named"] == []

    user = make_user("volunteer", points=[point])
    volunteers.update_volunteer(system_actor(), db, named, {"name": named.name,
                                                            "user_id": user.id})
    set_consent(user, db, named, True)
    db.commit()
    body = client.get("/api/v1/timebank/stats?year=2026").get_json()
    assert body["data"]["volunteers_named"] == [named.name]
    schema = validator_for(client.get("/api/v1/openapi.json").get_json(), "TimebankStats")
    assert list(schema.iter_errors(body)) == []
    earned(point, 10, day=org_today(point.organization), volunteer=named)  # this year
    home = client.get("/").get_data(as_text=True)
    assert 'id="timebank"' in home and named.name in home and quiet.name not in home


def test_the_annual_report_states_the_year_of_volunteer_service(db, make_org, make_point,
                                                                make_volunteer, earned,
                                                                make_item, stock):
    """Issue 19: the annual report gives the year's approved hours and redeemed points,
    summed here from the shifts' reviews and the points ledger; no volunteer is named."""
    import sqlalchemy as sa

    from charity.disclosure.models import Obligation
    from charity.disclosure.obligations import refresh_all
    from charity.disclosure.publishing import publish_obligation
    from charity.points.models import EntryKind, HoursReview, PointsAccount, PointsLedgerEntry
    from charity.people.models import Shift, Volunteer
    from charity.points.models import ReviewStatus
    from tests.disclosure.test_campaign_content import squashed

    org = make_org(registered_on=dt.date(2020, 1, 1))
    point = make_point(org)
    item = make_item(org, point_price=4)
    stock(point, item, 5)
    volunteer = earned(point, 30, day=dt.date(2025, 3, 4))  # 3 hours
    earned(point, 15, day=dt.date(2025, 11, 2), volunteer=volunteer)  # 1.5 hours
    earned(point, 10, day=dt.date(2026, 1, 6), volunteer=volunteer)  # next year: not counted
    spending.redeem(system_actor(), db, point, {
        "volunteer_id": volunteer.id, "redeemed_on": dt.date(2025, 11, 20),
        "lines": [{"item_type_id": item.id, "quantity": "2"}]}, today=dt.date(2025, 11, 20))
    db.commit()
    hours = sum(h for began, h in db.execute(
        sa.select(Shift.signed_in_at, HoursReview.hours)
        .join(HoursReview, HoursReview.shift_id == Shift.id)
        .join(Volunteer, Volunteer.id == Shift.volunteer_id)
        .where(Volunteer.organization_id == org.id, HoursReview.status == ReviewStatus.APPROVED))
        if began.year == 2025)
    redeemed = -sum(e.amount for e in db.scalars(
        sa.select(PointsLedgerEntry)
        .join(PointsAccount, PointsAccount.id == PointsLedgerEntry.account_id).where(
            PointsAccount.organization_id == org.id, PointsLedgerEntry.kind == EntryKind.SPEND,
            sa.extract("year", PointsLedgerEntry.entry_date) == 2025)))
    assert (hours, redeemed) == (Decimal("4.5"), 8)
    refresh_all(db, dt.date(2026, 6, 1))
    ob = db.scalar(sa.select(Obligation).where(Obligation.organization_id == org.id,
                                               Obligation.kind == "annual", Obligation.seq == 2025))
    text = squashed(publish_obligation(db, ob, dt.date(2026, 5, 31)).pdf)
    assert f"经审核的志愿服务时长{hours:.2f}小时；爱心积分兑换{redeemed}分" in text
    assert volunteer.name not in text
