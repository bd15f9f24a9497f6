"""The time-bank screens: the manager's rate and review, the volunteer's own page and gift,
the counter; bad input is answered on the form, never a 500."""
import re

import sqlalchemy as sa

from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.people import volunteers
from charity.points.models import EntryKind, HoursReview, PointsAccount, PointsLedgerEntry


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def held(db, volunteer):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsLedgerEntry.amount), 0))
                     .join(PointsAccount, PointsAccount.id == PointsLedgerEntry.account_id)
                     .where(PointsAccount.volunteer_id == volunteer.id))


def test_manager_sets_the_rate_and_approves_hours(client, login, db, make_point, make_user,
                                                  make_volunteer, served):
    point = make_point()
    manager = make_user("manager", org=point.organization)
    login(manager)
    page = client.get("/staff/timebank/")
    assert page.status_code == 200
    today = page.get_data(as_text=True)
    bad = client.post("/staff/timebank/", data={
        "action": "terms", "submission_token": token_of(today), "points_per_hour": "abc",
        "expiry_months": "24", "effective_from": "2000-01-01"})
    assert bad.status_code == 200  # answered on the form
    assert "points_per_hour-error" in bad.get_data(as_text=True)
    day = org_today(point.organization).isoformat()
    ok = client.post("/staff/timebank/", data={
        "action": "terms", "submission_token": token_of(today), "points_per_hour": "10",
        "expiry_months": "24", "effective_from": day})
    assert ok.status_code == 302
    volunteer = make_volunteer(point.organization)
    shift = served(volunteer, point, org_today(point.organization), minutes=90)
    html = client.get("/staff/timebank/").get_data(as_text=True)
    assert volunteer.name in html
    row_form = html[html.rindex("<form", 0, html.index(f'value="{shift.id}"')):]
    token = token_of(row_form)
    response = client.post("/staff/timebank/", data={
        "action": "review", "shift_id": str(shift.id), "decision": "approve",
        "submission_token": token, "reason": ""})
    assert response.status_code == 302
    review = db.scalar(sa.select(HoursReview))
    assert (review.shift_id, review.points) == (shift.id, 15)
    assert held(db, volunteer) == 15


def test_volunteer_sees_points_and_gives_them(client, login, db, make_point, make_user,
                                              earned, make_household):
    point = make_point()
    user = make_user("volunteer", points=[point])
    volunteer = earned(point, 30)
    volunteers.update_volunteer(system_actor(), db, volunteer,
                                {"name": volunteer.name, "user_id": user.id})
    household = make_household(point.organization)
    db.commit()
    login(user)
    html = client.get("/staff/timebank/me").get_data(as_text=True)
    assert 'id="points-balance">30<' in html
    assert household.name in html and household.phone not in html
    too_many = client.post("/staff/timebank/me", data={
        "action": "give", "submission_token": token_of(html),
        "beneficiary_id": str(household.id), "points": "31"})
    assert too_many.status_code == 200 and "points-error" in too_many.get_data(as_text=True)
    assert held(db, volunteer) == 30
    given = client.post("/staff/timebank/me", data={
        "action": "give", "submission_token": token_of(too_many.get_data(as_text=True)),
        "beneficiary_id": str(household.id), "points": "10", "note": "结对"})
    assert given.status_code == 302
    assert held(db, volunteer) == 20
    gift = db.scalar(sa.select(PointsLedgerEntry).where(PointsLedgerEntry.amount == 10))
    assert gift.kind == EntryKind.GIVE and gift.posted_by_id == user.id


def test_counter_spends_points(client, login, db, make_point, make_user, earned, make_item,
                               stock):
    point = make_point()
    item = make_item(point.organization, point_price=10)
    stock(point, item, 3)
    volunteer = earned(point, 25)
    login(make_user("volunteer", points=[point]))
    html = client.get(f"/staff/timebank/redeem?point={point.id}").get_data(as_text=True)
    data = {"submission_token": token_of(html), "point_id": str(point.id),
            "volunteer_id": str(volunteer.id), "redeemed_on": "",
            "lines-0-item_type_id": str(item.id), "lines-0-quantity": "3"}
    short = client.post("/staff/timebank/redeem", data=data)
    assert short.status_code == 200 and "lines-error" in short.get_data(as_text=True)
    data.update({"lines-0-quantity": "2",
                 "submission_token": token_of(short.get_data(as_text=True))})
    assert client.post("/staff/timebank/redeem", data=data).status_code == 302
    assert held(db, volunteer) == 5


def test_manager_adjusts_points_on_the_page(client, login, db, make_point, make_user, earned):
    point = make_point()
    volunteer = earned(point, 30)
    login(make_user("manager", org=point.organization))
    html = client.get("/staff/timebank/").get_data(as_text=True)
    form = html[html.rindex("<form", 0, html.index('value="adjust"')):]
    data = {"action": "adjust", "submission_token": token_of(form),
            "volunteer_id": str(volunteer.id), "points": "x", "reason": "更正"}
    bad = client.post("/staff/timebank/", data=data)
    assert bad.status_code == 200 and "points-error" in bad.get_data(as_text=True)
    too_much = client.post("/staff/timebank/", data={**data, "points": "-40"})
    assert too_much.status_code == 200 and "points-error" in too_much.get_data(as_text=True)
    assert held(db, volunteer) == 30
    page = too_much.get_data(as_text=True)
    token = token_of(page[page.rindex("<form", 0, page.index('value="adjust"')):])
    ok = client.post("/staff/timebank/", data={**data, "points": "-4",
                                                "submission_token": token})
    assert ok.status_code == 302 and held(db, volunteer) == 26
