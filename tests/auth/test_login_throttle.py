"""Sign-in throttling: per account and per address, counted in the database, no enumeration."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.auth import throttle
from charity.auth.models import LoginAttempt
from charity.core.db import utcnow
from tests.conftest import PASSWORD

THROTTLED = "登录失败次数过多，请稍候（最多 15 分钟）再试。"
GENERIC = "用户名或密码错误，或账号已停用。"
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


@pytest.fixture
def user(db, make_user):
    return make_user("manager")


def _post(client, username, password, address=HOME):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _errors(response) -> str:
    body = response.get_data(as_text=True)
    return " ".join(f.strip() for f in
                    re.findall(r'class="flash flash-error"[^>]*>(.*?)</div>', body, re.S))


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _fail(client, username, times, address=HOME):
    for _ in range(times):
        response = _post(client, username, "wrong-password!", address)
        assert response.status_code == 200 and _errors(response) == GENERIC


def test_five_failures_lock_the_account_even_for_the_right_password(client, db, user):
    _fail(client, user.username, 4)
    assert _post(client, user.username, PASSWORD).status_code == 302  # 4 failures: still open
    client.post("/logout")
    _fail(client, user.username, 5)
    response = _post(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert _errors(response) == THROTTLED
    assert not _signed_in(client)
    # the refused attempt itself is not stored (hammering does not grow the table)
    assert db.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 4 + 1 + 5


def test_unknown_account_gets_the_same_answers(app, client, db, user):
    other = app.test_client()
    _fail(client, user.username, 5)
    _fail(other, "no-such-user", 5)
    known = _post(client, user.username, PASSWORD)
    unknown = _post(other, "no-such-user", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _errors(known) == _errors(unknown) == THROTTLED


def test_unknown_username_still_checks_a_password_hash(client, monkeypatch, user):
    from werkzeug.security import check_password_hash

    calls = []
    monkeypatch.setattr("charity.auth.services.check_password_hash",
                        lambda h, p: calls.append(h) or check_password_hash(h, p))
    _post(client, "no-such-user", "whatever-pass")
    _post(client, user.username, "whatever-pass")
    assert len(calls) == 2
    assert calls[0].startswith("scrypt:")  # the dummy hash costs as much as a real one


def test_username_is_counted_as_typed_normalised(client, user):
    for typed in (user.username.upper(), f"  {user.username} ", user.username, "  " +
                  user.username.title(), user.username):
        _post(client, typed, "wrong-password!")
    assert _post(client, user.username, PASSWORD).status_code == 429


def test_success_forgives_only_the_failures_from_its_own_address(client, db, user):
    _fail(client, user.username, 4)
    assert _post(client, user.username, PASSWORD).status_code == 302  # forgives HOME's four
    client.post("/logout")
    _fail(client, user.username, 4)
    assert _post(client, user.username, PASSWORD).status_code == 302
    client.post("/logout")
    # an attacker elsewhere: four failures, then the owner signs in at home ...
    _fail(client, user.username, 4, address=ELSEWHERE)
    assert _post(client, user.username, PASSWORD).status_code == 302
    client.post("/logout")
    # ... which does not reset the attacker's count: one more failure locks the account
    _fail(client, user.username, 1, address=ELSEWHERE)
    assert _post(client, user.username, PASSWORD, address=ELSEWHERE).status_code == 429
    assert _post(client, user.username, PASSWORD).status_code == 429


def test_twenty_failures_from_one_address_lock_that_address(client, db, make_user, user):
    for n in range(20):
        _post(client, f"guess{n}", "wrong-password!")
    # a valid account with its right password, from that address: refused
    response = _post(client, user.username, PASSWORD)
    assert response.status_code == 429 and _errors(response) == THROTTLED
    # a success from the address does not buy more guesses either, and another address is free
    assert _post(client, user.username, PASSWORD, address=ELSEWHERE).status_code == 302
    client.post("/logout")
    assert _post(client, user.username, PASSWORD).status_code == 429


def test_failures_older_than_the_window_do_not_count(client, db, user):
    key = client.application.config["CHARITY_ID_HASH_KEY"]
    old = utcnow() - dt.timedelta(minutes=16)
    for n in range(5):
        db.add(LoginAttempt(username=user.username, address_hash=throttle.address_hash(HOME, key),
                            at=old + dt.timedelta(seconds=n), success=False, step="password"))
    db.commit()
    # the throttle itself, at the edge of the window: locked 14 minutes after, open after 15
    with pytest.raises(throttle.LoginThrottled):
        throttle.check(db, user.username, "x", now=old + dt.timedelta(minutes=14))
    throttle.check(db, user.username, "x", now=old + dt.timedelta(minutes=15, seconds=5))
    assert _post(client, user.username, PASSWORD).status_code == 302


def test_old_rows_are_pruned_when_attempts_come_in(client, db, user):
    for age in (dt.timedelta(days=2), dt.timedelta(hours=2)):
        db.add(LoginAttempt(username="someone", address_hash="h", at=utcnow() - age,
                            success=False, step="password"))
    db.commit()
    _post(client, user.username, "wrong-password!")
    left = db.scalars(sa.select(LoginAttempt.username).order_by(LoginAttempt.at)).all()
    assert left == ["someone", user.username]


def test_neither_the_password_nor_the_address_is_stored(client, db, user):
    _post(client, user.username, "typed-secret-Xq93", address="203.0.113.7")
    row = db.scalars(sa.select(LoginAttempt)).one()
    assert row.username == user.username and row.success is False and row.step == "password"
    assert re.fullmatch(r"[0-9a-f]{64}", row.address_hash)
    key = client.application.config["CHARITY_ID_HASH_KEY"]
    assert row.address_hash == throttle.address_hash("203.0.113.7", key)
    values = " ".join(str(v) for v in db.execute(sa.select(LoginAttempt.__table__)).one())
    assert "typed-secret" not in values and "203.0.113.7" not in values


def test_a_lock_out_is_audited_once_without_secrets(client, db, user):
    _fail(client, user.username, 5)
    _post(client, user.username, PASSWORD)  # refused: no second entry
    entries = db.scalars(sa.select(AuditLog).where(AuditLog.action == "auth.lockout")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.object_type == "User" and entry.object_id == str(user.id)
    from charity.audit.services import address_hash

    key = client.application.config["CHARITY_ID_HASH_KEY"]
    assert entry.remote_addr == address_hash(HOME, key) and entry.user_id is None
    assert entry.summary == {"scope": ["account"], "step": "password",
                             "username": user.username, "known_account": True}
    assert "wrong-password" not in str(entry.summary) and PASSWORD not in str(entry.summary)


def test_lock_out_of_an_unknown_name_does_not_log_what_was_typed(client, db):
    _fail(client, "my-password-by-mistake", 5)
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.action == "auth.lockout")).one()
    assert entry.object_type == "LoginAttempt"
    assert entry.summary["username"] is None and entry.summary["known_account"] is False
    assert "my-password" not in str(entry.summary)


def test_address_lock_out_is_audited(client, db):
    for n in range(20):
        _post(client, f"guess{n}", "wrong-password!")
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.action == "auth.lockout")).one()
    assert entry.summary["scope"] == ["address"]
