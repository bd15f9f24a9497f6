"""A warm start (issue 21 §2): the app servers' processes pay the catalogues and the public
templates when they are built, not on their first visitor's request; tests and CLI commands
build their apps without it."""
import pytest
from flask_babel import force_locale, get_translations

from charity.core.extensions import db as _db
from tests.conftest import _make


def _compiled(app) -> set[str]:
    return {key[1] for key in app.jinja_env.cache.keys()}


@pytest.fixture
def warm_app(template_db):
    app = _make(template_db, WARM_START=True)
    yield app
    with app.app_context():
        _db.engine.dispose()  # its pooled connection, opened at start


def test_a_warm_start_compiles_the_public_templates_and_loads_the_catalogues(warm_app):
    app = warm_app
    compiled = _compiled(app)
    assert {"base.html", "portal/home.html", "portal/disclosure_list.html",
            "complaints/public_new.html"} <= compiled
    assert not any(name.startswith(("goods/", "pdf/")) for name in compiled)
    domain = app.extensions["babel"].instance.domain_instance
    loaded = dict(domain.cache)
    assert len(loaded) == len(app.config["CHARITY_LOCALES"])
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert get_translations() in loaded.values()  # the request reads what start loaded
    response = app.test_client().get("/")
    assert response.status_code == 200 and "慈善" in response.get_data(as_text=True)
    assert _compiled(app) >= compiled


def test_apps_are_built_cold_unless_asked(make_app):
    app = make_app()  # a new app: the session's shared one has served other tests' pages
    assert app.config["CHARITY_WARM_START"] is False
    assert _compiled(app) == set()


def test_a_warm_start_computes_the_home_page_once_and_caches_nothing(warm_app, caplog):
    from charity.web.warm import warm_up

    with caplog.at_level("INFO", logger=warm_app.logger.name):
        spent = warm_up(warm_app)
    assert "home page" in spent and "home page not computed" not in caplog.text
    with warm_app.app_context():
        assert not _db.session.new and not _db.session.dirty


def test_a_warm_start_on_a_database_not_yet_upgraded_still_starts(tmp_path, caplog):
    """`charity.wsgi` imported before `charity db upgrade` ran: the home page cannot be
    computed; the start goes on and says why in the log."""
    from charity import create_app

    with caplog.at_level("WARNING"):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                          "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                          "WARM_START": True})
    assert "home page not computed" in caplog.text
    with app.app_context():
        _db.engine.dispose()
