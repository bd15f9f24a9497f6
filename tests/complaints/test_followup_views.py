"""The follow-up screens: extension and call-back (staff), rating on the tracking page,
the administrator's calendar."""
import datetime as dt

import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.complaints import services
from charity.complaints.models import (CalendarEntry, Complaint, ComplaintCategory,
                                       ComplaintStatus as S)
from charity.core.system import system_actor
from tests.complaints.helpers import new_complaint


def _url(c, verb=""):
    return f"/staff/complaints/{c.id}" + (f"/{verb}" if verb else "")


def _to_answer(db, c, point):
    actor = system_actor()
    services.accept(actor, db, c)
    services.dispatch(actor, db, c, point_id=point.id)
    services.handle(actor, db, c, "已核实")
    services.answer(actor, db, c, "已处理，谢谢监督。")
    db.commit()


def test_extension_through_the_page(client, db, make_org, make_point, make_user, login):
    org = make_org()
    point = make_point(org)
    c = new_complaint(db, org)
    db.commit()
    old_due = c.answer_due
    login(make_user("volunteer", org=org, points=[point]))
    assert client.post(_url(c, "extend"), data={"new_due": "2099-01-01",
                                                "reason": "忙"}).status_code == 403
    client.post("/logout")
    login(make_user("manager", org=org))
    page = client.get(_url(c)).get_data(as_text=True)
    assert 'name="new_due"' in page
    r = client.post(_url(c, "extend"), data={"new_due": (old_due + dt.timedelta(days=7))
                                             .isoformat(), "reason": ""})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="reason-error"' in html  # the refusal next to the field
    db.expire_all()
    assert db.get(Complaint, c.id).answer_due == old_due
    new_due = old_due + dt.timedelta(days=7)
    r = client.post(_url(c, "extend"), data={"new_due": new_due.isoformat(),
                                             "reason": "需要调取监控"})
    assert r.status_code == 302
    db.expire_all()
    assert db.get(Complaint, c.id).answer_due == new_due
    page = client.get(_url(c)).get_data(as_text=True)
    assert 'data-event="extension"' in page and "需要调取监控" in page
    # The complainant sees the new deadline, not the internal reason.
    track = client.get(f"/complaints/track?no={c.tracking_no}").get_data(as_text=True)
    assert f'data-extended="{new_due.isoformat()}"' in track and "需要调取监控" not in track


def test_call_back_by_staff_and_rating_online_once(client, db, make_org, make_point,
                                                     make_user, login):
    org = make_org()
    point = make_point(org)
    c1, c2 = new_complaint(db, org), new_complaint(db, org)
    _to_answer(db, c1, point)
    _to_answer(db, c2, point)
    login(make_user("manager", org=org))
    assert client.post(_url(c1, "callback"), data={"rating": "nonsense"}).status_code == 400
    assert client.post(_url(c1, "callback"), data={"rating": "fairly"}).status_code == 302
    db.expire_all()
    assert db.get(Complaint, c1.id).rating.value == "fairly"
    # Online, with the tracking number: 不满意 reopens the order.
    client.post("/logout")
    track = client.get(f"/complaints/track?no={c2.tracking_no}").get_data(as_text=True)
    assert 'name="rating"' in track
    r = client.post(f"/complaints/track/rate?no={c2.tracking_no}",
                    data={"rating": "dissatisfied"})
    assert r.status_code == 302
    db.expire_all()
    again = db.get(Complaint, c2.id)
    assert again.status == S.DISPATCHED and again.reopen_count == 1
    # Rated once: no form until it is answered again, and a second post is refused.
    track = client.get(f"/complaints/track?no={c2.tracking_no}").get_data(as_text=True)
    assert 'name="rating"' not in track
    assert client.post(f"/complaints/track/rate?no={c2.tracking_no}",
                       data={"rating": "satisfied"}).status_code == 400
    assert client.post("/complaints/track/rate?no=NOPE", data={"rating": "satisfied"}
                       ).status_code == 404


def test_the_administrator_keeps_the_calendar(client, db, make_user, login):
    login(make_user("admin"))
    assert client.get("/staff/complaints/calendar/").status_code == 200
    r = client.post("/staff/complaints/calendar/new", data={
        "kind": "holiday", "name": "测试假期", "first_day": "2031-05-01",
        "last_day": "2031-05-03"})
    assert r.status_code == 302
    entry = db.scalars(sa.select(CalendarEntry).where(CalendarEntry.name == "测试假期")).one()
    r = client.post("/staff/complaints/calendar/new", data={
        "kind": "workday", "name": "重叠", "first_day": "2031-05-02"})
    assert r.status_code == 400  # overlaps: refused next to the first day
    r = client.post("/staff/complaints/calendar/new", data={
        "kind": "holiday", "name": "倒序", "first_day": "2031-06-03", "last_day": "2031-06-01"})
    assert r.status_code == 400
    assert client.post(f"/staff/complaints/calendar/{entry.id}/remove").status_code == 302
    db.expire_all()
    assert db.get(CalendarEntry, entry.id) is None
    actions = set(db.scalars(sa.select(AuditLog.action).where(
        AuditLog.action.like("calendar.%"))))
    assert actions == {"calendar.add", "calendar.remove"}


def test_a_manager_sets_a_category_s_time_limits(client, db, make_org, make_user, login):
    org = make_org()
    new_complaint(db, org)  # creates the default categories
    db.commit()
    category = db.scalar(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id == org.id, ComplaintCategory.name == "物资去向"))
    assert (category.accept_days, category.answer_days) == (1, 15)  # the 12345 defaults
    login(make_user("manager", org=org))
    url = f"/staff/complaints/categories/{category.id}/edit"
    form = {"name": "物资去向", "channel": "online", "active": "y", "accept_days": "1"}
    assert client.post(url, data={**form, "answer_days": "99"}).status_code == 400
    assert client.post(url, data={**form, "answer_days": "abc"}).status_code == 400
    assert client.post(url, data={**form, "answer_days": "5"}).status_code == 302
    db.expire_all()
    assert db.get(ComplaintCategory, category.id).answer_days == 5
