"""Public micro-wish pages: counts and open wishes, the claim form (honeypot, one-time token,
phone check), the claim note — and never a claimant's or household's details."""
import datetime as dt
import html as htmllib
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.system import system_actor
from charity.wishes import services
from charity.wishes.models import Wish, WishStatus

ACTOR = system_actor()


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def value_of(html, field_id):
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html).group(0)
    match = re.search(r'value="([^"]*)"', tag)
    return htmllib.unescape(match.group(1)) if match else ""


def count_of(html, element_id):
    return int(re.search(rf'id="{element_id}">(\d+)<', html).group(1))


def claim(client, wish, **changes):
    page = client.get(f"/wishes/{wish.id}/claim")
    assert page.status_code == 200
    data = {"submission_token": token_of(page.get_data(as_text=True)), "name": "王芳",
            "phone": "13909311234", "website": ""}
    data.update(changes)
    return client.post(f"/wishes/{wish.id}/claim", data=data)


@pytest.fixture
def scene(db, org, point, make_wish, make_household, intake_at):
    """Two open wishes, one claimed, one fulfilled, one cancelled; all linked to a household."""
    household = make_household(org, name="欧阳春梅", phone="13712345678")
    link = {"beneficiary_id": household.id, "note": "住三楼东户"}
    open1 = make_wish(what="一件冬衣", tag="留守儿童", age="8", **link)
    open2 = make_wish(what="一个书包", tag="困境儿童", age="", **link)
    claimed = make_wish(what="一床棉被", tag="孤寡老人", **link)
    services.claim_wish(db, claimed.id, "慕容雪", "13600001111")
    done = make_wish(what="一双棉鞋", tag="空巢老人", **link)
    services.claim_wish(db, done.id, "司马光", "0931-8400999")
    db.refresh(done)
    services.fulfil_wish(ACTOR, db, done, intake_at(point).id)
    cancelled = make_wish(what="一台电暖器", **link)
    services.cancel_wish(ACTOR, db, cancelled, "已由民政解决")
    db.commit()
    return {"open": [open1, open2], "claimed": claimed, "done": done, "household": household}


PRIVATE = ("欧阳春梅", "13712345678", "住三楼东户", "慕容雪", "13600001111", "司马光",
           "8400999", "已由民政解决")


def test_list_counts_and_open_wishes(client, scene):
    response = client.get("/wishes/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (count_of(html, "count-open"), count_of(html, "count-claimed"),
            count_of(html, "count-year"), count_of(html, "count-all")) == (2, 1, 1, 1)
    assert "一件冬衣 · 留守儿童 · 8 years old" in html
    assert "一个书包 · 困境儿童" in html
    assert f"/wishes/{scene['open'][0].id}/claim" in html
    assert f"/wishes/{scene['claimed'].id}/claim" not in html  # claimed: not offered
    assert "一双棉鞋 · 空巢老人" in html  # recently fulfilled
    assert "一台电暖器" not in html
    for private in PRIVATE:
        assert private not in html


def test_public_pages_never_show_private_data(client, db, scene):
    ref = db.get(Wish, scene["claimed"].id).claim_ref
    pages = ["/wishes/", f"/wishes/{scene['open'][0].id}/claim",
             f"/wishes/{scene['claimed'].id}/claim", f"/wishes/{scene['done'].id}/claim",
             f"/wishes/claimed/{ref}", f"/wishes/claimed/{scene['done'].claim_ref}",
             "/wishes/?lang=zh_CN"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for private in PRIVATE:
            assert private not in html, (url, private)
        assert f"beneficiar" not in html


def test_count_of_this_year_uses_fulfilment_time(db, org, point, make_wish, intake_at):
    from charity.wishes.queries import public

    wish = make_wish()
    last_year = dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.timezone.utc)  # 23:59 in 兰州
    services.fulfil_wish(ACTOR, db, wish, intake_at(point).id, now=last_year)
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    c = public.counts(db, org.id, None, "Asia/Shanghai", now=now)
    assert (c.open, c.claimed, c.fulfilled_this_year, c.fulfilled_all, c.year) == (
        0, 0, 0, 1, 2026)
    wish.fulfilled_at = dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.timezone.utc)  # 2026 there
    db.flush()
    assert public.counts(db, org.id, None, "Asia/Shanghai", now=now).fulfilled_this_year == 1


def test_filters_and_bad_parameters(client, scene, make_point, make_wish, org):
    second = make_point(org, name="雁滩慈善超市")
    make_wish(at=second, what="一套文具")
    html = client.get(f"/wishes/?point={second.id}").get_data(as_text=True)
    assert "一套文具" in html and "一件冬衣" not in html
    assert count_of(html, "count-open") == 1
    html = client.get(f"/wishes/?org={org.id}").get_data(as_text=True)
    assert count_of(html, "count-open") == 3
    for bad in ("?org=abc", "?point=-1", "?org=99999999999", "?point=1.5"):
        response = client.get(f"/wishes/{bad}")
        assert response.status_code == 400, bad
    assert client.get("/wishes/?page=abc").status_code == 200
    assert client.get("/wishes/999999/claim").status_code == 404
    assert client.get("/wishes/claimed/WNOTHERE").status_code == 404


def test_claim_gives_a_reference_and_what_to_do(client, db, scene, point):
    wish = scene["open"][0]
    response = claim(client, wish, phone="139 0931 1234")
    assert response.status_code == 302
    ref = db.get(Wish, wish.id, populate_existing=True).claim_ref
    assert response.location.endswith(f"/wishes/claimed/{ref}")
    stored = db.get(Wish, wish.id)
    assert (stored.status, stored.claimant_name, stored.claimant_phone) == (
        WishStatus.CLAIMED, "王芳", "13909311234")
    html = client.get(response.location).get_data(as_text=True)
    assert ref in html
    assert "Bring it to 张掖路慈善超市 during its opening hours." in html
    assert "周一至周六 09:00-18:00" in html and "张掖路56号" in html
    assert "王芳" not in html and "13909311234" not in html


def test_double_submit_claims_once(client, db, scene):
    wish = scene["open"][0]
    page = client.get(f"/wishes/{wish.id}/claim").get_data(as_text=True)
    data = {"submission_token": token_of(page), "name": "王芳", "phone": "13909311234"}
    first = client.post(f"/wishes/{wish.id}/claim", data=data)
    second = client.post(f"/wishes/{wish.id}/claim", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Wish.id)).where(
        Wish.status == WishStatus.CLAIMED)) == 2  # the scene's one and this one


def test_bad_phone_keeps_what_was_typed(client, db, scene):
    wish = scene["open"][0]
    response = claim(client, wish, name="王芳", phone="12345")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_of(html, "phone") == ("Enter a mobile number (11 digits) or a landline "
                                       "with its area code, e.g. 0931-8412345.")
    assert value_of(html, "name") == "王芳" and value_of(html, "phone") == "12345"
    assert db.get(Wish, wish.id, populate_existing=True).status == WishStatus.OPEN
    response = claim(client, wish, name="", phone="13909311234")
    assert response.status_code == 400
    assert error_of(response.get_data(as_text=True), "name") == "Enter your name."


def test_honeypot_saves_nothing(client, db, scene):
    wish = scene["open"][0]
    response = claim(client, wish, website="http://spam.example")
    assert response.status_code == 400
    assert db.get(Wish, wish.id, populate_existing=True).status == WishStatus.OPEN


def test_claiming_a_taken_wish_is_answered_kindly(client, db, scene):
    page = client.get(f"/wishes/{scene['claimed'].id}/claim").get_data(as_text=True)
    assert "This wish is no longer open" in page and 'name="phone"' not in page
    # Someone claims between the form and the post: the second claimant is told, kept calm.
    wish = scene["open"][0]
    form = client.get(f"/wishes/{wish.id}/claim").get_data(as_text=True)
    services.claim_wish(db, wish.id, "张三", "13800138000")
    db.commit()
    response = client.post(f"/wishes/{wish.id}/claim", data={
        "submission_token": token_of(form), "name": "王芳", "phone": "13909311234"})
    assert response.status_code == 409
    assert "This wish is no longer open" in response.get_data(as_text=True)
    assert db.get(Wish, wish.id, populate_existing=True).claimant_name == "张三"


def test_rate_limit_per_address(client, db, make_wish, app):
    app.config["CHARITY_WISH_CLAIM_RATE_LIMIT"] = 2
    try:
        wishes = [make_wish(what=f"冬衣{i}") for i in range(3)]
        assert claim(client, wishes[0]).status_code == 302
        assert claim(client, wishes[1]).status_code == 302
        response = claim(client, wishes[2])
        assert response.status_code == 429
        assert db.get(Wish, wishes[2].id, populate_existing=True).status == WishStatus.OPEN
    finally:
        del app.config["CHARITY_WISH_CLAIM_RATE_LIMIT"]


def test_wishes_of_closed_points_and_inactive_organisations_are_hidden(client, db, make_wish,
                                                                      point, org):
    wish = make_wish()
    point.active = False
    db.commit()
    assert "一件冬衣" not in client.get("/wishes/").get_data(as_text=True)
    assert client.get(f"/wishes/{wish.id}/claim").status_code == 404
    point.active = True
    org.active = False
    db.commit()
    assert client.get(f"/wishes/{wish.id}/claim").status_code == 404


def test_claim_limit_is_counted_in_the_database_across_processes(db, make_wish, app, make_app):
    """Issue 16: the limit was kept in each process's memory, so N workers allowed N times
    the limit. Two app objects (as two worker processes) now share one count, and the table
    holds the address only as the audit log's keyed hash."""
    from charity.audit.services import address_hash
    from charity.auth.models import RateHit

    wishes = [make_wish(what=f"冬衣{i}") for i in range(3)]
    other = make_app(WISH_CLAIM_RATE_LIMIT=2)
    app.config["CHARITY_WISH_CLAIM_RATE_LIMIT"] = 2
    try:
        first = FreshClient(app, app.response_class, use_cookies=True)
        second = FreshClient(other, other.response_class, use_cookies=True)
        assert claim(first, wishes[0]).status_code == 302
        assert claim(second, wishes[1]).status_code == 302
        assert claim(first, wishes[2]).status_code == 429
        assert claim(second, wishes[2]).status_code == 429
    finally:
        del app.config["CHARITY_WISH_CLAIM_RATE_LIMIT"]
    stored = db.scalars(sa.select(RateHit.address_hash).where(
        RateHit.bucket == "wish_claim_rate")).all()
    assert stored == [address_hash("127.0.0.1", app.config["CHARITY_ID_HASH_KEY"])] * 2
