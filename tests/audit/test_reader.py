"""The auditor's screen: filters by user, action, object and date, scoped and paginated;
malformed filters are a 400 with a message, never a 500."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import record
from tests.conftest import PASSWORD


@pytest.fixture
def scene(db, make_org, make_point, make_user):
    a, b = make_org(name="甲读者会"), make_org(name="乙读者会")
    pa, pb = make_point(a, name="甲点"), make_point(b, name="乙点")
    people = {"auditor": make_user("auditor", org=a), "manager": make_user("manager", org=a),
              "other": make_user("manager", org=b)}
    db.commit()
    return {"a": a, "b": b, "pa": pa, "pb": pb, **people}


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username,
                                       "password": PASSWORD}).status_code == 302
    return client


def _rows(body: str) -> list[tuple[str, str]]:
    """(action, object) of each table row."""
    return re.findall(r"<code>([^<]+)</code></td>\s*<td[^>]*>([^<]+)</td>", body)


def test_filter_by_user_action_object(app, db, scene):
    a, manager, other = scene["a"], scene["manager"], scene["other"]
    record(db, manager, "test.reader.alpha", scene["pa"], {})
    record(db, manager, "test.reader.beta", a, {})
    record(db, other, "test.reader.alpha", scene["pb"], {})
    db.commit()
    client = _client(app, scene["auditor"])
    body = client.get(f"/staff/audit?user={manager.id}&action=test.reader.").get_data(
        as_text=True)
    assert _rows(body) == [("test.reader.beta", f"Organization #{a.id}"),
                           ("test.reader.alpha", f"CharityPoint #{scene['pa'].id}")]
    body = client.get(f"/staff/audit?type=CharityPoint&id={scene['pa'].id}").get_data(
        as_text=True)
    assert ("test.reader.alpha", f"CharityPoint #{scene['pa'].id}") in _rows(body)
    assert {obj for _, obj in _rows(body)} == {f"CharityPoint #{scene['pa'].id}"}
    # the other organisation's entries stay out, whatever the filter says
    body = client.get(f"/staff/audit?user={other.id}").get_data(as_text=True)
    assert _rows(body) == []
    # the filter form offers the organisation's own users only
    assert f'value="{manager.id}"' in body and f'value="{other.id}"' not in body


def test_action_filter_is_a_prefix_with_wildcards_taken_literally(app, db, scene):
    record(db, scene["manager"], "test.x_y", scene["a"], {})
    record(db, scene["manager"], "test.xzy", scene["a"], {})
    db.commit()
    body = _client(app, scene["auditor"]).get("/staff/audit?action=test.x_").get_data(
        as_text=True)
    assert [action for action, _ in _rows(body)] == ["test.x_y"]


def test_filter_by_dates_in_the_organisations_time_zone(app, db, scene):
    tz8 = dt.timezone(dt.timedelta(hours=8))
    # Entries cannot be updated (append-only): each is written with its time.
    for day, hour in ((1, 23), (2, 0), (3, 12)):
        entry = record(db, scene["manager"], f"test.day{day}h{hour}", scene["a"], {})
        entry.at = dt.datetime(2026, 10, day, hour, 30, tzinfo=tz8).astimezone(dt.timezone.utc)
    db.commit()
    client = _client(app, scene["auditor"])
    body = client.get("/staff/audit?action=test.day&from=2026-10-02&to=2026-10-02").get_data(
        as_text=True)
    assert [action for action, _ in _rows(body)] == ["test.day2h0"]
    body = client.get("/staff/audit?action=test.day&from=2026-10-02").get_data(as_text=True)
    assert [action for action, _ in _rows(body)] == ["test.day3h12", "test.day2h0"]


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=yesterday", "user=abc",
                                   "user=-1", "type=NoSuchThing"])
def test_malformed_filters_are_400(app, db, scene, query):
    record(db, scene["manager"], "test.any", scene["a"], {})
    db.commit()
    response = _client(app, scene["auditor"]).get(f"/staff/audit?{query}")
    assert response.status_code == 400


def test_pages_keep_the_filters(app, db, scene):
    for n in range(55):
        record(db, scene["manager"], "test.paged", scene["a"], {"n": n})
    record(db, scene["other"], "test.paged", scene["b"], {})
    db.commit()
    client = _client(app, scene["auditor"])
    first = client.get(f"/staff/audit?action=test.paged&user={scene['manager'].id}").get_data(
        as_text=True)
    assert first.count("test.paged</code>") == 50
    link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "action=test.paged" in link and f"user={scene['manager'].id}" in link
    second = client.get(link).get_data(as_text=True)
    assert second.count("test.paged</code>") == 5
    assert db.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.action == "test.paged")) == 56
