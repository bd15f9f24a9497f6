"""Friendly error pages (404, 403, 405, CSRF, 500) and no 500 for bad input."""
import re

import pytest
import sqlalchemy as sa

from charity.orgs.models import Organization
from tests.conftest import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")


def _h1(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def _friendly(response, code):
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert 'class="error-page"' in body
    assert "Traceback" not in body and "Werkzeug" not in body
    assert 'href="/"' in body  # a way back
    return body


def _csrf_token(response) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"',
                      response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_unknown_url_is_a_friendly_404(client):
    body = _friendly(client.get("/no/such/page"), 404)
    assert "404" in body


def test_404_in_english(client):
    client.get("/?lang=en")
    response = client.get("/no/such/page")
    _friendly(response, 404)
    assert _h1(response) == "Page not found"


def test_unknown_object_is_a_404(client, db, make_user, login):
    admin = make_user("admin")
    login(admin)
    for url in ("/admin/orgs/987654/edit", "/admin/points/987654/edit",
                "/admin/users/987654/edit"):
        _friendly(client.get(url), 404)


def test_forbidden_is_a_friendly_403(client, db, make_user, login):
    login(make_user("volunteer", org=None, points=()))
    _friendly(client.get("/admin/orgs"), 403)
    _friendly(client.post("/admin/orgs/new", data={"name": "x"}), 403)


def test_wrong_method_is_a_friendly_405(client):
    _friendly(client.get("/logout"), 405)


def test_api_paths_answer_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_trailing_slash_redirect_is_not_an_error_page(client):
    response = client.get("/staff")
    assert response.status_code in (301, 308)
    assert response.location.endswith("/staff/")


def test_error_messages_are_marked_for_translation():
    """Every friendly error text goes through the catalogue (extracted by pybabel)."""
    from babel.messages.extract import extract_from_file

    from charity import PROJECT_ROOT
    from charity.web.errors import MESSAGES

    path = PROJECT_ROOT / "charity" / "web" / "errors.py"
    found = {m[1] for m in extract_from_file(
        "python", str(path), keywords={"_": None, "_l": None, "gettext": None})}
    for title, message in MESSAGES.values():
        assert str(title) in found and str(message) in found


# --- CSRF ------------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_missing_csrf_token_gets_a_friendly_page(csrf_app, db, make_user):
    user = make_user("admin")
    db.commit()
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    body = _friendly(response, 400)
    assert CJK.search(_h1(response)), "the CSRF page is in Chinese"
    assert "表单已过期" in body
    # not signed in
    assert client.get("/staff/").status_code == 302


def test_forged_csrf_token_changes_nothing(csrf_app, db, make_user):
    user = make_user("admin")
    db.commit()
    client = csrf_app.test_client()
    token = _csrf_token(client.get("/login"))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    before = db.scalar(sa.select(sa.func.count(Organization.id)))
    response = client.post("/admin/orgs/new", data={
        "csrf_token": "forged." + token[7:], "name": "伪造慈善会",
        "uscc": "91350100M000100Y43", "timezone": "Asia/Shanghai"})
    _friendly(response, 400)
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before
    # a token from another session is no better
    other = csrf_app.test_client()
    foreign = _csrf_token(other.get("/login"))
    response = client.post("/admin/orgs/new", data={
        "csrf_token": foreign, "name": "伪造慈善会", "uscc": "91350100M000100Y43",
        "timezone": "Asia/Shanghai"})
    _friendly(response, 400)
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before
    # and with the right token it works
    token = _csrf_token(client.get("/admin/orgs/new"))
    response = client.post("/admin/orgs/new", data={
        "csrf_token": token, "name": "真慈善会", "uscc": "91350100M000100Y43",
        "timezone": "Asia/Shanghai", "registered_on": "2020-01-01"})
    assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before + 1


def test_logout_needs_the_csrf_token(csrf_app, db, make_user):
    user = make_user("manager")
    db.commit()
    client = csrf_app.test_client()
    token = _csrf_token(client.get("/login"))
    client.post("/login", data={"username": user.username, "password": PASSWORD,
                                "csrf_token": token})
    _friendly(client.post("/logout"), 400)
    assert client.get("/staff/").status_code == 200  # still signed in
    page = client.get("/staff/")
    response = client.post("/logout", data={"csrf_token": _csrf_token(page)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


# --- 500 -------------------------------------------------------------------------------------

def test_unexpected_error_is_a_friendly_500_and_saves_nothing(make_app, db):
    from charity.core.extensions import db as _db
    from charity.orgs.services import create_organization
    from charity.core.system import system_actor
    from charity.web.access import PUBLIC, access

    app = make_app()

    @app.route("/boom")
    @access(PUBLIC)
    def boom():
        create_organization(system_actor(), _db.session,
                            {"name": "半截慈善会", "uscc": "91440300708461136T"})
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = _friendly(response, 500)
    assert "secret internals" not in body
    assert "RuntimeError" not in body
    assert db.scalar(sa.select(Organization.id).where(
        Organization.uscc == "91440300708461136T")) is None


def test_500_on_an_api_path_is_json(make_app, db):
    from charity.web.access import PUBLIC, access

    app = make_app()

    @app.route("/api/boom")
    @access(PUBLIC)
    def api_boom():
        raise ValueError("internal")

    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == 500
    assert "internal" not in response.get_data(as_text=True)


# --- bad input never gives a 500 -------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/admin/orgs?page=99999999999999999999999",
    "/admin/orgs?page=-3",
    "/admin/orgs?page=abc",
    "/admin/orgs?q=%00",
    "/admin/orgs?q=" + "长" * 500,
    "/admin/points?q=a%00b&kind=%00",
    "/admin/points/new?org=%C2%B2",  # "²" is a digit to str.isdigit(), not to int()
    "/admin/points/new?org=99999999999999999999999",
    "/admin/users?q=%25_%5C&role=%00",
    "/staff/audit?action=%00",
    "/language/zh_CN?next=%00",
])
def test_odd_query_strings_never_give_a_500(client, db, make_user, login, url):
    login(make_user("admin"))
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("data", [
    {"username": "a\x00b", "password": "x" * 12},
    {"username": "x" * 5000, "password": "y"},
    {"username": "管理员", "password": "\x00" * 12},
])
def test_odd_login_input_never_gives_a_500(client, db, data):
    response = client.post("/login", data=data)
    assert response.status_code in (200, 400)


def test_nul_bytes_in_a_form_never_give_a_500(client, db, make_user, login):
    login(make_user("admin"))
    before = db.scalar(sa.select(sa.func.count(Organization.id)))
    response = client.post("/admin/orgs/new", data={
        "name": "空\x00字节", "uscc": "91350100M000100Y43", "timezone": "Asia/Shanghai"})
    assert response.status_code in (200, 400)
    # refused on both engines alike (SQLite would store the NUL, PostgreSQL cannot)
    assert db.scalar(sa.select(sa.func.count(Organization.id))) == before


def test_garbage_cookies_mean_anonymous(client, db):
    client.set_cookie("session", "garbage.garbage.garbage")
    client.set_cookie("remember_token", "1:abc|deadbeef")
    response = client.get("/staff/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/").status_code == 200


def test_oversized_upload_is_a_friendly_413(make_app, db):
    app = make_app(UPLOAD_MAX_BYTES=10)
    response = app.test_client().post("/login", data={"username": "x" * 200_000,
                                                      "password": "y"})
    _friendly(response, 413)
