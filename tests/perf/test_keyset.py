"""Issue 21: the five longest staff lists page by seeking their sort key (keyset pagination),
not by OFFSET, so the oldest page of a million rows costs what the newest costs.

Walking a list page by page — forwards with "Next" from the first page, backwards with
"Previous" from the last — must show every row exactly once, newest first, in the order
computed here from the rows themselves (date descending, then id descending); each page runs
the same small number of statements, none with OFFSET."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import record
from charity.core.system import system_actor
from charity.funds.models import FundEntry
from charity.funds.services import ledger
from charity.goods.models import Distribution, Intake, StockMovement
from charity.goods.services.distributions import post_distribution
from charity.funds.views import ledger as ledger_views, receipts as receipt_views
from charity.goods.views import distributions, intake, stock as stock_views
from charity.people.views import beneficiaries as household_views, donors as donor_views
from charity.staff.views import staff as staff_views
from charity.web import keyset
from tests.pager import rel_link
from tests.sql_count import STAFF_PAGE_QUERIES, get_counted

DAY = dt.date(2026, 11, 2)
PER_PAGE = 3
# path → (model, its date column or None: ordered by id alone, rows on a page)
LISTS = {"/staff/stock/movements": (StockMovement, "movement_date", PER_PAGE),
         "/staff/funds/": (FundEntry, "entry_date", PER_PAGE),
         "/staff/intake/": (Intake, "received_on", PER_PAGE),
         "/staff/distributions/": (Distribution, "distributed_on", PER_PAGE),
         "/staff/audit": (AuditLog, None, 50)}

VIEW_MODULES = (stock_views, ledger_views, intake, distributions, staff_views, receipt_views,
                donor_views, household_views)


@pytest.fixture
def busy_org(db, app, monkeypatch, fundraising_org, make_point, make_item, make_household,
             stock):
    """Seven intakes, seven distributions and seven money entries over four days, several on
    the same day (so the id decides between them); pages of three rows."""
    monkeypatch.setitem(app.config, "CHARITY_PAGE_SIZE", PER_PAGE)
    org, actor = fundraising_org, system_actor()
    point = make_point(org)
    item = make_item(org)
    household = make_household(org, certified_until=DAY + dt.timedelta(days=180))
    for i in range(7):
        stock(point, item, 10, day=DAY + dt.timedelta(days=i % 4))
    for i in range(7):
        post_distribution(actor, db, point, {
            "beneficiary_id": household.id, "distributed_on": DAY + dt.timedelta(days=i % 3),
            "lines": [{"item_type_id": item.id, "quantity": "1"}]}, today=DAY + dt.timedelta(5))
    for i in range(7):
        ledger.post_donation(actor, db, org, {
            "kind": "donation", "amount": D(100 + i), "entry_date": DAY + dt.timedelta(i % 4),
            "channel": "wechat", "counterparty": f"捐赠人{i}"}, with_receipt=False,
            today=DAY + dt.timedelta(days=5))
    for i in range(110):  # the audit log's pages hold 50
        record(db, actor, "test.bulk", org, {"n": i})
    db.commit()
    return org


def newest_first(db, org, model, date_column) -> list[int]:
    """The list's rows of `org`, ordered here (not by the query under test)."""
    rows = db.execute(sa.select(model.id, getattr(model, date_column) if date_column
                                else sa.literal(0)).where(model.organization_id == org.id)).all()
    return [row_id for row_id, _day in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]


@pytest.fixture
def shown(monkeypatch):
    """The ids of the rows each list page showed, in order, as the views' paginator gave
    them to the template (one list per request)."""
    pages: list[list[int]] = []

    def spy(stmt, keys, per_page=None, **options):
        page = keyset.keyset_paginate(stmt, keys, per_page, **options)
        pages.append([row.id for row in page.items])
        return page

    for module in VIEW_MODULES:
        monkeypatch.setattr(module, "keyset_paginate", spy)
    return pages


def walk(client, db, start: str, rel: str) -> list[tuple[str, list[str]]]:
    """Follow the pager's `rel` links from `start`: each page's URL and statements; no
    statement skips rows (an OFFSET, which SQLite writes with every LIMIT, is always 0)."""
    pages, url, offsets = [], start, []

    def capture(_conn, _cursor, statement, parameters, *_args):
        if " OFFSET " in statement.upper():
            offsets.append(parameters[-1] if isinstance(parameters, (tuple, list))
                           else [v for k, v in parameters.items() if "offset" in k][0])

    engine = db.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        while url is not None:
            html, statements = get_counted(db, client, url)
            pages.append((url, statements))
            url = rel_link(html, rel)
            assert len(pages) <= 20, "the pager loops"
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert set(offsets) <= {0}, offsets
    return pages


def assert_walks_every_row_once(client, db, shown, path: str, expected: list[int],
                                per_page: int) -> None:
    """Forwards with "Next" from the first page and backwards with "Previous" from the last,
    the list `path` shows the rows `expected`, each once, in that order; every page runs the
    same small number of statements."""
    assert len(expected) > 2 * per_page  # at least three pages
    first_html = client.get(path).get_data(as_text=True)
    assert rel_link(first_html, "prev") is None and rel_link(first_html, "first") is None
    shown.clear()
    forwards = walk(client, db, path, "next")
    shown_forwards = [i for ids in shown for i in ids]
    shown.clear()
    backwards = walk(client, db, rel_link(first_html, "last"), "prev")
    shown_backwards = [i for ids in reversed(shown) for i in ids]
    for pages in (forwards, backwards):
        assert len(pages) == -(-len(expected) // per_page)
        for url, statements in pages:
            assert len(statements) <= STAFF_PAGE_QUERIES, (url, statements)
        # the same number of statements on every page: nothing grows with the depth
        assert len({len(s) for _u, s in pages}) == 1, [(u, len(s)) for u, s in pages]
    assert shown_forwards == expected
    # backwards from the last page: every row once, in the same order; the pages are cut
    # from the other end, so the first one may be shorter
    assert shown_backwards == expected
    assert shown[0] == expected[-per_page:]


@pytest.mark.parametrize("path", LISTS)
def test_next_and_previous_show_every_row_once_newest_first(client, db, make_user, login,
                                                           busy_org, shown, path):
    model, date_column, per_page = LISTS[path]
    login(make_user("manager", org=busy_org))
    expected = newest_first(db, busy_org, model, date_column)
    assert_walks_every_row_once(client, db, shown, path, expected, per_page)


@pytest.mark.parametrize("raw", ["x", "2026-13-01.5", "5", "2026-11-02.5.7", "2026-11-02.z",
                                 "2026-11-02.99999999999999999999", "2026-11-02.１２"])
def test_a_position_that_cannot_be_read_is_a_400_with_a_message(client, make_user, login,
                                                                 busy_org, raw):
    login(make_user("manager", org=busy_org))
    response = client.get("/staff/stock/movements", query_string={"after": raw})
    assert response.status_code == 400
    assert "after" in response.get_data(as_text=True)
