"""Password strength: hashing parameters, the rules, and a first administrator who cannot
start with a weak or published password."""
import itertools

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from charity import create_app
from charity.auth.models import User
from charity.auth.services import check_password_rules
from charity.core.errors import ValidationFailed
from charity.core.extensions import db as _db
from tests.conftest import PASSWORD

# These tests are about hashing itself: they get werkzeug's real scrypt.
pytestmark = pytest.mark.real_password_hashing

_names = itertools.count(1)
CURRENT = "scrypt:32768:8:1$"


@pytest.fixture
def fresh_app(backend, request, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"charity_fr{next(_names)}")
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True,
                              "WTF_CSRF_ENABLED": False,
                              "INSTANCE_PATH": str(tmp_path / "instance")})
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _users(app) -> int:
    with app.app_context():
        count = _db.session.scalar(sa.select(sa.func.count(User.id)))
        _db.session.remove()
    return count


@pytest.mark.parametrize("password,message", [
    ("demo-admin-2026", "公开的默认密码"),  # the README publishes it
    ("DEMO-ADMIN-2026", "公开的默认密码"),
    ("password123", "过于常见"),
    ("1234567890", "过于常见"),
    ("aaaaaaaaaaaa", "过于常见"),
    ("root2026!!!", "不能与用户名相同"),
    ("short", "10"),
])
def test_init_refuses_weak_and_default_passwords(committed_app, password, message):
    """On a migrated database without users (a fresh copy of the test template: the empty
    installation's own run of `init` is the next test's)."""
    result = committed_app.test_cli_runner().invoke(
        args=["init", "--username", "root", "--password", password])
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert _users(committed_app) == 0


def test_init_with_a_strong_password_uses_scrypt_and_no_forced_change(fresh_app):
    result = fresh_app.test_cli_runner().invoke(
        args=["init", "--username", "root", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        admin = _db.session.scalar(sa.select(User).where(User.username == "root"))
        assert admin.password_hash.startswith(CURRENT)
        assert admin.must_change_password is False  # they chose it themselves
        _db.session.remove()


@pytest.mark.parametrize("password,username", [
    ("qwertyuiop", "someone"), ("QWERTYUIOP", "someone"), ("1111111111", "someone"),
    ("abababababab", "someone"), ("zhangsan2026", "zhangsan"), ("ZhangSan", "zhangsan"),
])
def test_password_rules_refuse(password, username):
    with pytest.raises(ValidationFailed) as refused:
        check_password_rules(password, field="new_password", username=username)
    assert refused.value.field == "new_password"


@pytest.mark.parametrize("password,username", [
    ("demo-admin-2026", "admin"), ("demo-manager-2026", "manager"),
    ("demo-volunteer-2026", "volunteer"), ("demo-auditor-2026", "auditor"),
    (PASSWORD, "someone"), ("k3x9-q7w2z", "k3x9"),
])
def test_password_rules_accept(password, username):
    check_password_rules(password, username=username)  # the demo's own logins keep working


def test_new_hashes_use_scrypt(db, make_user):
    user = make_user("manager")
    assert user.password_hash.startswith(CURRENT)


def test_an_outdated_hash_is_replaced_at_sign_in(client, db, make_user):
    user = make_user("manager")
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.commit()
    token = user.session_token
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    db.expire_all()
    fresh = db.get(User, user.id)
    assert fresh.password_hash.startswith(CURRENT)
    assert check_password_hash(fresh.password_hash, PASSWORD)
    assert fresh.session_token == token  # a rehash is not a password change


def test_a_wrong_password_does_not_touch_an_outdated_hash(client, db, make_user):
    user = make_user("manager")
    old = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    user.password_hash = old
    db.commit()
    client.post("/login", data={"username": user.username, "password": "wrong-password!"})
    db.expire_all()
    assert db.get(User, user.id).password_hash == old


def test_account_created_by_an_admin_must_change_its_password(client, db, make_user, make_org,
                                                             make_point):
    org = make_org()
    point = make_point(org)
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    response = client.post("/admin/users/new", data={
        "username": "newcomer", "display_name": "新人", "role": "volunteer",
        "organization_id": str(org.id), "point_ids": [point.id],
        "password": "temporary-pass-77"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    client.post("/logout")
    client.post("/login", data={"username": "newcomer", "password": "temporary-pass-77"})
    for url in ("/staff/", "/account"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.endswith("/account/password")


def test_demo_passwords_pass_the_rules():
    from charity.demo.loader import USERS

    # The README publishes these logins and the tests sign in with them: no forced change
    # (create_user's default), and each password passes the rules for its username.
    for username, _display, _role, password, _points in USERS:
        check_password_rules(password, username=username)
