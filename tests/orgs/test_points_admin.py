"""Admin screens for charity points (supermarkets and donation stations)."""
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.core.errors import ValidationFailed
from charity.orgs.models import CharityPoint, PointKind
from tests.conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")


def sign_in(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def counts(db):
    return (db.scalar(sa.select(sa.func.count(CharityPoint.id))),
            db.scalar(sa.select(sa.func.count(AuditLog.id))))


@pytest.fixture
def world(db, make_org, make_point, make_user):
    org_a, org_b = make_org(), make_org()
    w = {"org_a": org_a, "org_b": org_b,
         "a1": make_point(org_a, name="甲一超市", district="城关区"),
         "a2": make_point(org_a, name="甲二捐助站", kind="station", district="七里河区"),
         "b1": make_point(org_b, name="乙一超市"),
         "admin": make_user("admin"),
         "manager": make_user("manager", org=org_a),
         "auditor": make_user("auditor", org=org_a)}
    w["volunteer"] = make_user("volunteer", org=org_a, points=[w["a1"]])
    db.commit()
    return w


def point_form(org, **data):
    base = {"organization_id": org.id, "kind": "supermarket", "name": "新开的慈善超市",
            "address": "新路 1 号", "district": "城关区", "community": "新社区",
            "opening_hours": "周一至周五 09:00-17:00", "phone": "0931-1234567"}
    base.update(data)
    return base


def test_manager_creates_a_point_in_their_organisation(client, db, world):
    sign_in(client, world["manager"])
    page = client.get("/admin/points/new").get_data(as_text=True)
    assert world["org_a"].name in page and world["org_b"].name not in page
    response = client.post("/admin/points/new", data=point_form(world["org_a"]))
    assert response.status_code == 302
    point = db.scalar(sa.select(CharityPoint).where(CharityPoint.name == "新开的慈善超市"))
    assert point.organization_id == world["org_a"].id
    assert point.kind == PointKind.SUPERMARKET and point.active
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "point.create",
                                                AuditLog.object_id == str(point.id)))
    assert entry.user_id == world["manager"].id
    assert entry.organization_id == world["org_a"].id


def test_manager_cannot_forge_another_organisation(client, db, world):
    sign_in(client, world["manager"])
    before = counts(db)
    response = client.post("/admin/points/new", data=point_form(world["org_b"]))
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        assert CJK.search(field_error(response, "organization_id"))
    assert counts(db) == before
    assert db.scalar(sa.select(CharityPoint.id).where(
        CharityPoint.name == "新开的慈善超市")) is None


def test_edit_cannot_move_a_point_to_another_organisation(client, db, world):
    sign_in(client, world["admin"])
    a1 = world["a1"]
    response = client.post(f"/admin/points/{a1.id}/edit", data=point_form(
        world["org_b"], name=a1.name, kind="station"))
    assert response.status_code in (200, 302)
    db.expire_all()
    fresh = db.get(CharityPoint, a1.id)
    assert fresh.organization_id == world["org_a"].id


@pytest.mark.parametrize("changes,field", [
    ({"name": ""}, "name"),
    ({"name": "长" * 201}, "name"),
    ({"kind": "warehouse"}, "kind"),
    ({"organization_id": "abc"}, "organization_id"),
    ({"organization_id": ""}, "organization_id"),
    ({"phone": "9" * 51}, "phone"),
    ({"opening_hours": "时" * 301}, "opening_hours"),
])
def test_bad_input_is_answered_next_to_the_field(client, db, world, changes, field):
    sign_in(client, world["admin"])
    before = counts(db)
    response = client.post("/admin/points/new", data=point_form(world["org_a"], **changes))
    assert response.status_code == 200
    assert CJK.search(field_error(response, field)), field
    body = response.get_data(as_text=True)
    if field != "name":
        assert 'value="新开的慈善超市"' in body, "what was typed is kept"
    assert 'value="新路 1 号"' in body
    assert counts(db) == before


def test_duplicate_name_in_the_same_organisation(client, db, world):
    sign_in(client, world["admin"])
    before = counts(db)
    response = client.post("/admin/points/new", data=point_form(world["org_a"], name="甲一超市"))
    assert response.status_code == 200
    assert CJK.search(field_error(response, "name"))
    assert counts(db) == before
    # the same name in another organisation is fine
    response = client.post("/admin/points/new", data=point_form(world["org_b"], name="甲一超市"))
    assert response.status_code == 302


def test_rename_onto_a_sibling_is_refused(client, db, world):
    sign_in(client, world["manager"])
    a2 = world["a2"]
    response = client.post(f"/admin/points/{a2.id}/edit",
                           data=point_form(world["org_a"], name="甲一超市", kind="station"))
    assert response.status_code == 200
    assert CJK.search(field_error(response, "name"))
    db.expire_all()
    assert db.get(CharityPoint, a2.id).name == "甲二捐助站"


def test_edit_shows_values_and_audits_changes(client, db, world):
    sign_in(client, world["manager"])
    a2 = world["a2"]
    page = client.get(f"/admin/points/{a2.id}/edit").get_data(as_text=True)
    assert 'value="甲二捐助站"' in page
    assert re.search(r'<option selected value="station">|<option value="station" selected',
                     page)
    response = client.post(f"/admin/points/{a2.id}/edit", data=point_form(
        world["org_a"], name="甲二捐助站", kind="station", address="搬到了新址"))
    assert response.status_code == 302
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "point.update",
                                                AuditLog.object_id == str(a2.id)))
    assert entry.summary["address"][1] == "搬到了新址"


def test_close_and_reopen(client, db, world):
    sign_in(client, world["manager"])
    a1 = world["a1"]
    assert client.post(f"/admin/points/{a1.id}/active", data={"active": "0"}).status_code == 302
    db.expire_all()
    assert db.get(CharityPoint, a1.id).active is False
    assert a1.name not in client.get("/").get_data(as_text=True)
    assert db.scalar(sa.select(AuditLog).where(AuditLog.action == "point.deactivate",
                                               AuditLog.object_id == str(a1.id)))
    assert client.post(f"/admin/points/{a1.id}/active", data={"active": "1"}).status_code == 302
    db.expire_all()
    assert db.get(CharityPoint, a1.id).active is True


def test_no_point_for_a_deactivated_organisation(db, world):
    from charity.orgs.services import create_point, set_organization_active
    from charity.core.system import system_actor

    set_organization_active(system_actor(), db, world["org_b"], False)
    with pytest.raises(ValidationFailed):
        create_point(system_actor(), db, world["org_b"], {"kind": "station", "name": "不该有"})


def test_volunteer_and_auditor_cannot_manage_points(client, db, world):
    for role in ("volunteer", "auditor"):
        c = client.application.test_client()
        sign_in(c, world[role])
        assert c.get("/admin/points/new").status_code == 403
        assert c.post("/admin/points/new", data=point_form(world["org_a"])).status_code == 403
        assert c.post(f"/admin/points/{world['a1'].id}/edit",
                      data=point_form(world["org_a"], name="改名")).status_code == 403
    db.expire_all()
    assert db.get(CharityPoint, world["a1"].id).name == "甲一超市"
    assert db.scalar(sa.select(CharityPoint.id).where(
        CharityPoint.name == "新开的慈善超市")) is None


def test_lists_are_scoped(client, db, world):
    for role, seen, unseen in (("volunteer", {"甲一超市"}, {"甲二捐助站", "乙一超市"}),
                               ("manager", {"甲一超市", "甲二捐助站"}, {"乙一超市"}),
                               ("auditor", {"甲一超市", "甲二捐助站"}, {"乙一超市"}),
                               ("admin", {"甲一超市", "甲二捐助站", "乙一超市"}, set())):
        c = client.application.test_client()
        sign_in(c, world[role])
        body = c.get("/admin/points").get_data(as_text=True)
        for name in seen:
            assert name in body, (role, name)
        for name in unseen:
            assert name not in body, (role, name)


def test_search_filter_and_pages(client, db, world, make_point):
    for n in range(25):
        make_point(world["org_a"], name=f"翻页站{n:02d}", kind="station", district="榆中县")
    db.commit()
    sign_in(client, world["admin"])
    first = client.get("/admin/points?q=翻页站").get_data(as_text=True)
    assert "翻页站00" in first and "翻页站24" not in first
    second = client.get("/admin/points?q=翻页站&page=2").get_data(as_text=True)
    assert "翻页站24" in second
    by_district = client.get("/admin/points?q=七里河").get_data(as_text=True)
    assert "甲二捐助站" in by_district and "甲一超市" not in by_district
    stations = client.get("/admin/points?kind=supermarket").get_data(as_text=True)
    assert "甲一超市" in stations and "甲二捐助站" not in stations


def test_new_point_form_preselects_the_organisation(client, db, world):
    sign_in(client, world["admin"])
    page = client.get(f"/admin/points/new?org={world['org_b'].id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world["org_b"].id}"|'
                     rf'<option value="{world["org_b"].id}" selected', page)
