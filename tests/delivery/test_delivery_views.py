"""The delivery screens: the order form posts once however often it is sent; the steps
from the phone view end in a posted distribution; refusals sit next to their field; the
address and tap-to-call reach only the assignee and managers; public figures (page, API,
OpenAPI) count deliveries by month and community and carry no name, address or phone."""
import json
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.delivery.models import Delivery, DeliveryStatus
from charity.delivery.services import deliver, dispatch, pack
from charity.goods.models import StockBalance

ADDRESS = "雁滩路8号3单元201"  # the need's address (tests/delivery/conftest.py)


def token_of(html, prefix=""):
    name = f"{prefix}-submission_token" if prefix else "submission_token"
    marker = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


@pytest.fixture
def en(client):
    client.get("/?lang=en")
    return client


def reserved(db, dw):
    return sum(db.scalars(sa.select(StockBalance.reserved).where(
        StockBalance.point_id == dw["point"].id)))


def test_order_form_posts_once(en, login, db, dw):
    login(dw["manager"])
    page = en.get(f"/staff/deliveries/new?point={dw['point'].id}&beneficiary="
                  f"{dw['household'].id}").get_data(as_text=True)
    assert dw["household"].name in page
    data = {"submission_token": token_of(page), "point_id": str(dw["point"].id),
            "beneficiary_id": str(dw["household"].id),
            "assigned_to_id": str(dw["volunteer"].id), "planned_on": dw["today"].isoformat(),
            "lines-0-item_type_id": str(dw["milk"].id), "lines-0-quantity": "2"}
    first = en.post("/staff/deliveries/new", data=data)
    second = en.post("/staff/deliveries/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Delivery.id))) == 1
    assert reserved(db, dw) == 2


def test_refusal_is_shown_next_to_the_line(en, login, db, dw):
    login(dw["manager"])
    page = en.get(f"/staff/deliveries/new?point={dw['point'].id}").get_data(as_text=True)
    response = en.post("/staff/deliveries/new", data={
        "submission_token": token_of(page), "point_id": str(dw["point"].id),
        "beneficiary_id": str(dw["household"].id), "assigned_to_id": str(dw["volunteer"].id),
        "planned_on": dw["today"].isoformat(), "lines-0-item_type_id": str(dw["milk"].id),
        "lines-0-quantity": "7"})  # 8 on the shelf, 2 of them expired
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="lines-0-quantity-error"' in html
    assert db.scalar(sa.select(sa.func.count(Delivery.id))) == 0


def test_phone_view_takes_a_delivery_to_delivered(en, login, db, dw, order):
    delivery = order(3)
    login(dw["volunteer"])
    for step, extra in (("pack", {}), ("dispatch", {}), ("deliver", {"code": "x"}),
                        ("deliver", {"code": delivery.confirm_code})):
        page = en.get("/staff/deliveries/today").get_data(as_text=True)
        data = {f"{step}-submission_token": token_of(page, step), "next": "today",
                **{f"{step}-{k}": v for k, v in extra.items()}}
        response = en.post(f"/staff/deliveries/{delivery.id}/{step}", data=data)
        if extra.get("code") == "x":
            assert response.status_code == 400
            assert 'id="deliver-code-error"' in response.get_data(as_text=True)
        else:
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.expire_all()
    assert db.get(Delivery, delivery.id).status == DeliveryStatus.DELIVERED
    assert reserved(db, dw) == 0


def _pages(client, delivery):
    return [client.get(url).get_data(as_text=True) for url in (
        f"/staff/deliveries/{delivery.id}", "/staff/deliveries/route",
        f"/staff/deliveries/route?day={delivery.planned_on.isoformat()}")]


@pytest.mark.parametrize("who, sees", [("volunteer", True), ("manager", True),
                                       ("other", False), ("auditor", False)])
def test_address_and_call_only_for_the_assignee_and_managers(en, login, dw, order, who, sees):
    delivery = order(1)
    login(dw[who])
    phone = dw["household"].phone
    for html in _pages(en, delivery):
        assert (dw["household"].address in html) is sees  # a prefix of the need's address
        assert (f'href="tel:{phone}"' in html or phone in html) is sees
    if who != "auditor":
        today = en.get("/staff/deliveries/today").get_data(as_text=True)
        assert ADDRESS not in today or sees


def test_public_figures_count_without_personal_data(en, db, dw, order, make_household):
    from charity.delivery.services import record_need

    second = make_household(dw["org"], community="张掖路社区")
    record_need(dw["manager"], db, second, {"reason": "disability", "address": "张掖路99号"})
    for household, qty in ((dw["household"], 1), (dw["household"], 1), (second, 1)):
        delivery = order(qty, beneficiary_id=household.id)
        pack(dw["volunteer"], db, delivery)
        dispatch(dw["volunteer"], db, delivery)
        deliver(dw["volunteer"], db, delivery, delivery.confirm_code, today=dw["today"])
    order(1)  # still open: not counted
    db.commit()
    month = f"{dw['today']:%Y-%m}"
    expected = {("雁滩社区", month): 2, ("张掖路社区", month): 1}
    body = en.get("/api/v1/deliveries/stats").get_data(as_text=True)
    rows = json.loads(body)["data"]["rows"]
    assert {(r["community"], r["month"]): r["delivered"] for r in rows} == expected
    page = en.get("/deliveries/stats").get_data(as_text=True)
    secrets = [dw["household"].name, second.name, ADDRESS, "张掖路99号",
               dw["household"].phone, second.phone]
    for text in (body, page):
        assert not [s for s in secrets if s in text]
    spec = en.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/deliveries/stats" in spec["paths"]
    logged = json.dumps([e.summary for e in db.scalars(
        sa.select(AuditLog).where(AuditLog.action.like("deliver%")))], ensure_ascii=False)
    assert ADDRESS not in logged and "张掖路99号" not in logged
