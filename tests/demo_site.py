"""The demo installation, loaded once per test session, for tests that look at the site as a
whole: the privacy crawl and the browser tests.

It is a copy of the SQLite demo template (a year of money, goods, disclosures, complaints and
wishes), served, when a browser needs it, by a real
threaded HTTP server on a free local port. Nothing here is rolled back: tests that post
(a browser's intake, a complaint) must not assume what the others did.
"""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from charity.core.extensions import db as _db


@pytest.fixture(scope="session")
def demo_app(request, tmp_path_factory):
    """Built on SQLite only: the crawl and the browser look at what the pages show, and the
    pages are the same on both engines (the database tests prove the engines agree).

    A copy of the SQLite demo template (tests/conftest.py: `charity init`, then `charity
    demo`), which the tests of the demo group use too: they share this worker (the
    "demo-sqlite" group), so the demo is loaded once for both."""
    import shutil

    from charity import create_app
    from tests.conftest import _build_demo, _build_template, _once

    template = _once("template", "sqlite",
                     lambda: _build_template("sqlite", request, tmp_path_factory))
    demo = _once("demo", "sqlite", lambda: _build_demo(template, tmp_path_factory))
    root = tmp_path_factory.mktemp("demo-site")
    shutil.copyfile(demo["path"], root / "demo.db")
    shutil.copytree(demo["instance"], root / "instance")
    url = f"sqlite:///{root / 'demo.db'}"
    # As in production: CSRF on, no SERVER_NAME (the live server's host is 127.0.0.1:port).
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "demo-site-secret",
                      "INSTANCE_PATH": str(root / "instance")})
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The demo app behind a real HTTP server (threaded, like a small production setup)."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
