"""慈善超市与捐赠公开系统 — the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → CLI."""
    import os

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("CHARITY_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path
        else str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )

    from charity.core.config import load_config

    load_config(app, {k: v for k, v in (config or {}).items() if k != "INSTANCE_PATH"})
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    if app.config["CHARITY_WARM_START"]:
        from charity.web.warm import warm_up

        warm_up(app)
    return app


def _init_extensions(app: Flask) -> None:
    from charity.core import i18n
    from charity.core.db import configure_engine, write_intent
    from charity.core.extensions import babel, csrf, db, login_manager, migrate
    from charity.audit.services import request_address, set_request_address

    import charity.models  # noqa: F401  (every table registered before migrations look)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["CHARITY_SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(i18n.TRANSLATIONS_DIR))
    i18n.init_app(app)

    # First of all hooks: the login hook below already reads the database.
    @app.before_request
    def _request_context():
        # Safe methods read only: let them begin DEFERRED on SQLite (see charity.core.db).
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
        # Audit entries keep a keyed hash of the address, never the address (issue 16).
        set_request_address(request.remote_addr, app.config["CHARITY_ID_HASH_KEY"])

    from charity.auth.signin import init_login

    init_login(app, login_manager)

    if app.config["CHARITY_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    @app.teardown_request
    def _reset_context(_exc):
        write_intent.set(True)
        request_address.set(None)

    from charity.web import access

    access.init_app(app)  # the bounded <int:id> converter, before any blueprint

    from charity.web import errors as web_errors, nav, public_url

    nav.init_app(app)
    public_url.init_app(app)

    web_errors.init_app(app)

    from charity.web import security

    security.init_app(app)


# Every blueprint, one module each (`<feature>/views/<blueprint>.py`), in registration order.
BLUEPRINTS = (
    "portal.views.home", "auth.views.auth", "staff.views.staff", "orgs.views.orgs",
    "auth.views.users",
    "funds.views.campaigns", "funds.views.projects", "funds.views.ledger",
    "funds.views.receipts", "funds.views.receipt_settings", "funds.views.noncash",
    "people.views.donors", "goods.views.intake", "goods.views.catalogue", "goods.views.stock",
    "goods.views.distributions", "goods.views.sales", "goods.views.transfers",
    "goods.views.stocktakes", "goods.views.lookup", "boxes.views.boxes", "boxes.views.labels",
    "people.views.beneficiaries",
    "people.views.volunteers", "points.views.timebank",
    "portal.views.dropoff", "portal.views.disclosures", "disclosure.views.compliance",
    "disclosure.views.annual",
    "portal.views.api", "portal.views.trace", "portal.views.campaigns", "portal.views.points",
    "portal.views.display", "imports.views.imports",
    "complaints.views.public", "complaints.views.staff", "complaints.views.followup",
    "complaints.views.calendar",
    "wishes.views.public_wishes", "wishes.views.wishes", "transparency.views.scores",
    "log.views.api",
    "delivery.views.deliveries", "delivery.views.sheets", "delivery.views.needs",
    "delivery.views.public",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"charity.{name}").bp)


def _register_cli(app: Flask) -> None:
    from charity.ops.cli import register

    register(app)
