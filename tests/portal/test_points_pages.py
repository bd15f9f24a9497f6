"""The public charity-point directory: active points of active organisations only, filters
by district and kind, search by name or address; each point's page with its hours, what it
accepts and refuses, its needs list and its shelves by category — and no person's name."""
import datetime as dt
import re

import pytest

from charity.goods.services.catalogue import add_refused_good
from charity.goods.services.targets import set_wanted_level
from charity.orgs.services import set_organization_active, set_point_active
from charity.portal.opening_hours import is_open, opening_schedule
from charity.core.system import system_actor


@pytest.fixture
def points(db, make_org, make_point):
    org = make_org(name="甲慈善会")
    other = make_org(name="停用慈善会")
    made = {
        "zhangye": make_point(org, name="张掖路慈善超市", district="城关区", address="张掖路 56 号",
                              opening_hours="周一至周六 09:00-18:00", phone="0931-8411001"),
        "yantan": make_point(org, name="雁滩捐助站", kind="station", district="城关区",
                             address="雁滩路 3120 号", opening_hours="看社区通知"),
        "qilihe": make_point(org, name="七里河慈善超市", district="七里河区",
                             address="西津东路 9 号", opening_hours="每天 08:30-17:00"),
        "closed": make_point(org, name="已关闭超市", district="安宁区", address="安宁路 1 号"),
        "orphan": make_point(other, name="停用机构超市", district="西固区", address="西固路 2 号"),
    }
    set_point_active(system_actor(), db, made["closed"], False)
    set_organization_active(system_actor(), db, other, False)
    db.commit()
    return made


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return re.findall(r'<h2><a href="/points/\d+">([^<]+)</a></h2>',
                      response.get_data(as_text=True))


def test_directory_lists_active_points_of_active_organisations(client, points):
    r = client.get("/points/")
    assert _names(r) == ["七里河慈善超市", "张掖路慈善超市", "雁滩捐助站"]  # by district, name
    html = r.get_data(as_text=True)
    for text in ("城关区 张掖路 56 号", "周一至周六 09:00-18:00", 'href="tel:0931-8411001"',
                 "甲慈善会", "看社区通知"):
        assert text in html
    assert "已关闭超市" not in html and "停用机构超市" not in html
    # only districts with a public point are offered
    assert re.findall(r'<option value="([^"]+)"\s*>', html)[:2] == ["七里河区", "城关区"]
    assert 'value="安宁区"' not in html and 'value="西固区"' not in html


@pytest.mark.parametrize("query, expected", [
    ("district=城关区", ["张掖路慈善超市", "雁滩捐助站"]),
    ("kind=station", ["雁滩捐助站"]),
    ("kind=supermarket&district=城关区", ["张掖路慈善超市"]),
    ("q=西津东路", ["七里河慈善超市"]),
    ("q=雁滩", ["雁滩捐助站"]),
    ("q=安宁路", []),
    ("q=没有这个地方", []),
    ("district=安宁区", []),  # its only point closed: an empty list, not an error
    ("district=火星区", []),
])
def test_filters_and_search(client, points, query, expected):
    assert _names(client.get("/points/?" + query)) == expected


@pytest.mark.parametrize("query, name", [("kind=shop", "kind")])
def test_malformed_filters_are_a_400(client, points, query, name):
    r = client.get("/points/?" + query)
    assert r.status_code == 400
    assert f"“{name}”" in r.get_data(as_text=True)


def test_inactive_unknown_and_absurd_points_are_a_404(client, points):
    for key in ("closed", "orphan"):
        assert client.get(f"/points/{points[key].id}").status_code == 404
    top = max(p.id for p in points.values())
    for url in (f"/points/{top + 1}", "/points/0", "/points/99999999999"):
        assert client.get(url).status_code == 404, url


@pytest.fixture
def stocked(db, points, make_item, make_food, category, stock, make_user):
    point = points["zhangye"]
    org = point.organization
    coat = make_item(org, name="棉衣", unit="件")
    rice = make_food(org, name="大米", unit="袋")
    flour = make_food(org, name="面粉", unit="kg")
    make_item(org, name="儿童绘本", unit="本", category_id=category("books").id)
    stock(point, coat, 30)
    stock(point, rice, 12)
    stock(point, flour, "7.5")
    stock(points["qilihe"], coat, 99)  # another point's shelf: not this page
    set_wanted_level(system_actor(), db, point, coat.id, "50")  # 20 short
    set_wanted_level(system_actor(), db, point, rice.id, "10")  # enough
    add_refused_good(system_actor(), db, org, "过期食品", "食品安全")
    make_user("volunteer", org=org, points=[point], display_name="志愿者王小明")
    db.commit()
    return point


def _table(html, heading_id):
    section = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html,
                        re.S).group(1)
    return [[re.sub(r"<[^>]+>|\s+", " ", c).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)]


def test_point_page_shows_needs_shelves_accepts_and_refuses(client, stocked):
    r = client.get(f"/points/{stocked.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert _table(html, "needs-h") == [["棉衣", "20 件", "30 件"]]
    assert _table(html, "shelves-h") == [["衣物鞋帽", "1", "30 件"],
                                         ["粮油食品", "2", "7.5 kg · 12 袋"]]
    accepts = re.search(r'<ul class="tags">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>([^<]+)</li>", accepts) == ["衣物鞋帽", "粮油食品", "文体用品与书籍"]
    assert "过期食品 — 食品安全" in html
    assert f'href="/dropoff/?point={stocked.id}"' in html
    assert "周一至周六 09:00-18:00" in html and "0931-8411001" in html
    assert "志愿者王小明" not in html


def test_point_with_nothing_shows_empty_sections(client, points):
    html = client.get(f"/points/{points['yantan'].id}").get_data(as_text=True)
    assert "<tbody>" not in html
    assert '<ul class="tags">' not in html


def test_drop_off_link_preselects_the_point(client, stocked):
    html = client.get(f"/dropoff/?point={stocked.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{stocked.id}">|'
                     rf'<option value="{stocked.id}" selected>', html)


# --- "open now?" from the free text ---------------------------------------------------------

WED_10 = dt.datetime(2026, 11, 25, 10, 0)  # a Wednesday
SUN_10 = dt.datetime(2026, 11, 29, 10, 0)


@pytest.mark.parametrize("text, when, expected", [
    ("周一至周六 09:00-18:00", WED_10, True),
    ("周一至周六 09:00-18:00", SUN_10, False),
    ("周一至周六 09:00-18:00", WED_10.replace(hour=18), False),  # closing time is closed
    ("周二至周日 09:30-17:30", SUN_10, True),
    ("每天 08:30-17:00", SUN_10, True),
    ("周一至周五 09:00-12:00, 14:00-17:00", WED_10.replace(hour=13), False),
    ("周一至周五 09:00-12:00, 14:00-17:00", WED_10.replace(hour=14, minute=30), True),
    ("周一、三、五 09:00-16:00", WED_10, True),
    ("周一、三、五 09:00-16:00", WED_10 + dt.timedelta(days=1), False),
    ("周一至周五 09:00-17:00；周六 09:00-12:00", SUN_10 - dt.timedelta(days=1), True),
    ("周六至周一 10:00-11:00", SUN_10, True),  # wraps over the week end
    ("09:00-18:00", SUN_10, True),
    ("看社区通知", WED_10, None),
    ("", WED_10, None),
    ("周一至周五 22:00-02:00", WED_10, None),  # past midnight: not guessed
    ("周一至周五 9点-17点", WED_10, None),
    ("节假日除外 09:00-17:00", WED_10, None),
])
def test_open_now(text, when, expected):
    assert is_open(text, when) is expected


def test_opening_schedule_shape():
    assert opening_schedule("周一至周五 09:00-12:00, 14:00-17:00") == [
        ({0, 1, 2, 3, 4}, [(540, 720), (840, 1020)])]


def test_open_now_uses_the_organisation_time_zone(db, points):
    import charity.portal.opening_hours as directory

    # 2026-11-25 10:00 in Shanghai is 02:00 UTC: open by Shanghai time.
    fixed = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
    assert directory.open_now(points["zhangye"], fixed) is True
    assert directory.open_now(points["yantan"], fixed) is None
    assert directory.open_now(points["zhangye"], fixed.replace(hour=11)) is False  # 19:00

