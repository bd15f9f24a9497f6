"""A volunteer receives a donation at the counter on a phone (390×844), in Chromium."""
from __future__ import annotations

import re

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot


def _sign_in(pg, username: str, password: str) -> None:
    pg.goto("/login")
    pg.get_by_label(re.compile("用户名")).fill(username)
    pg.get_by_label(re.compile("密码")).fill(password)
    pg.get_by_role("button", name=re.compile("登录")).click()
    pg.wait_for_url(re.compile(r"/staff/"))


def test_volunteer_receives_goods_on_a_phone(phone, demo_app):
    from charity.goods.models import Intake

    with demo_app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Intake.id)))
        db.session.remove()
    _sign_in(phone, "volunteer", "demo-volunteer-2026")
    phone.goto("/staff/intake/new")
    assert no_horizontal_scroll(phone), "the intake form scrolls sideways on a 390-px phone"
    shot(phone, "intake-phone-empty")
    # The volunteer serves two points, so the form asks which one.
    phone.locator("select[name=point_id]").select_option(label="张掖路慈善超市")
    item = phone.locator("select[name='lines-0-item_type_id']")
    options = item.locator("option").all_inner_texts()
    winter_coat = next(o for o in options if "冬衣" in o or "棉衣" in o or "外套" in o)
    item.select_option(label=winter_coat)
    phone.locator("input[name='lines-0-quantity']").fill("3")
    phone.get_by_role("button", name="接收", exact=True).click()
    phone.wait_for_url(re.compile(r"/staff/intake/\d+$"))
    body = phone.locator("main").inner_text()
    assert "捐赠已接收" in body
    assert winter_coat.split("（")[0].split("(")[0].strip() in body
    assert no_horizontal_scroll(phone), "the intake result scrolls sideways on a phone"
    with demo_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Intake.id))) == before + 1
        db.session.remove()
