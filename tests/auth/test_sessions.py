"""Sessions end on the server (issue 16 item 2): sign-out that signs out, "sign out
everywhere", remember-me for at most 30 days, an idle timeout for sessions not kept.

The finding: after POST /logout, the old `session` cookie and the `remember_token` cookie
(valid for a year) each still opened /staff/."""
import datetime as dt
import time

import pytest
import sqlalchemy as sa

from charity import create_app
from charity.audit.models import AuditLog
from charity.auth.models import User, UserSession
from charity.core.config import ConfigError
from tests.conftest import PASSWORD

HOUR = 3600


@pytest.fixture
def user(db, make_user):
    u = make_user("manager")
    db.commit()
    return u


def sign_in(app, user, remember=False):
    client = app.test_client()
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def opens_staff(client) -> bool:
    response = client.get("/staff/")
    if response.status_code == 302:
        assert "/login" in response.location
        return False
    assert response.status_code == 200
    return True


def browser_with(app, **cookies):
    """A browser holding copies of these cookies (as an attacker who took them would)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def cookies_of(client) -> dict:
    found = {"session": client.get_cookie("session"),
             "remember_token": client.get_cookie("remember_token")}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def rows(db, user):
    db.expire_all()
    return list(db.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)
                           .order_by(UserSession.id)))


# --- signing out -----------------------------------------------------------------------------

def test_cookies_taken_before_sign_out_open_nothing_after_it(app, db, user):
    client = sign_in(app, user, remember=True)
    taken = cookies_of(client)
    assert set(taken) == {"session", "remember_token"}
    # Before: each copy opens the workbench by itself.
    assert opens_staff(browser_with(app, session=taken["session"]))
    assert opens_staff(browser_with(app, remember_token=taken["remember_token"]))

    assert client.post("/logout").status_code == 302
    assert not opens_staff(client)
    assert not opens_staff(browser_with(app, session=taken["session"]))
    assert not opens_staff(browser_with(app, remember_token=taken["remember_token"]))
    assert not opens_staff(browser_with(app, **taken))
    (row,) = rows(db, user)
    assert row.ended_at is not None and row.end_reason == "sign_out"


def test_signing_out_on_one_device_leaves_the_others(app, db, user):
    phone, desk = sign_in(app, user), sign_in(app, user, remember=True)
    assert phone.post("/logout").status_code == 302
    assert not opens_staff(phone)
    assert opens_staff(desk)
    assert opens_staff(browser_with(app, remember_token=cookies_of(desk)["remember_token"]))


def test_sign_out_everywhere_ends_every_session_of_the_user(app, db, user, make_user):
    colleague = make_user("manager", org=user.organization)
    db.commit()
    here, phone, kept = sign_in(app, user), sign_in(app, user), sign_in(app, user, True)
    theirs = sign_in(app, colleague)
    remember = cookies_of(kept)["remember_token"]
    page = here.get("/account").get_data(as_text=True)
    assert "/account/sessions/end" in page
    response = here.post("/account/sessions/end")
    assert response.status_code == 302 and "/login" in response.location
    for client in (here, phone, kept, browser_with(app, remember_token=remember)):
        assert not opens_staff(client)
    assert opens_staff(theirs), "another user's sessions are untouched"
    assert all(r.ended_at is not None for r in rows(db, user))
    entry = db.scalars(sa.select(AuditLog).where(
        AuditLog.action == "user.sign_out_everywhere",
        AuditLog.object_id == str(user.id))).one()
    assert entry.user_id == user.id and entry.summary == {"sessions": 3}
    # Signing in again works, with a new session.
    assert opens_staff(sign_in(app, user))


def test_sign_out_everywhere_needs_a_post(app, user):
    client = sign_in(app, user)
    assert client.get("/account/sessions/end").status_code == 405
    assert opens_staff(client)


# --- remember me -----------------------------------------------------------------------------

def _cookie_days(client) -> float:
    cookie = client.get_cookie("remember_token")
    return (cookie.expires - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400


def test_remember_me_lasts_30_days_by_default(app, db, user):
    client = sign_in(app, user, remember=True)
    assert 29.9 < _cookie_days(client) <= 30
    (row,) = rows(db, user)
    assert row.remember and row.expires_at - row.created_at == dt.timedelta(days=30)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "30" in page, "the sign-in page says for how long"


def test_remember_days_are_configurable(make_app, db, user):
    app = make_app(REMEMBER_DAYS=7)
    client = sign_in(app, user, remember=True)
    assert 6.9 < _cookie_days(client) <= 7
    (row,) = rows(db, user)
    assert row.expires_at - row.created_at == dt.timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "31", "365"])
def test_remember_days_beyond_30_are_refused(tmp_path, monkeypatch, days):
    monkeypatch.setenv("CHARITY_REMEMBER_DAYS", days)
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})


def test_the_environment_sets_both_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARITY_REMEMBER_DAYS", "14")
    monkeypatch.setenv("CHARITY_SESSION_IDLE_HOURS", "2")
    app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["CHARITY_REMEMBER_DAYS"] == 14
    assert app.config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(days=14)
    assert app.config["CHARITY_SESSION_IDLE_HOURS"] == 2


def test_an_expired_session_opens_nothing(app, db, user):
    """The server counts the days, whatever expiry the browser keeps for the cookie."""
    client = sign_in(app, user, remember=True)
    taken = cookies_of(client)
    (row,) = rows(db, user)
    row.created_at -= dt.timedelta(days=31)
    row.expires_at -= dt.timedelta(days=31)
    db.commit()
    assert not opens_staff(browser_with(app, remember_token=taken["remember_token"]))
    assert not opens_staff(browser_with(app, session=taken["session"]))


# --- idle timeout ----------------------------------------------------------------------------

def _last_seen(client, seconds_ago: float) -> None:
    with client.session_transaction() as session:
        session["_seen"] = time.time() - seconds_ago


def test_a_session_idle_for_8_hours_ends(app, db, user):
    client = sign_in(app, user)
    _last_seen(client, 7 * HOUR + 55 * 60)
    assert opens_staff(client), "7 h 55 min: still signed in"
    _last_seen(client, 8 * HOUR + 60)
    response = client.get("/staff/")
    assert response.status_code == 302 and "/login" in response.location
    assert "8" in client.get(response.location).get_data(as_text=True)  # the message says why
    assert not opens_staff(client)


def test_each_request_moves_the_idle_clock(app, user):
    client = sign_in(app, user)
    _last_seen(client, 7 * HOUR)
    assert opens_staff(client)  # a request now: the clock starts again
    with client.session_transaction() as session:
        assert time.time() - session["_seen"] < 60


def test_a_copy_of_an_idle_session_cookie_stays_dead(app, user):
    client = sign_in(app, user)
    _last_seen(client, 9 * HOUR)
    stale = cookies_of(client)["session"]
    assert not opens_staff(browser_with(app, session=stale))
    # The user signs in again: the old copy still opens nothing.
    assert opens_staff(sign_in(app, user))
    assert not opens_staff(browser_with(app, session=stale))


def test_the_idle_timeout_is_configurable(make_app, user):
    app = make_app(SESSION_IDLE_HOURS=1)
    client = sign_in(app, user)
    _last_seen(client, HOUR + 60)
    assert not opens_staff(client)


def test_a_kept_session_is_not_ended_by_idleness(app, db, user):
    """"Keep me signed in" was the user's choice on that device: it lasts until its
    expiry (at most 30 days), and signing out or "sign out everywhere" end it."""
    client = sign_in(app, user, remember=True)
    _last_seen(client, 3 * 24 * HOUR)
    assert opens_staff(client)


# --- the other ways of ending sessions still work with session rows --------------------------

def test_deactivation_and_password_reset_still_end_sessions_at_once(app, db, user, make_user):
    admin = make_user("admin")
    db.commit()
    theirs = sign_in(app, user, remember=True)
    remember = cookies_of(theirs)["remember_token"]
    boss = sign_in(app, admin)
    assert boss.post(f"/admin/users/{user.id}/password",
                     data={"new_password": "a-brand-new-passphrase"}).status_code == 302
    assert not opens_staff(theirs)
    assert not opens_staff(browser_with(app, remember_token=remember))
    assert db.get(User, user.id).must_change_password
