"""A home delivery on a phone (390×844) in Chromium: the manager orders it (goods reserved),
the volunteer assigned packs it, takes it out and hands it over with the household's code
from the day's list; the goods leave as a posted distribution."""
from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot
from tests.e2e.test_volunteer_intake import _sign_in

POINT = "张掖路慈善超市"


def _household_and_item(demo_app) -> tuple[int, int, int, int]:
    """A demo household (given a delivery need here) and an item at the point that an
    order of one would accept (tried in a transaction that is rolled back)."""
    from charity.auth.models import User
    from charity.delivery.services import create_delivery, record_need
    from charity.goods.models import StockBalance
    from charity.orgs.models import CharityPoint
    from charity.people.models import Beneficiary

    with demo_app.app_context():
        s = db.session
        point = s.scalar(sa.select(CharityPoint).where(CharityPoint.name == POINT))
        manager = s.scalar(sa.select(User).where(User.username == "manager"))
        volunteer = s.scalar(sa.select(User).where(User.username == "volunteer"))
        items = s.scalars(sa.select(StockBalance.item_type_id).where(
            StockBalance.point_id == point.id, StockBalance.quantity >= 1).distinct())
        households = s.scalars(sa.select(Beneficiary.id).where(
            Beneficiary.organization_id == point.organization_id).limit(10)).all()
        for item_id in items:
            for household_id in households:
                try:
                    record_need(manager, s, s.get(Beneficiary, household_id),
                                {"reason": "elderly_alone", "address": "测试地址1号"})
                    create_delivery(manager, s, point, {
                        "beneficiary_id": household_id, "assigned_to_id": volunteer.id,
                        "lines": [{"item_type_id": item_id, "quantity": Decimal(1)}]})
                except ValidationFailed:
                    s.rollback()
                    continue
                s.rollback()
                record_need(manager, s, s.get(Beneficiary, household_id),
                            {"reason": "elderly_alone", "address": "测试地址1号"})
                s.commit()
                result = (point.id, household_id, item_id, volunteer.id)
                s.remove()
                return result
    raise AssertionError("no demo household and item can be ordered")


def test_a_delivery_from_order_to_delivered_on_a_phone(phone, demo_app):
    from charity.delivery.models import Delivery, DeliveryStatus

    point_id, household_id, item_id, volunteer_id = _household_and_item(demo_app)
    _sign_in(phone, "manager", "demo-manager-2026")
    phone.goto(f"/staff/deliveries/new?point={point_id}&beneficiary={household_id}")
    assert no_horizontal_scroll(phone), "the order form scrolls sideways on a 390-px phone"
    phone.locator("select[name=assigned_to_id]").select_option(str(volunteer_id))
    phone.locator("select[name='lines-0-item_type_id']").select_option(str(item_id))
    phone.locator("input[name='lines-0-quantity']").fill("1")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_url(re.compile(r"/staff/deliveries/\d+$"))
    delivery_id = int(phone.url.rsplit("/", 1)[1])
    code = phone.locator("#confirm-code").inner_text().strip()
    assert no_horizontal_scroll(phone), "the order scrolls sideways on a phone"
    shot(phone, "delivery-ordered-phone")

    phone.context.clear_cookies()
    _sign_in(phone, "volunteer", "demo-volunteer-2026")
    card = f"#delivery-{delivery_id}"
    for action in ("pack", "dispatch"):
        phone.goto("/staff/deliveries/today")
        phone.locator(f"{card} form[action$='/{action}'] button[type=submit]").click()
        phone.wait_for_url(re.compile(r"/staff/deliveries/today$"))
    assert "测试地址1号" in phone.locator(card).inner_text()  # the assignee sees the address
    assert no_horizontal_scroll(phone), "the day's deliveries scroll sideways on a phone"
    phone.locator(f"{card} input[name='deliver-code']").fill(code)
    box = phone.locator(f"{card} form[action$='/deliver'] button[type=submit]").bounding_box()
    assert box["height"] >= 44, "the hand-over button is too small to tap"
    phone.locator(f"{card} form[action$='/deliver'] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/staff/deliveries/today$"))
    shot(phone, "delivery-delivered-phone")
    with demo_app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery.status == DeliveryStatus.DELIVERED
        assert delivery.distribution is not None and delivery.distribution.beneficiary_id \
            == household_id
        db.session.remove()
