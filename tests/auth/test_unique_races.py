"""Two requests creating the same username or credit code at the same instant: the second
gets its answer on the form, not a 500 (issue 16).

The race is made real, not mocked: another connection writes the same value and holds its
transaction open while the request runs. On PostgreSQL the request passes the service's own
"is it free?" check (the other row is not committed yet), its INSERT waits on the unique
index, and fails once the other commits; on SQLite the request waits for the write lock and
then sees the row. Either way: a form error, one row."""
import re
import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from charity.auth.models import User
from charity.core.extensions import db
from charity.core.roles import Role
from charity.core.system import system_actor
from charity.orgs import uscc
from charity.orgs.models import Organization
from tests.conftest import PASSWORD

CODE = uscc.make("51620102MJ0007777")


def _field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>',
                      body, re.S)
    return match.group(1).strip() if match else ""


def _waiting_on_a_lock(conn) -> bool:
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(sa.text(
        "SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar())


def _race(app, url: str, data: dict, insert_rival) -> tuple[int, str]:
    """POST `data` to `url` as an administrator while another transaction holds an
    uncommitted rival row (`insert_rival(session)`); commit the rival once the request is
    blocked (PostgreSQL) or after a moment (SQLite). The request's status and body."""
    from charity.auth.services import create_user

    with app.app_context():
        create_user(system_actor(), db.session, {
            "username": "race-admin", "display_name": "管理员", "role": "admin",
            "password": PASSWORD})
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"username": "race-admin",
                                       "password": PASSWORD}).status_code == 302
    result = {}
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        watcher = engine.connect()
        rival = Session(bind=conn)
        insert_rival(rival)
        rival.flush()  # written, not committed: the row holds the unique value

        def post():
            result["response"] = client.post(url, data=data)

        thread = threading.Thread(target=post)
        thread.start()
        deadline = time.monotonic() + 10
        time.sleep(0.3)
        while not _waiting_on_a_lock(watcher) and time.monotonic() < deadline:
            time.sleep(0.05)
        watcher.close()
        rival.commit()
        thread.join(30)
    response = result["response"]
    return response.status_code, response.get_data(as_text=True)


def test_the_same_username_at_the_same_instant(committed_app):
    def rival(session):
        session.add(User(username="twin", display_name="先到的", role=Role.ADMIN,
                         password_hash=generate_password_hash("x", method="pbkdf2:sha256:1")))

    status, body = _race(committed_app, "/admin/users/new", {
        "username": "twin", "display_name": "后到的", "role": "admin",
        "password": "a-brand-new-passphrase"}, rival)
    assert status == 200, body[:2000]
    assert re.search(r"[\u4e00-\u9fff]", _field_error(body, "username")), "said in Chinese"
    with committed_app.app_context():
        names = db.session.scalars(sa.select(User.display_name).where(
            User.username == "twin")).all()
    assert names == ["先到的"]


def test_the_same_credit_code_at_the_same_instant(committed_app):
    def rival(session):
        session.add(Organization(name="先到的会", uscc=CODE))

    status, body = _race(committed_app, "/admin/orgs/new", {
        "name": "后到的会", "uscc": CODE, "timezone": "Asia/Shanghai",
        "registered_on": "2020-01-01"}, rival)
    assert status == 200, body[:2000]
    assert re.search(r"[\u4e00-\u9fff]", _field_error(body, "uscc")), "said in Chinese"
    with committed_app.app_context():
        names = db.session.scalars(sa.select(Organization.name).where(
            Organization.uscc == CODE)).all()
    assert names == ["先到的会"]
