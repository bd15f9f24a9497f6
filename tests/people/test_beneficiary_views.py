"""Household screens: registration with a checked, write-only ID number; private data by
role; re-certification reminders; erasure on request keeps the distributions."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.goods.services.distributions import post_distribution
from charity.goods.models import Distribution
from charity.people.identity import make_id
from charity.people.models import Beneficiary
from charity.core.system import system_actor

PHONE = "13912345678"
ADDRESS = "甘肃省兰州市城关区张掖路88号2单元301"
ID_NUMBER = make_id("62010219750315002")


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def today(org):
    return org_today(org)


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def volunteer(make_user, org, point):
    return make_user("volunteer", org=org, points=[point])


@pytest.fixture
def auditor(make_user, org):
    return make_user("auditor", org=org)


@pytest.fixture
def household(make_household, org, today):
    return make_household(org, name="王秀兰", phone=PHONE, address=ADDRESS, id_number=ID_NUMBER,
                          certified_until=today + dt.timedelta(days=200))


def count(db):
    return db.scalar(sa.select(sa.func.count(Beneficiary.id)))


def token_of(html):
    tag = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def error_of(html, field_id):
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', html)
    return match.group(1) if match else None


def new_data(client, org, **overrides):
    page = client.get("/staff/beneficiaries/new")
    assert page.status_code == 200
    data = {"submission_token": token_of(page.get_data(as_text=True)),
            "organization_id": str(org.id), "name": "赵桂英", "categories": ["solitary_elderly",
                                                                           "dibao"],
            "members": "1", "community": "雁滩社区", "phone": PHONE, "address": ADDRESS,
            "id_number": ID_NUMBER, "certified_until": "2027-12-31", "monthly_points": "80",
            "consent_note": "书面同意书存档", "consent_on": "2026-11-01"}
    data.update(overrides)
    return data


def test_manager_registers_a_household_with_a_valid_id(client, login, db, manager, org):
    login(manager)
    response = client.post("/staff/beneficiaries/new", data=new_data(client, org))
    assert response.status_code == 302
    b = db.scalar(sa.select(Beneficiary))
    assert response.location.endswith(f"/staff/beneficiaries/{b.id}")
    assert b.name == "赵桂英" and b.categories == ["dibao", "solitary_elderly"]
    assert b.monthly_points == 80 and b.certified_until == dt.date(2027, 12, 31)
    assert b.id_number_last4 == ID_NUMBER[-4:] and b.id_number_hash
    # The number itself is stored nowhere.
    row = db.execute(sa.select(Beneficiary.__table__)).one()._mapping
    assert not any(ID_NUMBER in str(value) for value in row.values())
    # The edit form never shows it, only its last four characters.
    edit = client.get(f"/staff/beneficiaries/{b.id}/edit").get_data(as_text=True)
    assert ID_NUMBER not in edit
    assert f"Registered, ending in {ID_NUMBER[-4:]}" in edit
    assert re.search(r'<input[^>]*name="id_number"[^>]*value=""', edit)


def test_wrong_check_character_is_refused_next_to_the_field(client, login, db, manager, org):
    login(manager)
    wrong = ID_NUMBER[:-1] + ("1" if ID_NUMBER[-1] != "1" else "2")
    before = count(db)
    response = client.post("/staff/beneficiaries/new", data=new_data(client, org, id_number=wrong))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Not a valid resident ID number" in error_of(html, "id_number")
    assert 'value="赵桂英"' in html  # the typing is kept
    assert count(db) == before


def test_duplicate_id_is_refused(client, login, db, manager, org, household):
    login(manager)
    before = count(db)
    response = client.post("/staff/beneficiaries/new",
                           data=new_data(client, org, id_number=ID_NUMBER.lower()))
    assert response.status_code == 200
    assert "already registered" in error_of(response.get_data(as_text=True), "id_number")
    assert count(db) == before


def test_double_submit_registers_once(client, login, db, manager, org):
    login(manager)
    data = new_data(client, org)
    first = client.post("/staff/beneficiaries/new", data=data)
    second = client.post("/staff/beneficiaries/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location and count(db) == 1


def test_a_category_is_required(client, login, db, manager, org):
    login(manager)
    data = new_data(client, org)
    data.pop("categories")
    response = client.post("/staff/beneficiaries/new", data=data)
    assert response.status_code == 200
    assert "Choose at least one category." in error_of(response.get_data(as_text=True),
                                                       "categories")
    assert count(db) == 0


def test_volunteer_sees_masked_phone_and_no_address_or_id(client, login, household, volunteer):
    login(volunteer)
    for url in (f"/staff/beneficiaries/{household.id}", "/staff/beneficiaries/",
                f"/staff/beneficiaries/?q={household.name}"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert household.name in html
        assert PHONE not in html and ADDRESS not in html and ID_NUMBER not in html
        assert household.masked_phone in html
    detail = client.get(f"/staff/beneficiaries/{household.id}").get_data(as_text=True)
    assert household.masked_id_number in detail and household.community in detail
    assert "Points left this month" in detail


def test_volunteer_cannot_search_by_phone_or_id(client, login, household, volunteer, manager):
    login(volunteer)
    for term in (PHONE, PHONE[-4:], ID_NUMBER[-4:]):
        html = client.get(f"/staff/beneficiaries/?q={term}").get_data(as_text=True)
        assert f"/staff/beneficiaries/{household.id}" not in html
    client.post("/logout")
    login(manager)
    html = client.get(f"/staff/beneficiaries/?q={ID_NUMBER[-4:]}").get_data(as_text=True)
    assert f"/staff/beneficiaries/{household.id}" in html


def test_auditor_sees_phone_and_address(client, login, household, auditor):
    login(auditor)
    html = client.get(f"/staff/beneficiaries/{household.id}").get_data(as_text=True)
    assert PHONE in html and ADDRESS in html
    assert ID_NUMBER not in html and household.masked_id_number in html
    assert client.get(f"/staff/beneficiaries/{household.id}/edit").status_code == 403


def test_volunteer_cannot_register_edit_deactivate_or_erase(client, login, db, household,
                                                            volunteer, org):
    login(volunteer)
    assert client.get("/staff/beneficiaries/new").status_code == 403
    assert client.post("/staff/beneficiaries/new", data={
        "organization_id": str(org.id), "name": "X", "categories": ["other"],
        "members": "1"}).status_code == 403
    assert client.post(f"/staff/beneficiaries/{household.id}/edit",
                       data={"name": "改名", "categories": ["other"],
                             "members": "1"}).status_code == 403
    assert client.post(f"/staff/beneficiaries/{household.id}/active",
                       data={"active": "0"}).status_code == 403
    assert client.post(f"/staff/beneficiaries/{household.id}/erase",
                       data={"confirm": "y"}).status_code == 403
    db.expire_all()
    b = db.get(Beneficiary, household.id)
    assert b.name == "王秀兰" and b.active and b.erased_at is None and count(db) == 1


def test_other_organisations_household_is_forbidden(client, login, make_household, make_org,
                                                    manager):
    foreign = make_household(make_org())
    login(manager)
    assert client.get(f"/staff/beneficiaries/{foreign.id}").status_code == 403
    assert foreign.name not in client.get("/staff/beneficiaries/").get_data(as_text=True)


def test_edit_keeps_the_id_when_left_empty_and_replaces_it_when_typed(client, login, db,
                                                                       household, manager):
    login(manager)
    old_hash = household.id_number_hash
    data = {"name": "王秀兰", "categories": ["dibao"], "members": "2", "community": "新社区",
            "phone": PHONE, "address": ADDRESS, "id_number": "",
            "certified_until": "2027-06-30", "monthly_points": "50"}
    assert client.post(f"/staff/beneficiaries/{household.id}/edit",
                       data=data).status_code == 302
    db.expire_all()
    b = db.get(Beneficiary, household.id)
    assert b.community == "新社区" and b.members == 2 and b.id_number_hash == old_hash
    other = make_id("62010219800101123")
    assert client.post(f"/staff/beneficiaries/{household.id}/edit",
                       data={**data, "id_number": other}).status_code == 302
    db.expire_all()
    b = db.get(Beneficiary, household.id)
    assert b.id_number_hash != old_hash and b.id_number_last4 == other[-4:]


def test_deactivate_and_reactivate(client, login, db, household, manager):
    login(manager)
    assert client.post(f"/staff/beneficiaries/{household.id}/active",
                       data={"active": "0"}).status_code == 302
    db.expire_all()
    assert db.get(Beneficiary, household.id).active is False
    client.post(f"/staff/beneficiaries/{household.id}/active", data={"active": "1"})
    db.expire_all()
    assert db.get(Beneficiary, household.id).active is True


def test_erase_removes_identity_and_keeps_distributions(client, login, db, household, manager,
                                                        point, make_item, stock, today):
    coat = make_item(point.organization)
    stock(point, coat, 3)
    dist = post_distribution(system_actor(), db, point, {
        "beneficiary_id": household.id, "lines": [{"item_type_id": coat.id, "quantity": "1"}]},
        today=today)
    login(manager)
    page = client.get(f"/staff/beneficiaries/{household.id}/erase")
    assert page.status_code == 200
    unconfirmed = client.post(f"/staff/beneficiaries/{household.id}/erase", data={})
    assert unconfirmed.status_code == 200
    assert error_of(unconfirmed.get_data(as_text=True), "confirm")
    db.expire_all()
    assert db.get(Beneficiary, household.id).erased_at is None
    done = client.post(f"/staff/beneficiaries/{household.id}/erase", data={"confirm": "y"})
    assert done.status_code == 302
    db.expire_all()
    b = db.get(Beneficiary, household.id)
    assert b.erased_at is not None and not b.active
    assert "王秀兰" not in b.name and b.phone == "" and b.address == ""
    assert b.id_number_hash is None and b.id_number_last4 == ""
    kept = db.get(Distribution, dist.id)
    assert kept is not None and kept.beneficiary_id == household.id
    html = client.get(f"/staff/beneficiaries/{household.id}").get_data(as_text=True)
    assert "王秀兰" not in html and PHONE not in html and ADDRESS not in html
    assert f"/staff/distributions/{dist.id}" in html  # the history stays
    assert client.get(f"/staff/beneficiaries/{household.id}/edit").status_code == 302


def test_reminder_box_and_certification_filters(client, login, make_household, org, today,
                                                manager):
    ending = make_household(org, name="即将到期户", certified_until=today + dt.timedelta(days=10))
    ended = make_household(org, name="已经到期户", certified_until=today - dt.timedelta(days=3))
    fine = make_household(org, name="认定有效户", certified_until=today + dt.timedelta(days=120))
    login(manager)
    html = client.get("/staff/beneficiaries/").get_data(as_text=True)
    box = html[html.index("Re-certification due"):html.index('role="search"')]
    assert ending.name in box and ended.name in box and fine.name not in box
    expiring = client.get("/staff/beneficiaries/?cert=expiring").get_data(as_text=True)
    table = expiring[expiring.index("<tbody>"):]
    assert ending.name in table and ended.name not in table and fine.name not in table
    expired = client.get("/staff/beneficiaries/?cert=expired").get_data(as_text=True)
    table = expired[expired.index("<tbody>"):]
    assert ended.name in table and ending.name not in table


def test_category_filter(client, login, make_household, org, manager):
    child = make_household(org, name="留守儿童户", categories=["left_behind_child"])
    disabled = make_household(org, name="残疾人户", categories=["disabled", "dibao"])
    login(manager)
    html = client.get("/staff/beneficiaries/?category=disabled").get_data(as_text=True)
    table = html[html.index("<tbody>"):]
    assert disabled.name in table and child.name not in table
    assert "残疾人" in table and "低保" in table  # the categories' Chinese names
