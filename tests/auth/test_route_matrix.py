"""Every registered route × every role (and anonymous): the server's answer.

The table below is the access policy written out by hand. A route missing from it fails
the test, so nobody can add a page without deciding who may open it.
"""
import pytest

from tests.auth import policies
from tests.auth.policies.common import PUBLIC

ROLES = ["anonymous", "admin", "manager", "volunteer", "auditor"]
POLICY, URL_ARG_BUILDERS = policies.load()
# Routes that end the client's own session (tests/auth/test_sessions.py).
SIGN_OUTS = ("auth.logout", "auth.sign_out_all")


@pytest.fixture
def world(db, make_org, make_point, make_user, fast_pdfs):
    org = make_org()
    p1 = make_point(org)
    actors = {
        "admin": make_user("admin"),
        "manager": make_user("manager", org=org),
        "volunteer": make_user("volunteer", org=org, points=[p1]),
        "auditor": make_user("auditor", org=org),
    }
    target = make_user("volunteer", org=org, points=[p1])
    world = {"org": org, "point": p1, "actors": actors, "target": target}
    args = {"org_id": org.id, "point_id": p1.id, "user_id": target.id, "code": "en",
            "filename": "css/app.css"}
    for build in URL_ARG_BUILDERS:
        args.update(build(world, db))
    world["args"] = args
    return world


def _url_and_method(app, rule, world):
    args = {name: world["args"][name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **args)
    method = "GET" if "GET" in rule.methods else "POST"
    return url, method


def test_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"routes without an access policy in this test: {missing}"
    stale = sorted(POLICY.keys() - endpoints)
    assert not stale, f"policy entries for routes that no longer exist: {stale}"


def test_every_view_declares_access(app):
    from charity.web.access import access_rule

    with app.test_request_context():
        undeclared = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                            if access_rule(rule.endpoint) is None)
    assert not undeclared


# What every route answered each role, per engine: the matrix below and the no-store check
# (tests/auth/test_no_store.py) read the same sweep of a few hundred requests rather than
# each making it (the two share an xdist group, tests/conftest.py).
_SWEEPS: dict = {}


def sweep(app, client, login, world, role) -> list[dict]:
    """Every route (but the sign-outs) opened once as `role` in a fresh world, in endpoint
    order: endpoint, method, url, status, redirect location and Cache-Control."""
    key = (app.config["SQLALCHEMY_DATABASE_URI"].partition(":")[0], role)
    if key not in _SWEEPS:
        if role != "anonymous":
            login(world["actors"][role])
        answers = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if rule.endpoint in SIGN_OUTS:
                continue  # would end this client's session; tested on its own
            url, method = _url_and_method(app, rule, world)
            response = client.open(url, method=method)
            response.close()
            answers.append({"endpoint": rule.endpoint, "method": method, "url": url,
                            "status": response.status_code, "location": response.location,
                            "cache_control": response.headers.get("Cache-Control")})
        _SWEEPS[key] = answers
    return _SWEEPS[key]


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, client, login, world, role):
    failures = []
    for answer in sweep(app, client, login, world, role):
        endpoint, method, url = answer["endpoint"], answer["method"], answer["url"]
        allowed = POLICY[endpoint]
        status = answer["status"]
        location = answer["location"] or ""
        if status >= 500:
            failures.append(f"{method} {url}: {status}")
        elif allowed == PUBLIC or role in allowed:
            if status in (401, 403) or (status == 302 and "/login" in location
                                        and endpoint != "auth.set_language"):
                failures.append(f"{method} {url}: {status}, expected access")
        elif role == "anonymous":
            if not (status == 302 and "/login" in location):
                failures.append(f"{method} {url}: {status}, expected redirect to sign-in")
        elif status != 403:
            failures.append(f"{method} {url}: {status}, expected 403")
    assert not failures, "\n".join(failures)


def test_unknown_endpoint_without_rule_is_refused(make_app, db):
    """A view that forgets @access answers 403 (fail closed), not its content."""
    app = make_app()

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data
