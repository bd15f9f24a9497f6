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
