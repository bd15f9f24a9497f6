"""Every audit entry names the address a request came from only as a keyed hash (issue 16):
the wish-claim entry kept the claimant's raw address, as did every staff change."""
import hashlib
import hmac
import re

import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import address_hash
from charity.complaints import rules
from tests.conftest import PASSWORD

CLAIMANT = "198.51.100.23"
STAFF = "203.0.113.41"


def _expected(app, address: str) -> str:
    # Computed here from the definition (HMAC-SHA256 under the installation key), not by
    # calling the code under test.
    key = app.config["CHARITY_ID_HASH_KEY"]
    return hmac.new(key, b"complaint-address:" + address.encode(), hashlib.sha256).hexdigest()


def _new_entries(db, mark):
    return list(db.scalars(sa.select(AuditLog).where(AuditLog.id > mark).order_by(AuditLog.id)))


def _mark(db) -> int:
    return db.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))


def test_the_hash_is_the_complaints_hash(app):
    key = app.config["CHARITY_ID_HASH_KEY"]
    for address in ("10.1.1.1", "2001:db8::7", ""):
        assert address_hash(address, key) == rules.address_hash(address, key)
    assert address_hash("10.1.1.1", key) != address_hash("10.1.1.2", key)
    assert address_hash("10.1.1.1", key) != address_hash("10.1.1.1", b"another key")


def test_a_wish_claim_entry_keeps_no_raw_address(app, db, make_org, make_point):
    from charity.core.system import system_actor
    from charity.wishes.services import create_wish

    org = make_org()
    point = make_point(org)
    wish = create_wish(system_actor(), db, org, {"point_id": point.id, "what": "一件冬衣",
                                                 "tag": "留守儿童", "age": "8"})
    db.commit()
    app.extensions.pop("wish_claim_rate", None)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLAIMANT
    page = client.get(f"/wishes/{wish.id}/claim").get_data(as_text=True)
    token = re.search(r'name="submission_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="submission_token"', page)
    mark = _mark(db)
    response = client.post(f"/wishes/{wish.id}/claim", data={
        "submission_token": token.group(1), "name": "王芳", "phone": "13909311234",
        "website": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    (entry,) = [e for e in _new_entries(db, mark) if e.action == "wish.claim"]
    assert entry.remote_addr == _expected(app, CLAIMANT)
    assert CLAIMANT not in str(entry.remote_addr) + str(entry.summary)


def test_staff_changes_and_exports_keep_no_raw_address(app, db, make_org, make_user):
    org = make_org()
    manager = make_user("manager", org=org)
    db.commit()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = STAFF
    assert client.post("/login", data={"username": manager.username,
                                       "password": PASSWORD}).status_code == 302
    mark = _mark(db)
    assert client.post("/admin/points/new", data={
        "organization_id": org.id, "kind": "station", "name": "地址测试站"}).status_code == 302
    assert client.get("/staff/funds/export.csv").status_code == 200
    entries = _new_entries(db, mark)
    assert {e.action for e in entries} >= {"point.create", "export.ledger"}
    for entry in entries:
        assert entry.remote_addr == _expected(app, STAFF), entry.action
    # Nowhere in the whole log, whatever the column.
    rows = db.execute(sa.select(AuditLog.__table__)).all()
    assert not any(STAFF in str(value) for row in rows for value in row)


def test_jobs_without_a_request_record_no_address(db, make_org):
    org = make_org()
    entry = db.scalar(sa.select(AuditLog).where(AuditLog.action == "org.create",
                                                AuditLog.object_id == str(org.id)))
    assert entry.remote_addr is None
