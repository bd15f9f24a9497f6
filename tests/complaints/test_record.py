"""Staff record complaints received by phone or from the grid centre: they are tracked and
counted like online ones, with deadlines from the day they were received."""
import datetime as dt

import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.complaints import stats
from charity.complaints.categories import add_category, ensure_default_categories
from charity.complaints.models import Complaint, ComplaintStatus as S
from charity.core.system import system_actor

URL = "/staff/complaints/new"
RECEIVED = dt.date.today() - dt.timedelta(days=5)  # relative: the form refuses old dates


def _hotline(db, org, name="建设交通"):
    category = add_category(system_actor(), db, org, {"name": name, "channel": "hotline"})
    db.commit()
    return category


def _post(client, org, category, **extra):
    data = {"organization_id": str(org.id), "category_id": str(category.id),
            "received_on": RECEIVED.isoformat(), "subject": "小区路灯不亮",
            "description": "来电反映小区路灯坏了一周。", "contact_name": "孙来电",
            "contact_phone": "13700001111", "submission_token": "rec-1"}
    data.update(extra)
    return client.post(URL, data=data)


def test_a_manager_records_a_hotline_complaint(client, db, make_org, make_user, login):
    org = make_org()
    category = _hotline(db, org)
    login(make_user("manager", org=org))
    assert client.get(URL).status_code == 200
    r = _post(client, org, category)
    assert r.status_code == 302, r.get_data(as_text=True)
    complaint = db.scalars(sa.select(Complaint).where(Complaint.organization_id == org.id)).one()
    assert r.headers["Location"].endswith(f"/staff/complaints/{complaint.id}")
    assert complaint.status == S.SUBMITTED and complaint.category_id == category.id
    assert complaint.submitted_on == RECEIVED
    next_weekday = RECEIVED + dt.timedelta(days=1)  # from the day received, 1 working day
    while next_weekday.weekday() >= 5:  # (no holidays entered in this database)
        next_weekday += dt.timedelta(days=1)
    assert complaint.accept_due == next_weekday
    assert complaint.contact_phone == "13700001111"
    # Counted in the public statistics under its channel and category.
    page = client.get(f"/complaints/stats?org={org.id}&year={RECEIVED.year}").get_data(
        as_text=True)
    assert "建设交通" in page
    # The audit entry says what happened, never who called.
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.action == "complaint.record")).one()
    assert "13700001111" not in str(entry.summary) and "孙来电" not in str(entry.summary)
    # A second click with the same token records nothing more.
    _post(client, org, category)
    assert db.scalar(sa.select(sa.func.count(Complaint.id)).where(
        Complaint.organization_id == org.id)) == 1


def test_refusals_keep_the_typing_and_write_nothing(client, db, make_org, make_user, login):
    org, other = make_org(), make_org()
    category = _hotline(db, org)
    foreign = _hotline(db, other, "外会类别")
    login(make_user("manager", org=org))
    for extra, field_text in (({"subject": ""}, "标题"),
                              ({"received_on": "2099-01-01"}, "日期不能晚于今天"),
                              ({"received_on": "2020-01-01"}, "早于一年前"),
                              ({"category_id": str(foreign.id)}, "请选择")):
        r = _post(client, org, category, submission_token=f"t-{field_text}", **extra)
        assert r.status_code == 400, extra
        html = r.get_data(as_text=True)
        assert field_text in html, (extra, field_text)
        assert "来电反映小区路灯坏了一周。" in html  # what was typed is kept
    assert db.scalar(sa.select(sa.func.count(Complaint.id))) == 0


def test_only_managers_record(client, db, make_org, make_user, login):
    org = make_org()
    category = _hotline(db, org)
    for role in ("volunteer", "auditor"):
        login(make_user(role, org=org))
        assert client.get(URL).status_code == 403
        assert _post(client, org, category).status_code == 403
    assert db.scalar(sa.select(sa.func.count(Complaint.id))) == 0


def test_statistics_count_recorded_complaints_by_channel(db, make_org):
    org = make_org()
    ensure_default_categories(db, org)
    from charity.complaints.services import record_complaint

    category = _hotline(db, org, "公共事业")
    for day in (3, 4):
        record_complaint(system_actor(), db, org, {
            "category_id": category.id, "received_on": dt.date(2026, 10, day),
            "subject": "停水", "description": "小区停水"},
            now=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
    db.flush()
    assert sum(stats_row_counts(db, org, "公共事业")) == 2


def stats_row_counts(db, org, name):
    table = stats.monthly_stats(db, today=dt.date(2026, 11, 25), year=2026,
                                organization_id=org.id)
    return [n for row in table.by_category if row.label == name for n in row.counts.values()]


def test_an_administrator_sees_each_category_with_its_organisation(client, db, make_org,
                                                                    make_user, login):
    """Several organisations: each category is labelled with its organisation (this page
    once failed with a 500 for administrators, found by the province-scale crawl)."""
    first, second = make_org(name="甲区慈善会"), make_org(name="乙区慈善会")
    _hotline(db, first, name="城市管理")
    _hotline(db, second, name="环境卫生")
    login(make_user("admin"))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "甲区慈善会 · " in html and "乙区慈善会 · " in html
