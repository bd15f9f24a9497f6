"""Security headers on every response, cookie flags, HSTS, ProxyFix, uploads served as files."""
import datetime as dt
import re

import pytest

from charity.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import PASSWORD

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _assert_headers(response, **changed):
    expected = dict(EXPECTED, **changed)
    got = {name: response.headers.get(name) for name in expected}
    assert got == expected, response.request.path


def test_policy_constant_is_the_one_documented():
    assert CONTENT_SECURITY_POLICY == EXPECTED["Content-Security-Policy"]


@pytest.mark.parametrize("path,status", [
    ("/", 200), ("/login", 200), ("/campaigns/", 200), ("/api/v1/stats", 200),
    ("/feed.atom", 200), ("/static/css/app.css", 200), ("/no-such-page", 404),
    ("/campaigns/?page=x", 400), ("/staff/", 302),
])
def test_anonymous_responses_carry_every_header(client, path, status):
    response = client.get(path)
    response.close()  # a static file is streamed from an open file
    assert response.status_code == status
    _assert_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_staff_pages_carry_every_header(client, login, make_user):
    login(make_user("admin"))
    for path in ("/staff/", "/staff/complaints/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_headers(response)


def test_a_header_the_view_chose_is_kept(client):
    # The trace page keeps its secret URL out of Referer headers.
    response = client.get("/trace", query_string={"r": "X", "c": "Y"})
    assert response.status_code == 200
    _assert_headers(response, **{"Referrer-Policy": "no-referrer"})


def test_own_header_on_a_custom_view_is_not_overridden(make_app, db):
    from charity.web.access import PUBLIC, access

    app = make_app()

    @app.route("/framed")
    @access(PUBLIC)
    def framed():
        return "ok", 200, {"X-Frame-Options": "SAMEORIGIN",
                           "Content-Security-Policy": "default-src 'none'"}

    response = app.test_client().get("/framed")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_500_page_carries_every_header(make_app, db):
    from charity.web.access import PUBLIC, access

    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    @access(PUBLIC)
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    _assert_headers(response)


# --- cookies and HTTPS -----------------------------------------------------------------------

def _login_cookies(app, user, remember=True):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "remember": "y" if remember else ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = [part.strip().lower() for part in header.split(";")[1:]]
    return response, cookies


def test_cookies_are_httponly_and_lax_without_secure_by_default(make_app, make_user):
    app = make_app()
    assert app.config["CHARITY_SECURE_COOKIES"] is False
    response, cookies = _login_cookies(app, make_user("manager"))
    assert set(cookies) == {"session", "remember_token"}
    for name, flags in cookies.items():
        assert "httponly" in flags and "samesite=lax" in flags, name
        assert "secure" not in flags, name
    assert "Strict-Transport-Security" not in response.headers


def test_secure_cookies_setting_marks_cookies_and_sends_hsts(make_app, make_user):
    app = make_app(SECURE_COOKIES=True)
    response, cookies = _login_cookies(app, make_user("manager"))
    assert set(cookies) == {"session", "remember_token"}
    for name, flags in cookies.items():
        assert {"httponly", "samesite=lax", "secure"} <= set(flags), name
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert app.test_client().get("/").headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("raw,expected", [("1", True), ("on", True), ("0", False), ("", False)])
def test_secure_cookies_from_the_environment(monkeypatch, tmp_path, raw, expected):
    from charity import create_app
    from charity.core.extensions import db as _db

    monkeypatch.setenv("CHARITY_SECURE_COOKIES", raw)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    try:
        assert app.config["CHARITY_SECURE_COOKIES"] is expected
        assert app.config["SESSION_COOKIE_SECURE"] is expected
        assert app.config["REMEMBER_COOKIE_SECURE"] is expected
    finally:
        with app.app_context():
            _db.engine.dispose()


def _external_url_app(make_app, **config):
    from flask import url_for

    from charity.web.access import PUBLIC, access

    app = make_app(**config)

    @app.route("/whereami")
    @access(PUBLIC)
    def whereami():
        return url_for("portal.home", _external=True)

    return app


def test_proxy_fix_makes_forwarded_https_external_urls_https(make_app, db):
    app = _external_url_app(make_app, PROXY_FIX=True)
    client = app.test_client()
    forwarded = client.get("/whereami", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.get_data(as_text=True) == "https://localhost/"
    assert client.get("/whereami").get_data(as_text=True) == "http://localhost/"


def test_without_proxy_fix_forwarded_headers_are_ignored(make_app, db):
    app = _external_url_app(make_app, PROXY_FIX=False)
    response = app.test_client().get("/whereami", headers={"X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "http://localhost/"


# --- uploads are served as attachments, never from static/ ---------------------------------

def _assert_served_as_download(response, mime):
    data = response.get_data()
    response.close()  # send_file streams from an open file
    assert response.status_code == 200
    assert response.mimetype == mime
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]
    assert data == PNG


def test_evidence_file_is_a_nosniff_attachment_outside_static(app, client, db, login,
                                                               make_org, make_user):
    from flask import current_app

    from charity.funds.services.noncash import record_gift
    from charity.funds.uploads import FileStore, Upload, upload_dir
    from charity.reports.pdf import STATIC_DIR
    from charity.core.system import system_actor

    org = make_org()
    store = FileStore(upload_dir(current_app.instance_path))
    gift = record_gift(system_actor(), db, org, {
        "property_type": "securities", "description": "股票 100 股",
        "valuation_basis": "fair_value", "value": "1234.00",
        "received_on": dt.date(2026, 3, 2), "issue_receipt": False,
    }, [Upload("<script>x.html", PNG)], today=dt.date(2026, 11, 25), store=store)
    store.publish()
    db.commit()
    stored = gift.files[0]
    path = store.path_of(stored.stored_name)
    assert not path.resolve().is_relative_to(STATIC_DIR.resolve())
    assert re.fullmatch(r"[0-9a-f]{32}", path.name)  # no name or extension of the sender's
    login(make_user("admin"))
    response = client.get(f"/staff/noncash/files/{stored.id}")
    _assert_served_as_download(response, "image/png")
    # The saved file's extension follows the content, whatever the sender called it.
    assert response.headers["Content-Disposition"].endswith('.png"')
    # And nothing of it is reachable under /static.
    assert client.get(f"/static/{path.name}").status_code == 404


def test_complaint_attachment_is_a_nosniff_attachment_outside_static(app, client, db, login,
                                                                     make_org, make_user):
    from charity.complaints.views.attachments import complaint_store
    from charity.complaints.services import submit_complaint
    from charity.funds.uploads import Upload
    from charity.reports.pdf import STATIC_DIR
    from tests.complaints.helpers import BASE

    org = make_org()
    store = complaint_store()
    complaint = submit_complaint(db, org, dict(BASE), address_hash=None,
                                 upload=Upload("evil.svg", PNG), store=store)
    db.commit()
    store.publish()
    path = store.path_of(complaint.attachment_stored_name)
    assert not path.resolve().is_relative_to(STATIC_DIR.resolve())
    login(make_user("admin"))
    response = client.get(f"/staff/complaints/{complaint.id}/attachment")
    _assert_served_as_download(response, "image/png")
    assert response.headers["Content-Disposition"] == "attachment; filename=evil.svg.png"
