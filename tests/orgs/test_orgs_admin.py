"""Admin screens for organisations: create, edit, deactivate, list, search, pages."""
import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.orgs import uscc
from charity.orgs.models import Organization
from tests.conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = "91440300708461136T"  # a valid code no factory produces


def sign_in(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def value_of(response, field_id) -> str | None:
    body = response.get_data(as_text=True)
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', body)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def counts(db):
    return (db.scalar(sa.select(sa.func.count(Organization.id))),
            db.scalar(sa.select(sa.func.count(AuditLog.id))))


@pytest.fixture
def admin(db, make_user):
    user = make_user("admin")
    db.commit()
    return user


FULL = {
    "name": "七里河区慈善协会", "uscc": CODE, "registering_authority": "七里河区民政局",
    "can_fundraise_publicly": "y", "fundraising_cert_no": "62010300000099",
    "contact_person": "王主任", "phone": "0931-2345678", "email": "qlh@example.org",
    "address": "七里河区西津西路 1 号", "website": "https://qlh.example.org",
    "timezone": "Asia/Shanghai", "registered_on": "2019-04-15",
}


# --- create ----------------------------------------------------------------------------------

def test_admin_creates_an_organisation(client, db, admin):
    sign_in(client, admin)
    assert client.get("/admin/orgs/new").status_code == 200
    response = client.post("/admin/orgs/new", data={**FULL, "uscc": CODE.lower()})
    assert response.status_code == 302, field_error(response, "email")
    org = db.scalar(sa.select(Organization).where(Organization.uscc == CODE))
    assert org is not None, "the code is stored upper-case"
    assert org.name == FULL["name"] and org.can_fundraise_publicly
    assert org.email == "qlh@example.org" and org.active
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "org.create",
                                                AuditLog.object_id == str(org.id)))
    assert entry.user_id == admin.id and entry.summary["uscc"] == CODE


def test_a_new_organisation_needs_its_registration_date(client, db, admin):
    """Annual reports are owed from the registration date: no date, no organisation."""
    sign_in(client, admin)
    before = counts(db)
    response = client.post("/admin/orgs/new", data={**FULL, "registered_on": ""})
    assert response.status_code == 200 and counts(db) == before
    assert field_error(response, "registered_on")
    response = client.post("/admin/orgs/new", data=FULL)
    org = db.scalar(sa.select(Organization).where(Organization.uscc == CODE))
    assert response.status_code == 302 and org.registered_on == dt.date(2019, 4, 15)


def test_invalid_code_keeps_everything_typed(client, db, admin):
    sign_in(client, admin)
    before = counts(db)
    bad = CODE[:-1] + ("A" if CODE[-1] != "A" else "B")
    response = client.post("/admin/orgs/new", data={**FULL, "uscc": bad})
    assert response.status_code == 200
    error = field_error(response, "uscc")
    assert "统一社会信用代码" in error, error
    for field in ("name", "registering_authority", "fundraising_cert_no", "contact_person",
                  "phone", "email", "address", "website", "timezone"):
        assert value_of(response, field) == FULL[field], field
    assert value_of(response, "uscc") == bad
    assert 'checked' in re.search(r'<input[^>]*id="can_fundraise_publicly"[^>]*>',
                                  response.get_data(as_text=True)).group(0)
    for other in ("name", "email", "phone"):
        assert field_error(response, other) == "", "the message is next to the code only"
    assert counts(db) == before


@pytest.mark.parametrize("changes,field", [
    ({"uscc": "123"}, "uscc"),
    ({"uscc": ""}, "uscc"),
    ({"uscc": "91350100M00010OY43"}, "uscc"),  # a letter O
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "长" * 201}, "name"),
    ({"fundraising_cert_no": ""}, "fundraising_cert_no"),
    ({"timezone": "Mars/Base"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"timezone": ""}, "timezone"),
    ({"email": "not-an-address"}, "email"),
    ({"phone": "1" * 51}, "phone"),
])
def test_bad_input_is_answered_next_to_the_field(client, db, admin, changes, field):
    sign_in(client, admin)
    before = counts(db)
    response = client.post("/admin/orgs/new", data={**FULL, **changes})
    assert response.status_code == 200
    assert CJK.search(field_error(response, field)), (field, field_error(response, field))
    if field != "name":
        assert value_of(response, "name") == FULL["name"]
    assert counts(db) == before


def test_valid_email_is_accepted(client, db, admin):
    """The e-mail field must not need a package that is not installed (it gave a 500)."""
    sign_in(client, admin)
    response = client.post("/admin/orgs/new", data={**FULL, "email": "office@charity.org.cn"})
    assert response.status_code == 302
    assert db.scalar(sa.select(Organization.email).where(Organization.uscc == CODE)) == \
        "office@charity.org.cn"
    other = uscc.make("53620102MJ0000123")
    response = client.post("/admin/orgs/new", data={**FULL, "uscc": other,
                                                    "email": "张三@例子.中国"})
    assert response.status_code == 302, "an internationalised address is an address"


def test_duplicate_code_is_refused(client, db, admin, make_org):
    existing = make_org()
    db.commit()
    sign_in(client, admin)
    before = counts(db)
    response = client.post("/admin/orgs/new", data={**FULL, "uscc": existing.uscc.lower()})
    assert response.status_code == 200
    assert CJK.search(field_error(response, "uscc"))
    assert counts(db) == before


def test_changing_to_another_organisations_code_is_refused(client, db, admin, make_org):
    a, b = make_org(), make_org()
    db.commit()
    sign_in(client, admin)
    # Registration facts change on their own page, with a reason and evidence
    # (tests/orgs/test_registration.py).
    response = client.post(f"/admin/orgs/{a.id}/registration", data={
        "name": a.name, "uscc": b.uscc, "reason": "更正代码",
        "evidence": (io.BytesIO(b"%PDF-1.4 evidence"), "批复.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert CJK.search(field_error(response, "uscc"))
    db.expire_all()
    assert db.get(Organization, a.id).uscc == a.uscc


def test_edit_keeps_own_code_and_audits_the_change(client, db, admin, make_org):
    org = make_org(contact_person="旧联系人")
    db.commit()
    sign_in(client, admin)
    page = client.get(f"/admin/orgs/{org.id}/edit")
    # The registration facts are shown, not offered for editing.
    assert value_of(page, "name") is None and value_of(page, "uscc") is None
    assert org.uscc in page.get_data(as_text=True) and org.name in page.get_data(as_text=True)
    assert value_of(page, "contact_person") == "旧联系人"
    response = client.post(f"/admin/orgs/{org.id}/edit", data={
        "name": org.name, "uscc": org.uscc, "contact_person": "新联系人",
        "registering_authority": org.registering_authority, "timezone": "Asia/Shanghai"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Organization, org.id).contact_person == "新联系人"
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "org.update",
                                                AuditLog.object_id == str(org.id)))
    assert entry.summary == {"contact_person": ["旧联系人", "新联系人"]}
    # saving again without a change writes no entry
    before = counts(db)
    client.post(f"/admin/orgs/{org.id}/edit", data={
        "name": org.name, "uscc": org.uscc, "contact_person": "新联系人",
        "registering_authority": org.registering_authority, "timezone": "Asia/Shanghai"})
    assert counts(db) == before


def test_manager_edits_own_organisation_only(client, db, make_org, make_user):
    mine, theirs = make_org(), make_org()
    manager = make_user("manager", org=mine)
    db.commit()
    sign_in(client, manager)
    assert client.get(f"/admin/orgs/{mine.id}/edit").status_code == 200
    response = client.post(f"/admin/orgs/{mine.id}/edit", data={
        "contact_person": "我们的联系人", "name": "我们的新名字", "uscc": mine.uscc,
        "timezone": "Asia/Shanghai"})
    assert response.status_code == 302
    assert client.get(f"/admin/orgs/{theirs.id}/edit").status_code == 403
    assert client.get("/admin/orgs/new").status_code == 403
    assert client.post("/admin/orgs/new", data=FULL).status_code == 403
    assert client.post(f"/admin/orgs/{mine.id}/active", data={"active": "0"}).status_code == 403
    db.expire_all()
    assert db.get(Organization, mine.id).contact_person == "我们的联系人"
    assert db.get(Organization, mine.id).name == mine.name, "a registration fact: ignored"
    assert db.get(Organization, mine.id).active
    assert db.scalar(sa.select(Organization.id).where(Organization.uscc == CODE)) is None


def test_deactivate_and_reactivate(client, db, admin, make_org):
    org = make_org()
    db.commit()
    sign_in(client, admin)
    assert client.post(f"/admin/orgs/{org.id}/active", data={"active": "0"}).status_code == 302
    db.expire_all()
    assert db.get(Organization, org.id).active is False
    assert db.scalar(sa.select(AuditLog).where(AuditLog.action == "org.deactivate",
                                               AuditLog.object_id == str(org.id)))
    # a deactivated organisation is not offered for new points
    assert f'value="{org.id}"' not in client.get("/admin/points/new").get_data(as_text=True)
    # nor shown on the public home page
    assert org.name not in client.get("/").get_data(as_text=True)
    assert client.post(f"/admin/orgs/{org.id}/active", data={"active": "1"}).status_code == 302
    db.expire_all()
    assert db.get(Organization, org.id).active is True


# --- list ------------------------------------------------------------------------------------

def test_list_search_and_pages(client, db, admin, make_org):
    orgs = [make_org(name=f"分页测试会{n:02d}") for n in range(25)]
    db.commit()
    sign_in(client, admin)
    first = client.get("/admin/orgs?q=分页测试会").get_data(as_text=True)
    assert "分页测试会00" in first and "分页测试会24" not in first
    assert 'rel="next"' in first
    second = client.get("/admin/orgs?q=分页测试会&page=2")
    assert second.status_code == 200
    body = second.get_data(as_text=True)
    assert "分页测试会24" in body and "分页测试会00" not in body
    assert "q=%E5%88%86" in body or "q=分页" in body, "the pager keeps the search"
    # a page past the end is empty, not an error
    assert client.get("/admin/orgs?q=分页测试会&page=9").status_code == 200
    # part of the name
    part = client.get("/admin/orgs?q=测试会07").get_data(as_text=True)
    assert "分页测试会07" in part and "分页测试会08" not in part
    # part of the code, any case
    code = orgs[11].uscc
    by_code = client.get(f"/admin/orgs?q={code[-8:].lower()}").get_data(as_text=True)
    assert "分页测试会11" in by_code and "分页测试会12" not in by_code


def test_list_status_filter(client, db, admin, make_org):
    on, off = make_org(name="启用的会"), make_org(name="停用的会")
    off.active = False
    db.commit()
    sign_in(client, admin)
    active = client.get("/admin/orgs?status=active").get_data(as_text=True)
    inactive = client.get("/admin/orgs?status=inactive").get_data(as_text=True)
    assert on.name in active and off.name not in active
    assert off.name in inactive and on.name not in inactive


def test_manager_and_auditor_see_only_their_organisation(client, db, make_org, make_user):
    mine, theirs = make_org(), make_org()
    for role in ("manager", "auditor"):
        user = make_user(role, org=mine)
        db.commit()
        c = client.application.test_client()
        sign_in(c, user)
        body = c.get("/admin/orgs").get_data(as_text=True)
        assert mine.name in body and theirs.name not in body
        found = c.get(f"/admin/orgs?q={theirs.uscc}").get_data(as_text=True)
        assert theirs.name not in found
