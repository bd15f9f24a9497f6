"""Settings (defaults → CHARITY_* → overrides), the instance secret key, the database engine."""
import datetime as dt
import os
import sqlite3
import stat
import threading
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from charity import create_app
from charity.core.config import ConfigError, _instance_secret
from charity.core.db import UTCDateTime
from charity.core.extensions import db as _db


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("CHARITY_"):
            monkeypatch.delenv(key)
    return monkeypatch


def _app(tmp_path, **config):
    config.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(config)
    return application


def _dispose(application):
    with application.app_context():
        _db.engine.dispose()


# --- settings --------------------------------------------------------------------------------

def test_defaults(clean_env, tmp_path):
    app = _app(tmp_path)
    instance = tmp_path / "instance"
    assert app.instance_path == str(instance.resolve())
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance.resolve() / 'charity.db'}"
    assert app.config["CHARITY_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SECRET_KEY"]
    _dispose(app)


def test_environment_variables(clean_env, tmp_path):
    clean_env.setenv("CHARITY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    clean_env.setenv("CHARITY_SECRET_KEY", "from-the-environment")
    clean_env.setenv("CHARITY_TIMEZONE", "Asia/Urumqi")
    clean_env.setenv("CHARITY_DEFAULT_LOCALE", "en")
    clean_env.setenv("CHARITY_PAGE_SIZE", "7")
    clean_env.setenv("CHARITY_PROXY_FIX", "yes")
    app = _app(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["CHARITY_TIMEZONE"] == "Asia/Urumqi"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["CHARITY_PAGE_SIZE"] == 7
    assert app.config["CHARITY_PROXY_FIX"] is True
    # An explicit secret: nothing is written to the instance folder.
    assert not (tmp_path / "instance" / "secret_key").exists()
    _dispose(app)


def test_explicit_overrides_beat_the_environment(clean_env, tmp_path):
    clean_env.setenv("CHARITY_TIMEZONE", "Asia/Urumqi")
    clean_env.setenv("CHARITY_SECRET_KEY", "env")
    app = _app(tmp_path, TIMEZONE="Asia/Shanghai", SECRET_KEY="override", TESTING=True)
    assert app.config["CHARITY_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SECRET_KEY"] == "override"
    assert app.config["TESTING"] is True
    _dispose(app)


def test_empty_environment_variable_means_default(clean_env, tmp_path):
    clean_env.setenv("CHARITY_TIMEZONE", "")
    app = _app(tmp_path)
    assert app.config["CHARITY_TIMEZONE"] == "Asia/Shanghai"
    _dispose(app)


@pytest.mark.parametrize("key,value", [("CHARITY_PAGE_SIZE", "twenty"),
                                       ("CHARITY_TIMEZONE", "Mars/Olympus"),
                                       ("CHARITY_TIMEZONE", "../../etc/passwd"),
                                       ("CHARITY_TIMEZONE", "Asia")])
def test_bad_settings_are_refused_clearly(clean_env, tmp_path, key, value):
    clean_env.setenv(key, value)
    with pytest.raises(ConfigError):
        _app(tmp_path)


def test_plain_postgresql_url_uses_psycopg(clean_env, tmp_path):
    app = _app(tmp_path, DATABASE_URL="postgresql://u@127.0.0.1:1/x", SECRET_KEY="k")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    _dispose(app)


# --- the secret key --------------------------------------------------------------------------

def test_secret_key_is_generated_private_and_reused(clean_env, tmp_path):
    first = _app(tmp_path)
    path = tmp_path / "instance" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = first.config["SECRET_KEY"]
    assert len(key) >= 32
    assert path.read_text().strip() == key
    second = _app(tmp_path)  # a restart
    assert second.config["SECRET_KEY"] == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _dispose(first)
    _dispose(second)


def test_secret_key_is_private_even_with_a_permissive_umask(clean_env, tmp_path):
    old = os.umask(0)
    try:
        app = _app(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600
    _dispose(app)


def test_different_instances_get_different_keys(clean_env, tmp_path):
    a = _instance_secret(_mkdir(tmp_path / "a"))
    b = _instance_secret(_mkdir(tmp_path / "b"))
    assert a and b and a != b


def _mkdir(path):
    path.mkdir()
    return path


def test_secret_key_survives_a_sign_in_across_restarts(clean_env, tmp_path):
    """The point of keeping the key: sessions signed before a restart stay valid."""
    from flask import session

    from charity.web.access import PUBLIC, access

    first = _app(tmp_path)

    @access(PUBLIC)
    def set_value():
        session["x"] = "1"
        return "ok"

    first.add_url_rule("/_set", "_set", set_value)
    client = first.test_client()
    client.get("/_set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    second = _app(tmp_path)
    with second.test_request_context(headers={"Cookie": f"session={cookie.value}"}):
        assert session.get("x") == "1"
    _dispose(first)
    _dispose(second)


def test_concurrent_first_starts_agree_on_one_key(clean_env, tmp_path):
    """Several workers starting at once must all end up with the same, non-empty key."""
    for attempt in range(30):
        instance = _mkdir(tmp_path / f"i{attempt}")
        barrier = threading.Barrier(8)
        keys = []

        def start():
            barrier.wait()
            keys.append(_instance_secret(instance))

        threads = [threading.Thread(target=start) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(keys), f"a worker got an empty secret key (attempt {attempt})"
        assert len(set(keys)) == 1
        assert (instance / "secret_key").read_text().strip() == keys[0]


def test_empty_secret_key_file_is_not_used(clean_env, tmp_path):
    instance = _mkdir(tmp_path / "instance")
    (instance / "secret_key").write_text("")
    with pytest.raises(ConfigError):
        _app(tmp_path)


# --- the database engine ---------------------------------------------------------------------

def test_sqlite_file_database_pragmas(clean_env, tmp_path):
    app = _app(tmp_path, SECRET_KEY="k", SQLITE_BUSY_TIMEOUT_MS=4321)
    with app.app_context():
        with _db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
        # The app's own session, too (a second pooled connection).
        assert _db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        _db.session.remove()
        _db.engine.dispose()
    assert (tmp_path / "instance" / "charity.db").exists()


def test_default_busy_timeout(clean_env, tmp_path):
    app = _app(tmp_path, SECRET_KEY="k")
    with app.app_context():
        with _db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        _db.engine.dispose()


def test_foreign_keys_are_enforced(db):
    """On both engines: a point of an organisation that does not exist is refused."""
    from charity.orgs.models import CharityPoint

    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.execute(sa.insert(CharityPoint).values(
                organization_id=987654, kind="station", name="孤儿站", address="", district="",
                community="", opening_hours="", phone="", active=True,
                created_at=dt.datetime.now(dt.timezone.utc)))


def test_naive_datetimes_are_refused(db, make_org):
    org = make_org()
    org.created_at = dt.datetime(2026, 1, 1, 8, 0)  # naive: which zone?
    with pytest.raises(StatementError) as info:
        with db.begin_nested():
            db.flush()
    assert isinstance(info.value.orig, ValueError)


def test_naive_datetime_refused_by_the_type_itself():
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), sa.create_engine("sqlite://").dialect)


def test_aware_datetimes_are_stored_as_utc(db, make_org):
    org = make_org()
    shanghai = dt.datetime(2026, 3, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    org.created_at = shanghai
    db.flush()
    db.expire(org)
    loaded = db.get(type(org), org.id)
    assert loaded.created_at == shanghai
    assert loaded.created_at.utcoffset() == dt.timedelta(0)
    assert loaded.created_at.hour == 0 and loaded.created_at.minute == 30
    # and the value in the table is 00:30 UTC whatever the engine
    raw = db.execute(sa.text("SELECT created_at FROM organization WHERE id = :i"),
                     {"i": org.id}).scalar()
    if isinstance(raw, str):
        assert raw.startswith("2026-03-01 00:30")
    else:
        assert raw.astimezone(dt.timezone.utc).replace(tzinfo=None) == dt.datetime(2026, 3, 1, 0, 30)


def test_signed_in_reads_do_not_queue_behind_a_writer(committed_app, backend, tmp_path):
    """SQLite: a GET by a signed-in user must begin a DEFERRED transaction (a reader), so a
    long write elsewhere cannot make it wait for the write lock and fail."""
    if backend != "sqlite":
        pytest.skip("SQLite locking")
    from charity.auth.services import create_user
    from charity.core.system import system_actor
    from tests.conftest import PASSWORD

    url = committed_app.config["SQLALCHEMY_DATABASE_URI"]
    with committed_app.app_context():
        from charity.orgs import uscc
        from charity.orgs.services import create_organization

        org = create_organization(system_actor(), _db.session, {
            "name": "锁测试慈善会", "uscc": uscc.make("51620102MJ0000777")})
        create_user(system_actor(), _db.session, {
            "username": "reader", "display_name": "读者", "role": "manager",
            "password": PASSWORD, "organization_id": org.id})
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "INSTANCE_PATH": str(tmp_path / "i2"),
                      "SQLITE_BUSY_TIMEOUT_MS": 300})
    client = app.test_client()
    assert client.post("/login", data={"username": "reader",
                                       "password": PASSWORD}).status_code == 302
    writer = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
        response = client.get("/staff/")
        assert response.status_code == 200, response.status_code
        response = client.get("/admin/points")
        assert response.status_code == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
