"""Receipts on a 360-px phone (issue 17 item 8): the receipt settings screen and a
公益事业捐赠票据 with all its columns fit the screen — nothing scrolls sideways or is cut off —
and the buttons are big enough to tap."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot

DAY = dt.date(2020, 1, 2)  # long before the demo's ledgers: the allocation touches nothing else


def _finance_receipt(demo_app) -> int:
    """A receipt numbered from a one-day allocation, posted by the demo's manager."""
    from charity.auth.models import User
    from charity.funds.services.ledger import post_donation
    from charity.funds.services.receipt_allocation import add_allocation
    from charity.people.models import Donor, DonorKind

    with demo_app.app_context():
        manager = db.session.scalar(sa.select(User).where(User.username == "manager"))
        org = manager.organization
        company = db.session.scalar(sa.select(Donor).where(
            Donor.organization_id == org.id, Donor.kind == DonorKind.ORGANIZATION))
        add_allocation(manager, db.session, org, {
            "bill_code": "62010120", "first_number": 1, "last_number": 10,
            "authority": "甘肃省财政厅", "project_code": "0101", "valid_from": DAY,
            "valid_until": DAY})
        entry = post_donation(manager, db.session, org, {
            "kind": "donation", "amount": Decimal("1234567.89"), "entry_date": DAY,
            "channel": "bank_transfer", "donor_id": company.id}, today=DAY)
        receipt_id = entry.receipt_id
        db.session.commit()
        db.session.remove()
    return receipt_id


def _sign_in(pg) -> None:
    pg.goto("/login")
    pg.get_by_label(re.compile("用户名")).fill("manager")
    pg.get_by_label(re.compile("密码")).fill("demo-manager-2026")
    pg.get_by_role("button", name=re.compile("登录")).click()
    pg.wait_for_url(re.compile(r"/staff/"))


def test_receipt_screens_fit_a_360_px_phone(browser, live_server, demo_app):
    receipt_id = _finance_receipt(demo_app)
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    pg = context.new_page()
    try:
        _sign_in(pg)
        pg.goto("/staff/receipts/settings/")
        assert no_horizontal_scroll(pg), "the receipt settings scroll sideways at 360 px"
        for button in pg.locator("main button[type=submit]").all():
            assert button.bounding_box()["height"] >= 44
        shot(pg, "receipt-settings-360")
        pg.goto(f"/staff/receipts/{receipt_id}")
        assert no_horizontal_scroll(pg), "the receipt scrolls sideways at 360 px"
        assert "公益事业捐赠票据" in pg.locator("main").inner_text()
        # The receipt clips what overflows it: every cell must end inside its border.
        frame = pg.locator("section.receipt").bounding_box()
        right = min(360, frame["x"] + frame["width"])
        for cell in pg.locator(".receipt-lines td").all():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= right, (cell.inner_text(), box)
        shot(pg, "receipt-finance-360")
    finally:
        context.close()
