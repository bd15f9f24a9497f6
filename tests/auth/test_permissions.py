"""The one place permissions are decided: roles, scope, scoped queries."""
import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from charity.auth.permissions import (PERMISSIONS, assignable_roles, can, has_permission,
                                      in_scope, require, scope_organizations, scope_points)
from charity.core.roles import Role
from charity.core.errors import PermissionDenied
from charity.orgs.models import CharityPoint, Organization
from charity.core.system import system_actor


@pytest.fixture
def world(db, make_org, make_point, make_user):
    org_a, org_b = make_org(), make_org()
    a1, a2 = make_point(org_a), make_point(org_a)
    b1 = make_point(org_b)
    users = {
        "admin": make_user("admin"),
        "manager": make_user("manager", org=org_a),
        "volunteer": make_user("volunteer", org=org_a, points=[a1]),
        "auditor": make_user("auditor", org=org_a),
        "idle": make_user("volunteer", org=org_a),  # serves no point yet
        "other_manager": make_user("manager", org=org_b),
    }
    db.commit()
    return {"org_a": org_a, "org_b": org_b, "a1": a1, "a2": a2, "b1": b1, **users}


# --- roles -----------------------------------------------------------------------------------

# What an auditor may hold: reading (and their own password). Anything else changes data.
READ_ONLY = (".view", ".private", ".export")
OWN_ACCOUNT = {"staff.home", "account.self"}


def test_every_permission_names_real_roles():
    for name, roles in PERMISSIONS.items():
        assert roles, name
        assert all(isinstance(r, Role) for r in roles), name
        assert Role.ADMIN in roles, f"{name}: the administrator can do everything"


def test_auditors_are_read_only():
    """An auditor reads; no permission that changes data may name the auditor role."""
    writes = sorted(name for name, roles in PERMISSIONS.items()
                    if Role.AUDITOR in roles and name not in OWN_ACCOUNT
                    and not name.endswith(READ_ONLY))
    assert writes == [], f"auditors may change data through: {writes}"


def test_role_table(world):
    expect = {
        "admin": {"orgs.create", "orgs.edit", "orgs.toggle", "points.manage", "users.manage",
                  "audit.view"},
        "manager": {"orgs.edit", "points.manage", "users.manage", "audit.view", "orgs.view"},
        "auditor": {"orgs.view", "points.view", "users.view", "audit.view"},
        "volunteer": {"points.view", "staff.home", "account.self"},
    }
    forbid = {
        "manager": {"orgs.create", "orgs.toggle"},
        "auditor": {"orgs.create", "orgs.edit", "orgs.toggle", "points.manage", "users.manage"},
        "volunteer": {"orgs.view", "orgs.edit", "points.manage", "users.view", "users.manage",
                      "audit.view"},
    }
    for role, perms in expect.items():
        for perm in perms:
            assert has_permission(world[role], perm), (role, perm)
    for role, perms in forbid.items():
        for perm in perms:
            assert not has_permission(world[role], perm), (role, perm)


def test_anonymous_and_inactive_have_no_permission(db, world):
    anonymous = AnonymousUserMixin()
    assert not has_permission(anonymous, "staff.home")
    assert not has_permission(None, "staff.home")
    manager = world["manager"]
    manager.active = False
    assert not has_permission(manager, "staff.home")
    assert not can(manager, "orgs.edit", world["org_a"])


def test_unknown_permission_is_an_error_not_an_allow(world):
    with pytest.raises(KeyError):
        has_permission(world["admin"], "orgs.destroy")
    from charity.web.access import access

    with pytest.raises(KeyError):
        access("orgs.destroy")


# --- scope -----------------------------------------------------------------------------------

def test_admin_scope_is_everything(world):
    for obj in (world["org_a"], world["org_b"], world["a1"], world["b1"], world["manager"]):
        assert in_scope(world["admin"], obj)
    assert in_scope(system_actor(), world["b1"])


def test_manager_scope_is_their_organisation(world):
    m = world["manager"]
    assert in_scope(m, world["org_a"]) and in_scope(m, world["a1"]) and in_scope(m, world["a2"])
    assert in_scope(m, world["volunteer"])
    assert not in_scope(m, world["org_b"])
    assert not in_scope(m, world["b1"])
    assert not in_scope(m, world["other_manager"])
    assert not in_scope(m, world["admin"]), "an object of no organisation is not theirs"
    assert can(m, "points.manage", world["a1"])
    assert not can(m, "points.manage", world["b1"])


def test_volunteer_scope_is_their_own_points(world):
    v = world["volunteer"]
    assert in_scope(v, world["a1"])
    assert not in_scope(v, world["a2"]), "another point of the same organisation"
    assert not in_scope(v, world["b1"])
    assert not in_scope(world["idle"], world["a1"])

    class Row:  # anything tied to a point (stock, a sale…)
        def __init__(self, org, point):
            self.organization_id, self.point_id = org.id, point.id

    assert in_scope(v, Row(world["org_a"], world["a1"]))
    assert not in_scope(v, Row(world["org_a"], world["a2"]))
    assert not in_scope(v, Row(world["org_b"], world["b1"]))


def test_require_raises(world):
    require(world["manager"], "points.manage", world["a1"])
    with pytest.raises(PermissionDenied):
        require(world["manager"], "points.manage", world["b1"])
    with pytest.raises(PermissionDenied):
        require(world["auditor"], "points.manage", world["a1"])
    with pytest.raises(PermissionDenied):
        require(world["volunteer"], "points.manage", world["a1"])


def _ids(db, stmt):
    return set(db.scalars(stmt))


def test_scope_organizations(db, world):
    stmt = sa.select(Organization.id)
    everything = _ids(db, stmt)
    assert {world["org_a"].id, world["org_b"].id} <= everything
    assert _ids(db, scope_organizations(world["admin"], stmt, Organization.id)) == everything
    for role in ("manager", "auditor", "volunteer"):
        assert _ids(db, scope_organizations(world[role], stmt, Organization.id)) == {
            world["org_a"].id}


def test_scope_points(db, world):
    stmt = sa.select(CharityPoint.id)

    def scoped(user):
        return _ids(db, scope_points(user, stmt, CharityPoint.id, CharityPoint.organization_id))

    a = {world["a1"].id, world["a2"].id}
    assert scoped(world["manager"]) == a
    assert scoped(world["auditor"]) == a
    assert scoped(world["volunteer"]) == {world["a1"].id}
    assert scoped(world["idle"]) == set(), "a volunteer with no point sees none"
    assert scoped(world["other_manager"]) == {world["b1"].id}
    assert a | {world["b1"].id} <= scoped(world["admin"])


def test_assignable_roles():
    class U:
        def __init__(self, role):
            self.role = role

    assert set(assignable_roles(U(Role.ADMIN))) == set(Role)
    assert Role.ADMIN not in assignable_roles(U(Role.MANAGER))
    assert assignable_roles(U(Role.VOLUNTEER)) == []
    assert assignable_roles(U(Role.AUDITOR)) == []


# --- the same rules on the web ---------------------------------------------------------------

def _login(client, user):
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_volunteer_lists_only_their_points(client, world):
    _login(client, world["volunteer"])
    body = client.get("/admin/points").get_data(as_text=True)
    assert world["a1"].name in body
    assert world["a2"].name not in body
    assert world["b1"].name not in body
    home = client.get("/staff/").get_data(as_text=True)
    assert world["a1"].name in home and world["a2"].name not in home
    # and cannot edit even their own point (managing points is a manager's job)
    assert client.get(f"/admin/points/{world['a1'].id}/edit").status_code == 403
    assert client.post(f"/admin/points/{world['a1'].id}/active",
                       data={"active": "0"}).status_code == 403


def test_manager_cannot_reach_another_organisation_by_url(client, world, db):
    _login(client, world["manager"])
    org_b, b1, other = world["org_b"], world["b1"], world["other_manager"]
    assert client.get(f"/admin/orgs/{org_b.id}/edit").status_code == 403
    assert client.post(f"/admin/orgs/{org_b.id}/edit", data={"name": "改名"}).status_code == 403
    assert client.get(f"/admin/points/{b1.id}/edit").status_code == 403
    assert client.post(f"/admin/points/{b1.id}/active", data={"active": "0"}).status_code == 403
    assert client.get(f"/admin/users/{other.id}/edit").status_code == 403
    assert client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 403
    db.expire_all()
    assert db.get(Organization, org_b.id).name == org_b.name
    assert db.get(CharityPoint, b1.id).active is True
    body = client.get("/admin/orgs").get_data(as_text=True)
    assert world["org_a"].name in body and org_b.name not in body


def test_auditor_reads_but_cannot_change(client, world, db):
    _login(client, world["auditor"])
    assert client.get("/admin/orgs").status_code == 200
    assert client.get("/admin/points").status_code == 200
    assert client.get("/admin/users").status_code == 200
    assert client.get("/staff/audit").status_code == 200
    a1 = world["a1"]
    for url in (f"/admin/orgs/{world['org_a'].id}/edit", f"/admin/points/{a1.id}/edit",
                f"/admin/points/{a1.id}/active", "/admin/points/new", "/admin/users/new",
                f"/admin/users/{world['volunteer'].id}/active",
                f"/admin/users/{world['volunteer'].id}/password"):
        assert client.post(url, data={"name": "x", "active": "0",
                                      "new_password": "long-enough-pass"}).status_code == 403, url
    db.expire_all()
    assert db.get(CharityPoint, a1.id).active is True
    # no edit buttons are shown either
    body = client.get("/admin/points").get_data(as_text=True)
    assert f"/admin/points/{a1.id}/edit" not in body


def test_anonymous_sees_public_pages_only(client, world):
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200
    for url in ("/staff/", "/admin/orgs", "/admin/points", "/admin/users", "/staff/audit",
                "/account/password"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
