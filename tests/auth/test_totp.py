"""Optional two-factor sign-in (TOTP) for managers and administrators."""
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.auth import totp
from charity.auth.models import User
from charity.core.errors import PermissionDenied
from tests.conftest import PASSWORD

WRONG_CODE = "验证码错误或已过期。"
THROTTLED = "登录失败次数过多，请稍候（最多 15 分钟）再试。"


@pytest.fixture
def key(app):
    return app.config["CHARITY_ID_HASH_KEY"]


@pytest.fixture
def manager(db, make_user):
    return make_user("manager")


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _secret_on_page(client) -> str:
    match = re.search(r"<code>([A-Z2-7]{32})</code>", client.get("/account").get_data(as_text=True))
    assert match, "the enrolment page shows the key"
    return match.group(1)


def _enabled(db, user, key) -> str:
    """Turn two-factor sign-in on for `user` (as the service does); return the secret."""
    secret = totp.begin_enrolment(user, db, key)
    totp.confirm_enrolment(user, db, pyotp.TOTP(secret).now(), key)
    user.totp_last_step = None  # the tests' first code may fall in the same 30 s step
    db.commit()
    return secret


def _field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


# --- enrolment -------------------------------------------------------------------------------

def test_enrolment_shows_qr_and_key_then_needs_a_code(client, db, manager, login, key):
    login(manager)
    page = client.get("/account").get_data(as_text=True)
    assert "设置双重验证登录" in page and "<svg" not in page
    assert client.post("/account/2fa/start").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret = _secret_on_page(client)
    db.expire_all()
    stored = db.get(User, manager.id)
    assert stored.totp_enabled is False
    assert secret not in stored.totp_secret  # sealed, not stored in clear
    assert totp.unseal(stored.totp_secret, key) == secret
    # a wrong code leaves it off
    response = client.post("/account/2fa/confirm", data={"code": "000000"})
    assert response.status_code == 400 and _field_error(response, "code") == WRONG_CODE
    db.expire_all()
    assert db.get(User, manager.id).totp_enabled_at is None
    # the right code turns it on; the key is never shown again
    response = client.post("/account/2fa/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert _signed_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert secret not in page and "<svg" not in page and "关闭双重验证登录" in page
    db.expire_all()
    assert db.get(User, manager.id).totp_enabled is True
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.action == "user.2fa_enable")).one()
    assert entry.object_id == str(manager.id) and entry.user_id == manager.id
    assert secret not in str(entry.summary)


def test_volunteers_and_auditors_cannot_enrol(db, make_user, key):
    for role in ("volunteer", "auditor"):
        with pytest.raises(PermissionDenied):
            totp.begin_enrolment(make_user(role), db, key)


def test_enabling_signs_out_other_sessions(app, client, db, manager, login, key):
    other = app.test_client()
    other.post("/login", data={"username": manager.username, "password": PASSWORD})
    assert _signed_in(other)
    login(manager)
    client.post("/account/2fa/start")
    secret = _secret_on_page(client)
    client.post("/account/2fa/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert _signed_in(client) and not _signed_in(other)


# --- signing in ------------------------------------------------------------------------------

def test_sign_in_asks_for_the_code_and_only_then_signs_in(client, db, manager, key):
    secret = _enabled(db, manager, key)
    response = client.post("/login", data={"username": manager.username, "password": PASSWORD,
                                           "next": "/admin/points"})
    assert response.status_code == 302 and response.location.endswith("/login/code")
    assert not _signed_in(client), "not signed in before the code"
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 200 and _field_error(response, "code") == WRONG_CODE
    assert not _signed_in(client)
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/admin/points")
    assert _signed_in(client)


def test_a_code_works_once(app, client, db, manager, key):
    secret = _enabled(db, manager, key)
    code = pyotp.TOTP(secret).now()
    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    assert client.post("/login/code", data={"code": code}).status_code == 302
    thief = app.test_client()
    thief.post("/login", data={"username": manager.username, "password": PASSWORD})
    response = thief.post("/login/code", data={"code": code})
    assert _field_error(response, "code") == WRONG_CODE and not _signed_in(thief)


def test_wrong_codes_are_throttled(client, db, manager, key):
    secret = _enabled(db, manager, key)
    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    for _ in range(5):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    assert not _signed_in(client)
    # and a correct password does not buy more codes
    assert client.post("/login", data={"username": manager.username,
                                       "password": PASSWORD}).status_code == 429


def test_the_code_step_expires_and_dies_with_a_password_change(client, db, manager, key):
    secret = _enabled(db, manager, key)
    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    with client.session_transaction() as session:
        session["pending_2fa"] = {**session["pending_2fa"], "until": time.time() - 1}
    page = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert "本次登录已过期" in page.get_data(as_text=True) and not _signed_in(client)
    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    from charity.auth.services import change_own_password

    change_own_password(db.get(User, manager.id), db, PASSWORD, "another-long-passphrase")
    db.commit()
    client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert not _signed_in(client)


def test_forged_pending_state_is_refused(client, db, manager, key):
    _enabled(db, manager, key)
    with client.session_transaction() as session:
        session["pending_2fa"] = {"user_id": manager.id, "token": "guess",
                                  "until": time.time() + 100}
    page = client.get("/login/code").get_data(as_text=True)
    assert "本次登录已过期" in page


# --- turning it off --------------------------------------------------------------------------

def test_disable_needs_password_and_code(client, db, manager, key):
    secret = _enabled(db, manager, key)
    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    manager.totp_last_step = None
    db.commit()
    response = client.post("/account/2fa/disable",
                           data={"password": "wrong-password", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 400 and _field_error(response, "password") == "当前密码不正确。"
    response = client.post("/account/2fa/disable", data={"password": PASSWORD, "code": "000000"})
    assert response.status_code == 400 and _field_error(response, "code") == WRONG_CODE
    db.expire_all()
    assert db.get(User, manager.id).totp_enabled is True
    response = client.post("/account/2fa/disable",
                           data={"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and _signed_in(client)
    db.expire_all()
    fresh = db.get(User, manager.id)
    assert fresh.totp_enabled is False and fresh.totp_secret is None
    assert db.scalars(sa.select(AuditLog).where(AuditLog.action == "user.2fa_disable")).one()


def test_admin_resets_a_users_two_factor_and_signs_them_out(app, client, db, make_user, login,
                                                             manager, key):
    secret = _enabled(db, manager, key)
    theirs = app.test_client()
    theirs.post("/login", data={"username": manager.username, "password": PASSWORD})
    theirs.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert _signed_in(theirs)
    other_manager = make_user("manager", org=manager.organization)
    login(other_manager)
    assert client.get(f"/admin/users/{manager.id}/2fa").status_code == 403
    client.post("/logout")
    admin = make_user("admin")
    login(admin)
    assert "自 " in client.get(f"/admin/users/{manager.id}/2fa").get_data(as_text=True)
    assert client.post(f"/admin/users/{manager.id}/2fa").status_code == 302
    assert not _signed_in(theirs)
    db.expire_all()
    assert db.get(User, manager.id).totp_enabled is False
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.action == "user.2fa_reset")).one()
    assert entry.user_id == admin.id and entry.object_id == str(manager.id)
    assert entry.summary == {"was_enabled": True}
    # now the password alone signs in again
    again = app.test_client()
    assert again.post("/login", data={"username": manager.username,
                                      "password": PASSWORD}).location.endswith("/staff/")


# --- sealing ---------------------------------------------------------------------------------

def test_sealed_secret_needs_the_key_and_detects_tampering():
    sealed = totp.seal("JBSWY3DPEHPK3PXP", b"k" * 32)
    assert sealed.startswith("v1$") and "JBSWY3DPEHPK3PXP" not in sealed
    assert totp.unseal(sealed, b"k" * 32) == "JBSWY3DPEHPK3PXP"
    assert totp.unseal(sealed, b"x" * 32) is None
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    assert totp.unseal(tampered, b"k" * 32) is None
    assert totp.unseal("garbage", b"k" * 32) is None
    assert totp.seal("JBSWY3DPEHPK3PXP", b"k" * 32) != sealed  # a fresh nonce each time


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", "12 34 5"])
def test_malformed_codes_never_match(code):
    assert totp.matching_step("JBSWY3DPEHPK3PXP", code) is None
