"""Donor screens: consent starts off, private fields masked for volunteers, bad input is
answered on the form with the typing kept, a double submission registers once."""
import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.funds.services import ledger
from charity.people.models import Donor
from tests.factories_funds import TODAY
from tests.pager import rel_link

PHONE = "13800001111"
ID_CODE = "620102199001011234"
ADDRESS = "甘肃省兰州市城关区幸福路12号3单元"


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production (the `db` fixture keeps one
    pushed, so Flask-Login's cached user in `g` would otherwise leak between requests)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")  # assert on the English msgids; zh_CN is translated later
    return c


@pytest.fixture
def org(fundraising_org):
    return fundraising_org


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def volunteer(make_user, make_point, org):
    return make_user("volunteer", org=org, points=[make_point(org)])


@pytest.fixture
def donor(make_donor):
    return make_donor(address=ADDRESS)


def input_tag(html, name):
    """The whole <input …> tag of the field called `name`."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def count(db):
    return db.scalar(sa.select(sa.func.count(Donor.id)))


def new_form(client):
    """GET the new-donor form and return its one-time token."""
    page = client.get("/staff/donors/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    marker = 'name="submission_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html, html[start:html.index('"', start)]


def test_consent_checkboxes_start_unticked_and_donor_is_not_published(client, login, db,
                                                                      manager, org):
    login(manager)
    html, token = new_form(client)
    for name in ("publish_name", "publish_address", "publish_contact", "related_party"):
        assert "checked" not in input_tag(html, name), name
    response = client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "person",
        "name": "李四", "phone": "13912345678"})
    assert response.status_code == 302
    donor = db.scalar(sa.select(Donor).where(Donor.name == "李四"))
    assert (donor.publish_name, donor.publish_address, donor.publish_contact) == (
        False, False, False)
    assert donor.public_name == "爱心人士"
    assert response.location.endswith(f"/staff/donors/{donor.id}")


def test_consent_is_recorded_field_by_field(client, login, db, manager, org):
    login(manager)
    _, token = new_form(client)
    client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "organization",
        "name": "兰州某公司", "publish_name": "y"})
    donor = db.scalar(sa.select(Donor).where(Donor.name == "兰州某公司"))
    assert donor.kind.value == "organization"
    assert (donor.publish_name, donor.publish_address, donor.publish_contact) == (
        True, False, False)


def test_volunteer_may_register_but_not_edit(client, login, db, volunteer, org, donor):
    login(volunteer)
    _, token = new_form(client)
    response = client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "person",
        "name": "赵六"})
    assert response.status_code == 302
    assert db.scalar(sa.select(Donor).where(Donor.name == "赵六")) is not None
    assert client.get(f"/staff/donors/{donor.id}/edit").status_code == 403
    response = client.post(f"/staff/donors/{donor.id}/edit",
                           data={"kind": "person", "name": "改名"})
    assert response.status_code == 403
    assert db.get(Donor, donor.id).name == "张三"


def test_volunteer_sees_private_fields_masked(client, login, volunteer, donor):
    login(volunteer)
    listing = client.get("/staff/donors/").get_data(as_text=True)
    assert "138****1111" in listing
    assert PHONE not in listing
    detail = client.get(f"/staff/donors/{donor.id}").get_data(as_text=True)
    assert "6201**********1234" in detail
    assert ID_CODE not in detail and PHONE not in detail
    assert "甘肃省兰州市" in detail and ADDRESS not in detail


def test_manager_sees_private_fields(client, login, manager, donor):
    login(manager)
    assert PHONE in client.get("/staff/donors/").get_data(as_text=True)
    detail = client.get(f"/staff/donors/{donor.id}").get_data(as_text=True)
    assert ID_CODE in detail and PHONE in detail and ADDRESS in detail


def test_search_by_name_or_phone_and_kind_filter(client, login, manager, make_donor):
    make_donor(name="王大明", phone="13711112222")
    make_donor(name="兰州爱心企业", phone="09318888888", kind="organization", id_code="")
    login(manager)
    by_phone = client.get("/staff/donors/?q=1371111").get_data(as_text=True)
    assert "王大明" in by_phone and "兰州爱心企业" not in by_phone
    by_name = client.get("/staff/donors/?q=爱心").get_data(as_text=True)
    assert "兰州爱心企业" in by_name and "王大明" not in by_name
    orgs_only = client.get("/staff/donors/?kind=organization").get_data(as_text=True)
    assert "兰州爱心企业" in orgs_only and "王大明" not in orgs_only
    # LIKE wildcards are literal: "%" finds nothing rather than everyone.
    assert "王大明" not in client.get("/staff/donors/?q=%25").get_data(as_text=True)


def test_list_is_paginated(client, login, manager, make_donor, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHARITY_PAGE_SIZE", 2)
    for name in ("甲", "乙", "丙"):
        make_donor(name=name)
    login(manager)
    first = client.get("/staff/donors/").get_data(as_text=True)
    second = client.get(rel_link(first, "next")).get_data(as_text=True)
    assert "丙" in first + second and rel_link(second, "next") is None
    assert rel_link(second, "prev") is not None


def test_missing_name_keeps_what_was_typed(client, login, db, manager, org):
    login(manager)
    _, token = new_form(client)
    before = count(db)
    response = client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "person", "name": "",
        "phone": "13912345678", "address": "兰州市七里河区", "publish_contact": "y"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    assert 'value="13912345678"' in html and 'value="兰州市七里河区"' in html
    assert "checked" in input_tag(html, "publish_contact")
    assert "checked" not in input_tag(html, "publish_name")
    assert count(db) == before


def test_service_refusal_is_shown_next_to_the_field(client, login, db, manager, org):
    login(manager)
    _, token = new_form(client)
    before = count(db)
    response = client.post("/staff/donors/new", data={
        "submission_token": token, "organization_id": org.id, "kind": "person",
        "name": "钱七", "id_code": "6201-0219"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = html[html.index('id="id_code-error"'):][:200]
    assert "Only letters and digits." in error
    assert 'value="钱七"' in html and 'value="6201-0219"' in html
    assert count(db) == before


@pytest.mark.parametrize("field,value", [("kind", "robot"), ("organization_id", "999999"),
                                         ("name", "名" * 201)])
def test_bad_choices_and_lengths_are_answered_on_the_form(client, login, db, manager, org,
                                                          field, value):
    login(manager)
    _, token = new_form(client)
    data = {"submission_token": token, "organization_id": org.id, "kind": "person",
            "name": "孙八"}
    data[field] = value
    before = count(db)
    response = client.post("/staff/donors/new", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True) or field == "organization_id"
    assert count(db) == before


def test_double_submission_registers_once(client, login, db, manager, org):
    login(manager)
    _, token = new_form(client)
    data = {"submission_token": token, "organization_id": org.id, "kind": "person",
            "name": "周九"}
    first = client.post("/staff/donors/new", data=data)
    second = client.post("/staff/donors/new", data=data)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert db.scalar(sa.select(sa.func.count(Donor.id)).where(Donor.name == "周九")) == 1


def test_manager_edits_consent_and_details(client, login, db, manager, donor):
    login(manager)
    page = client.get(f"/staff/donors/{donor.id}/edit").get_data(as_text=True)
    assert f'value="{PHONE}"' in page  # a manager edits the real values
    response = client.post(f"/staff/donors/{donor.id}/edit", data={
        "kind": "person", "name": "张三丰", "phone": PHONE, "id_code": ID_CODE,
        "address": ADDRESS, "publish_name": "y", "related_party": "y"})
    assert response.status_code == 302
    donor = db.get(Donor, donor.id)
    assert donor.name == "张三丰" and donor.publish_name and donor.related_party
    assert not donor.publish_address and not donor.publish_contact


def test_edit_with_bad_input_keeps_typing_and_changes_nothing(client, login, db, manager,
                                                              donor):
    login(manager)
    response = client.post(f"/staff/donors/{donor.id}/edit", data={
        "kind": "person", "name": "", "phone": "13000000000", "note": "新的备注"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and 'value="13000000000"' in html and "新的备注" in html
    fresh = db.get(Donor, donor.id)
    db.refresh(fresh)
    assert (fresh.name, fresh.phone, fresh.note) == ("张三", PHONE, "")


def test_other_organisations_donor_is_forbidden(client, login, make_user, make_org, donor):
    outsider = make_user("manager", org=make_org())
    login(outsider)
    assert client.get(f"/staff/donors/{donor.id}").status_code == 403
    assert client.get(f"/staff/donors/{donor.id}/edit").status_code == 403
    assert "张三" not in client.get("/staff/donors/").get_data(as_text=True)


def donation(donor, amount, day):
    return {"kind": "donation", "amount": Decimal(amount), "entry_date": day,
            "channel": "wechat", "donor_id": donor.id}


def test_detail_shows_giving_history_newest_first(client, login, db, actor, manager, org,
                                                  donor):
    ledger.post_donation(actor, db, org, donation(donor, "10.00", dt.date(2026, 3, 1)),
                         today=TODAY)
    ledger.post_donation(actor, db, org, donation(donor, "20.00", dt.date(2026, 5, 1)),
                         today=TODAY)
    login(manager)
    html = client.get(f"/staff/donors/{donor.id}").get_data(as_text=True)
    money = html[html.index("Money given"):html.index("<h2>Receipts")]
    assert money.index("20.00") < money.index("10.00")
    receipts = html[html.index("<h2>Receipts"):]
    assert receipts.index("2026-000002") < receipts.index("2026-000001")


def test_volunteer_sees_receipts_but_not_the_ledger(client, login, db, actor, volunteer, org,
                                                    donor):
    ledger.post_donation(actor, db, org, donation(donor, "10.00", dt.date(2026, 3, 1)),
                         today=TODAY)
    login(volunteer)
    html = client.get(f"/staff/donors/{donor.id}").get_data(as_text=True)
    assert "2026-000001" in html
    assert "Money given" not in html


def _listed(client, q):
    html = client.get("/staff/donors/", query_string={"q": q}).get_data(as_text=True)
    return [m for m in ("王大明", "李小红") if m in html], html


def test_volunteers_search_donors_by_name_only(client, login, volunteer, make_donor):
    """Issue 16: searching on digits, a volunteer recovered a donor's masked phone a digit at
    a time (17 searches). Now a volunteer's search matches names only, and shows masks."""
    make_donor(name="王大明", phone="13711112222")
    make_donor(name="李小红", phone="13933334444")
    login(volunteer)
    for digits in ("1111", "137111", "13711112222", "3333", "2222"):
        assert _listed(client, digits)[0] == [], digits
    found, html = _listed(client, "大明")
    assert found == ["王大明"] and "137****2222" in html and "13711112222" not in html
    page = client.get("/staff/donors/").get_data(as_text=True)
    assert 'placeholder="Name"' in page


def test_managers_keep_searching_by_phone(client, login, manager, make_donor):
    make_donor(name="王大明", phone="13711112222")
    make_donor(name="李小红", phone="13933334444")
    login(manager)
    assert _listed(client, "1111")[0] == ["王大明"]
    assert _listed(client, "3333")[0] == ["李小红"]
    found, html = _listed(client, "大明")
    assert found == ["王大明"] and "13711112222" in html


def test_counter_picker_finds_by_phone_only_for_those_who_may_see_phones(db, org, make_donor):
    from charity.people.services import find_donors

    make_donor(name="王大明", phone="13711112222")
    assert find_donors(db, org.id, "1111") == []
    assert [d.name for d in find_donors(db, org.id, "1111", by_phone=True)] == ["王大明"]
    assert [d.name for d in find_donors(db, org.id, "王大")] == ["王大明"]
