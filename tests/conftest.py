"""Fixtures: apps on SQLite and on a real PostgreSQL, rolled-back tests, factories.

Every test that uses `app`, `client` or `db` runs twice: once on SQLite, once on a
throwaway PostgreSQL cluster started for the session (see tests/pg.py).
"""
from __future__ import annotations

import itertools
import os
import resource
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import scoped_session, sessionmaker

from charity import create_app
from charity.core.extensions import db as _db
from tests import pg

# tests.demo_site is a plugin, not imported by the test modules: a session fixture imported into
# several modules is a separate fixture in each, and the demo site would be built once per module.
pytest_plugins = ["tests.factories_funds", "tests.factories_goods", "tests.demo_site"]

PASSWORD = "correct-horse-battery"
# CHARITY_TEST_BACKENDS=sqlite (as `./test --quick` sets) runs the database tests on SQLite
# only; the default is both engines.
BACKENDS = [b for b in os.environ.get("CHARITY_TEST_BACKENDS", "sqlite,postgresql").split(",")
            if b in ("sqlite", "postgresql")] or ["sqlite", "postgresql"]
_state: dict = {"pg": None, "pg_error": None, "cpu": {},
                "counts": {b: 0 for b in ("sqlite", "postgresql")}}


def pytest_configure(config):
    from charity.core.i18n import compile_translations

    # Under pytest-xdist the controller compiles before it starts the workers; workers would
    # otherwise write the same .mo file at the same time.
    if not hasattr(config, "workerinput"):
        compile_translations()


def pytest_collection_finish(session):
    """Settle the garbage collector once the test modules are imported and collected, as the
    server processes do after start (charity.web.warm.settle_memory): the cyclic collector
    then stops walking the thousands of test items, modules and compiled templates every
    time it runs a full pass; reference counting frees the rest. Measured on tests/funds
    and tests/goods on one worker, interleaved runs: 56–59 s → 46–50 s in one pair, 70–71 s
    → 66–68 s in another (5–15 %); in the whole suite the gain is inside the machine's
    run-to-run spread (±10 %)."""
    from charity.web.warm import settle_memory

    settle_memory()


# --- what runs where --------------------------------------------------------------------------
SLOW_FOLDERS = ("e2e", "crash", "fuzz", "scale")
WHOLE_DEMO = {"demo_template", "demo_committed_app", "demo_app", "live_server"}
# Tests that read one sweep of every route per role (tests/auth/test_route_matrix.py:sweep).
SHARED_SWEEP = {"test_route_matrix", "test_every_staff_route_answers_no_store"}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Mark what `./test --quick` leaves out (browser, crash, fuzz, province and whole-demo
    tests), and keep the tests that share an expensive world on one xdist worker, so that
    world is built once rather than once per worker.

    A wrapper, so the marks are there before xdist's worker turns them into node ids; after
    it, a check that it did (pytest 9.2 broke that silently and every worker loaded the
    demo again: pytest-dev/pytest-xdist#1386)."""
    for item in items:
        parts = item.path.relative_to(config.rootpath).parts
        fixtures = set(getattr(item, "fixturenames", ()))
        if (len(parts) > 2 and parts[1] in SLOW_FOLDERS) or fixtures & WHOLE_DEMO:
            item.add_marker(pytest.mark.slow)
        if fixtures & {"demo_app", "live_server"}:  # the site is a copy of the SQLite demo
            item.add_marker(pytest.mark.xdist_group("demo-sqlite"))
        elif fixtures & {"demo_template", "demo_committed_app"}:
            item.add_marker(pytest.mark.xdist_group(f"demo-{_backend_of(item)}"))
        elif "province" in fixtures:
            item.add_marker(pytest.mark.xdist_group(f"province-{_backend_of(item)}"))
        elif getattr(item, "originalname", "") in SHARED_SWEEP:
            item.add_marker(pytest.mark.xdist_group(f"route-sweep-{_backend_of(item)}"))
    # The long tests first (a stable sort): xdist hands out work in this order, so the
    # workers end on short tests together instead of one finishing a minute-long fuzzer
    # while the others wait.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    result = yield
    if getattr(config.option, "loadgroup", False):
        grouped = [i for i in items if i.get_closest_marker("xdist_group")]
        if grouped and "@" not in grouped[0].nodeid:
            raise pytest.UsageError("pytest-xdist --dist loadgroup does not group tests with "
                                    "this pytest (see pyproject.toml): fix the versions")
    return result


def _backend_of(item) -> str:
    """One group per engine: each engine's world is built once, and the two build at the
    same time on two workers."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend", "any") if callspec else "any"


# --- password hashing ------------------------------------------------------------------------
# scrypt (werkzeug's default, n=2**15) costs 0.1–0.5 s a hash on these machines and the suite
# makes thousands of users. Tests are about who may do what, not about hash strength: they get
# a cheap PBKDF2 unless marked `real_password_hashing` (the tests whose subject is hashing).

@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    from functools import partial

    from werkzeug.security import generate_password_hash

    import charity.auth.services as auth_services

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth_services, "generate_password_hash",
                   partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        yield


@pytest.fixture(autouse=True)
def _real_password_hashing_when_marked(request, _cheap_password_hashing):
    if request.node.get_closest_marker("real_password_hashing") is None:
        yield
        return
    from werkzeug.security import generate_password_hash

    import charity.auth.services as auth_services

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth_services, "generate_password_hash", generate_password_hash)
        yield


@pytest.fixture(scope="session")
def pg_cluster():
    bindir = pg.find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin or "
                    "CHARITY_PG_BIN): PostgreSQL tests skipped")
    cluster = pg.PostgresCluster(bindir)
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001 - report why, then fail loudly
        cluster.stop()
        raise RuntimeError(f"could not start PostgreSQL from {bindir}: {exc}") from exc
    _state["pg"] = cluster
    yield cluster
    cluster.stop()


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


# Session fixtures parametrized by `backend` are torn down and set up again each time a
# worker's sequence of tests switches engine (xdist sends groups in collection order, so a
# worker may go sqlite → postgresql → sqlite). Built worlds are kept here per engine, so a
# second set-up costs nothing instead of a migration or a whole demo load.
_built: dict = {}


def _once(kind: str, backend: str, build):
    key = (kind, backend)
    if key not in _built:
        _built[key] = build()
    return _built[key]


@pytest.fixture(scope="session")
def template_db(backend, request, tmp_path_factory):
    """A migrated database per backend; tests copy it or run inside a rolled-back transaction."""
    return _once("template", backend, lambda: _build_template(backend, request, tmp_path_factory))


def _build_template(backend, request, tmp_path_factory):
    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "template.db"
        url = f"sqlite:///{path}"
        _migrate(url, instance)
        return {"backend": backend, "url": url, "path": path, "instance": instance}
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database("charity_template")
    _migrate(url, instance)
    return {"backend": backend, "url": cluster.create_database("charity_test",
                                                              template="charity_template"),
            "cluster": cluster, "instance": instance}


def _make(template_db, **overrides):
    config = {"DATABASE_URL": template_db["url"], "SECRET_KEY": "test-secret",
              "INSTANCE_PATH": str(template_db["instance"]), "TESTING": True,
              "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost"}
    config.update(overrides)
    application = create_app(config)
    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_globals)
    return application


def _fresh_globals():
    """Give every test request an empty `g`, as production does.

    The `db` fixture keeps an app context open for the whole test (services need it), and
    Flask reuses an open app context for requests — so without this, Flask-Login's cached
    user and Flask-Babel's cached locale would leak from one request into the next.
    """
    from flask import g

    g.__dict__.clear()


@pytest.fixture(scope="session")
def app(template_db):
    application = _make(template_db)
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def make_app(template_db):
    """Build another app on the same database with other settings (e.g. CSRF on)."""
    made = []

    def factory(**overrides):
        application = _make(template_db, **overrides)
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app, backend):
    """The app's session, inside a transaction that is rolled back after the test.

    Requests made by the test client commit to a SAVEPOINT of the same connection, so the
    test sees what they wrote and nothing survives the test.
    """
    with app.app_context():
        engine = _db.engine
    conn = engine.connect()
    outer = conn.begin()
    session = scoped_session(sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                                          expire_on_commit=False), scopefunc=lambda: 0)
    original = _db.session
    _db.session = session
    try:
        with app.app_context():
            yield session
    finally:
        session.remove()
        outer.rollback()
        conn.close()
        _db.session = original


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def _database_copy(template_db, tmp_path, *, sqlite_file=None, pg_template="charity_template"):
    """A fresh database copied from a template: a file copy on SQLite, CREATE DATABASE …
    TEMPLATE on PostgreSQL (both far cheaper than migrating or loading again)."""
    if template_db["backend"] == "sqlite":
        path = tmp_path / f"committed{next(_counter)}.db"
        shutil.copyfile(sqlite_file or template_db["path"], path)
        return f"sqlite:///{path}"
    return template_db["cluster"].create_database(f"charity_c{next(_counter)}",
                                                  template=pg_template)


def _dispose(application) -> None:
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def committed_app(template_db, tmp_path, backend):
    """An app on a fresh database of its own, for tests that need real commits
    (threads, several connections, processes)."""
    url = _database_copy(template_db, tmp_path)
    application = _make(template_db, DATABASE_URL=url, INSTANCE_PATH=str(tmp_path / "instance"))
    yield application
    _dispose(application)


@pytest.fixture(scope="session")
def demo_template(template_db, tmp_path_factory):
    """`charity init` then `charity demo`, loaded once per engine (a year of money, goods, disclosures with their
    PDFs, complaints, wishes): tests that need the demo get a copy (`demo_committed_app`)
    instead of loading it again, which replays the scheduler and renders PDFs."""
    return _once("demo", template_db["backend"],
                 lambda: _build_demo(template_db, tmp_path_factory))


def _build_demo(template_db, tmp_path_factory):
    backend = template_db["backend"]
    root = tmp_path_factory.mktemp(f"demo-template-{backend}")
    instance = root / "instance"
    if backend == "sqlite":
        path = root / "demo.db"
        shutil.copyfile(template_db["path"], path)
        url = f"sqlite:///{path}"
    else:
        path = None
        url = template_db["cluster"].create_database("charity_demo", template="charity_template")
    application = _make(template_db, DATABASE_URL=url, INSTANCE_PATH=str(instance))
    # As an operator would: `charity init` names the first administrator "admin", then `charity demo` loads around it. `./run`'s plain `charity demo`
    # on an empty database is the demo site's (tests/demo_site.py).
    init = application.test_cli_runner().invoke(
        args=["init", "--username", "admin", "--password", PASSWORD])
    assert init.exit_code == 0, init.output
    result = application.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    _dispose(application)  # PostgreSQL copies a template only while nobody is connected
    return {"path": path, "instance": instance, "output": result.output,
            "init_output": init.output}


@pytest.fixture
def demo_committed_app(template_db, demo_template, tmp_path, backend):
    """An app on a fresh copy of the demo installation (database and instance folder), for
    tests that look at or change the loaded demo with real commits."""
    url = _database_copy(template_db, tmp_path, sqlite_file=demo_template["path"],
                         pg_template="charity_demo")
    instance = tmp_path / "demo-instance"
    shutil.copytree(demo_template["instance"], instance)
    application = _make(template_db, DATABASE_URL=url, INSTANCE_PATH=str(instance))
    yield application
    _dispose(application)


_counter = itertools.count(1)


# --- PDFs ------------------------------------------------------------------------------------

@pytest.fixture
def fast_pdfs(monkeypatch):
    """A stand-in for WeasyPrint's layout (about a second a report) in tests about what
    surrounds a publication — the lists, the API, the feeds, access, the log — which never
    read the PDF. The report's HTML is still rendered from its template (a template error
    still fails them); the PDF is a small placeholder naming the report. Tests of what a PDF
    says use the real renderer: tests/disclosure, tests/reports, receipts and the demo."""
    import charity.disclosure.publishing as publishing

    def render(snapshot: dict, meta: dict) -> tuple[str, bytes]:
        html = publishing.render_pdf_template("pdf/disclosure.html", report=snapshot,
                                              meta=meta)
        return html, f"%PDF-1.4\n% {meta['report_no']} {snapshot['title']}\n%%EOF\n".encode()

    monkeypatch.setattr(publishing, "render", render)


# --- factories -------------------------------------------------------------------------------

_seq = itertools.count(1)


@pytest.fixture
def make_org(db):
    from charity.orgs import uscc
    from charity.orgs.services import create_organization
    from charity.core.system import system_actor

    def factory(**data):
        n = next(_seq)
        values = {"name": f"测试慈善会{n}", "uscc": uscc.make(f"5162010{n:010d}"),
                  "registering_authority": "民政局"}
        values.update(data)
        org = create_organization(system_actor(), db, values)
        db.commit()  # as a request would: a later request's rollback must not undo it
        return org

    return factory


@pytest.fixture
def make_point(db, make_org):
    from charity.orgs.services import create_point
    from charity.core.system import system_actor

    def factory(org=None, **data):
        org = org or make_org()
        n = next(_seq)
        values = {"kind": "supermarket", "name": f"慈善超市{n}", "address": f"路{n}号",
                  "district": "城关区", "community": "社区"}
        values.update(data)
        point = create_point(system_actor(), db, org, values)
        db.commit()
        return point

    return factory


@pytest.fixture
def make_user(db, make_org):
    from charity.auth.services import create_user
    from charity.core.system import system_actor

    def factory(role="manager", org=None, points=(), **data):
        if role != "admin" and org is None:
            org = points[0].organization if points else make_org()
        n = next(_seq)
        values = {"username": f"user{n}", "display_name": f"用户{n}", "role": role,
                  "password": PASSWORD, "organization_id": org.id if org else None,
                  "point_ids": [p.id for p in points]}
        values.update(data)
        user = create_user(system_actor(), db, values)
        db.commit()
        return user

    return factory


@pytest.fixture
def login(client):
    def do(user, password=PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


def pytest_runtest_setup(item):
    """Count the tests that run against a database, per engine (the summary's last line)."""
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("backend") if callspec else None
    if backend in _state["counts"]:
        _state["counts"][backend] += 1


def _cpu_used() -> dict:
    """CPU seconds of this test process (and what it started and waited for: servers,
    browsers) and of its PostgreSQL cluster."""
    own = sum(getattr(resource.getrusage(who), field)
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for field in ("ru_utime", "ru_stime"))
    cluster = _state["pg"]
    return {"tests": own, "postgresql": cluster.cpu_seconds() if cluster is not None else 0.0}


def pytest_sessionfinish(session):
    """An xdist worker hands its counts to the controller, which prints the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        cluster = _state["pg"]
        workeroutput["db_counts"] = dict(_state["counts"])
        workeroutput["pg_version"] = cluster.version() if cluster is not None else None
        workeroutput["cpu"] = _cpu_used()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    for backend, n in output.get("db_counts", {}).items():
        _state["counts"][backend] += n
    if output.get("pg_version"):
        _state["pg_version"] = output["pg_version"]
    for kind, seconds in output.get("cpu", {}).items():
        _state["cpu"][kind] = _state["cpu"].get(kind, 0.0) + seconds


def pytest_terminal_summary(terminalreporter):
    _cpu_summary(terminalreporter)
    counts = _state["counts"]
    cluster = _state["pg"]
    version = cluster.version() if cluster is not None else _state.get("pg_version")
    if version:
        terminalreporter.write_line(
            f"database tests: {counts['sqlite']} on SQLite, {counts['postgresql']} on "
            f"PostgreSQL ({version}, a throwaway cluster per test process)")
    else:
        why = ("server binaries not found" if pg.find_bindir() is None
               else "no PostgreSQL test was reached")
        terminalreporter.write_line(
            f"database tests: {counts['sqlite']} on SQLite; PostgreSQL NOT run ({why})")


def _cpu_summary(terminalreporter) -> None:
    """Where the machine's time went: the suite is CPU-bound, so the wall time is about the
    CPU used over the cores, and what is left over is waiting (servers starting, locks)."""
    cpu = _state["cpu"] or _cpu_used()
    wall = time.time() - terminalreporter._session_start.time
    cores = os.cpu_count() or 1
    used = sum(cpu.values())
    terminalreporter.write_line(
        f"CPU: {cpu.get('tests', 0):.0f} s in the test processes, {cpu.get('postgresql', 0):.0f} s "
        f"in PostgreSQL; {wall:.0f} s wall on {cores} cores: {used / (wall * cores):.0%} busy")
