"""The demo's annual reports (issue 17 item 10): organisations registered years ago, one
annual report published on time, one late, one overdue now; the open-data API lists an
annual obligation for 2025 for every organisation with ledger activity in 2025."""
import datetime as dt

import sqlalchemy as sa

from charity.core.extensions import db as _db
from charity.funds.models import FundEntry
from charity.goods.models import StockMovement
from charity.orgs.models import Organization


def _active_in(year):
    orgs = set()
    for model, column in ((FundEntry, FundEntry.entry_date),
                          (StockMovement, StockMovement.movement_date)):
        orgs |= set(_db.session.scalars(sa.select(model.organization_id).where(
            column.between(dt.date(year, 1, 1), dt.date(year, 12, 31))).distinct()))
    return orgs


def _all(client, url):
    rows, page = [], 1
    while True:
        body = client.get(f"{url}&page={page}").json
        rows += body["data"]
        if len(rows) >= body["meta"]["total"]:
            return rows
        page += 1


def test_demo_annual_reports_on_time_late_and_overdue(demo_committed_app):
    app = demo_committed_app
    with app.app_context():
        active_2025 = _active_in(2025)
        registered = dict(_db.session.execute(sa.select(Organization.id,
                                                        Organization.registered_on)).all())
        _db.session.remove()
    assert active_2025, "the demo has ledger activity in 2025"
    assert all(registered.values()), "every demo organisation has its registration date"
    assert any(d.year <= 2024 for d in registered.values())
    client = app.test_client()
    annual = _all(client, "/api/v1/obligations?kind=annual&per_page=100")
    by_org_year = {(o["organization_id"], o["seq"]): o for o in annual}
    for org_id in active_2025:
        ob = by_org_year[(org_id, 2025)]
        assert ob["due"] == "2026-05-31" and ob["period_start"] == "2025-01-01"
    statuses = {o["status"] for o in annual}
    assert {"published_on_time", "published_late", "overdue"} <= statuses
    for o in annual:
        if o["status"] == "published_on_time":
            assert o["published_on"] <= o["due"] and o["publication_id"]
        if o["status"] == "published_late":
            assert o["published_on"] > o["due"] and o["publication_id"]
        if o["status"] == "overdue":
            assert o["published_on"] is None and o["due"] < "2026-12-06"


def test_demo_annual_reports_print_the_managers_parts_and_the_audit_report(demo_committed_app):
    """2025: the parts and the audit report (a PDF in the upload folder); 2024: the parts,
    no audit report, and the organisation may fundraise publicly: 未提供审计报告."""
    from charity.disclosure.annual.models import AnnualStatement
    from charity.disclosure.models import Publication
    from charity.funds.uploads import FileStore, upload_dir
    from tests.disclosure.test_campaign_content import squashed

    app = demo_committed_app
    with app.app_context():
        rows = {(r.organization_id, r.year): r for r in _db.session.scalars(
            sa.select(AnnualStatement))}
        pubs = {(p.organization_id, p.seq): p.pdf for p in _db.session.scalars(
            sa.select(Publication).where(Publication.kind == "annual"))}
        store = FileStore(upload_dir(app.instance_path) / "audit-reports")
        audited = [r for r in rows.values() if r.has_audit_report]
        assert len({org for org, year in rows if year == 2025}) == 2  # both with 2025 activity
        assert len(audited) == 1 and store.path_of(audited[0].audit_stored_name).read_bytes(
            ).startswith(b"%PDF-")
        org_id = audited[0].organization_id
        assert _db.session.get(Organization, org_id).can_fundraise_publicly
        _db.session.remove()
    with_audit, without = squashed(pubs[(org_id, 2025)]), squashed(pubs[(org_id, 2024)])
    assert "已提供审计报告：2025年度审计报告.pdf" in with_audit and "工作人员工资福利专职工作人员4人" in with_audit
    assert "未提供审计报告" in without and "工作人员工资福利专职工作人员3人" in without
