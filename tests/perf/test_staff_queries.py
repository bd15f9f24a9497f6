"""Issue 21: the biggest staff lists run a fixed number of SQL statements (≤ 20) however many
rows, entries and projects there are, and their heavy queries read an index rather than the
table. The figures shown are checked against sums computed here from what was posted."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from charity.funds.services import ledger
from tests.pager import rel_link
from tests.sql_count import STAFF_PAGE_QUERIES, get_counted

DAY = dt.date(2026, 3, 2)


def _yuan(amount: D) -> str:
    return f"{amount:,.2f}"


@pytest.fixture
def busy_ledger(db, actor, fundraising_org, make_campaign, make_project):
    """25 entries (two pages): donations with receipts, spending on three projects."""
    org = fundraising_org
    campaign = make_campaign()
    projects = [make_project(campaigns=[campaign]) for _ in range(3)]
    given = D(0)
    for i in range(16):
        amount = D(100 + i)
        ledger.post_donation(actor, db, org, {
            "kind": "donation", "amount": amount, "entry_date": DAY, "channel": "wechat",
            "counterparty": f"捐赠人{i}", "campaign_id": campaign.id}, with_receipt=True)
        given += amount
    spent = {}
    for i in range(9):
        project = projects[i % 3]
        amount = D(10 * (i + 1))
        ledger.post_entry(actor, db, org, {
            "kind": "project_spending", "amount": amount, "entry_date": DAY,
            "campaign_id": campaign.id, "project_id": project.id, "purpose": "购买冬衣",
            "counterparty": "兰州百货", "voucher_no": f"V-{i}"})
        spent[project.name] = spent.get(project.name, D(0)) + amount
    db.commit()
    return org, given, spent


@pytest.mark.parametrize("path", ["/staff/funds/", "/staff/funds/?end=1"])
def test_money_ledger_list_has_a_fixed_number_of_statements(client, db, make_user, login,
                                                            busy_ledger, path):
    org, given, spent = busy_ledger
    login(make_user("manager", org=org))
    html, statements = get_counted(db, client, path)
    assert len(statements) <= STAFF_PAGE_QUERIES, statements
    assert _yuan(given) in html
    for name, amount in spent.items():  # spending per project, named
        assert re.search(re.escape(name) + r"[\s\S]{0,200}?" + re.escape(_yuan(amount)), html)


def test_money_ledger_totals_read_the_index_alone(db, busy_ledger, app):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan of a tiny PostgreSQL table is a sequential scan by design")
    org, _given, _spent = busy_ledger
    plan = " ".join(str(r[-1]) for r in db.execute(sa.text(
        "EXPLAIN QUERY PLAN SELECT kind, project_id, sum(amount) FROM fund_entry "
        "WHERE organization_id = :org GROUP BY organization_id, kind, project_id"),
        {"org": org.id}))
    assert "COVERING INDEX ix_fund_entry_org_kind_project" in plan, plan


def test_stock_movement_list_has_a_fixed_number_of_statements(client, db, make_user, login,
                                                              make_point, make_item, stock,
                                                              fundraising_org):
    org = fundraising_org
    points = [make_point(org), make_point(org)]
    items = [make_item(org) for _ in range(4)]
    for i in range(24):  # 24 intakes: two pages of movements, four items, two points
        stock(points[i % 2], items[i % 4], i + 1, day=DAY + dt.timedelta(days=i))
    login(make_user("manager", org=org))
    first, statements = get_counted(db, client, "/staff/stock/movements")
    assert len(statements) <= STAFF_PAGE_QUERIES, statements
    assert all(item.name in first for item in items)
    last, statements = get_counted(db, client, rel_link(first, "next"))
    assert len(statements) <= STAFF_PAGE_QUERIES, statements
    # newest first: the page 1 holds the last intakes (dated later), page 2 the first
    assert (DAY + dt.timedelta(days=23)).isoformat() in first
    assert DAY.isoformat() in last and DAY.isoformat() not in first
