"""The volunteer time bank on a phone (390×844) in Chromium: a volunteer signs out of a
shift, the manager approves the hours, the volunteer sees the points on their own page and
spends them at the counter."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot

POINT = "张掖路慈善超市"
HOURS = 3


def _sign_in(pg, username: str, password: str) -> None:
    pg.context.clear_cookies()
    pg.goto("/login")
    pg.locator("input[name=username]").fill(username)
    pg.locator("input[name=password]").fill(password)
    pg.locator("form button[type=submit]").last.click()
    pg.wait_for_url(re.compile(r"/staff/"))


def _world(demo_app) -> dict:
    """An open shift of the demo volunteer begun three hours ago at the point, and an item
    on that point's shelf with a points price, not food."""
    from charity.auth.models import User
    from charity.core.system import system_actor
    from charity.goods.models import ItemType, StockBalance
    from charity.orgs.models import CharityPoint
    from charity.people import volunteers
    from charity.people.models import Volunteer

    with demo_app.app_context():
        point = db.session.scalar(sa.select(CharityPoint).where(CharityPoint.name == POINT))
        volunteer = db.session.scalar(sa.select(Volunteer).join(
            User, User.id == Volunteer.user_id).where(User.username == "volunteer"))
        began = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=HOURS)
        shift = volunteers.sign_in(system_actor(), db.session, volunteer, point,
                                   "supermarket", at=began)
        item = db.session.execute(
            sa.select(ItemType.id, ItemType.point_price).join(
                StockBalance, StockBalance.item_type_id == ItemType.id)
            .where(StockBalance.point_id == point.id, StockBalance.quantity >= 1,
                   ItemType.perishable.is_(False), ItemType.point_price.between(1, 30))
            .order_by(ItemType.point_price.desc(), ItemType.id).limit(1)).one()
        db.session.commit()
        world = {"point": point.id, "shift": shift.id, "volunteer": volunteer.name,
                 "item": item.id, "price": item.point_price}
        db.session.remove()
        return world


def _balance(pg) -> int:
    pg.goto("/staff/timebank/me")
    return int(pg.locator("#points-balance").inner_text().replace(",", ""))


def test_volunteer_earns_sees_and_spends_points(phone, demo_app):
    w = _world(demo_app)
    _sign_in(phone, "volunteer", "demo-volunteer-2026")
    before = _balance(phone)
    phone.goto(f"/staff/volunteers/shifts?point={w['point']}")
    row = phone.locator("tr", has_text=w["volunteer"]).filter(
        has=phone.locator("input[name=action][value=sign_out]"))
    row.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    assert _balance(phone) == before  # waiting for the manager's approval

    _sign_in(phone, "manager", "demo-manager-2026")
    phone.goto("/staff/timebank/")
    assert no_horizontal_scroll(phone), "the time bank scrolls sideways on a 390-px phone"
    form = phone.locator("form.review-form").filter(
        has=phone.locator(f"input[name=shift_id][value='{w['shift']}']"))
    form.locator("button[value=approve]").click()
    phone.wait_for_load_state()

    _sign_in(phone, "volunteer", "demo-volunteer-2026")
    earned = HOURS * 10  # the demo's rate: 10 points an hour
    assert _balance(phone) == before + earned
    assert no_horizontal_scroll(phone), "the volunteer's page scrolls sideways"
    shot(phone, "timebank-points-phone")
    phone.goto(f"/staff/timebank/redeem?point={w['point']}")
    phone.locator("select[name='lines-0-item_type_id']").select_option(str(w["item"]))
    phone.locator("input[name='lines-0-quantity']").fill("1")
    phone.locator("button.counter-submit").click()
    phone.wait_for_load_state()
    assert no_horizontal_scroll(phone), "the counter scrolls sideways on a 390-px phone"
    assert _balance(phone) == before + earned - w["price"]
