"""What a fresh app process pays once, paid at start rather than by its first visitor
(issue 21 §2): SQLAlchemy's mapper configuration, the URL map, the translation catalogues,
the compiled templates, the first database connection and the home page's statements.

`create_app` calls `warm_up` when `CHARITY_WARM_START` is on: the servers' entry point
(`charity.wsgi`) turns it on; tests and CLI commands leave it off (they would pay about a
second per app for pages they never show).
"""
from __future__ import annotations

import gc
import time

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy.orm import configure_mappers

# The public pages' templates (and what they include): compiling all 150 would add seconds
# to a start for staff pages whose first visitor is used to waiting for a sign-in anyway.
PUBLIC_TEMPLATES = ("base.html", "_macros/", "errors/", "portal/", "transparency/",
                    "disclosure/_", "complaints/public_", "wishes/public_", "wishes/_")


def warm_up(app: Flask) -> dict[str, float]:
    """Pay the one-time costs now; return the milliseconds each took (logged at start)."""
    spent: dict[str, float] = {}

    def step(name: str, work) -> None:
        t0 = time.perf_counter()
        work()
        spent[name] = round((time.perf_counter() - t0) * 1000, 1)

    step("mappers", configure_mappers)
    step("url map", lambda: app.url_map.bind("localhost").match("/"))
    with app.test_request_context("/"):
        step("catalogues", lambda: _catalogues(app))
        step("templates", lambda: _templates(app))
        step("database", _connect)
        step("home page", lambda: _home_page(app))
    app.logger.info("warm start: %s", ", ".join(f"{k} {v:.0f} ms" for k, v in spent.items()))
    return spent


def _catalogues(app: Flask) -> None:
    for locale in app.config["CHARITY_LOCALES"]:
        with force_locale(locale):
            get_translations()


def _templates(app: Flask) -> None:
    env = app.jinja_env
    for name in env.list_templates(extensions=["html"]):
        if name.startswith(PUBLIC_TEMPLATES):
            env.get_template(name)


def _home_page(app: Flask) -> None:
    """Compute the home page's figures once and throw them away: its statements are then
    compiled, and on PostgreSQL the connection's backend has read the catalogue of every
    table they touch — ~80 ms the first visitor of a new worker paid (issue 21 §2, factor 1).
    Nothing is cached; a database not yet upgraded only costs a line in the log."""
    from charity.core.extensions import db
    from charity.portal.queries import home as home_page
    from charity.portal.views.home import home_charts
    from charity.web.public_page import public_today

    try:
        home_charts(home_page.home_data(db.session, public_today()))
    except Exception as exc:  # noqa: BLE001 - a warm-up must never stop a start
        app.logger.warning("warm start: home page not computed (%s)", exc)
    finally:
        db.session.rollback()


def _connect() -> None:
    from charity.core.extensions import db

    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()


def settle_memory() -> None:
    """After start-up: tell the garbage collector to leave what start-up built alone
    (`gc.freeze`) and to collect the youngest objects less often. At province scale a full
    collection walked every object of the app (100–140 ms, counted with `gc.callbacks` in the
    staff crawl) and landed in some request's time: the p95 of pages whose median is 12–93 ms.
    Reference counting still frees almost everything at once; the collector only finds
    cycles. For server processes (charity.wsgi), the staff crawl and the test workers (after
    collection)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])
