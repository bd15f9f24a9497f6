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
