"""Public drop-off pre-registration: no sign-in, a honeypot and a per-address rate limit, a
code page without personal data whose QR code opens the staff intake form prefilled."""
import datetime as dt
import html as htmllib
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.goods.models import Intake, PreRegistration


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def point(make_point, org):
    return make_point(org, opening_hours="周一至周五 09:00-17:00", address="张掖路8号")


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def prereg_count(db):
    return db.scalar(sa.select(sa.func.count(PreRegistration.id)))


def announce(client, point, **changes):
    token = token_of(client.get("/dropoff/").get_data(as_text=True))
    data = {"submission_token": token, "point_id": str(point.id), "items": "两袋冬衣，一床棉被",
            "donor_name": "李雷", "donor_phone": "13912340000", "expected_on": "",
            "wants_receipt": "y", "website": ""}
    data.update(changes)
    return client.post("/dropoff/", data=data)


def test_anyone_announces_a_drop_off_without_signing_in(client, db, point, org):
    page = client.get("/dropoff/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert point.name in html and 'class="hp-field"' in html
    expected = (org_today(org) + dt.timedelta(days=2)).isoformat()
    response = announce(client, point, expected_on=expected)
    assert response.status_code == 302
    prereg = db.scalar(sa.select(PreRegistration))
    assert response.location.endswith(f"/dropoff/{prereg.code}")
    assert len(prereg.code) == 6 and prereg.point_id == point.id
    assert prereg.donor_name == "李雷" and prereg.wants_receipt
    assert prereg.expected_on.isoformat() == expected
    done = client.get(response.location)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert re.search(r'class="dropoff-code"[^>]*>%s<' % prereg.code, html)
    assert "<svg" in html and point.name in html and "张掖路8号" in html
    assert "周一至周五 09:00-17:00" in html and "两袋冬衣" in html
    # No personal data on the page.
    assert "李雷" not in html and "13912340000" not in html


def test_the_qr_code_opens_the_intake_form_prefilled(client, db, point, org, make_user, login):
    announce(client, point)
    prereg = db.scalar(sa.select(PreRegistration))
    with client.application.test_request_context():
        from flask import url_for

        intake_url = url_for("intake.intake_new", code=prereg.code, _external=True)
    assert intake_url.endswith(f"/staff/intake/new?code={prereg.code}")
    volunteer = make_user("volunteer", org=org, points=[point])
    login(volunteer)
    form = client.get(f"/staff/intake/new?code={prereg.code}")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert re.search(r'name="preregistration_code"[^>]*value="%s"' % prereg.code, html) or \
        re.search(r'value="%s"[^>]*name="preregistration_code"' % prereg.code, html)
    assert "两袋冬衣" in html and "李雷" in html
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0


def test_the_qr_code_encodes_the_staff_intake_url(client, db, point, monkeypatch):
    import charity.portal.views.dropoff as views

    seen = []
    original = views.qr_svg
    monkeypatch.setattr(views, "qr_svg", lambda data, **kw: seen.append(data) or original(
        data, **kw))
    response = announce(client, point)
    client.get(response.location)
    code = db.scalar(sa.select(PreRegistration.code))
    assert seen == [f"http://localhost/staff/intake/new?code={code}"]


def test_the_honeypot_refuses(client, db, point):
    response = announce(client, point, website="http://spam.example")
    assert response.status_code == 400
    assert prereg_count(db) == 0


@pytest.mark.parametrize("field, value", [("items", ""), ("point_id", ""), ("point_id", "99999"),
                                          ("expected_on", "2000-01-01")])
def test_bad_input_is_answered_next_to_the_field(client, db, point, field, value):
    response = announce(client, point, **{field: value})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, field), html[:3000]
    assert "两袋冬衣" in html or field == "items"
    assert prereg_count(db) == 0


def test_a_closed_point_is_not_offered(client, db, make_point, org, point):
    from charity.orgs.services import set_point_active
    from charity.core.system import system_actor

    closed = make_point(org)
    set_point_active(system_actor(), db, closed, False)
    db.commit()
    assert closed.name not in client.get("/dropoff/").get_data(as_text=True)
    response = announce(client, closed)
    assert response.status_code == 200 and prereg_count(db) == 0


def test_double_submit_posts_once(client, db, point):
    token = token_of(client.get("/dropoff/").get_data(as_text=True))
    data = {"submission_token": token, "point_id": str(point.id), "items": "书"}
    first = client.post("/dropoff/", data=data)
    second = client.post("/dropoff/", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert prereg_count(db) == 1


def test_at_most_ten_an_hour_per_address(client, db, point):
    for _ in range(10):
        assert announce(client, point).status_code == 302
    refused = announce(client, point)
    assert refused.status_code == 429
    assert "Too many" in refused.get_data(as_text=True)
    assert prereg_count(db) == 10
    other = FreshClient(client.application, client.application.response_class)
    token = token_of(other.get("/dropoff/").get_data(as_text=True))
    elsewhere = other.post("/dropoff/", data={"submission_token": token,
                                              "point_id": str(point.id), "items": "书"},
                           environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302


def test_the_limit_holds_across_processes(client, db, point, app, make_app):
    """Issue 16: counted in the database, not in one process's memory: a second app object
    (as a second worker) refuses the eleventh pre-registration too."""
    from charity.auth.models import RateHit

    for _ in range(10):
        assert announce(client, point).status_code == 302
    other = make_app()
    second = FreshClient(other, other.response_class, use_cookies=True)
    assert announce(second, point).status_code == 429
    assert db.scalar(sa.select(sa.func.count(RateHit.id))
                     .where(RateHit.bucket == "dropoff_rate")) == 10


def test_an_unknown_code_is_not_found(client):
    assert client.get("/dropoff/ZZZZZZ").status_code == 404
