"""The audit log is append-only in the database itself (migration 0008's triggers): no UPDATE,
no DELETE (and on PostgreSQL no TRUNCATE) gets through, whoever sends it."""
import itertools

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.audit.services import record
from charity.core.system import system_actor

_names = itertools.count(1)


def _entry(db, make_org):
    org = make_org()
    entry = record(db, system_actor(), "test.append_only", org, {"n": 1})
    db.commit()
    return entry


def _refused(db, sql, **params):
    with pytest.raises(sa.exc.DatabaseError) as caught:
        with db.begin_nested():
            db.execute(sa.text(sql), params)
    assert "audit_log is append-only" in str(caught.value)


def test_update_through_sql_is_refused(db, make_org):
    entry = _entry(db, make_org)
    _refused(db, "UPDATE audit_log SET action = 'forged' WHERE id = :id", id=entry.id)
    _refused(db, "UPDATE audit_log SET summary = '{}', user_id = NULL")
    db.expire_all()
    assert db.get(AuditLog, entry.id).action == "test.append_only"
    assert db.get(AuditLog, entry.id).summary == {"n": 1}


def test_delete_through_sql_is_refused(db, make_org):
    entry = _entry(db, make_org)
    before = db.scalar(sa.select(sa.func.count(AuditLog.id)))
    _refused(db, "DELETE FROM audit_log WHERE id = :id", id=entry.id)
    _refused(db, "DELETE FROM audit_log")
    assert db.scalar(sa.select(sa.func.count(AuditLog.id))) == before
    assert db.get(AuditLog, entry.id) is not None


def test_orm_changes_are_refused_too(db, make_org):
    entry = _entry(db, make_org)
    with pytest.raises(sa.exc.DatabaseError):
        with db.begin_nested():
            entry.action = "forged"
            db.flush()
    db.expire_all()
    entry = db.get(AuditLog, entry.id)
    with pytest.raises(sa.exc.DatabaseError):
        with db.begin_nested():
            db.delete(entry)
            db.flush()
    db.expire_all()
    assert db.get(AuditLog, entry.id).action == "test.append_only"


def test_truncate_is_refused_on_postgresql(db, make_org, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is tested above)")
    _entry(db, make_org)
    _refused(db, "TRUNCATE audit_log")


def test_appending_still_works(db, make_org):
    entry = _entry(db, make_org)
    later = record(db, system_actor(), "test.append_only.more", entry, {})
    db.flush()
    assert later.id > entry.id


@pytest.fixture
def migrated_app(backend, request, tmp_path):
    from charity import create_app
    from charity.core.extensions import db as _db

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"charity_audit{next(_names)}")
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True,
                              "INSTANCE_PATH": str(tmp_path / "instance")})
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _try_update(app) -> bool:
    """Insert an entry and try to change it; True if the database let it through."""
    from charity.core.extensions import db as _db

    with app.app_context(), _db.engine.connect() as conn:
        with conn.begin():
            conn.execute(sa.text("INSERT INTO audit_log (at, action, object_type, summary) "
                                 "VALUES (CURRENT_TIMESTAMP, 'probe', 'Probe', '{}')"))
        try:
            with conn.begin():
                conn.execute(sa.text("UPDATE audit_log SET action = 'changed' "
                                     "WHERE action = 'probe'"))
            return True
        except sa.exc.DatabaseError:
            return False


def test_downgrade_removes_the_triggers_and_upgrade_restores_them(migrated_app):
    from flask_migrate import downgrade, upgrade

    with migrated_app.app_context():
        upgrade()
    assert _try_update(migrated_app) is False
    with migrated_app.app_context():
        downgrade(revision="0007")
    assert _try_update(migrated_app) is True, "0008's downgrade drops its triggers"
    with migrated_app.app_context():
        upgrade()
    assert _try_update(migrated_app) is False
