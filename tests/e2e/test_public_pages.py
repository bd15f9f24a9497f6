"""The public side in Chromium: the home page with its charts, a donation trace from the
receipt's number and check code, and a complaint from the form to its tracking number."""
from __future__ import annotations

import re

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot


def test_home_renders_with_its_charts_on_desktop_and_phone(page, phone):
    page.goto("/")
    assert page.locator("h1").first.inner_text().strip()
    charts = page.locator("figure.chart-figure svg[role=img]")
    assert charts.count() >= 2
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, box
        assert charts.nth(i).locator("rect").count() > 0  # bars were drawn
    # Every chart has its numbers in a table, one click away.
    figure = page.locator("figure.chart-figure").first
    figure.locator("summary").click()
    assert figure.locator("table tbody tr").count() >= 1
    assert page.get_by_text("进行中的募捐活动").count() >= 1
    shot(page, "home-desktop")
    phone.goto("/")
    assert no_horizontal_scroll(phone), "the home page scrolls sideways on a phone"
    assert phone.locator("figure.chart-figure svg[role=img]").count() >= 2
    shot(phone, "home-phone")


def test_trace_a_goods_donation_from_its_receipt(phone, demo_app):
    from charity.funds.models import Receipt, ReceiptStatus
    from charity.goods.models import Intake

    with demo_app.app_context():
        receipt = db.session.scalars(
            sa.select(Receipt).join(Intake, Intake.receipt_id == Receipt.id)
            .where(Receipt.status == ReceiptStatus.ISSUED).order_by(Receipt.id)).first()
        number, code = receipt.number, receipt.check_code
        db.session.remove()
    phone.goto("/trace")
    phone.get_by_label(re.compile("票据号")).fill(number)
    phone.get_by_label(re.compile("校验码")).fill(code.lower())  # as a person might type it
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_url(re.compile(r"/trace\?"))
    body = phone.locator("main").inner_text()
    assert number in body
    assert "先进先出" in body  # the rule is explained
    assert no_horizontal_scroll(phone)
    shot(phone, "trace-found")
    # A wrong code answers exactly like an unknown number.
    phone.goto(f"/trace?r={number}&c=XXXXXXXX")
    wrong = phone.locator("main").inner_text()
    phone.goto("/trace?r=2099-999999&c=XXXXXXXX")
    unknown = phone.locator("main").inner_text()
    assert wrong.replace(number, "N") == unknown.replace("2099-999999", "N")


def test_a_complaint_from_the_form_to_its_tracking_number(page):
    page.goto("/complaints/new")
    organisation = page.get_by_label(re.compile("^组织"))
    if organisation.count():  # asked only when several organisations take complaints
        organisation.select_option(label="兰州市城关区慈善会")
    page.get_by_label(re.compile("类别")).select_option(label="物资去向")
    page.get_by_label(re.compile("标题|主题")).fill("捐的冬衣去了哪里")
    description = page.get_by_label(re.compile("发生了什么"))
    # First without a description: the form comes back with the typing kept.
    # As fast as a person whose browser fills the form in (autofill): it must be accepted.
    page.wait_for_timeout(700)
    page.get_by_role("button", name=re.compile("提交")).click()
    page.wait_for_load_state()
    assert page.get_by_label(re.compile("标题|主题")).input_value() == "捐的冬衣去了哪里"
    shot(page, "complaint-missing-description")
    description = page.get_by_label(re.compile("发生了什么"))
    description.fill("十月在张掖路慈善超市捐了两件冬衣，想知道发给了谁家（不需要姓名）。")
    page.wait_for_timeout(700)
    page.get_by_role("button", name=re.compile("提交")).click()
    page.wait_for_url(re.compile(r"/complaints/received"))
    number = page.locator("#tracking-no").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", number), number
    shot(page, "complaint-received")
    page.get_by_role("button", name="查询进度").click()
    page.wait_for_url(re.compile(r"/complaints/track"))
    body = page.locator("main").inner_text()
    assert "捐的冬衣去了哪里" in body
    shot(page, "complaint-track")
