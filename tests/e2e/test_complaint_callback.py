"""A complaint on a phone (390×844) in Chromium: filed on the public form, accepted,
dispatched, handled and answered by a manager, then rated by the complainant on the
tracking page (the call-back, 回访)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from charity.core.extensions import db
from tests.e2e.conftest import no_horizontal_scroll, shot


def _file_a_complaint(pg) -> str:
    pg.goto("/complaints/new")
    organisation = pg.locator("select[name=organization_id]")
    if organisation.count() and organisation.is_visible():
        organisation.select_option(label="兰州市城关区慈善会")
    pg.locator("select[name=category]").select_option(label="物资去向")
    pg.locator("input[name=subject]").fill("回访测试：冬衣去向")
    pg.locator("textarea[name=description]").fill("想知道十一月捐的冬衣发给了谁家。")
    pg.wait_for_timeout(700)
    pg.locator("form button[type=submit]").last.click()
    pg.wait_for_url(re.compile(r"/complaints/received"))
    return re.sub(r"[^0-9A-Z]", "", pg.locator("#tracking-no").inner_text())


def _step(pg, verb: str, note: str | None = None) -> None:
    form = pg.locator(f"form[action$='/{verb}']")
    if verb == "dispatch":
        form.locator("select[name=target]").select_option(index=1)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    pg.wait_for_load_state()


def test_a_complaint_from_submission_to_a_satisfied_call_back(phone, demo_app):
    from charity.complaints.models import Complaint

    number = _file_a_complaint(phone)
    with demo_app.app_context():
        complaint_id = db.session.scalar(sa.select(Complaint.id).where(
            Complaint.tracking_no == number))
        db.session.remove()
    assert complaint_id is not None, number
    phone.goto("/login")
    phone.locator("input[name=username]").fill("manager")
    phone.locator("input[name=password]").fill("demo-manager-2026")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_url(re.compile(r"/staff/"))
    phone.goto(f"/staff/complaints/{complaint_id}")
    assert no_horizontal_scroll(phone), "the work order scrolls sideways on a 390-px phone"
    for verb, note in (("accept", None), ("dispatch", None), ("handle", "已核实发放记录。"),
                       ("answer", "冬衣已发给张掖路的两户困难家庭，谢谢您的监督。")):
        _step(phone, verb, note)
        phone.wait_for_url(re.compile(rf"/staff/complaints/{complaint_id}$"))
    shot(phone, "complaint-answered-phone")
    assert phone.locator("form[action$='/callback']").count() == 1  # staff could call back
    phone.context.clear_cookies()  # the complainant, not signed in
    phone.goto(f"/complaints/track?no={number}")
    assert "谢谢您的监督" in phone.locator("main").inner_text()
    phone.locator("select[name=rating]").select_option("satisfied")
    phone.locator("form[action*='/track/rate'] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/complaints/track\?no="))
    assert phone.locator("[data-rating=satisfied]").count() == 1
    assert phone.locator("select[name=rating]").count() == 0  # once
    assert no_horizontal_scroll(phone), "the tracking page scrolls sideways on a phone"
    shot(phone, "complaint-rated-phone")
    with demo_app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert complaint.rating.value == "satisfied" and complaint.rated_at is not None
        db.session.remove()
