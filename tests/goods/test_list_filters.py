"""The goods lists' filters (point, item, project) read as plain rows (issue 21 §1: an
administrator's filter lists every point of the province). What they offer must not change:
an administrator sees every organisation's points labelled with the organisation, a manager
only their own organisation's, by name; the chosen one stays chosen."""
from __future__ import annotations

import re

import pytest

LISTS = ["/staff/distributions/", "/staff/intake/", "/staff/sales/", "/staff/stock/balances",
         "/staff/stock/movements"]


def _options(html: str, name: str) -> dict[str, tuple[str, bool]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {value: (label.strip(), " selected" in attrs or attrs.strip().endswith("selected"))
            for value, attrs, label in re.findall(
                r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select) if value}


@pytest.fixture
def two_orgs(make_org, make_point, make_user, make_item):
    a, b = make_org(name="甲慈善会"), make_org(name="乙慈善会")
    pa, pb = make_point(a, name="张掖路超市"), make_point(b, name="雁滩超市")
    return {"a": a, "b": b, "pa": pa, "pb": pb, "admin": make_user("admin"),
            "manager": make_user("manager", org=a),
            "items": (make_item(a, name="棉被", unit="床"), make_item(b, name="大米", unit="袋"))}


@pytest.mark.parametrize("path", LISTS)
def test_administrator_sees_every_point_labelled_with_its_organisation(client, login, two_orgs,
                                                                        path):
    login(two_orgs["admin"])
    pa, pb = two_orgs["pa"], two_orgs["pb"]
    html = client.get(f"{path}?point={pb.id}").get_data(as_text=True)
    options = _options(html, "point")
    assert options[str(pa.id)] == ("甲慈善会 · 张掖路超市", False)
    assert options[str(pb.id)] == ("乙慈善会 · 雁滩超市", True)


@pytest.mark.parametrize("path", LISTS)
def test_manager_sees_their_own_points_by_name(client, login, two_orgs, path):
    login(two_orgs["manager"])
    options = _options(client.get(path).get_data(as_text=True), "point")
    assert options == {str(two_orgs["pa"].id): ("张掖路超市", False)}


def test_item_filter_names_the_unit_and_keeps_to_the_users_organisations(client, login,
                                                                          two_orgs):
    quilt, rice = two_orgs["items"]
    login(two_orgs["manager"])
    html = client.get(f"/staff/stock/balances?item={quilt.id}").get_data(as_text=True)
    assert _options(html, "item") == {str(quilt.id): ("棉被（床）", True)}


def test_administrators_item_filter_lists_every_organisations_items(client, login, two_orgs):
    quilt, rice = two_orgs["items"]
    login(two_orgs["admin"])
    html = client.get("/staff/stock/movements").get_data(as_text=True)
    assert _options(html, "item") == {str(quilt.id): ("棉被（床）", False),
                                      str(rice.id): ("大米（袋）", False)}


def test_project_filter_lists_the_organisations_projects(client, login, two_orgs, make_project):
    mine, theirs = make_project(org=two_orgs["a"]), make_project(org=two_orgs["b"])
    login(two_orgs["manager"])
    html = client.get(f"/staff/distributions/?project={mine.id}").get_data(as_text=True)
    assert _options(html, "project") == {str(mine.id): (mine.name, True)}
    assert theirs.name not in html


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_balances_of_an_organisation_whose_points_interleave_with_anothers(
        client, login, make_org, make_point, make_user, make_item, stock, role):
    """The balance list bounds its walk by the organisation's lowest and highest point id
    (charity.goods.queries.stock.balances): a point of another organisation between them is
    still left out, and none of the organisation's own is, on the first page or the last."""
    a, b = make_org(), make_org()
    first, other, last = make_point(a, name="甲一"), make_point(b, name="乙"), make_point(a, name="甲二")
    assert first.id < other.id < last.id
    for point in (first, other, last):
        stock(point, make_item(point.organization, name=f"毛毯{point.id}"), 2)
    login(make_user(role, org=a))
    for url in ("/staff/stock/balances", "/staff/stock/balances?end=1"):
        html = client.get(url).get_data(as_text=True)
        rows = re.findall(r"<tr[ >].*?</tr>", html.split("<tbody>", 1)[1], re.S)
        names = [re.search(r"毛毯(\d+)", r).group(1) for r in rows]
        assert sorted(names) == sorted([str(first.id), str(last.id)]), (url, names)


def test_stocktake_list_starts_inline_for_a_few_points_and_links_for_many(
        client, login, make_org, make_point, make_user):
    """The stocktake list folds the start form in while the points fit a short list; past
    charity.goods.views.stocktakes.INLINE_START_POINTS it links to the start page instead
    (an administrator's province: a thousand points in a folded select)."""
    from charity.goods.views.stocktakes import INLINE_START_POINTS

    org = make_org()
    points = [make_point(org, name=f"点{i:02d}") for i in range(INLINE_START_POINTS + 1)]
    manager = make_user("manager", org=org)
    login(make_user("volunteer", org=org, points=points[:2]))
    html = client.get("/staff/stocktakes/").get_data(as_text=True)
    assert 'name="point_id"' in html and "/staff/stocktakes/new" in html
    client.post("/logout")
    login(manager)
    html = client.get("/staff/stocktakes/").get_data(as_text=True)
    assert 'name="point_id"' not in html
    assert re.search(r'<a role="button" class="secondary" href="/staff/stocktakes/new">', html)
    start = client.get("/staff/stocktakes/new").get_data(as_text=True)
    assert start.count("<option") >= INLINE_START_POINTS + 1
