"""Boxes through the web (issue 20 §3): pack from stock, open by the label's code, the box
page's one-tap steps, labels with a QR code of the box's address, the stocktake's box check.
Each step is checked against the ledger's rows, not against what the page says."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.boxes.models import Box, BoxState
from charity.boxes.services import pack_box
from charity.core.system import system_actor
from charity.goods import services as documents
from charity.goods.models import StockMovement, Transfer
from tests.boxes.test_box_services import balance
from tests.goods.test_transfer_views import error_of, token_of

D = Decimal


@pytest.fixture
def w(db, make_org, make_point, make_item, make_user, stock):
    org = make_org()
    a, b = make_point(org, name="东岗超市"), make_point(org, name="雁滩站")
    coat = make_item(org, name="女装冬衣M")
    stock(a, coat, 20)
    return {"org": org, "a": a, "b": b, "coat": coat,
            "vol_a": make_user("volunteer", org=org, points=[a]),
            "vol_b": make_user("volunteer", org=org, points=[b]),
            "auditor": make_user("auditor", org=org), "manager": make_user("manager", org=org)}


def packed(db, w, qty=12):
    box = pack_box(system_actor(), db, w["a"], {"label": "女装 冬 M", "lines": [
        {"item_type_id": w["coat"].id, "quantity": str(qty)}]})
    db.commit()
    return box


def test_packing_a_box_from_the_shelf(client, login, db, w):
    login(w["vol_a"])
    page = client.get("/staff/boxes/new").get_data(as_text=True)
    assert "女装冬衣M" in page and "20" in page
    choice = f"{w['coat'].id}|"
    response = client.post("/staff/boxes/new", data={
        "submission_token": token_of(page), "point_id": w["a"].id, "label": "女装 冬 M",
        "lines-0-item_type_id": choice, "lines-0-quantity": "12"})
    assert response.status_code == 302
    box = db.scalar(sa.select(Box).order_by(Box.id.desc()))
    assert response.location.endswith(f"/staff/boxes/{box.id}")
    assert [(ln.item_type_id, ln.quantity) for ln in box.lines] == [(w["coat"].id, 12)]
    assert balance(db, w["a"], w["coat"]) == 20  # nothing moved
    # More than is free: the refusal is next to the line, nothing packed.
    page = client.get("/staff/boxes/new").get_data(as_text=True)
    response = client.post("/staff/boxes/new", data={
        "submission_token": token_of(page), "point_id": w["a"].id,
        "lines-0-item_type_id": choice, "lines-0-quantity": "9"})
    assert response.status_code == 200
    assert "8" in error_of(response.get_data(as_text=True), "lines-0-quantity")
    assert db.scalar(sa.select(sa.func.count(Box.id))) == 1


def test_the_label_code_opens_the_box_and_the_qr_holds_its_address(client, login, db, w):
    box = packed(db, w)
    login(w["vol_a"])
    response = client.get(f"/staff/boxes/open?box={box.code.lower()}")
    assert response.status_code == 302 and response.location.endswith(f"/staff/boxes/{box.id}")
    assert client.get("/staff/boxes/open?box=NOPE").status_code == 302
    for url in (f"/staff/boxes/{box.id}/label", f"/staff/boxes/labels?box={box.id}",
                f"/staff/boxes/labels?point={w['a'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("<svg") == 1 and box.code in page and "女装 冬 M" in page, url
    page = client.get("/staff/boxes/?q=冬衣").get_data(as_text=True)
    assert box.code in page
    link = f'href="/staff/boxes/{box.id}"'
    assert link in page
    assert link not in client.get("/staff/boxes/?status=lost").get_data(as_text=True)
    # The 58 mm label's QR code is the code of the box's address (independently encoded).
    from charity.reports.qr import qr_svg
    expected = qr_svg(f"http://localhost/staff/boxes/open?box={box.code}", size="40mm",
                      error_correction="Q", title=box.code)
    assert expected in client.get(f"/staff/boxes/{box.id}/label").get_data(as_text=True)
    # Another point's volunteer does not see it.
    login(w["vol_b"])
    assert client.get(f"/staff/boxes/{box.id}").status_code == 403
    assert link not in client.get("/staff/boxes/").get_data(as_text=True)


def test_hand_out_a_whole_box_in_one_tap(client, login, db, w, make_household):
    box = packed(db, w, 4)
    household = make_household(w["org"], name="王秀兰", monthly_points=1000)
    login(w["vol_a"])
    page = client.get(f"/staff/boxes/{box.id}?q=王秀兰").get_data(as_text=True)
    assert "王秀兰" in page
    response = client.post(f"/staff/boxes/{box.id}/hand-out", data={
        "submission_token": token_of(page), "beneficiary_id": household.id})
    assert response.status_code == 302
    db.expire_all()
    box = db.get(Box, box.id)
    assert box.state == BoxState.HANDED_OUT
    assert response.location.endswith(f"/staff/distributions/{box.distribution_id}")
    out = db.scalars(sa.select(StockMovement.quantity).where(
        StockMovement.document_type == "distribution",
        StockMovement.document_id == box.distribution_id)).all()
    assert out == [D(-4)] and balance(db, w["a"], w["coat"]) == 16


def test_send_and_receive_a_box(client, login, db, w):
    box = packed(db, w)
    login(w["vol_a"])
    page = client.get(f"/staff/boxes/{box.id}").get_data(as_text=True)
    response = client.post(f"/staff/boxes/{box.id}/send", data={
        "submission_token": token_of(page), "to_point_id": w["b"].id})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Box, box.id).state == BoxState.IN_TRANSIT
    assert balance(db, w["a"], w["coat"]) == 8
    # The destination sees the box while it travels, and receives it in one tap.
    login(w["vol_b"])
    assert f'href="/staff/boxes/{box.id}"' in client.get("/staff/boxes/").get_data(as_text=True)
    page = client.get(f"/staff/boxes/{box.id}").get_data(as_text=True)
    assert "/receive" in page
    response = client.post(f"/staff/boxes/{box.id}/receive",
                           data={"submission_token": token_of(page)})
    assert response.status_code == 302
    db.expire_all()
    box = db.get(Box, box.id)
    assert box.state == BoxState.ON_SHELF and box.point_id == w["b"].id
    assert balance(db, w["b"], w["coat"]) == 12


def test_receiving_the_transfer_on_its_own_screen_moves_the_box(client, login, db, w):
    box = packed(db, w, 5)
    from charity.boxes.services import send_box
    send_box(system_actor(), db, box, w["b"].id)
    db.commit()
    transfer = db.get(Transfer, box.transfer_id)
    login(w["vol_b"])
    page = client.get(f"/staff/transfers/{transfer.id}/receive").get_data(as_text=True)
    response = client.post(f"/staff/transfers/{transfer.id}/receive", data={
        "submission_token": token_of(page), "lines-0-quantity": "3",
        "lines-0-loss_reason": "两件淋湿"})
    assert response.status_code == 302
    db.expire_all()
    box = db.get(Box, box.id)
    assert box.state == BoxState.ON_SHELF and box.point_id == w["b"].id
    assert [ln.quantity for ln in box.lines] == [3] == [balance(db, w["b"], w["coat"])]


def test_a_lost_box_needs_a_reason_and_is_written_off(client, login, db, w):
    box = packed(db, w, 6)
    login(w["vol_a"])
    page = client.get(f"/staff/boxes/{box.id}").get_data(as_text=True)
    response = client.post(f"/staff/boxes/{box.id}/lose",
                           data={"submission_token": token_of(page), "note": ""})
    assert response.status_code == 422 and error_of(response.get_data(as_text=True), "note")
    response = client.post(f"/staff/boxes/{box.id}/lose",
                           data={"submission_token": token_of(page), "note": "仓库漏水"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Box, box.id).state == BoxState.LOST
    assert balance(db, w["a"], w["coat"]) == 14


def test_an_auditor_reads_but_cannot_move_a_box(client, login, db, w):
    box = packed(db, w)
    login(w["auditor"])
    page = client.get(f"/staff/boxes/{box.id}").get_data(as_text=True)
    assert box.code in page and "/hand-out" not in page and "/send" not in page
    assert client.post(f"/staff/boxes/{box.id}/lose", data={"note": "x"}).status_code == 403


def test_the_stocktake_box_check_loses_a_missing_box(client, login, db, w):
    found, missing = packed(db, w, 5), packed(db, w, 4)
    st = documents.start_stocktake(system_actor(), db, w["a"])
    db.commit()
    login(w["vol_a"])
    page = client.get(f"/staff/boxes/stocktakes/{st.id}").get_data(as_text=True)
    assert found.code in page and missing.code in page
    assert f'data-code="{found.code}"' in page and 'data-scan-check' in page  # scan to tick
    response = client.post(f"/staff/boxes/stocktakes/{st.id}", data={
        "submission_token": token_of(page), "found": [str(found.id)]})
    assert response.status_code == 302
    from charity.goods.models import Stocktake
    st = db.get(Stocktake, st.id)
    line = st.lines[0]
    documents.set_counts(system_actor(), db, st, {line.id: "16"})  # 20 less the lost 4
    documents.submit_stocktake(system_actor(), db, st)
    db.commit()
    login(w["manager"])
    page = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    token = re.findall(r'name="submission_token" type="hidden" value="([^"]+)"', page)[-1]
    response = client.post(f"/staff/stocktakes/{st.id}/approve",
                           data={"submission_token": token})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Box, missing.id).state == BoxState.LOST
    assert db.get(Box, found.id).state == BoxState.ON_SHELF
    assert balance(db, w["a"], w["coat"]) == 16
