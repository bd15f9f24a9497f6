"""Signing in and out, remember-me, safe `next`, session invalidation, own password."""
import re

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from charity.auth.models import User
from charity.auth.signin import safe_next
from tests.conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
GENERIC = "用户名或密码错误，或账号已停用。"
NEW_PASSWORD = "another-long-passphrase"


def new_client(app):
    """Another browser."""
    return app.test_client()


def _errors(response) -> str:
    """The page's error texts (form-level banner and field errors)."""
    body = response.get_data(as_text=True)
    found = re.findall(r'class="flash flash-error"[^>]*>(.*?)</div>', body, re.S)
    found += re.findall(r'class="field-error">(.*?)</small>', body, re.S)
    return " ".join(f.strip() for f in found)


def _field_error(response, field_id) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def _signed_in(client) -> bool:
    # The password page opens for any signed-in user, even one who must change it first.
    return client.get("/account/password").status_code == 200


@pytest.fixture
def user(db, make_user):
    u = make_user("manager")
    db.commit()  # failed sign-ins roll back the request's transaction
    return u


# --- signing in ------------------------------------------------------------------------------

def test_login_page_is_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "工作人员登录" in response.get_data(as_text=True)


def test_login_and_logout(client, db, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith("/staff/")
    assert _signed_in(client)
    db.expire_all()
    assert db.get(User, user.id).last_login_at is not None
    response = client.post("/logout")
    assert response.status_code == 302
    assert not _signed_in(client)


def test_username_is_case_and_space_insensitive(client, user):
    response = client.post("/login", data={"username": f"  {user.username.upper()} ",
                                           "password": PASSWORD})
    assert response.status_code == 302


def test_signed_in_user_visiting_login_goes_to_workbench(client, user, login):
    login(user)
    response = client.get("/login")
    assert response.status_code == 302 and response.location.endswith("/staff/")


def test_session_cookie_carries_id_session_token_and_session_key(client, db, user, login):
    import hashlib

    from charity.auth.models import UserSession

    login(user)
    with client.session_transaction() as session:
        user_id, token, key = session["_user_id"].split(":")
    assert (user_id, token) == (str(user.id), user.session_token)
    # The key names this session's row on the server, which keeps only its SHA-256.
    row = db.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and len(key) >= 40


def test_wrong_password_and_unknown_user_get_the_same_message(client, db, user):
    username = user.username
    wrong = client.post("/login", data={"username": username, "password": "wrong-password!"})
    unknown = client.post("/login", data={"username": "nobody-here", "password": "whatever-pass"})
    assert wrong.status_code == unknown.status_code == 200
    assert _errors(wrong) == _errors(unknown) == GENERIC
    # The message says nothing about which part was wrong, and the username stays typed.
    assert f'value="{username}"' in wrong.get_data(as_text=True)
    assert not _signed_in(client)


def test_inactive_user_is_refused_with_the_same_message(client, db, user):
    user.active = False
    db.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert _errors(response) == GENERIC
    assert not _signed_in(client)


def test_empty_fields_are_answered_next_to_the_field(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 200
    assert CJK.search(_field_error(response, "username"))
    assert CJK.search(_field_error(response, "password"))


# --- next ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/staff/", "/\\evil.com", "\\\\evil.com",
    "javascript:alert(1)", "JavaScript:alert(1)", " //evil.com", "/\t/evil.com",
    "///evil.com", "https:evil.com", "evil.com", "//evil.com/%2F..", "/\\/evil.com",
    "data:text/html,<script>alert(1)</script>",
])
def test_next_to_another_site_is_refused(client, user, target):
    assert safe_next(target) is None
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.location in ("/staff/", "http://localhost/staff/")


@pytest.mark.parametrize("target", ["\x00//evil.com", "/\x00/evil.com", "/\r\n/evil.com",
                                    "\x0b//evil.com"])
def test_next_with_control_characters_is_refused(client, user, target):
    assert safe_next(target) is None
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": target})
    assert response.status_code in (302, 400)
    assert "evil.com" not in (response.location or "")


@pytest.mark.parametrize("target", ["/admin/points?q=超市&page=2", "/staff/audit"])
def test_next_on_this_site_is_followed(client, user, target):
    assert safe_next(target) == target
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.location.endswith(target) or response.location.endswith(
        target.replace("超市", "%E8%B6%85%E5%B8%82"))


def test_anonymous_is_sent_to_login_and_back(client, user):
    response = client.get("/admin/points?kind=station")
    assert response.status_code == 302
    assert "/login" in response.location
    login_page = client.get(response.location)
    match = re.search(r'name="next" type="hidden" value="([^"]*)"',
                      login_page.get_data(as_text=True))
    assert match and match.group(1) == "/admin/points?kind=station"
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": match.group(1)})
    assert response.location.endswith("/admin/points?kind=station")


def test_language_switch_refuses_foreign_next(client):
    response = client.get("/language/en?next=//evil.com")
    assert response.status_code == 302
    assert "evil.com" not in response.location


# --- remember me -----------------------------------------------------------------------------

def test_remember_me_sets_the_remember_cookie(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD,
                                "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.value.startswith(f"{user.id}:{user.session_token}:")


def test_without_remember_me_no_remember_cookie(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_remember_cookie_alone_signs_in_until_the_password_changes(app, client, db, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD,
                                "remember": "y"})
    remember = client.get_cookie("remember_token").value
    later = new_client(app)  # the browser was closed: only the remember cookie is left
    later.set_cookie("remember_token", remember)
    assert _signed_in(later)
    # the password is changed elsewhere: the remember cookie no longer works
    from charity.auth.services import change_own_password

    change_own_password(db.get(User, user.id), db, PASSWORD, NEW_PASSWORD)
    db.commit()
    stale = new_client(app)
    stale.set_cookie("remember_token", remember)
    assert not _signed_in(stale)


def test_logout_clears_the_remember_cookie(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD,
                                "remember": "y"})
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert not _signed_in(client)


# --- session invalidation --------------------------------------------------------------------

def test_forged_session_with_an_old_token_is_anonymous(client, db, user, login):
    login(user)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:not-the-token"
    assert not _signed_in(client)


def test_session_without_a_token_is_anonymous(client, user, login):
    login(user)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _signed_in(client)


def test_deactivation_signs_out_at_once(app, client, db, user, login):
    login(user)
    assert _signed_in(client)
    from charity.auth.services import set_user_active
    from charity.core.system import system_actor

    set_user_active(system_actor(), db, db.get(User, user.id), False)
    db.commit()
    assert not _signed_in(client)


# --- own password ----------------------------------------------------------------------------

def test_changing_own_password_keeps_this_session_and_ends_others(app, client, db, user, login):
    login(user)
    other = new_client(app)
    assert other.post("/login", data={"username": user.username,
                                      "password": PASSWORD}).status_code == 302
    assert _signed_in(other)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client), "the device that changed the password stays signed in"
    assert not _signed_in(other), "other devices are signed out"
    db.expire_all()
    fresh = db.get(User, user.id)
    assert check_password_hash(fresh.password_hash, NEW_PASSWORD)
    # the old password no longer works, the new one does
    third = new_client(app)
    assert third.post("/login", data={"username": user.username,
                                      "password": PASSWORD}).status_code == 200
    assert third.post("/login", data={"username": user.username,
                                      "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("data,field", [
    ({"current_password": "wrong-password", "new_password": NEW_PASSWORD,
      "confirm": NEW_PASSWORD}, "current_password"),
    ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
     "new_password"),
    ({"current_password": PASSWORD, "new_password": "123456789", "confirm": "123456789"},
     "new_password"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"},
     "confirm"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
     "new_password"),
])
def test_password_change_refusals(client, db, user, login, data, field):
    login(user)
    old_hash, old_token = user.password_hash, user.session_token
    response = client.post("/account/password", data=data)
    assert response.status_code == 200
    assert CJK.search(_field_error(response, field)), _errors(response)
    db.expire_all()
    fresh = db.get(User, user.id)
    assert fresh.password_hash == old_hash
    assert fresh.session_token == old_token
    assert _signed_in(client)


def test_ten_characters_is_enough(client, db, user, login):
    login(user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "k3x9-q7w2z", "confirm": "k3x9-q7w2z"})
    assert response.status_code == 302


def test_must_change_password_forces_the_change_page(client, db, make_user, login):
    u = make_user("manager", must_change_password=True)
    db.commit()
    login(u)
    for url in ("/staff/", "/admin/points", "/admin/orgs", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.endswith("/account/password"), url
    # a POST elsewhere is not let through either
    response = client.post(f"/admin/users/{u.id}/active", data={"active": "0"})
    assert response.status_code == 302 and response.location.endswith("/account/password")
    assert client.get("/account/password").status_code == 200
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    db.expire_all()
    assert db.get(User, u.id).must_change_password is False


def test_must_change_password_can_still_sign_out(client, db, make_user, login):
    u = make_user("volunteer", must_change_password=True)
    db.commit()
    login(u)
    response = client.post("/logout")
    assert response.status_code == 302
    assert not response.location.endswith("/account/password")
    assert client.get("/staff/").status_code == 302
    assert "/login" in client.get("/staff/").location


def test_password_rule_in_the_service(db, make_user):
    from charity.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        make_user("manager", password="123456789")
    # ten characters, not a well-known password (those are refused: tests/auth/test_passwords.py)
    assert make_user("manager", password="k3x9-q7w2z").id
