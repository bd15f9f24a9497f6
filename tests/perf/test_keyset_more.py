"""Issue 21 §1: stock balances, receipts, donors and households page by seeking their sort
key too (keyset pagination), so an administrator's deepest page costs what the first costs.

Walking each list forwards with "Next" from the first page and backwards with "Previous"
from the last must show every row exactly once, in the order computed here from the rows
themselves: balances by (point, item, batch), donors and households by (name, id), receipts
newest first by (year, id); every page runs the same statements, none with OFFSET."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.funds.models import Receipt
from charity.funds.services import ledger
from charity.goods.models import StockBalance
from charity.people.models import Beneficiary, Donor
from charity.web import keyset
from tests.perf.test_keyset import assert_walks_every_row_once, shown, walk  # noqa: F401

PER_PAGE = 3
NAMES = ("王芳", "李强", "王芳", "张伟", "Anna K.", "陈静", "李强")  # equal names: the id decides


def _balances(db, org):
    rows = db.execute(sa.select(StockBalance.id, StockBalance.point_id,
                                StockBalance.item_type_id, StockBalance.batch)
                      .where(StockBalance.quantity > 0)).all()
    return [r.id for r in sorted(rows, key=lambda r: (r.point_id, r.item_type_id, r.batch))]


def _by_name(model):
    def expected(db, org):
        rows = db.execute(sa.select(model.id, model.name)
                          .where(model.organization_id == org.id)).all()
        return [r.id for r in sorted(rows, key=lambda r: (r.name.encode(), r.id))]
    return expected


def _receipts(db, org):
    rows = db.execute(sa.select(Receipt.id, Receipt.year)
                      .where(Receipt.organization_id == org.id)).all()
    return [r.id for r in sorted(rows, key=lambda r: (r.year, r.id), reverse=True)]


# path → the order of its rows computed from the rows
LISTS = {"/staff/stock/balances": _balances,
         "/staff/receipts/": _receipts,
         "/staff/donors/": _by_name(Donor),
         "/staff/beneficiaries/": _by_name(Beneficiary)}


@pytest.fixture
def lists_org(db, app, monkeypatch, fundraising_org, make_point, make_item, make_household,
              make_donor, stock):
    """Eight balances over two points, seven donors and households (some with one name),
    seven receipts over two years; pages of three rows."""
    monkeypatch.setitem(app.config, "CHARITY_PAGE_SIZE", PER_PAGE)
    org = fundraising_org
    points = [make_point(org), make_point(org)]
    items = [make_item(org) for _ in range(4)]
    for point in reversed(points):
        for item in items:
            stock(point, item, 5)
    for i, name in enumerate(NAMES):
        make_donor(name=name, id_code=f"6201021990010{i:05d}")
        make_household(org, name=name)
    for i in range(7):
        ledger.post_donation(system_actor(), db, org, {
            "kind": "donation", "amount": D(100 + i), "channel": "wechat",
            "entry_date": dt.date(2025 + i % 2, 11, 2 + i), "counterparty": f"捐赠人{i}"},
            today=dt.date(2026, 11, 20))
    db.commit()
    return org


@pytest.mark.parametrize("path", LISTS)
def test_next_and_previous_show_every_row_once_in_order(client, db, make_user, login,
                                                        lists_org, shown, path):
    login(make_user("manager", org=lists_org))
    assert_walks_every_row_once(client, db, shown, path, LISTS[path](db, lists_org), PER_PAGE)


def test_filters_and_search_are_kept_in_the_pager(client, db, make_user, login, lists_org,
                                                  shown):
    login(make_user("manager", org=lists_org))
    wanted = [i for i in _by_name(Donor)(db, lists_org)
              if db.get(Donor, i).name in ("王芳", "李强")]
    shown.clear()
    walk(client, db, "/staff/donors/?q=%E7%8E%8B%E8%8A%B3", "next")
    walk(client, db, "/staff/donors/?q=%E6%9D%8E%E5%BC%BA", "next")
    assert sorted(i for ids in shown for i in ids) == sorted(wanted)
    point = db.scalar(sa.select(StockBalance.point_id).order_by(StockBalance.point_id.desc()))
    shown.clear()
    pages = walk(client, db, f"/staff/stock/balances?point={point}", "next")
    assert all(f"point={point}" in url for url, _s in pages[1:])
    assert [i for ids in shown for i in ids] == [
        i for i in _balances(db, lists_org) if db.get(StockBalance, i).point_id == point]


@pytest.mark.parametrize("path,raw", [("/staff/stock/balances", "x"),
                                      ("/staff/stock/balances", "1.z."),
                                      ("/staff/receipts/", "2026"),
                                      ("/staff/receipts/", "2026.5.7"),
                                      ("/staff/donors/", "王芳"),
                                      ("/staff/beneficiaries/", "王芳.x"),
                                      ("/staff/receipts/", "2026.99999999999999999999"),
                                      ("/staff/donors/", "王\x00芳.5")])
def test_a_position_that_cannot_be_read_is_a_400_with_a_message(client, make_user, login,
                                                                 fundraising_org, path, raw):
    login(make_user("manager", org=fundraising_org))
    for name in ("after", "before"):
        response = client.get(path, query_string={name: raw})
        assert response.status_code == 400
        assert name in response.get_data(as_text=True)


def test_a_text_key_may_hold_the_separator(app):
    balance_keys = (StockBalance.point_id, StockBalance.item_type_id, StockBalance.batch)
    with app.test_request_context():
        assert keyset.parse_key("after", "3.7.B.2026.1", balance_keys) == (3, 7, "B.2026.1")
        assert keyset.parse_key("after", "Anna K..12", (Donor.name, Donor.id)) == ("Anna K.", 12)
