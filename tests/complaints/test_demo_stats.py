"""The demo's grid-centre figures come out of the public statistics exactly."""
import re

import sqlalchemy as sa

from charity.complaints.models import Complaint, ComplaintCategory

WORK_ORDERS = {"道路交通": 8, "环卫环保": 1, "公共设施": 5, "设施管理": 2, "市容环卫": 19}
HOTLINE = {"建设交通": 4, "公共事业": 1, "经济综合": 1}
DEFAULTS = {"物资去向": 1, "善款使用": 1, "信息公开": 1, "服务态度": 1}


def _category_totals(html):
    return {name: int(n) for name, n in re.findall(r'data-category="([^"]+)">(\d+)<', html)}


def _status_totals(html):
    return {name: int(n) for name, n in re.findall(r'data-status="([^"]+)">(\d+)<', html)}


def test_full_demo_statistics(demo_committed_app):
    committed_app = demo_committed_app
    client = committed_app.test_client()
    # The grid-centre figures are the main demo organisation's (the others have their own).
    from charity.demo.loader import ORG
    from charity.core.extensions import db as _db
    from charity.orgs.models import Organization

    with committed_app.app_context():
        org_id = _db.session.scalar(sa.select(Organization.id).where(
            Organization.uscc == ORG["uscc"]))
        _db.session.remove()
    url = f"/complaints/stats?org={org_id}"
    html = client.get(url).get_data(as_text=True)
    totals = {k: v for k, v in _category_totals(html).items() if v}  # one org lists all its
    # categories, the empty ones too
    assert {k: totals[k] for k in WORK_ORDERS} == WORK_ORDERS
    assert {k: totals[k] for k in HOTLINE} == HOTLINE
    assert sum(totals[k] for k in WORK_ORDERS) == 35 and sum(totals[k] for k in HOTLINE) == 6
    assert totals == {**WORK_ORDERS, **HOTLINE, **DEFAULTS}
    assert sum(_status_totals(html).values()) == 45
    assert "工单" in html and "热线" in html
    # A second run adds nothing.
    assert committed_app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    again = client.get(url).get_data(as_text=True)
    assert {k: v for k, v in _category_totals(again).items() if v} == totals


def test_complaints_demo_is_idempotent_and_org_filtered(client, db, make_org):
    from charity.demo.complaints import load_complaints_demo

    org, other = make_org(), make_org()
    load_complaints_demo(db, org)
    db.commit()
    count = db.scalar(sa.select(sa.func.count(Complaint.id)))
    cats = db.scalar(sa.select(sa.func.count(ComplaintCategory.id)))
    load_complaints_demo(db, org)
    db.commit()
    assert db.scalar(sa.select(sa.func.count(Complaint.id))) == count == 45
    assert db.scalar(sa.select(sa.func.count(ComplaintCategory.id))) == cats == 5 + 8
    html = client.get(f"/complaints/stats?org={org.id}").get_data(as_text=True)
    totals = _category_totals(html)
    assert totals == {**WORK_ORDERS, **HOTLINE, **DEFAULTS, "其他": 0}
    empty = client.get(f"/complaints/stats?org={other.id}").get_data(as_text=True)
    assert sum(_category_totals(empty).values()) == 0
    year = db.scalar(sa.select(sa.func.min(Complaint.submitted_on))).year
    by_year = _category_totals(client.get(
        f"/complaints/stats?org={org.id}&year={year}").get_data(as_text=True))
    assert 0 < sum(by_year.values()) <= 45


def test_stats_bad_parameters(client, db, make_org):
    assert client.get("/complaints/stats?year=abc").status_code == 400
    assert client.get("/complaints/stats?year=1999").status_code == 400
    assert client.get("/complaints/stats?org=999999").status_code == 404
    assert client.get("/complaints/stats?org=x").status_code == 400
