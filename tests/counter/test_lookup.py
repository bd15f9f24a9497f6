"""Find as you type at the counter: the JSON answers are scoped to a point the user works at
and its organisation, a household's private data never leaves, and without JavaScript the
plain household search still works and an empty search says so."""
import re

import pytest

from tests.goods.test_intake_views import client  # noqa: F401  (fixture)


@pytest.fixture
def world(make_org, make_point, make_user, make_item, make_household):
    mine, other = make_org(), make_org()
    point, other_point = make_point(mine), make_point(other)
    return {
        "point": point, "other_point": other_point,
        "volunteer": make_user("volunteer", org=mine, points=[point]),
        "soap": make_item(mine, name="洗衣皂", barcode="6900000000017"),
        "foreign_soap": make_item(other, name="洗衣皂（外单位）", barcode="6900000000024"),
        "household": make_household(mine, name="李建国", community="东岗社区",
                                    phone="13912340000", address="东岗路1号"),
        "foreign_household": make_household(other, name="李建华", community="东岗社区"),
    }


def ask(client, path, point, q):
    response = client.get(f"/staff/lookup/{path}?point={point.id}&q={q}")
    return response.status_code, (response.get_json() if response.is_json else None)


def test_items_by_name_or_barcode_of_the_users_organisation_only(client, login, world):
    login(world["volunteer"])
    status, answer = ask(client, "items", world["point"], "洗衣")
    assert status == 200 and [r["id"] for r in answer["results"]] == [world["soap"].id]
    _s, answer = ask(client, "items", world["point"], "690000000")
    assert [r["name"] for r in answer["results"]] == ["洗衣皂"]
    _s, answer = ask(client, "items", world["point"], "没有这种东西")
    assert answer["results"] == []
    # Another organisation's point: refused, not answered.
    assert ask(client, "items", world["other_point"], "洗衣")[0] == 403


def test_households_are_scoped_and_masked(client, login, world):
    login(world["volunteer"])
    status, answer = ask(client, "households", world["point"], "李")
    assert status == 200
    assert [r["id"] for r in answer["results"]] == [world["household"].id]
    row = answer["results"][0]
    assert set(row) == {"id", "name", "community", "active", "points_left", "points_text",
                        "url"}
    text = str(answer)
    assert "13912340000" not in text and "东岗路1号" not in text
    assert row["url"].endswith(f"beneficiary={world['household'].id}")
    assert ask(client, "households", world["other_point"], "李")[0] == 403


def test_without_javascript_the_plain_search_and_its_empty_answer(client, login, world):
    login(world["volunteer"])
    base = f"/staff/distributions/new?point={world['point'].id}"
    html = client.get(base + "&q=李建").get_data(as_text=True)
    choose = re.findall(r'<a role="button" class="([^"]*)" href="[^"]*beneficiary=(\d+)', html)
    assert [int(i) for _c, i in choose] == [world["household"].id]
    assert all("small" not in c.split() for c, _i in choose)  # a full-size tap target
    html = client.get(base + "&q=").get_data(as_text=True)
    assert "Type part of a household" in html
    html = client.get(base + "&q=无此人").get_data(as_text=True)
    assert "Nothing found" in html
    # The find-as-you-type boxes are there for the script, hidden without it.
    assert re.search(r'<input type="search" id="lines-0-item_type_id-find" hidden', html)
    assert "js/lookup.js" in html
