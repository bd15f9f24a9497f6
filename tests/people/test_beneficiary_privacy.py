"""Households' private data stays out of the audit log, the application log and the
flashed messages, through a whole working day of screens: registering, editing, searching,
handing out goods, reversing, deactivating and erasing."""
import datetime as dt
import json
import logging
import re

import pytest
import sqlalchemy as sa
from flask import message_flashed
from flask.testing import FlaskClient

from charity.audit.models import AuditLog
from charity.core.clock import org_today
from charity.goods.models import Distribution
from charity.people.identity import make_id
from charity.people.models import Beneficiary

HOUSEHOLDS = [
    {"name": "马玉珍", "phone": "13919310001", "address": "兰州市城关区庆阳路101号",
     "id_number": make_id("62010219520101004")},
    {"name": "刘建国", "phone": "13919310002", "address": "兰州市七里河区西津路202号",
     "id_number": make_id("62010319600505001")},
]
NEW_PHONE = "18893100003"
NEW_ADDRESS = "兰州市安宁区银滩路303号"
NEW_ID = make_id("62010519700707003")


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def flashed(app):
    messages = []

    def remember(sender, message, category, **extra):
        messages.append(str(message))

    message_flashed.connect(remember, app)
    yield messages
    message_flashed.disconnect(remember, app)


def private_values():
    values = [NEW_PHONE, NEW_ADDRESS, NEW_ID]
    for h in HOUSEHOLDS:
        values += [h["phone"], h["address"], h["id_number"]]
    return values


def token_of(html):
    tag = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def test_private_data_never_reaches_the_audit_log_the_log_or_a_message(
        client, login, db, make_org, make_point, make_user, make_item, stock, caplog, flashed):
    # (In this order: each call also sets the capturing handler's level.)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # SQL echo is off in production
    caplog.set_level(logging.DEBUG)
    org = make_org()
    point = make_point(org)
    today = org_today(org)
    coat = make_item(org)
    stock(point, coat, 10)
    manager = make_user("manager", org=org)
    volunteer = make_user("volunteer", org=org, points=[point])

    # A manager registers the households, corrects one, and types a bad ID once.
    login(manager)
    ids = []
    for h in HOUSEHOLDS:
        token = token_of(client.get("/staff/beneficiaries/new").get_data(as_text=True))
        response = client.post("/staff/beneficiaries/new", data={
            "submission_token": token, "organization_id": str(org.id), "categories": ["dibao"],
            "members": "2", "community": "庆阳路社区", "monthly_points": "100",
            "certified_until": (today + dt.timedelta(days=200)).isoformat(),
            "consent_note": "书面同意", **h})
        assert response.status_code == 302
        ids.append(int(response.location.rsplit("/", 1)[1]))
    bad = client.post(f"/staff/beneficiaries/{ids[0]}/edit", data={
        "name": HOUSEHOLDS[0]["name"], "categories": ["dibao"], "members": "2",
        "id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")})
    assert bad.status_code == 200
    assert client.post(f"/staff/beneficiaries/{ids[0]}/edit", data={
        "name": HOUSEHOLDS[0]["name"], "categories": ["dibao", "disabled"], "members": "2",
        "community": "庆阳路社区", "phone": NEW_PHONE, "address": NEW_ADDRESS, "id_number": NEW_ID,
        "certified_until": (today + dt.timedelta(days=200)).isoformat(),
        "monthly_points": "100"}).status_code == 302
    client.get(f"/staff/beneficiaries/?q={HOUSEHOLDS[1]['id_number'][-4:]}")
    client.post("/logout")

    # A volunteer hands out goods to both and looks them up.
    login(volunteer)
    for household_id in ids:
        client.get(f"/staff/beneficiaries/{household_id}")
        page = client.get(f"/staff/distributions/new?beneficiary={household_id}")
        response = client.post("/staff/distributions/new", data={
            "submission_token": token_of(page.get_data(as_text=True)),
            "point_id": str(point.id), "beneficiary_id": str(household_id),
            "lines-0-item_type_id": str(coat.id), "lines-0-quantity": "2"})
        assert response.status_code == 302
        client.get(response.location)
    client.get(f"/staff/distributions/new?point={point.id}&q=庆阳路")
    client.post("/logout")

    # The manager reverses one distribution, deactivates one household and erases the other.
    login(manager)
    first = db.scalar(sa.select(Distribution).order_by(Distribution.id))
    assert client.post(f"/staff/distributions/{first.id}/reverse",
                       data={"reason": "发错了"}).status_code == 302
    assert client.post(f"/staff/beneficiaries/{ids[0]}/active",
                       data={"active": "0"}).status_code == 302
    assert client.post(f"/staff/beneficiaries/{ids[1]}/erase",
                       data={"confirm": "y"}).status_code == 302

    assert db.scalar(sa.select(sa.func.count(Distribution.id))) == 2
    assert db.get(Beneficiary, ids[0]).phone == NEW_PHONE  # the data did go in

    audit = db.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
    actions = {a.action for a in audit}
    assert {"beneficiary.create", "beneficiary.update", "distribution.post",
            "distribution.reverse", "beneficiary.deactivate", "beneficiary.erase"} <= actions
    audit_text = "\n".join(
        f"{a.action} {a.object_type} {a.object_id} "
        f"{json.dumps(a.summary, ensure_ascii=False, default=str)}" for a in audit)
    log_text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    flash_text = "\n".join(flashed)
    assert flashed  # the screens did say something
    for value in private_values():
        for digits in {value, value[-8:]}:
            assert digits not in audit_text, f"{digits!r} in the audit log"
            assert digits not in log_text, f"{digits!r} in the application log"
            assert digits not in flash_text, f"{digits!r} in a flashed message"
    # The messages do not even name the households.
    for h in HOUSEHOLDS:
        assert h["name"] not in flash_text
