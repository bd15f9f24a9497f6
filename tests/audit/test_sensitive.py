"""Sensitive values never reach the audit log: representative services are run with
passwords, ID numbers, phones and contacts, then every column of every new row is searched."""
from __future__ import annotations

import datetime as dt
import json

import pyotp
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import is_sensitive, record
from charity.auth import services as users
from charity.people import beneficiaries, volunteers
from charity.people.identity import make_id
from charity.people.services import create_donor, update_donor
from charity.core.system import system_actor
from tests.conftest import PASSWORD

ID_NUMBER = make_id("62010219850303777")
DONOR_CODE = "620102197001019999"
SECRETS = {
    "password": PASSWORD, "new password": "another-long-secret-77",
    "third password": "yet-another-secret-88",
    "beneficiary ID": ID_NUMBER, "beneficiary phone": "13919190001",
    "beneficiary new phone": "13919190002", "beneficiary address": "秘密路1号",
    "donor phone": "13812120001", "donor new phone": "13812120002", "donor ID": DONOR_CODE,
    "donor address": "捐赠人家8号", "volunteer phone": "13700770001",
    "volunteer new phone": "13700770002", "complainant name": "投诉人王秘",
    "complainant phone": "13611110001", "complainant e-mail": "hidden@example.org",
    "claimant name": "认领人李秘", "claimant phone": "13522220001",
}


def _rows_as_text(db, mark) -> str:
    rows = db.execute(sa.text("SELECT * FROM audit_log WHERE id > :m"), {"m": mark}).all()
    return json.dumps([[str(v) for v in row] for row in rows], ensure_ascii=False)


def _run_services(db, make_org, make_point, make_user):
    from charity.complaints.services import accept, submit_complaint
    from charity.wishes.services import claim_wish, create_wish

    org = make_org()
    point = make_point(org)
    manager = make_user("manager", org=org)
    # users: create, reset, change password
    u = users.create_user(manager, db, {"username": "sens1", "display_name": "敏感",
                                        "role": "manager", "password": PASSWORD,
                                        "organization_id": org.id, "point_ids": []})
    users.reset_password(manager, db, u, SECRETS["new password"])
    users.change_own_password(u, db, SECRETS["new password"], SECRETS["third password"])
    hashes = [u.password_hash]
    # two-factor sign-in, if the account helper's module is in place
    key = b"k" * 32
    from charity.auth import totp

    secret = totp.begin_enrolment(u, db, key)
    totp.confirm_enrolment(u, db, pyotp.TOTP(secret).now(), key)
    hashes.append(u.totp_secret or "")
    # a household with an ID number, phone and address
    b = beneficiaries.register(manager, db, org, {
        "name": "受助户甲", "categories": ["dibao"], "members": 2, "community": "社区",
        "phone": SECRETS["beneficiary phone"], "address": SECRETS["beneficiary address"],
        "id_number": ID_NUMBER, "certified_until": dt.date(2027, 1, 1)})
    beneficiaries.update(manager, db, b, {"phone": SECRETS["beneficiary new phone"]})
    hashes.append(b.id_number_hash)
    # a donor with phone, address and ID code
    d = create_donor(manager, db, org, {"name": "捐赠人甲", "phone": SECRETS["donor phone"],
                                        "address": SECRETS["donor address"],
                                        "id_code": DONOR_CODE})
    update_donor(manager, db, d, {"phone": SECRETS["donor new phone"]})
    # a volunteer with a phone, changed
    v = volunteers.create_volunteer(manager, db, org, {"name": "志愿者甲",
                                                       "phone": SECRETS["volunteer phone"]})
    from charity.people.volunteers import update_volunteer

    update_volunteer(manager, db, v, {"name": "志愿者甲", "phone": SECRETS["volunteer new phone"],
                                      "community": "", "service_types": []})
    # a complaint with contact details, accepted
    c = submit_complaint(db, org, {"category": "物资去向", "subject": "主题", "description": "内容",
                                   "contact_name": SECRETS["complainant name"],
                                   "contact_phone": SECRETS["complainant phone"],
                                   "contact_email": SECRETS["complainant e-mail"]},
                         address_hash=None)
    accept(manager, db, c)
    # a wish, claimed by the public
    w = create_wish(manager, db, org, {"what": "一件冬衣", "point_id": point.id, "quantity": 1})
    claim_wish(db, w.id, SECRETS["claimant name"], SECRETS["claimant phone"])
    db.flush()
    return hashes


def test_no_sensitive_value_in_any_audit_column(db, make_org, make_point, make_user):
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id))) or 0
    hashes = _run_services(db, make_org, make_point, make_user)
    text = _rows_as_text(db, mark)
    actions = set(db.scalars(sa.select(AuditLog.action).where(AuditLog.id > mark)))
    # the services did write their entries (the search below is over something)
    assert {"user.create", "user.reset_password", "user.change_password", "user.2fa_enable",
            "beneficiary.create", "beneficiary.update", "donor.create", "donor.update",
            "volunteer.create", "volunteer.update", "complaint.accept", "wish.create",
            "wish.claim"} <= actions
    leaked = {what: value for what, value in SECRETS.items() if value in text}
    leaked.update({f"hash {h[:12]}": h for h in hashes if h and h in text})
    assert leaked == {}
    assert ID_NUMBER[:14] not in text
    assert "pbkdf2:" not in text and "scrypt:" not in text


def test_the_search_can_fail(db, make_org):
    """Values under keys the log does not know are not masked: the search above would see
    them (so it is not vacuous), and callers must not pass them — the masking is a net."""
    org = make_org()
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id))) or 0
    record(db, system_actor(), "test.leak", org, {"note": SECRETS["donor phone"]})
    db.flush()
    assert SECRETS["donor phone"] in _rows_as_text(db, mark)


def test_sensitive_keys_are_masked_at_any_depth(db, make_org):
    org = make_org()
    entry = record(db, system_actor(), "test.mask", org, {
        "phone": ["13800000001", "13800000002"], "contact_email": "a@b.c",
        "new_password": "x-secret-1", "otp_secret": "JBSWY3DP",
        "nested": [{"claimant_phone": "13500000003", "id_code": DONOR_CODE, "kept": "ok"}]})
    db.flush()
    db.expire(entry)
    summary = db.get(AuditLog, entry.id).summary
    assert summary == {"phone": "***", "contact_email": "***", "new_password": "***",
                       "otp_secret": "***",
                       "nested": [{"claimant_phone": "***", "id_code": "***", "kept": "ok"}]}
    assert [k for k in ("phone", "Password", "api_token", "name", "address", "points")
            if is_sensitive(k)] == ["phone", "Password", "api_token"]
