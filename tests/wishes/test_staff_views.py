"""Staff screens: post (with the personal-data guard, keeping what was typed), edit while
open, list filters, and the steps fulfil / release / cancel from the detail page."""
import html as htmllib
import re

import pytest
import sqlalchemy as sa

from charity.core.system import system_actor
from charity.wishes import services
from charity.wishes.models import Wish, WishStatus

ACTOR = system_actor()


@pytest.fixture
def manager(make_user, org, login, client):
    user = make_user("manager", org=org)
    client.get("/?lang=en")
    login(user)
    return user


def token_of(html, prefix=""):
    name = f"{prefix}-submission_token" if prefix else "submission_token"
    marker = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def value_of(html, field_id):
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html).group(0)
    match = re.search(r'value="([^"]*)"', tag)
    return htmllib.unescape(match.group(1)) if match else ""


def count(db):
    return db.scalar(sa.select(sa.func.count(Wish.id)))


def post_new(client, point, **changes):
    page = client.get("/staff/wishes/new").get_data(as_text=True)
    data = {"submission_token": token_of(page), "point_id": str(point.id), "what": "一件冬衣",
            "tag": "留守儿童", "age": "8", "quantity": "1", "unit": "件"}
    data.update(changes)
    return client.post("/staff/wishes/new", data=data)


def test_post_a_wish(client, db, manager, point, make_household, org):
    household = make_household(org)
    response = post_new(client, point, beneficiary_id=str(household.id), note="三楼")
    assert response.status_code == 302
    wish = db.scalar(sa.select(Wish))
    assert response.location.endswith(f"/staff/wishes/{wish.id}")
    assert (wish.what, wish.tag, wish.age, wish.unit, wish.point_id, wish.beneficiary_id,
            wish.note, wish.created_by_id) == (
        "一件冬衣", "留守儿童", 8, "件", point.id, household.id, "三楼", manager.id)
    html = client.get(response.location).get_data(as_text=True)
    assert "一件冬衣 · 留守儿童 · 8 years old" in html and household.name in html


def test_personal_data_is_refused_and_typing_kept(client, db, manager, point):
    response = post_new(client, point, what="冬衣 联系人13912345678", tag="身份证62010219800101123X",
                        age="八")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(html, "what") == "This text is public: remove the phone number."
    assert value_of(html, "what") == "冬衣 联系人13912345678"
    assert value_of(html, "tag") == "身份证62010219800101123X"
    assert value_of(html, "age") == "八"
    assert count(db) == 0
    response = post_new(client, point, tag="身份证62010219800101123X")
    assert error_of(response.get_data(as_text=True), "tag") == (
        "This text is public: remove the ID number.")
    response = post_new(client, point, age="130")
    assert error_of(response.get_data(as_text=True), "age") == (
        "An age is a whole number from 0 to 120.")
    assert count(db) == 0


def test_double_post_creates_one(client, db, manager, point):
    page = client.get("/staff/wishes/new").get_data(as_text=True)
    data = {"submission_token": token_of(page), "point_id": str(point.id), "what": "书包"}
    first = client.post("/staff/wishes/new", data=data)
    second = client.post("/staff/wishes/new", data=data)
    assert first.location == second.location
    assert count(db) == 1


def test_edit_only_while_open(client, db, manager, make_wish):
    wish = make_wish()
    page = client.get(f"/staff/wishes/{wish.id}/edit").get_data(as_text=True)
    assert value_of(page, "what") == "一件冬衣" and value_of(page, "age") == "8"
    response = client.post(f"/staff/wishes/{wish.id}/edit", data={
        "point_id": str(wish.point_id), "what": "两件冬衣", "tag": "留守儿童", "age": "9",
        "quantity": "2", "unit": "件"})
    assert response.status_code == 302
    db.refresh(wish)
    assert (wish.what, wish.age, wish.quantity) == ("两件冬衣", 9, 2)
    services.claim_wish(db, wish.id, "王芳", "13909311234")
    db.commit()
    response = client.get(f"/staff/wishes/{wish.id}/edit")
    assert response.status_code == 302 and response.location.endswith(f"/staff/wishes/{wish.id}")


def test_list_filters_and_search(client, db, manager, make_wish):
    a = make_wish(what="一件冬衣")
    b = make_wish(what="一个书包")
    services.claim_wish(db, b.id, "慕容雪", "13600001111")
    db.commit()
    html = client.get("/staff/wishes?status=claimed").get_data(as_text=True)
    assert "一个书包" in html and "一件冬衣" not in html
    html = client.get("/staff/wishes?q=慕容").get_data(as_text=True)
    assert "一个书包" in html and "一件冬衣" not in html
    html = client.get("/staff/wishes").get_data(as_text=True)
    assert f"/staff/wishes/{a.id}" in html and f"/staff/wishes/{b.id}" in html
    assert client.get("/staff/wishes?status=bogus").status_code == 400
    assert client.get("/staff/wishes?point=x").status_code == 400
    assert client.get("/staff/wishes/999999").status_code == 404


def test_detail_shows_claimant_to_staff(client, db, manager, make_wish):
    wish = make_wish()
    ref = services.claim_wish(db, wish.id, "慕容雪", "13600001111")
    db.commit()
    html = client.get(f"/staff/wishes/{wish.id}").get_data(as_text=True)
    assert "慕容雪" in html and "13600001111" in html and ref in html


def test_fulfil_from_the_detail_page(client, db, manager, make_wish, point, intake_at,
                                     make_org, make_point):
    wish = make_wish()
    own = intake_at(point)
    foreign = intake_at(make_point(make_org()))
    page = client.get(f"/staff/wishes/{wish.id}").get_data(as_text=True)
    assert f'<option value="{own.id}">' in page
    assert f'value="{foreign.id}"' not in page
    response = client.post(f"/staff/wishes/{wish.id}/fulfil", data={
        "fulfil-submission_token": token_of(page, "fulfil"), "fulfil-intake_no": str(foreign.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_of(html, "fulfil-intake_no") == "Unknown intake of this organisation."
    assert value_of(html, "fulfil-intake_no") == str(foreign.id)
    assert db.get(Wish, wish.id, populate_existing=True).status == WishStatus.OPEN
    response = client.post(f"/staff/wishes/{wish.id}/fulfil", data={
        "fulfil-submission_token": token_of(html, "fulfil"), "fulfil-intake_id": str(own.id)})
    assert response.status_code == 302
    stored = db.get(Wish, wish.id, populate_existing=True)
    assert (stored.status, stored.intake_id, stored.fulfilled_by_id) == (
        WishStatus.FULFILLED, own.id, manager.id)


def test_release_and_cancel(client, db, manager, make_wish):
    wish = make_wish()
    services.claim_wish(db, wish.id, "王芳", "13909311234")
    db.commit()
    page = client.get(f"/staff/wishes/{wish.id}").get_data(as_text=True)
    response = client.post(f"/staff/wishes/{wish.id}/release", data={
        "release-submission_token": token_of(page, "release"), "release-reason": ""})
    assert response.status_code == 400
    assert error_of(response.get_data(as_text=True), "release-reason") == "Give a reason."
    response = client.post(f"/staff/wishes/{wish.id}/release", data={
        "release-submission_token": token_of(page, "release"), "release-reason": "联系不上"})
    assert response.status_code == 302
    stored = db.get(Wish, wish.id, populate_existing=True)
    assert (stored.status, stored.claimant_phone, stored.released_by_id) == (
        WishStatus.OPEN, "", manager.id)
    page = client.get(f"/staff/wishes/{wish.id}").get_data(as_text=True)
    assert 'name="release-reason"' not in page  # nothing to release now
    response = client.post(f"/staff/wishes/{wish.id}/cancel", data={
        "cancel-submission_token": token_of(page, "cancel"), "cancel-reason": "需求已满足"})
    assert response.status_code == 302
    assert db.get(Wish, wish.id, populate_existing=True).status == WishStatus.CANCELLED
    # An illegal step posted anyway is refused with the reason, nothing changes.
    response = client.post(f"/staff/wishes/{wish.id}/release", data={
        "release-submission_token": "t-late", "release-reason": "再次释放"})
    assert response.status_code == 400
    assert "not possible" in response.get_data(as_text=True)
    assert db.get(Wish, wish.id, populate_existing=True).status == WishStatus.CANCELLED


def test_volunteer_and_auditor(client, db, make_user, login, org, point, make_point, make_wish):
    other = make_wish(at=make_point(org), what="别处的心愿")
    mine = make_wish(what="本站心愿")
    volunteer = make_user("volunteer", org=org, points=[point])
    login(volunteer)
    html = client.get("/staff/wishes").get_data(as_text=True)
    assert "本站心愿" in html and "别处的心愿" not in html
    assert client.get(f"/staff/wishes/{other.id}").status_code == 403
    assert client.get(f"/staff/wishes/{mine.id}/edit").status_code == 200
    client.post("/logout")
    auditor = make_user("auditor", org=org)
    login(auditor)
    html = client.get(f"/staff/wishes/{mine.id}").get_data(as_text=True)
    assert "本站心愿" in html and 'name="cancel-reason"' not in html
    assert client.post(f"/staff/wishes/{mine.id}/cancel").status_code == 403


def test_admin_chooses_the_organisation(client, db, make_user, login, org, point):
    login(make_user("admin"))
    page = client.get("/staff/wishes/new").get_data(as_text=True)
    data = {"submission_token": token_of(page), "point_id": str(point.id), "what": "书包",
            "organization_id": "x"}
    response = client.post("/staff/wishes/new", data=data)
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "organization_id") is not None
    assert count(db) == 0
    response = client.post("/staff/wishes/new", data=dict(data, organization_id=str(org.id)))
    assert response.status_code == 302
    assert db.scalar(sa.select(Wish.organization_id)) == org.id
