"""The `charity` command: init, create-user, demo."""
import itertools

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from charity import create_app
from charity.audit.models import AuditLog
from charity.auth.models import User
from charity.core.roles import Role
from charity.core.extensions import db as _db
from charity.orgs.models import CharityPoint, Organization
from tests.conftest import PASSWORD

_names = itertools.count(1)


@pytest.fixture
def fresh_app(backend, request, tmp_path):
    """An app on an empty database: `charity init` must build the schema itself."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"charity_cli{next(_names)}")
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True,
                              "WTF_CSRF_ENABLED": False,
                              "INSTANCE_PATH": str(tmp_path / "instance")})
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _count(app, model):
    with app.app_context():
        n = _db.session.scalar(sa.select(sa.func.count()).select_from(model))
        _db.session.remove()
        return n


def _all_counts(app) -> dict[str, int]:
    with app.app_context():
        names = sorted(sa.inspect(_db.engine).get_table_names())
        counts = {name: _db.session.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))
                  for name in names}
        _db.session.remove()
    return counts


# --- init ------------------------------------------------------------------------------------

@pytest.mark.real_password_hashing
def test_init_creates_schema_and_first_admin(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["init", "--username", "Root", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        admin = _db.session.scalar(sa.select(User).where(User.username == "root"))
        assert admin is not None
        assert admin.role == Role.ADMIN and admin.active and admin.organization_id is None
        assert check_password_hash(admin.password_hash, PASSWORD)
        # a slow, salted hash (werkzeug's default scrypt, or PBKDF2 with many rounds)
        method = admin.password_hash.split("$", 1)[0]
        assert method.startswith("scrypt:") or (
            method.startswith("pbkdf2:") and int(method.split(":")[2]) >= 600_000), method
        entry = _db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.create"))
        assert entry is not None and entry.user_id is None and entry.object_id == str(admin.id)
        _db.session.remove()
    # and that admin can sign in
    client = fresh_app.test_client()
    response = client.post("/login", data={"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/orgs").status_code == 200


def test_init_twice_keeps_the_first_admin(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init", "--username", "root", "--password", PASSWORD]).exit_code == 0
    before = _all_counts(fresh_app)
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert _all_counts(fresh_app) == before


def test_init_refuses_a_short_password(fresh_app):
    result = fresh_app.test_cli_runner().invoke(
        args=["init", "--username", "root", "--password", "short"])
    assert result.exit_code != 0
    assert "10" in result.output
    assert _count(fresh_app, User) == 0
    assert _count(fresh_app, AuditLog) == 0


def test_init_refuses_a_taken_username(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init", "--username", "root", "--password", PASSWORD]).exit_code == 0
    result = runner.invoke(args=["init", "--username", "ROOT", "--password", PASSWORD + "x"])
    assert result.exit_code != 0
    assert _count(fresh_app, User) == 1


def test_init_prompts_for_the_password(fresh_app):
    result = fresh_app.test_cli_runner().invoke(
        args=["init", "--username", "root"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert _count(fresh_app, User) == 1


# --- create-user -----------------------------------------------------------------------------

def test_create_user_volunteer_with_points(runner, db, make_org, make_point):
    org = make_org()
    p1 = make_point(org, name="东岗超市")
    make_point(org, name="雁滩超市")
    result = runner.invoke(args=["create-user", "--username", "Vol1", "--password", PASSWORD,
                                 "--role", "volunteer", "--org", org.uscc, "--name", "小李",
                                 "--point", "东岗超市"])
    assert result.exit_code == 0, result.output
    user = db.scalar(sa.select(User).where(User.username == "vol1"))
    assert user.role == Role.VOLUNTEER and user.organization_id == org.id
    assert user.display_name == "小李"
    assert user.point_ids == {p1.id}
    assert db.scalar(sa.select(AuditLog).where(AuditLog.action == "user.create",
                                               AuditLog.object_id == str(user.id)))


@pytest.mark.parametrize("args,message", [
    (["--role", "manager"], "organization_id"),  # non-admin without an organisation
    (["--role", "manager", "--org", "91350100M000100Y43"], "91350100M000100Y43"),
    (["--role", "volunteer", "--org", "{org}", "--point", "没有这个点"], "没有这个点"),
])
def test_create_user_refusals_write_nothing(runner, db, make_org, args, message):
    org = make_org()
    db.commit()
    before = db.scalar(sa.select(sa.func.count(User.id)))
    args = [a.replace("{org}", org.uscc) for a in args]
    result = runner.invoke(args=["create-user", "--username", "nobody", "--password", PASSWORD,
                                 *args])
    assert result.exit_code != 0
    assert message in result.output
    assert db.scalar(sa.select(sa.func.count(User.id))) == before


def test_create_user_short_password_and_duplicate(runner, db, make_user):
    existing = make_user("admin")
    db.commit()  # the command rolls back on refusal; the fixture's data must survive that
    result = runner.invoke(args=["create-user", "--username", "newadmin", "--password", "123456789",
                                 "--role", "admin"])
    assert result.exit_code != 0
    assert db.scalar(sa.select(User.id).where(User.username == "newadmin")) is None
    result = runner.invoke(args=["create-user", "--username", existing.username.upper(),
                                 "--password", PASSWORD, "--role", "admin"])
    assert result.exit_code != 0


def test_create_user_unknown_role_is_refused(runner, db):
    result = runner.invoke(args=["create-user", "--username", "x1", "--password", PASSWORD,
                                 "--role", "superuser"])
    assert result.exit_code != 0
    assert db.scalar(sa.select(User.id).where(User.username == "x1")) is None


# --- demo ------------------------------------------------------------------------------------

def test_demo_is_idempotent(committed_app, demo_committed_app):
    """`demo_committed_app` is a copy of what `charity demo` made of an empty database (the
    `committed_app` here); loading again must change nothing."""
    runner = demo_committed_app.test_cli_runner()
    empty = _all_counts(committed_app)
    first = _all_counts(demo_committed_app)
    assert first["organization"] > empty["organization"]
    assert first["charity_point"] >= 5
    assert first["user_account"] >= 5
    assert first["audit_log"] > empty["audit_log"]
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    second = _all_counts(demo_committed_app)
    assert second == first, {k: (first[k], second[k]) for k in first if first[k] != second[k]}


def test_demo_logins_work(demo_committed_app, demo_template):
    committed_app = demo_committed_app
    from charity.demo.loader import USERS

    for username, _display, role, password, served in USERS:
        assert username in demo_template["output"]
        if username == "admin":  # made by `charity init` before the demo (tests/conftest.py)
            assert "admin            (its own password, set before the demo)" in \
                demo_template["output"]
            password = PASSWORD
        client = committed_app.test_client()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, (username, response.status_code)
        assert client.get("/staff/").status_code == 200
    with committed_app.app_context():
        volunteer = _db.session.scalar(sa.select(User).where(User.username == "volunteer"))
        assert {p.name for p in volunteer.points} == set(USERS[2][4])
        orgs = _db.session.scalars(sa.select(Organization)).all()
        from charity.orgs import uscc

        assert all(uscc.is_valid(o.uscc) for o in orgs)
        assert _db.session.scalar(sa.select(sa.func.count(CharityPoint.id))) >= 5
        _db.session.remove()


def test_demo_after_init_with_admin_named_admin(demo_template, demo_committed_app):
    """An operator who ran `init --username admin` first can still load the demo: the demo
    template is built that way (tests/conftest.py), a whole demo load saved per engine."""
    assert "Administrator 'admin' created." in demo_template["init_output"]
    runner = demo_committed_app.test_cli_runner()
    counts = _all_counts(demo_committed_app)
    assert counts["user_account"] >= 5
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _all_counts(demo_committed_app) == counts
