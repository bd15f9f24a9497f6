"""Admin screens for user accounts: create, edit, deactivate, reset password, list."""
import re

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.core.roles import Role
from tests.conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
NEW = "a-brand-new-passphrase"


def new_client(app):
    """Another browser."""
    return app.test_client()


def sign_in(client, user, password=PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def signed_in(client) -> bool:
    # The password page opens for any signed-in user, even one who must change it first.
    return client.get("/account/password").status_code == 200


def field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def users(db) -> int:
    return db.scalar(sa.select(sa.func.count(User.id)))


def entries(db) -> int:
    return db.scalar(sa.select(sa.func.count(AuditLog.id)))


def get_user(db, username) -> User | None:
    db.expire_all()
    return db.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def world(db, make_org, make_point, make_user):
    org_a, org_b = make_org(), make_org()
    a1, a2, b1 = make_point(org_a), make_point(org_a), make_point(org_b)
    w = {
        "org_a": org_a, "org_b": org_b, "a1": a1, "a2": a2, "b1": b1,
        "admin": make_user("admin"),
        "manager": make_user("manager", org=org_a),
        "auditor": make_user("auditor", org=org_a),
        "volunteer": make_user("volunteer", org=org_a, points=[a1]),
        "other": make_user("volunteer", org=org_b, points=[b1]),
    }
    db.commit()
    return w


def form(**data):
    base = {"username": "newbie", "display_name": "新同事", "role": "volunteer",
            "password": NEW}
    base.update(data)
    return base


# --- create ----------------------------------------------------------------------------------

def test_admin_creates_a_volunteer(client, db, world):
    sign_in(client, world["admin"])
    response = client.post("/admin/users/new", data=form(
        username=" NewBie ", organization_id=world["org_a"].id,
        point_ids=[world["a1"].id, world["a2"].id]))
    assert response.status_code == 302, field_error(response, "username")
    user = get_user(db, "newbie")
    assert user.role == Role.VOLUNTEER and user.organization_id == world["org_a"].id
    assert user.point_ids == {world["a1"].id, world["a2"].id}
    assert user.must_change_password is True
    assert check_password_hash(user.password_hash, NEW)
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "user.create",
                                                AuditLog.object_id == str(user.id)))
    assert entry.user_id == world["admin"].id
    assert entry.organization_id == world["org_a"].id
    # the new user must choose their own password first
    other = new_client(client.application)
    sign_in(other, user, NEW)
    assert other.get("/staff/").location.endswith("/account/password")


def test_admin_creates_an_admin_without_organisation(client, db, world):
    sign_in(client, world["admin"])
    response = client.post("/admin/users/new", data=form(role="admin", organization_id=""))
    assert response.status_code == 302
    user = get_user(db, "newbie")
    assert user.role == Role.ADMIN and user.organization_id is None


@pytest.mark.parametrize("changes,field", [
    ({"password": "123456789"}, "password"),
    ({"password": ""}, "password"),
    ({"username": ""}, "username"),
    ({"username": "x"}, "username"),
    ({"display_name": ""}, "display_name"),
    ({"role": "volunteer", "organization_id": ""}, "organization_id"),
    ({"role": "boss"}, "role"),
    ({"display_name": "长" * 101}, "display_name"),
])
def test_bad_input_is_answered_next_to_the_field_and_kept(client, db, world, changes, field):
    sign_in(client, world["admin"])
    before, logged = users(db), entries(db)
    data = form(organization_id=world["org_a"].id, display_name="保留的名字",
                point_ids=[world["a1"].id])
    data.update(changes)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert CJK.search(field_error(response, field)), response.get_data(as_text=True)[-3000:]
    body = response.get_data(as_text=True)
    if field != "display_name":
        assert 'value="保留的名字"' in body, "what the user typed is kept"
    assert users(db) == before and entries(db) == logged


def test_duplicate_username_is_refused(client, db, world):
    sign_in(client, world["admin"])
    before = users(db)
    response = client.post("/admin/users/new", data=form(
        username=world["volunteer"].username.upper(), organization_id=world["org_a"].id,
        point_ids=[world["a1"].id]))
    assert response.status_code == 200
    assert CJK.search(field_error(response, "username"))
    assert users(db) == before


def test_volunteer_point_must_belong_to_their_organisation(client, db, world):
    sign_in(client, world["admin"])
    before = users(db)
    response = client.post("/admin/users/new", data=form(
        organization_id=world["org_a"].id, point_ids=[world["b1"].id]))
    assert response.status_code == 200
    assert CJK.search(field_error(response, "point_ids") or
                      " ".join(re.findall(r'flash-error"[^>]*>(.*?)<',
                                          response.get_data(as_text=True))))
    assert users(db) == before


def test_manager_creates_in_their_own_organisation(client, db, world):
    sign_in(client, world["manager"])
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert world["org_b"].name not in page
    assert 'value="admin"' not in page, "a manager is not offered the admin role"
    response = client.post("/admin/users/new", data=form(
        organization_id=world["org_a"].id, point_ids=[world["a2"].id]))
    assert response.status_code == 302
    assert get_user(db, "newbie").organization_id == world["org_a"].id


@pytest.mark.parametrize("forged", [
    {"role": "admin", "organization_id": ""},
    {"role": "admin"},
    {"organization_id": "{org_b}"},
    {"organization_id": "{org_b}", "role": "manager"},
    {"point_ids": ["{b1}"]},
])
def test_manager_cannot_forge_the_form(client, db, world, forged):
    sign_in(client, world["manager"])
    before, logged = users(db), entries(db)
    data = form(organization_id=world["org_a"].id)
    for key, value in forged.items():
        if isinstance(value, list):
            value = [str(world[v[1:-1]].id) for v in value]
        elif value.startswith("{"):
            value = world[value[1:-1]].id
        data[key] = value
    response = client.post("/admin/users/new", data=data)
    assert response.status_code in (200, 400, 403)
    assert get_user(db, "newbie") is None
    assert users(db) == before and entries(db) == logged


def test_auditor_and_volunteer_cannot_create(client, db, world):
    for role in ("auditor", "volunteer"):
        c = new_client(client.application)
        sign_in(c, world[role])
        assert c.get("/admin/users/new").status_code == 403
        assert c.post("/admin/users/new", data=form(
            organization_id=world["org_a"].id)).status_code == 403
    assert get_user(db, "newbie") is None


# --- edit ------------------------------------------------------------------------------------

def test_admin_edits_role_and_points(client, db, world):
    sign_in(client, world["admin"])
    v = world["volunteer"]
    old_name = v.display_name
    page = client.get(f"/admin/users/{v.id}/edit").get_data(as_text=True)
    assert f'value="{old_name}"' in page
    response = client.post(f"/admin/users/{v.id}/edit", data={
        "username": "hijack", "display_name": "改过的名字", "role": "volunteer",
        "organization_id": world["org_a"].id, "point_ids": [world["a2"].id]})
    assert response.status_code == 302
    fresh = get_user(db, v.username)
    assert fresh is not None, "the login name never changes"
    assert get_user(db, "hijack") is None
    assert fresh.display_name == "改过的名字"
    assert fresh.point_ids == {world["a2"].id}
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "user.update",
                                                AuditLog.object_id == str(v.id)))
    assert entry.summary["display_name"] == [old_name, "改过的名字"]
    assert entry.summary["points"] == [[world["a1"].id], [world["a2"].id]]


def test_role_change_signs_the_user_out(client, db, world):
    v = world["volunteer"]
    theirs = new_client(client.application)
    sign_in(theirs, v)
    sign_in(client, world["admin"])
    response = client.post(f"/admin/users/{v.id}/edit", data={
        "display_name": v.display_name, "role": "auditor", "organization_id": world["org_a"].id})
    assert response.status_code == 302
    assert get_user(db, v.username).role == Role.AUDITOR
    assert not signed_in(theirs), "new rights: sign in again"


def test_manager_cannot_edit_an_admin(client, db, world, make_user):
    admin_in_org = make_user("admin", organization_id=world["org_a"].id)
    db.commit()
    sign_in(client, world["manager"])
    for target in (world["admin"], admin_in_org):
        assert client.get(f"/admin/users/{target.id}/edit").status_code == 403
        assert client.post(f"/admin/users/{target.id}/edit", data={
            "display_name": "被改", "role": "admin", "organization_id": ""}).status_code == 403
        assert client.post(f"/admin/users/{target.id}/active",
                           data={"active": "0"}).status_code == 403
        assert client.post(f"/admin/users/{target.id}/password",
                           data={"new_password": NEW}).status_code == 403
        fresh = get_user(db, target.username)
        assert fresh.active and fresh.display_name != "被改"
        assert check_password_hash(fresh.password_hash, PASSWORD)


def test_manager_cannot_promote_to_admin_or_move_to_another_org(client, db, world):
    sign_in(client, world["manager"])
    v = world["volunteer"]
    for data in ({"role": "admin", "organization_id": world["org_a"].id},
                 {"role": "volunteer", "organization_id": world["org_b"].id}):
        response = client.post(f"/admin/users/{v.id}/edit",
                               data={"display_name": "x", **data})
        assert response.status_code in (200, 400, 403)
        fresh = get_user(db, v.username)
        assert fresh.role == Role.VOLUNTEER and fresh.organization_id == world["org_a"].id


def test_manager_cannot_change_their_own_role(client, db, world):
    m = world["manager"]
    sign_in(client, m)
    response = client.post(f"/admin/users/{m.id}/edit", data={
        "display_name": m.display_name, "role": "volunteer", "organization_id": world["org_a"].id,
        "point_ids": [world["a1"].id]})
    assert response.status_code == 200
    assert CJK.search(field_error(response, "role"))
    assert get_user(db, m.username).role == Role.MANAGER


# --- deactivate, reset password --------------------------------------------------------------

def test_deactivation_signs_out_the_existing_session(client, db, world):
    v = world["volunteer"]
    theirs = new_client(client.application)
    sign_in(theirs, v)
    assert signed_in(theirs)
    sign_in(client, world["manager"])
    response = client.post(f"/admin/users/{v.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert get_user(db, v.username).active is False
    assert not signed_in(theirs)
    # and they cannot sign in again
    again = new_client(client.application)
    assert again.post("/login", data={"username": v.username,
                                      "password": PASSWORD}).status_code == 200
    assert db.scalar(sa.select(AuditLog).where(AuditLog.action == "user.deactivate",
                                               AuditLog.object_id == str(v.id)))
    # reactivation lets them back in
    assert client.post(f"/admin/users/{v.id}/active", data={"active": "1"}).status_code == 302
    sign_in(again, v)


def test_cannot_deactivate_oneself(client, db, world):
    m = world["manager"]
    sign_in(client, m)
    client.post(f"/admin/users/{m.id}/active", data={"active": "0"})
    assert get_user(db, m.username).active is True
    assert signed_in(client)


def test_reset_password_signs_out_and_forces_a_change(client, db, world):
    v = world["volunteer"]
    theirs = new_client(client.application)
    sign_in(theirs, v)
    sign_in(client, world["manager"])
    response = client.post(f"/admin/users/{v.id}/password", data={"new_password": NEW})
    assert response.status_code == 302
    assert not signed_in(theirs)
    fresh = get_user(db, v.username)
    assert fresh.must_change_password is True
    assert check_password_hash(fresh.password_hash, NEW)
    again = new_client(client.application)
    sign_in(again, v, NEW)
    assert again.get("/staff/").location.endswith("/account/password")
    # no password (nor its hash) in the log
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "user.reset_password",
                                                AuditLog.object_id == str(v.id)))
    assert entry is not None
    assert NEW not in str(entry.summary) and fresh.password_hash not in str(entry.summary)


def test_reset_password_too_short_is_answered_on_the_form(client, db, world):
    v = world["volunteer"]
    sign_in(client, world["manager"])
    response = client.post(f"/admin/users/{v.id}/password", data={"new_password": "short"})
    assert response.status_code in (200, 400)
    assert CJK.search(field_error(response, "new_password"))
    assert check_password_hash(get_user(db, v.username).password_hash, PASSWORD)


# --- list ------------------------------------------------------------------------------------

def test_list_search_filter_and_pages(client, db, world, make_user):
    for n in range(25):
        make_user("volunteer", org=world["org_a"], username=f"zz-helper-{n:02d}",
                  display_name=f"帮手{n:02d}")
    db.commit()
    sign_in(client, world["admin"])
    first = client.get("/admin/users?q=zz-helper").get_data(as_text=True)
    assert "zz-helper-00" in first and "zz-helper-24" not in first
    second = client.get("/admin/users?q=zz-helper&page=2")
    assert second.status_code == 200
    assert "zz-helper-24" in second.get_data(as_text=True)
    assert 'rel="prev"' in second.get_data(as_text=True)
    by_name = client.get("/admin/users?q=帮手07").get_data(as_text=True)
    assert "zz-helper-07" in by_name and "zz-helper-08" not in by_name
    auditors = client.get("/admin/users?role=auditor").get_data(as_text=True)
    assert world["auditor"].username in auditors and "zz-helper-01" not in auditors
    # a search term with LIKE wildcards matches literally, not everything
    wild = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "zz-helper-01" not in wild
    make_user("volunteer", org=world["org_a"], username="li_ming", display_name="李明")
    make_user("volunteer", org=world["org_a"], username="lixming", display_name="李X明")
    db.commit()
    underscored = client.get("/admin/users?q=li_m").get_data(as_text=True)
    assert "li_ming" in underscored, "an underscore in a username can be searched for"
    assert "lixming" not in underscored, "and it is not a wildcard"


def test_manager_and_auditor_list_only_their_organisation(client, db, world):
    for role in ("manager", "auditor"):
        c = new_client(client.application)
        sign_in(c, world[role])
        body = c.get("/admin/users").get_data(as_text=True)
        assert world["volunteer"].username in body
        assert world["other"].username not in body
        assert world["admin"].username not in body
        if role == "auditor":
            assert "/edit" not in body and "/active" not in body


def test_resetting_ones_own_password_keeps_this_session(client, db, world):
    admin = world["admin"]
    elsewhere = new_client(client.application)
    sign_in(elsewhere, admin)
    sign_in(client, admin)
    response = client.post(f"/admin/users/{admin.id}/password", data={"new_password": NEW})
    assert response.status_code == 302
    assert signed_in(client), "the screen that set it stays signed in"
    assert client.get("/staff/").status_code == 200, "and need not change it again"
    assert not signed_in(elsewhere)
    assert check_password_hash(get_user(db, admin.username).password_hash, NEW)
