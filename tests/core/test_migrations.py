"""Models and migrations do not drift (like `flask db check`), on SQLite and PostgreSQL."""
import itertools

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from charity import PROJECT_ROOT, create_app
from charity.core.extensions import db as _db

_names = itertools.count(1)


@pytest.fixture
def fresh_app(backend, request, tmp_path):
    """An app on an empty database (no tables at all)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"charity_m{next(_names)}")
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "k",
                              "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True})
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _drift(app):
    with app.app_context():
        opts = dict(app.extensions["migrate"].configure_args)
        opts.pop("process_revision_directives", None)
        with _db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts=opts)
            return compare_metadata(context, _db.metadata)


def _tables(app):
    with app.app_context():
        return set(sa.inspect(_db.engine).get_table_names())


def test_one_head():
    """Two heads (parallel migrations not merged) would make `upgrade` fail."""
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_migrations_match_the_models(fresh_app):
    from flask_migrate import upgrade

    with fresh_app.app_context():
        upgrade()
    diff = _drift(fresh_app)
    assert diff == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(repr, diff))
    assert set(_db.metadata.tables) <= _tables(fresh_app)


def test_drift_check_can_fail(fresh_app):
    """The comparison above is not vacuous: a table the migrations lack is reported."""
    from flask_migrate import upgrade

    with fresh_app.app_context():
        upgrade()
        probe = sa.Table("drift_probe", _db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        diff = _drift(fresh_app)
    finally:
        _db.metadata.remove(probe)
    assert any(d[0] == "add_table" and d[1].name == "drift_probe" for d in diff)


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    from flask_migrate import downgrade, upgrade

    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
    assert _tables(fresh_app) <= {"alembic_version"}
    with fresh_app.app_context():
        upgrade()
    assert _drift(fresh_app) == []


def test_init_command_uses_the_migrations(fresh_app):
    """`charity init` upgrades an empty database to the head revision."""
    from tests.conftest import PASSWORD

    result = fresh_app.test_cli_runner().invoke(
        args=["init", "--username", "root", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        version = _db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        _db.session.remove()
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    assert version == ScriptDirectory.from_config(config).get_current_head()
