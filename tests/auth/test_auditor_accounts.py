"""Auditor accounts are created, changed and reset by administrators only (issue 16: "a
manager controls the auditor who supervises them: they can demote the auditor to volunteer
and reset the auditor's password")."""
import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from charity.audit.models import AuditLog
from charity.auth import services
from charity.auth.models import User
from charity.core.errors import PermissionDenied
from charity.core.roles import Role
from tests.conftest import PASSWORD

NEW = "a-brand-new-passphrase"


def _client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _fresh(db, user) -> User:
    db.expire_all()
    return db.get(User, user.id)


@pytest.fixture
def world(db, make_org, make_point, make_user):
    org = make_org()
    point = make_point(org)
    w = {"org": org, "point": point, "admin": make_user("admin"),
         "manager": make_user("manager", org=org), "auditor": make_user("auditor", org=org),
         "volunteer": make_user("volunteer", org=org, points=[point])}
    db.commit()
    return w


def test_manager_cannot_demote_reset_or_switch_off_the_auditor(app, db, world):
    auditor, manager = world["auditor"], world["manager"]
    theirs = _client(app, auditor)
    before = (auditor.role, auditor.password_hash, auditor.session_token, auditor.display_name)
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id)))
    client = _client(app, manager)
    assert client.get(f"/admin/users/{auditor.id}/edit").status_code == 403
    assert client.post(f"/admin/users/{auditor.id}/edit", data={
        "display_name": "被改了", "role": "volunteer",
        "organization_id": world["org"].id}).status_code == 403
    assert client.post(f"/admin/users/{auditor.id}/password",
                       data={"new_password": NEW}).status_code == 403
    assert client.post(f"/admin/users/{auditor.id}/active",
                       data={"active": "0"}).status_code == 403
    fresh = _fresh(db, auditor)
    assert (fresh.role, fresh.password_hash, fresh.session_token, fresh.display_name) == before
    assert fresh.active and not check_password_hash(fresh.password_hash, NEW)
    assert _signed_in(theirs), "the auditor was not signed out by the manager"
    assert db.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.id > mark, AuditLog.object_type == "User",
        AuditLog.object_id == str(auditor.id))) == 0


def test_manager_can_neither_create_nor_promote_an_auditor(app, db, world):
    client = _client(app, world["manager"])
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="auditor"' not in form, "the role is not offered"
    count = db.scalar(sa.select(sa.func.count(User.id)))
    response = client.post("/admin/users/new", data={
        "username": "fake-auditor", "display_name": "假审计", "role": "auditor",
        "password": NEW, "organization_id": world["org"].id})
    assert response.status_code == 200
    assert db.scalar(sa.select(sa.func.count(User.id))) == count
    volunteer = world["volunteer"]
    response = client.post(f"/admin/users/{volunteer.id}/edit", data={
        "display_name": volunteer.display_name, "role": "auditor",
        "organization_id": world["org"].id, "point_ids": [world["point"].id]})
    assert response.status_code == 200
    assert _fresh(db, volunteer).role == Role.VOLUNTEER


def test_the_services_refuse_a_manager_too(db, world):
    manager, auditor, volunteer = world["manager"], world["auditor"], world["volunteer"]
    with pytest.raises(PermissionDenied):
        services.update_user(manager, db, auditor, {"role": "volunteer",
                                                    "organization_id": world["org"].id})
    with pytest.raises(PermissionDenied):
        services.reset_password(manager, db, auditor, NEW)
    with pytest.raises(PermissionDenied):
        services.set_user_active(manager, db, auditor, False)
    with pytest.raises(PermissionDenied):
        services.create_user(manager, db, {"username": "aud2", "role": "auditor",
                                           "password": NEW,
                                           "organization_id": world["org"].id})
    with pytest.raises(PermissionDenied):
        services.update_user(manager, db, volunteer, {"role": "auditor",
                                                      "organization_id": world["org"].id})
    db.rollback()
    assert _fresh(db, auditor).role == Role.AUDITOR
    assert _fresh(db, volunteer).role == Role.VOLUNTEER


def test_the_list_offers_a_manager_no_action_on_the_auditor(app, world):
    body = _client(app, world["manager"]).get("/admin/users").get_data(as_text=True)
    assert world["auditor"].username in body, "the manager still sees who audits them"
    assert f'/admin/users/{world["auditor"].id}/edit' not in body
    assert f'/admin/users/{world["volunteer"].id}/edit' in body


def test_the_administrator_creates_changes_and_resets_auditors(app, db, world):
    auditor = world["auditor"]
    client = _client(app, world["admin"])
    assert client.get(f"/admin/users/{auditor.id}/edit").status_code == 200
    response = client.post("/admin/users/new", data={
        "username": "new-auditor", "display_name": "新审计", "role": "auditor",
        "password": NEW, "organization_id": world["org"].id})
    assert response.status_code == 302
    created = db.scalar(sa.select(User).where(User.username == "new-auditor"))
    assert created.role == Role.AUDITOR
    assert client.post(f"/admin/users/{auditor.id}/password",
                       data={"new_password": NEW}).status_code == 302
    assert check_password_hash(_fresh(db, auditor).password_hash, NEW)
    response = client.post(f"/admin/users/{auditor.id}/edit", data={
        "display_name": auditor.display_name, "role": "volunteer",
        "organization_id": world["org"].id, "point_ids": [world["point"].id]})
    assert response.status_code == 302
    assert _fresh(db, auditor).role == Role.VOLUNTEER
    assert [e.user_id for e in db.scalars(sa.select(AuditLog).where(
        AuditLog.object_type == "User", AuditLog.object_id == str(auditor.id),
        AuditLog.action.in_(("user.reset_password", "user.update"))))] == [
        world["admin"].id] * 2
    assert "new-auditor" in client.get("/admin/users?role=auditor").get_data(as_text=True)
