"""Transfers through the web: sending takes stock off the source shelf, receiving puts what
arrived on the destination's, a shortfall needs a reason, and only the destination
receives. Bad input is answered next to the line, with the typing kept and nothing written."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.goods import services as documents
from charity.goods.models import StockBalance, StockMovement, Transfer, TransferStatus
from charity.core.system import system_actor


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production (the `db` fixture keeps one
    pushed, so Flask-Login's cached user in `g` would otherwise leak between requests)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")  # assert on the English msgids; zh_CN is translated later
    return c


@pytest.fixture
def login(client):
    """Sign in as `user`, signing out whoever was signed in (the language stays English)."""
    from tests.conftest import PASSWORD

    def do(user):
        client.post("/logout")
        client.get("/?lang=en")
        response = client.post("/login", data={"username": user.username,
                                               "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    return do


@pytest.fixture
def w(db, make_org, make_point, make_item, make_user, stock):
    org = make_org()
    a, b = make_point(org, name="东岗超市"), make_point(org, name="雁滩站")
    item = make_item(org, name="羽绒服")
    stock(a, item, 10)
    db.commit()
    return {"org": org, "a": a, "b": b, "item": item,
            "vol_a": make_user("volunteer", org=org, points=[a]),
            "vol_b": make_user("volunteer", org=org, points=[b]),
            "manager": make_user("manager", org=org)}


def on_hand(db, point, item) -> Decimal:
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def counts(db):
    return (db.scalar(sa.select(sa.func.count(Transfer.id))),
            db.scalar(sa.select(sa.func.count(StockMovement.id))))


def token_of(html: str) -> str:
    match = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', html)
    assert match, "no submission token on the page"
    return match.group(1)


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<small id="{re.escape(field_id)}-error" class="field-error">([^<]*)<',
                      html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def send_form(client):
    page = client.get("/staff/transfers/new")
    assert page.status_code == 200
    return token_of(page.get_data(as_text=True))


def post_send(client, w, token, lines, **extra):
    data = {"submission_token": token, "from_point_id": w["a"].id, "to_point_id": w["b"].id}
    for i, line in enumerate(lines):  # a browser sends every line, the empty ones too
        for key in ("item_type_id", "quantity", "batch"):
            data[f"lines-{i}-{key}"] = line.get(key, "")
    data.update(extra)
    return client.post("/staff/transfers/new", data=data)


def sent(db, w, quantity="4"):
    transfer = documents.send_transfer(system_actor(), db, w["a"], {
        "to_point_id": w["b"].id, "lines": [{"item_type_id": w["item"].id,
                                             "quantity": quantity}]})
    db.commit()  # releases the test's savepoint: a request that rolls back keeps it
    return transfer


def test_send_then_receive_moves_the_stock(client, login, db, w):
    login(w["vol_a"])
    token = send_form(client)
    response = post_send(client, w, token, [{"item_type_id": w["item"].id, "quantity": "4"}])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    transfer = db.scalar(sa.select(Transfer))
    assert response.location.endswith(f"/staff/transfers/{transfer.id}")
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert on_hand(db, w["a"], w["item"]) == 6
    assert on_hand(db, w["b"], w["item"]) == 0

    login(w["vol_b"])
    page = client.get(f"/staff/transfers/{transfer.id}/receive")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="lines-0-quantity" type="text" value="4"' in html  # default: what was sent
    response = client.post(f"/staff/transfers/{transfer.id}/receive", data={
        "submission_token": token_of(html), "lines-0-quantity": "4"})
    assert response.status_code == 302
    transfer = db.get(Transfer, transfer.id)
    assert transfer.status == TransferStatus.RECEIVED
    assert transfer.received_by_id == w["vol_b"].id and transfer.received_at is not None
    assert on_hand(db, w["b"], w["item"]) == 4
    view = client.get(f"/staff/transfers/{transfer.id}").get_data(as_text=True)
    assert "Received" in view and w["vol_a"].display_name in view
    assert w["vol_b"].display_name in view


def test_shortfall_needs_a_reason_and_is_recorded_as_lost(client, login, db, w):
    transfer = sent(db, w)
    login(w["vol_b"])
    token = token_of(client.get(f"/staff/transfers/{transfer.id}/receive")
                     .get_data(as_text=True))
    before = counts(db)
    response = client.post(f"/staff/transfers/{transfer.id}/receive", data={
        "submission_token": token, "lines-0-quantity": "3", "lines-0-loss_reason": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "lines-0-loss_reason") == "Say what happened to the missing goods."
    assert 'name="lines-0-quantity" type="text" value="3"' in html  # typing kept
    assert counts(db) == before
    assert db.get(Transfer, transfer.id).status == TransferStatus.IN_TRANSIT

    response = client.post(f"/staff/transfers/{transfer.id}/receive", data={
        "submission_token": token, "lines-0-quantity": "3",
        "lines-0-loss_reason": "一件途中被雨淋坏"})
    assert response.status_code == 302
    line = db.get(Transfer, transfer.id).lines[0]
    assert (line.quantity_sent, line.quantity_received) == (4, 3)
    assert line.loss_reason == "一件途中被雨淋坏"
    assert on_hand(db, w["b"], w["item"]) == 3
    view = client.get(f"/staff/transfers/{transfer.id}").get_data(as_text=True)
    assert "一件途中被雨淋坏" in view and "<mark>1 件</mark>" in view


@pytest.mark.parametrize("quantity,message", [
    ("5", "More than was sent."),
    ("abc", "Enter a quantity."),
    ("-1", "The quantity must be greater than zero."),
    ("1.5", "件 is counted in whole numbers."),
])
def test_bad_received_quantity_is_refused(client, login, db, w, quantity, message):
    transfer = sent(db, w)
    login(w["vol_b"])
    token = token_of(client.get(f"/staff/transfers/{transfer.id}/receive")
                     .get_data(as_text=True))
    before = counts(db)
    response = client.post(f"/staff/transfers/{transfer.id}/receive", data={
        "submission_token": token, "lines-0-quantity": quantity,
        "lines-0-loss_reason": "x"})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "lines-0-quantity") == message
    assert counts(db) == before
    assert on_hand(db, w["b"], w["item"]) == 0
    assert db.get(Transfer, transfer.id).status == TransferStatus.IN_TRANSIT


def test_volunteer_of_the_source_cannot_receive(client, login, db, w):
    transfer = sent(db, w)
    login(w["vol_a"])
    assert client.get(f"/staff/transfers/{transfer.id}").status_code == 200  # may look
    before = counts(db)
    assert client.get(f"/staff/transfers/{transfer.id}/receive").status_code == 403
    response = client.post(f"/staff/transfers/{transfer.id}/receive",
                           data={"lines-0-quantity": "4"})
    assert response.status_code == 403
    assert counts(db) == before
    assert db.get(Transfer, transfer.id).status == TransferStatus.IN_TRANSIT
    assert on_hand(db, w["b"], w["item"]) == 0


def test_volunteer_of_another_point_sees_nothing(client, login, db, w, make_point, make_user):
    transfer = sent(db, w)
    elsewhere = make_user("volunteer", org=w["org"], points=[make_point(w["org"])])
    login(elsewhere)
    assert client.get(f"/staff/transfers/{transfer.id}").status_code == 403
    assert client.get(f"/staff/transfers/{transfer.id}/receive").status_code == 403
    listing = client.get("/staff/transfers/").get_data(as_text=True)
    assert f'/staff/transfers/{transfer.id}"' not in listing
    login(w["vol_b"])
    listing = client.get("/staff/transfers/?status=in_transit").get_data(as_text=True)
    assert f'/staff/transfers/{transfer.id}/receive"' in listing
    assert f'/staff/transfers/{transfer.id}"' not in client.get(
        "/staff/transfers/?status=received").get_data(as_text=True)


def test_double_submit_posts_once(client, login, db, w):
    login(w["vol_a"])
    token = send_form(client)
    line = [{"item_type_id": w["item"].id, "quantity": "2"}]
    first = post_send(client, w, token, line)
    second = post_send(client, w, token, line)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert db.scalar(sa.select(sa.func.count(Transfer.id))) == 1
    assert on_hand(db, w["a"], w["item"]) == 8


def test_receiving_twice_is_refused(client, login, db, w):
    transfer = sent(db, w)
    login(w["vol_b"])
    html = client.get(f"/staff/transfers/{transfer.id}/receive").get_data(as_text=True)
    data = {"submission_token": token_of(html), "lines-0-quantity": "4"}
    assert client.post(f"/staff/transfers/{transfer.id}/receive", data=data).status_code == 302
    data["submission_token"] = "another-token"
    again = client.post(f"/staff/transfers/{transfer.id}/receive", data=data)
    assert again.status_code == 302 and again.location.endswith(f"/transfers/{transfer.id}")
    assert on_hand(db, w["b"], w["item"]) == 4


@pytest.mark.parametrize("lines,extra,field,message", [
    ([{}, {}, {"item_type_id": "ITEM", "quantity": "abc"}], {}, "lines-2-quantity",
     "Enter a quantity."),
    ([{"item_type_id": "ITEM", "quantity": "11"}], {}, "lines-0-quantity",
     "Not enough 羽绒服 on hand: 10 件 left."),
    ([{"quantity": "3"}], {}, "lines-0-item_type_id", "Choose an item."),
    ([{"item_type_id": "999999", "quantity": "1"}], {}, "lines-0-item_type_id",
     "Choose an item from the catalogue."),
    ([{"item_type_id": "ITEM", "quantity": "1"}], {"to_point_id": ""}, "to_point_id",
     "Choose another point of the organisation."),
    ([{"item_type_id": "ITEM", "quantity": "1"}], {"to_point_id": "SOURCE"}, "to_point_id",
     "Choose another point of the organisation."),
    ([], {}, "lines-0-item_type_id", "Add at least one line."),
])
def test_bad_transfer_is_answered_next_to_the_line(client, login, db, w, lines, extra, field,
                                                   message):
    lines = [{k: (str(w["item"].id) if v == "ITEM" else v) for k, v in line.items()}
             for line in lines]
    extra = {k: (str(w["a"].id) if v == "SOURCE" else v) for k, v in extra.items()}
    login(w["vol_a"])
    token = send_form(client)
    before = counts(db)
    response = post_send(client, w, token, lines, **extra)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, field) == message
    for line in lines:
        if line.get("quantity"):
            assert f'value="{line["quantity"]}"' in html  # what was typed stays
    assert counts(db) == before
    assert on_hand(db, w["a"], w["item"]) == 10
    # The token was not used up: the corrected form posts.
    fixed = post_send(client, w, token, [{"item_type_id": w["item"].id, "quantity": "1"}])
    assert fixed.status_code == 302


def test_volunteer_cannot_send_from_a_point_they_do_not_serve(client, login, db, w):
    login(w["vol_b"])
    token = send_form(client)
    before = counts(db)
    response = post_send(client, w, token, [{"item_type_id": w["item"].id, "quantity": "1"}],
                         to_point_id=w["b"].id)
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "from_point_id") == \
        "Choose the point the goods leave from."
    assert counts(db) == before


def test_more_lines_keeps_the_typing(client, login, db, w):
    login(w["vol_a"])
    token = send_form(client)
    before = counts(db)
    response = post_send(client, w, token, [{"item_type_id": w["item"].id, "quantity": "7"}],
                         more="1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="lines-9-quantity"' in html and 'name="lines-10-quantity"' not in html
    assert 'name="lines-0-quantity" type="text" value="7"' in html
    assert re.search(rf'<option selected value="{w["item"].id}">', html)
    assert counts(db) == before


def test_manager_chooses_the_source_point_first(client, login, db, w):
    login(w["manager"])
    html = client.get("/staff/transfers/new").get_data(as_text=True)
    assert "Use this point" in html and 'name="lines-0-quantity"' not in html
    html = client.get(f"/staff/transfers/new?from={w['a'].id}").get_data(as_text=True)
    assert "羽绒服 (件) — 10 on hand" in html
    token = token_of(html)
    response = post_send(client, w, token, [{"item_type_id": w["item"].id, "quantity": "10"}])
    assert response.status_code == 302
    assert on_hand(db, w["a"], w["item"]) == 0


def test_auditor_may_look_but_not_send(client, login, db, w, make_user):
    transfer = sent(db, w)
    login(make_user("auditor", org=w["org"]))
    assert client.get(f"/staff/transfers/{transfer.id}").status_code == 200
    assert client.get("/staff/transfers/new").status_code == 403
    assert client.get(f"/staff/transfers/{transfer.id}/receive").status_code == 403
