"""The audit log: services record every change; no secrets in it; the reader is scoped."""
import json
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import record
from charity.auth import services as users
from charity.auth.models import User
from charity.orgs import services as orgs
from charity.core.system import system_actor
from tests.conftest import PASSWORD
from tests.pager import rel_link

NEW = "fresh-password-123"


def new_client(app):
    """Another browser."""
    return app.test_client()


def log(db, action=None, obj=None):
    stmt = sa.select(AuditLog).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if obj is not None:
        stmt = stmt.where(AuditLog.object_type == type(obj).__name__,
                          AuditLog.object_id == str(obj.id))
    return list(db.scalars(stmt))


def last_id(db) -> int:
    return db.scalar(sa.select(sa.func.max(AuditLog.id))) or 0


def since(db, mark):
    return list(db.scalars(sa.select(AuditLog).where(AuditLog.id > mark).order_by(AuditLog.id)))


# --- services write the log ------------------------------------------------------------------

def test_organisation_create_update_deactivate(db, make_user):
    admin = make_user("admin")
    org = orgs.create_organization(admin, db, {"name": "审计测试会", "uscc": "91330100716105852F",
                                               "contact_person": "甲"})
    (created,) = log(db, "org.create", org)
    assert created.user_id == admin.id and created.organization_id == org.id
    assert created.summary["name"] == "审计测试会" and created.summary["uscc"] == org.uscc
    assert created.at is not None and created.at.utcoffset().total_seconds() == 0

    orgs.update_organization(admin, db, org, {"contact_person": "乙", "name": "审计测试会"})
    (updated,) = log(db, "org.update", org)
    assert updated.summary == {"contact_person": ["甲", "乙"]}

    mark = last_id(db)
    orgs.update_organization(admin, db, org, {"contact_person": "乙"})
    assert since(db, mark) == [], "no change, no entry"

    orgs.set_organization_active(admin, db, org, False)
    orgs.set_organization_active(admin, db, org, False)  # already off: nothing to record
    assert len(log(db, "org.deactivate", org)) == 1
    orgs.set_organization_active(admin, db, org, True)
    assert len(log(db, "org.activate", org)) == 1


def test_point_create_update_close(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    point = orgs.create_point(manager, db, org, {"kind": "station", "name": "审计站"})
    (created,) = log(db, "point.create", point)
    assert created.user_id == manager.id and created.organization_id == org.id
    assert created.summary["kind"] == "station"
    orgs.update_point(manager, db, point, {"name": "审计站", "address": "新址"})
    assert log(db, "point.update", point)[0].summary == {"address": ["", "新址"]}
    orgs.set_point_active(manager, db, point, False)
    assert log(db, "point.deactivate", point)[0].organization_id == org.id


def test_user_changes_are_logged_without_secrets(db, make_org, make_point, make_user):
    org = make_org()
    p1, p2 = make_point(org), make_point(org)
    manager = make_user("manager", org=org)
    mark = last_id(db)
    v = users.create_user(manager, db, {"username": "audited", "display_name": "被审计",
                                        "role": "volunteer", "password": PASSWORD,
                                        "organization_id": org.id, "point_ids": [p1.id]})
    users.update_user(manager, db, v, {"display_name": "改名", "role": "volunteer",
                                       "organization_id": org.id, "point_ids": [p2.id]})
    users.reset_password(manager, db, v, NEW)
    users.set_user_active(manager, db, v, False)
    users.set_user_active(manager, db, v, True)
    users.change_own_password(v, db, NEW, NEW + "-2")
    entries = since(db, mark)
    assert [e.action for e in entries] == [
        "user.create", "user.update", "user.reset_password", "user.deactivate",
        "user.activate", "user.change_password"]
    assert all(e.object_type == "User" and e.object_id == str(v.id) for e in entries)
    assert all(e.organization_id == org.id for e in entries)
    assert [e.user_id for e in entries] == [manager.id] * 5 + [v.id]
    assert entries[0].summary["role"] == "volunteer"
    assert entries[0].summary["points"] == [p1.id]
    assert entries[1].summary["points"] == [[p1.id], [p2.id]]
    text = json.dumps([e.summary for e in entries], ensure_ascii=False)
    for secret in (PASSWORD, NEW, NEW + "-2", v.password_hash, v.session_token):
        assert secret not in text
    assert "password_hash" not in text and "session_token" not in text


def test_record_masks_sensitive_fields_wherever_they_are(db, make_org):
    org = make_org()
    entry = record(db, system_actor(), "test.sensitive", org, {
        "password": "p", "nested": {"password_hash": "h", "id_number": "620102199001011234",
                                    "ok": 1},
        "list": [{"session_token": "t"}], "amount": __import__("decimal").Decimal("12.50")})
    db.flush()
    db.expire(entry)
    summary = db.get(AuditLog, entry.id).summary
    text = json.dumps(summary)
    for secret in ('"p"', '"h"', "620102199001011234", '"t"'):
        assert secret not in text
    assert summary["nested"]["ok"] == 1
    assert summary["amount"] == "12.50", "Decimal kept exactly, as text"


def test_system_changes_have_no_user(db, make_org):
    org = make_org()
    (entry,) = log(db, "org.create", org)
    assert entry.user_id is None


def test_refused_change_writes_no_entry(db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    mark = last_id(db)
    from charity.core.errors import DomainError

    with pytest.raises(DomainError):
        users.create_user(manager, db, {"username": "x2", "role": "admin", "password": PASSWORD})
    with pytest.raises(DomainError):
        orgs.create_organization(manager, db, {"name": "越权", "uscc": "91110000802100433B"})
    assert since(db, mark) == []


# --- through the web -------------------------------------------------------------------------

def test_web_change_records_actor_and_address(app, db, make_user):
    admin = make_user("admin")
    db.commit()
    client = new_client(app)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    mark = last_id(db)
    response = client.post("/admin/orgs/new", data={
        "name": "网页审计会", "uscc": "91110000802100433B", "timezone": "Asia/Shanghai",
        "registered_on": "2020-01-01"})
    assert response.status_code == 302
    (entry,) = since(db, mark)
    assert entry.action == "org.create"
    assert entry.user_id == admin.id
    from charity.audit.services import address_hash

    # A keyed hash of the address, never the address (issue 16).
    assert entry.remote_addr == address_hash("203.0.113.9", app.config["CHARITY_ID_HASH_KEY"])


def test_failed_form_writes_no_entry(app, db, make_user):
    admin = make_user("admin")
    db.commit()
    client = new_client(app)
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    mark = last_id(db)
    client.post("/admin/orgs/new", data={"name": "坏代码会", "uscc": "91110000802100433C",
                                         "timezone": "Asia/Shanghai"})
    assert since(db, mark) == []


# --- the reader ------------------------------------------------------------------------------

@pytest.fixture
def two_orgs(db, make_org, make_point, make_user):
    a = make_org(name="甲审计会")
    b = make_org(name="乙审计会")
    pa = make_point(a, name="甲的站点")
    pb = make_point(b, name="乙的站点")
    people = {"auditor": make_user("auditor", org=a), "manager": make_user("manager", org=a),
              "volunteer": make_user("volunteer", org=a, points=[pa]),
              "admin": make_user("admin")}
    db.commit()
    return {"a": a, "b": b, "pa": pa, "pb": pb, **people}


def _object_ids(body):
    return set(re.findall(r"CharityPoint #(\d+)", body))


def test_auditor_sees_only_their_organisations_entries(app, db, two_orgs):
    client = new_client(app)
    client.post("/login", data={"username": two_orgs["auditor"].username, "password": PASSWORD})
    response = client.get("/staff/audit?action=point.")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert str(two_orgs["pa"].id) in _object_ids(body)
    assert str(two_orgs["pb"].id) not in _object_ids(body)
    assert "point.create" in body
    # the organisation's own record is theirs too, the other one's is not
    orgs_body = client.get("/staff/audit?action=org.").get_data(as_text=True)
    assert f"Organization #{two_orgs['a'].id}<" in orgs_body
    assert f"Organization #{two_orgs['b'].id}<" not in orgs_body


def test_admin_sees_everything_volunteer_nothing(app, db, two_orgs):
    admin = new_client(app)
    admin.post("/login", data={"username": two_orgs["admin"].username, "password": PASSWORD})
    body = admin.get("/staff/audit?action=point.").get_data(as_text=True)
    assert {str(two_orgs["pa"].id), str(two_orgs["pb"].id)} <= _object_ids(body)
    volunteer = new_client(app)
    volunteer.post("/login", data={"username": two_orgs["volunteer"].username,
                                   "password": PASSWORD})
    assert volunteer.get("/staff/audit").status_code == 403


def test_audit_page_has_no_password_hashes(app, db, two_orgs):
    manager = new_client(app)
    manager.post("/login", data={"username": two_orgs["manager"].username, "password": PASSWORD})
    v = two_orgs["volunteer"]
    assert manager.post(f"/admin/users/{v.id}/password",
                        data={"new_password": NEW}).status_code == 302
    auditor = new_client(app)
    auditor.post("/login", data={"username": two_orgs["auditor"].username, "password": PASSWORD})
    body = auditor.get("/staff/audit").get_data(as_text=True)
    assert "user.reset_password" in body
    hashes = [u.password_hash for u in db.scalars(sa.select(User))]
    assert not any(h in body for h in hashes)
    assert NEW not in body and "pbkdf2:" not in body and "scrypt:" not in body


def test_audit_page_pages(app, db, two_orgs):
    admin = two_orgs["admin"]
    org = two_orgs["a"]
    for n in range(60):
        record(db, admin, "test.bulk", org, {"n": n})
    db.commit()
    client = new_client(app)
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    first = client.get("/staff/audit?action=test.bulk").get_data(as_text=True)
    second = client.get(rel_link(first, "next")).get_data(as_text=True)
    assert first.count("test.bulk</code>") == 50
    assert second.count("test.bulk</code>") == 10
