"""The public home page and the statistics behind it: this year's totals, active campaigns
with their progress, the latest disclosures, open points, the wanted-items list; and the
page cache that a posting invalidates at once."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from charity.funds.services import ledger
from charity.goods.services.distributions import post_distribution, reverse_distribution
from charity.goods.services.intake import reverse_intake
from charity.portal.queries import figures as stats
from charity.core.system import system_actor

TODAY = dt.date(2026, 11, 25)


def give(db, org, amount, day=TODAY, **data):
    entry = ledger.post_donation(system_actor(), db, org, {
        "kind": "donation", "amount": D(amount), "entry_date": day, "channel": "cash",
        "counterparty": "李四", **data}, with_receipt=False, today=TODAY)
    db.commit()
    return entry


@pytest.fixture
def world(db, fundraising_org, make_point, make_item, make_food, stock, make_household,
          make_campaign):
    org = fundraising_org
    point = make_point(org)
    coat, rice = make_item(org, point_price=0), make_food(org, point_price=0)
    campaign = make_campaign()
    give(db, org, "1000.50", campaign_id=campaign.id)
    give(db, org, "200", day=dt.date(2026, 3, 1))
    wrong = give(db, org, "99")
    ledger.reverse_entry(system_actor(), db, wrong, "录错", today=TODAY)
    give(db, org, "7", day=dt.date(2025, 12, 31))  # last year: not counted
    # commercial income is not a donation
    ledger.post_entry(system_actor(), db, org, {"kind": "sale_income", "amount": D("50"),
                                                "entry_date": TODAY, "purpose": "义卖"},
                      today=TODAY)
    stock(point, coat, 10)
    stock(point, rice, 4)
    bad = stock(point, coat, 5)
    reverse_intake(system_actor(), db, bad, "重复", today=TODAY)
    h1, h2 = make_household(org), make_household(org)
    for hh, qty in ((h1, 2), (h1, 1), (h2, 3)):
        post_distribution(system_actor(), db, point, {
            "beneficiary_id": hh.id, "lines": [{"item_type_id": coat.id, "quantity": str(qty)}]},
            today=TODAY)
    h3 = make_household(org)
    d = post_distribution(system_actor(), db, point, {
        "beneficiary_id": h3.id, "lines": [{"item_type_id": rice.id, "quantity": "1"}]},
        today=TODAY)
    reverse_distribution(system_actor(), db, d, "退回", today=TODAY)
    db.commit()
    return {"org": org, "point": point, "coat": coat, "rice": rice, "campaign": campaign}


def test_year_totals_exact(db, world):
    t = stats.year_totals(db, 2026)
    assert t.money_donated == D("1200.50")
    assert t.donation_count == 2
    assert t.goods_intake_count == 2
    assert t.goods_received_by_unit == (stats.UnitQuantity("件", D("10")),
                                        stats.UnitQuantity("袋", D("4")))
    assert t.goods_received_quantity == D("14")
    assert t.goods_distributed_by_unit == (stats.UnitQuantity("件", D("6")),)
    assert t.goods_distributed_quantity == D("6")
    assert t.households_helped == 2
    assert t.active_campaigns == 1
    assert stats.year_totals(db, 2025).money_donated == D("7")
    other = stats.year_totals(db, 2026, organization_id=world["org"].id + 1000)
    assert other.money_donated == 0 and other.households_helped == 0


def page(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_home_shows_this_years_figures_in_chinese(client, db, world):
    html = page(client)
    assert '<html lang="zh-CN"' in html
    assert "¥1,200.50" in html  # donations only: not the ¥50 of sales, not last year's ¥7
    assert "10 件" in html and "4 袋" in html  # received, per unit
    assert "6 件" in html  # distributed
    # Issue 20 §2: units are never added together (10 件 and 4 袋 are not "14").
    assert "<p class=\"stat\">14" not in html and "件/份" not in html
    assert '<p class="stat">2</p>' in html  # households, a count only
    for hh_text in ("住户", "张掖路", "1390931"):
        assert hh_text not in html  # no household is named


def test_home_lists_running_campaigns_with_progress_not_drafts(client, db, world, make_campaign):
    make_campaign(name="草稿募捐", active=False)
    html = page(client)
    campaign = world["campaign"]
    assert campaign.name in html and "草稿募捐" not in html
    assert f'href="/campaigns/{campaign.id}"' in html
    assert '<progress value="1.0" max="100"' in html  # 1,000.50 of 100,000
    assert "¥1,000.50" in html and "¥100,000.00" in html


def test_wanted_items_merge_the_points_needs_lists(db, world, make_point):
    from charity.goods.queries.stock import needs_list
    from charity.goods.services.targets import set_wanted_level
    from charity.portal.queries.home import wanted_items

    org, coat = world["org"], world["coat"]
    other = make_point(org, name="二号站")
    closed = make_point(org, name="关闭的站")
    set_wanted_level(system_actor(), db, world["point"], coat.id, "9")  # 4 on hand: 5 short
    set_wanted_level(system_actor(), db, other, coat.id, "5")
    set_wanted_level(system_actor(), db, other, world["rice"].id, "10")
    set_wanted_level(system_actor(), db, closed, world["rice"].id, "99")
    from charity.orgs.services import set_point_active
    set_point_active(system_actor(), db, closed, False)
    db.commit()
    items = wanted_items(db)
    assert [(w.name, w.unit, w.shortfall, w.points) for w in items] == [
        (coat.name, "件", D("10"), tuple(sorted((world["point"].name, "二号站")))),
        (world["rice"].name, "袋", D("10"), ("二号站",)),
    ]
    per_point = sum(r.shortfall for p in (world["point"], other) for r in needs_list(db, p.id)
                    if r.item.id == coat.id)
    assert per_point == D("10")


def test_home_links_disclosures_points_and_the_other_public_pages(client, app, db, world):
    from charity.funds.services.campaigns import activate_project, close_project, create_project
    from charity.ops.scheduler import tick

    p = create_project(system_actor(), db, world["org"], {
        "name": "一日项目", "planned_start": dt.date(2026, 1, 1),
        "planned_end": dt.date(2026, 1, 31)})
    activate_project(system_actor(), db, p)
    close_project(system_actor(), db, p, dt.date(2026, 1, 31), "无", "无",
                  today=dt.date(2026, 2, 1))
    db.commit()
    pub_id = tick(db, dt.date(2026, 5, 1)).published[0]
    html = page(client)
    assert f'href="/disclosures/{pub_id}"' in html and "一日项目" in html
    assert world["point"].name in html
    assert 'href="/dropoff' in html or "/dropoff" in html
    for endpoint in ("trace.trace", "public_points.point_list"):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for
                assert f'href="{url_for(endpoint)}"' in html


def test_a_posting_changes_the_home_page_at_once(client, app, db, world):
    assert "¥1,200.50" in page(client)
    cache = stats.app_cache(app)
    computed = cache.computed
    assert "¥1,200.50" in page(client)
    assert cache.computed == computed  # unchanged data: served from the cache
    give(db, world["org"], "0.50")
    html = page(client)
    assert "¥1,201.00" in html and "¥1,200.50" not in html
    assert cache.computed > computed


# --- the cache itself ---------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_page_cache_recomputes_on_a_new_marker_or_when_too_old():
    clock, calls = Clock(), []
    cache = stats.PageCache(max_age=60, clock=clock)

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get("k", (1,), compute) == 1
    assert cache.get("k", (1,), compute) == 1
    assert cache.get("k", (2,), compute) == 2  # the data changed
    clock.now = 59.9
    assert cache.get("k", (2,), compute) == 2
    clock.now = 60.0
    assert cache.get("k", (2,), compute) == 3  # too old
    assert cache.computed == 3


def test_page_cache_is_bounded_and_stores_nothing_on_error():
    cache = stats.PageCache(max_entries=2)
    for key in "abc":
        cache.get(key, 0, lambda key=key: key)
    assert cache.get("a", 0, lambda: "again") == "again"  # "a" was dropped, least recent
    assert cache.get("c", 0, lambda: "x") == "c"

    def fail():
        raise LookupError

    with pytest.raises(LookupError):
        cache.get("d", 0, fail)
    assert cache.get("d", 0, lambda: "ok") == "ok"


def test_marker_is_checked_at_most_every_interval_unless_this_process_wrote(db, world):
    clock = Clock()
    cache = stats.PageCache(check_interval=5, clock=clock)
    first = cache.marker(db)
    assert first == stats.change_marker(db)
    give(db, world["org"], "1")  # a write in this process: checked at once
    second = cache.marker(db)
    assert second != first and second == stats.change_marker(db)
    # A write by another process leaves no trace here: seen after the interval.
    from charity.audit.models import AuditLog
    db.execute(sa.insert(AuditLog).values(action="x", object_type="y", summary={}))
    from charity.web import page_cache as cache_module
    cache._marker_writes = cache_module._Writes.count  # as if the insert came from elsewhere
    assert cache.marker(db) == second
    clock.now = 5.0
    assert cache.marker(db) != second


def test_year_months_exact(db, world):
    months = stats.year_months(db, 2026, TODAY)
    assert [m.month for m in months] == [dt.date(2026, k, 1) for k in range(1, 12)]
    by_month = {m.month.month: m for m in months}
    assert by_month[3].donated == D("200")
    assert by_month[11].donated == D("1000.50")  # the 99 and its reversal net to nothing
    assert sum(m.donated for m in months) == D("1200.50")
    # Per base unit (issue 20 §2); the reversed intake and distribution count for nothing.
    received = {r.unit: r.quantity for r in by_month[11].goods_received}
    assert received == {"件": D("10"), "袋": D("4")}
    assert {r.unit: r.quantity for r in by_month[11].goods_distributed} == {"件": D("6")}
    assert all(m.spent == 0 for m in months)
    assert len(stats.year_months(db, 2025, TODAY)) == 12


def test_home_charts_come_with_their_numbers(client, db, world):
    html = page(client)
    assert html.count('role="img"') >= 2
    # The goods chart draws its leading base unit (件: 10 received against 4 袋); the table
    # gives every unit, never their sum (issue 20 §2).
    assert "本年每月善款收支（元）" in html and "本年每月物资接收与发放（件）" in html
    assert "<th scope=\"row\">2026-03</th><td class=\"num\">¥200.00</td>" in html
    assert re.search(r'<th scope="row">2026-11</th><td class="num"><span class="nowrap">10 件'
                     r'</span> · <span class="nowrap">4 袋</span></td><td class="num">'
                     r'<span class="nowrap">6 件</span></td>', html)
