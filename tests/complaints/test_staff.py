"""Staff work-order screens: scope, steps through the views, overdue, categories."""
import datetime as dt

import sqlalchemy as sa

from charity.complaints import rules, services
from charity.complaints.models import Complaint, ComplaintCategory, ComplaintStatus as S
from charity.core.system import system_actor
from tests.complaints.helpers import new_complaint

LIST = "/staff/complaints/"


def _url(c, step=""):
    return f"/staff/complaints/{c.id}" + (f"/{step}" if step else "")


def test_org_scope_in_list_and_detail(client, db, make_org, make_user, login):
    org, other = make_org(), make_org()
    mine = new_complaint(db, org, subject="本会投诉")
    theirs = new_complaint(db, other, subject="他会投诉")
    db.commit()
    login(make_user("manager", org=org))
    html = client.get(LIST).get_data(as_text=True)
    assert "本会投诉" in html and "他会投诉" not in html
    assert client.get(_url(mine)).status_code == 200
    assert client.get(_url(theirs)).status_code == 403
    assert client.post(_url(theirs, "accept")).status_code == 403
    assert db.get(Complaint, theirs.id).status == S.SUBMITTED
    assert client.get("/staff/complaints/999999").status_code == 404


def test_admin_sees_every_org(client, db, make_org, make_user, login):
    new_complaint(db, make_org(), subject="甲会投诉")
    new_complaint(db, make_org(), subject="乙会投诉")
    db.commit()
    login(make_user("admin"))
    html = client.get(LIST).get_data(as_text=True)
    assert "甲会投诉" in html and "乙会投诉" in html


def test_volunteers_see_only_what_was_dispatched_to_them(client, db, make_org, make_point,
                                                        make_user, login):
    org = make_org()
    p1, p2 = make_point(org), make_point(org)
    volunteer = make_user("volunteer", org=org, points=[p1])
    here = new_complaint(db, org, subject="本站投诉", contact_phone="13955556666")
    there = new_complaint(db, org, subject="他站投诉")
    waiting = new_complaint(db, org, subject="待受理投诉")
    for c, point in ((here, p1), (there, p2)):
        services.accept(system_actor(), db, c)
        services.dispatch(system_actor(), db, c, point_id=point.id)
    db.commit()
    login(volunteer)
    html = client.get(LIST).get_data(as_text=True)
    assert "本站投诉" in html and "他站投诉" not in html and "待受理投诉" not in html
    detail = client.get(_url(here)).get_data(as_text=True)
    assert "13955556666" not in detail  # contact details are for readers
    assert client.get(_url(there)).status_code == 403
    assert client.get(_url(waiting)).status_code == 403
    assert client.get(_url(here, "attachment")).status_code == 403
    response = client.post(_url(here, "handle"), data={"note": "已处理"})
    assert response.status_code == 302
    assert db.get(Complaint, here.id).handled_by_id == volunteer.id


def test_steps_through_the_views(client, db, make_org, make_point, make_user, login):
    org = make_org()
    point = make_point(org)
    manager = make_user("manager", org=org)
    c = new_complaint(db, org, contact_phone="13955556666")
    db.commit()
    login(manager)
    page = client.get(_url(c)).get_data(as_text=True)
    assert "13955556666" in page and _url(c, "accept") in page
    refused = client.post(_url(c, "close"))
    assert refused.status_code == 400
    assert "当前无法执行此步骤" in refused.get_data(as_text=True)
    assert client.post(_url(c, "accept")).status_code == 302
    bad = client.post(_url(c, "dispatch"), data={"target": "p:999999"})
    assert bad.status_code == 400 and 'id="target-error"' in bad.get_data(as_text=True)
    assert client.post(_url(c, "dispatch"), data={"target": f"p:{point.id}"}).status_code == 302
    assert client.post(_url(c, "handle"), data={"note": "已核实"}).status_code == 302
    empty = client.post(_url(c, "answer"), data={"note": ""})
    assert empty.status_code == 400 and db.get(Complaint, c.id).status == S.HANDLED
    assert client.post(_url(c, "answer"), data={"note": "已答复"}).status_code == 302
    assert client.post(_url(c, "close")).status_code == 302
    db.expire_all()
    c = db.get(Complaint, c.id)
    assert c.status == S.CLOSED and c.point_id == point.id and c.answer == "已答复"
    assert {c.accepted_by_id, c.dispatched_by_id, c.handled_by_id, c.answered_by_id,
            c.closed_by_id} == {manager.id}


def test_double_submitted_step_posts_once(client, db, make_org, make_user, login):
    org = make_org()
    c = new_complaint(db, org)
    db.commit()
    login(make_user("manager", org=org))
    data = {"submission_token": "step-token-1"}
    assert client.post(_url(c, "accept"), data=data).status_code == 302
    again = client.post(_url(c, "accept"), data=data)
    assert again.status_code == 302  # the first result, not an error


def test_overdue_is_flagged_and_counted(client, db, make_org, make_user, login):
    org = make_org()
    now = dt.datetime.now(dt.timezone.utc)
    new_complaint(db, org, subject="很久以前", now=now - dt.timedelta(days=10))
    new_complaint(db, org, subject="刚刚收到", now=now)
    db.commit()
    login(make_user("manager", org=org))
    html = client.get(LIST).get_data(as_text=True)
    assert "1 件已超期" in html
    assert html.count("overdue-flag") == 1
    only = client.get(LIST + "?overdue=1").get_data(as_text=True)
    assert "很久以前" in only and "刚刚收到" not in only
    assert client.get(LIST + "?overdue=yes").status_code == 400
    assert client.get(LIST + "?status=nope").status_code == 400
    found = client.get(LIST, query_string={"q": "刚刚"}).get_data(as_text=True)
    assert "刚刚收到" in found and "很久以前" not in found


def test_categories_add_rename_deactivate(client, db, make_org, make_user, login):
    org = make_org()
    login(make_user("manager", org=org))
    response = client.post("/staff/complaints/categories/new",
                           data={"organization_id": str(org.id), "name": "道路交通",
                                 "channel": "work_order", "active": "y"})
    assert response.status_code == 302
    cats = {c.name: c for c in db.scalars(sa.select(ComplaintCategory).where(
        ComplaintCategory.organization_id == org.id))}
    assert set(cats) == set(rules.DEFAULT_CATEGORIES) | {"道路交通"}
    dup = client.post("/staff/complaints/categories/new",
                      data={"organization_id": str(org.id), "name": "其他", "channel": "online"})
    assert dup.status_code == 400
    other = cats["其他"]
    assert client.post(f"/staff/complaints/categories/{other.id}/edit",
                       data={"name": "其它问题", "channel": "online"}).status_code == 302
    db.expire_all()
    assert (other.name, other.active) == ("其它问题", False)
    form = client.get("/complaints/new").get_data(as_text=True)
    assert "其它问题" not in form and "道路交通" not in form and "物资去向" in form
    foreign = new_complaint(db, make_org()).category
    db.commit()
    assert client.get(f"/staff/complaints/categories/{foreign.id}/edit").status_code == 403
