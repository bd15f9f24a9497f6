"""Stocktakes through the web: a volunteer counts blind and submits, only a manager approves,
approval makes the stock equal the counts, and bad counts are refused next to their line."""
import re

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.goods import services as documents
from charity.goods.models import (StockBalance, StockMovement, Stocktake, StocktakeLine,
                                  StocktakeStatus)
from charity.core.system import system_actor
from tests.goods.test_transfer_views import (  # noqa: F401  (fixtures)
    client, error_of, login, on_hand, token_of)


@pytest.fixture
def w(db, make_org, make_point, make_item, make_user, stock):
    org = make_org()
    a, b = make_point(org, name="东岗超市"), make_point(org, name="雁滩站")
    coat, quilt, hat = (make_item(org, name="A羽绒服"), make_item(org, name="B棉被"),
                        make_item(org, name="C毛线帽"))
    stock(a, coat, 10)
    stock(a, quilt, 5)
    db.commit()
    return {"org": org, "a": a, "b": b, "coat": coat, "quilt": quilt, "hat": hat,
            "vol_a": make_user("volunteer", org=org, points=[a]),
            "vol_b": make_user("volunteer", org=org, points=[b]),
            "manager": make_user("manager", org=org)}


def movements(db):
    return db.scalar(sa.select(sa.func.count(StockMovement.id)))


def sheet_lines(db, st_id):
    return list(db.scalars(sa.select(StocktakeLine).where(StocktakeLine.stocktake_id == st_id)
                           .order_by(StocktakeLine.id)))


def started(db, w):
    st = documents.start_stocktake(system_actor(), db, w["a"])
    db.commit()
    return st


def post_counts(client, st_id, counts, action="save", extra=(), token=None):
    """POST the sheet: counts by line order ('' = not counted), extra rows (item, qty)."""
    if token is None:
        token = token_of(client.get(f"/staff/stocktakes/{st_id}").get_data(as_text=True))
    data = {"submission_token": token, "action": action}
    for i, (line_id, value) in enumerate(counts):
        data[f"lines-{i}-line_id"] = str(line_id)
        data[f"lines-{i}-counted"] = value
    for i in range(3):
        item, qty = extra[i] if i < len(extra) else ("", "")
        data.update({f"extra-{i}-item_type_id": str(item), f"extra-{i}-batch": "",
                     f"extra-{i}-quantity": qty})
    return client.post(f"/staff/stocktakes/{st_id}", data=data)


def test_volunteer_starts_counts_blind_and_submits(client, login, db, w):
    login(w["vol_a"])
    listing = client.get("/staff/stocktakes/").get_data(as_text=True)
    response = client.post("/staff/stocktakes/new", data={
        "submission_token": token_of(listing), "point_id": w["a"].id, "category_id": ""})
    assert response.status_code == 302
    st = db.scalar(sa.select(Stocktake))
    assert response.location.endswith(f"/staff/stocktakes/{st.id}")
    coat_line, quilt_line = sheet_lines(db, st.id)
    assert (coat_line.item_type_id, quilt_line.item_type_id) == (w["coat"].id, w["quilt"].id)

    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    # Blind: empty inputs, and no column with what the system thinks is on the shelf.
    assert 'name="lines-0-counted" placeholder="count" type="text" value=""' in html
    assert 'name="lines-1-counted" placeholder="count" type="text" value=""' in html
    assert "On hand" not in html

    ids = [coat_line.id, quilt_line.id]
    response = post_counts(client, st.id, [(ids[0], "8"), (ids[1], "")])
    assert response.status_code == 302
    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    assert 'name="lines-0-counted" placeholder="count" type="text" value="8"' in html
    assert 'name="lines-1-counted" placeholder="count" type="text" value=""' in html

    # Submitting with a line nobody counted is refused next to that line.
    response = post_counts(client, st.id, [(ids[0], "8"), (ids[1], "")], action="submit")
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "lines-1-counted") == "Not counted yet."
    assert db.get(Stocktake, st.id).status == StocktakeStatus.DRAFT

    response = post_counts(client, st.id, [(ids[0], "8"), (ids[1], "0")], action="submit")
    assert response.status_code == 302
    st = db.get(Stocktake, st.id)
    assert st.status == StocktakeStatus.SUBMITTED and st.submitted_by_id == w["vol_a"].id
    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    assert "Waiting for a manager" in html and "Difference" not in html
    assert "lines-0-counted" not in html  # no longer editable


def test_volunteer_cannot_approve_manager_can_once(client, login, db, w):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_a"])
    assert post_counts(client, st.id, [(ids[0], "8"), (ids[1], "6")],
                       extra=[(w["hat"].id, "2")], action="submit").status_code == 302
    before = movements(db)
    assert client.post(f"/staff/stocktakes/{st.id}/approve").status_code == 403
    assert db.get(Stocktake, st.id).status == StocktakeStatus.SUBMITTED
    assert movements(db) == before

    login(w["manager"])
    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    assert "<mark><strong>-2</strong></mark>" in html  # coat: 8 counted, 10 on hand
    assert "<mark><strong>+1</strong></mark>" in html  # quilt: 6 counted, 5 on hand
    assert "<mark><strong>+2</strong></mark>" in html  # hat: found, none on record
    response = client.post(f"/staff/stocktakes/{st.id}/approve",
                           data={"submission_token": token_of(html)})
    assert response.status_code == 302
    st = db.get(Stocktake, st.id)
    assert st.status == StocktakeStatus.APPROVED and st.approved_by_id == w["manager"].id
    assert [on_hand(db, w["a"], w[k]) for k in ("coat", "quilt", "hat")] == [8, 6, 2]
    after = movements(db)
    assert after == before + 3

    again = client.post(f"/staff/stocktakes/{st.id}/approve",
                        data={"submission_token": "a-new-token"})
    assert again.status_code == 302
    page = client.get(again.location).get_data(as_text=True)
    assert "Only a submitted count sheet can be approved." in page
    assert movements(db) == after
    assert [on_hand(db, w["a"], w[k]) for k in ("coat", "quilt", "hat")] == [8, 6, 2]


@pytest.mark.parametrize("value,message", [
    ("-1", "Enter the number counted (0 if there is none)."),
    ("abc", "Enter the number counted (0 if there is none)."),
    ("1.5", "件 is counted in whole numbers."),
    ("999999", "That quantity is not plausible."),
])
def test_bad_counts_are_refused_next_to_the_line(client, login, db, w, value, message):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_a"])
    logged = db.scalar(sa.select(sa.func.count(AuditLog.id)))
    response = post_counts(client, st.id, [(ids[0], "7"), (ids[1], value)], action="submit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "lines-1-counted") == message
    assert f'value="{value}"' in html and 'value="7"' in html  # the typing stays
    assert [ln.counted for ln in sheet_lines(db, st.id)] == [10, 5]  # untouched
    assert db.get(Stocktake, st.id).status == StocktakeStatus.DRAFT
    assert db.scalar(sa.select(sa.func.count(AuditLog.id))) == logged


@pytest.mark.parametrize("item,qty,field,message", [
    ("HAT", "abc", "extra-0-quantity", "Enter the number counted (0 if there is none)."),
    ("HAT", "", "extra-0-quantity", "Enter a quantity."),
    ("", "3", "extra-0-item_type_id", "Choose an item."),
    ("999999", "3", "extra-0-quantity", "Choose an item from the catalogue."),
])
def test_bad_extra_rows_are_refused(client, login, db, w, item, qty, field, message):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_a"])
    item = str(w["hat"].id) if item == "HAT" else item
    response = post_counts(client, st.id, [(ids[0], "7"), (ids[1], "5")],
                           extra=[(item, qty)])
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), field) == message
    assert len(sheet_lines(db, st.id)) == 2


def test_manager_sees_the_system_quantity_while_counting(client, login, db, w):
    st = started(db, w)
    login(w["manager"])
    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    assert "On hand (system)" in html
    assert re.search(r'data-label="On hand \(system\)">10<', html)


def test_auditor_reads_the_sheet_without_changing_it(client, login, db, w, make_user):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_a"])
    assert post_counts(client, st.id, [(ids[0], "9"), (ids[1], "")]).status_code == 302
    login(make_user("auditor", org=w["org"]))
    html = client.get(f"/staff/stocktakes/{st.id}").get_data(as_text=True)
    assert "lines-0-counted" not in html
    assert re.search(r'data-label="Counted">9<', html)
    assert "not counted yet" in html  # the quilt: its prefilled quantity is not a count
    assert re.search(r'data-label="On hand now">10<', html)
    assert "<mark><strong>-1</strong></mark>" in html
    response = post_counts(client, st.id, [(ids[0], "0"), (ids[1], "0")], token="t")
    assert response.status_code == 403
    assert [ln.counted for ln in sheet_lines(db, st.id)] == [9, 5]


def test_volunteer_of_another_point_cannot_count(client, login, db, w):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_b"])
    assert client.get(f"/staff/stocktakes/{st.id}").status_code == 403
    response = post_counts(client, st.id, [(ids[0], "0"), (ids[1], "0")], action="submit",
                           token="t")
    assert response.status_code == 403
    assert [ln.counted for ln in sheet_lines(db, st.id)] == [10, 5]
    # Nor start a count there: the point is not offered, and a forged one is refused.
    response = client.post("/staff/stocktakes/new", data={"point_id": w["a"].id})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "point_id") == "Choose the point to count."
    assert db.scalar(sa.select(sa.func.count(Stocktake.id))) == 1


def test_starting_twice_with_one_form_makes_one_sheet(client, login, db, w):
    login(w["vol_a"])
    token = token_of(client.get("/staff/stocktakes/new").get_data(as_text=True))
    data = {"submission_token": token, "point_id": w["a"].id,
            "category_id": ""}
    first = client.post("/staff/stocktakes/new", data=data)
    second = client.post("/staff/stocktakes/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Stocktake.id))) == 1


def test_submitted_sheet_cannot_be_changed(client, login, db, w):
    st = started(db, w)
    ids = [ln.id for ln in sheet_lines(db, st.id)]
    login(w["vol_a"])
    assert post_counts(client, st.id, [(ids[0], "1"), (ids[1], "1")],
                       action="submit").status_code == 302
    response = post_counts(client, st.id, [(ids[0], "9"), (ids[1], "9")], token="other")
    assert response.status_code == 302
    assert [ln.counted for ln in sheet_lines(db, st.id)] == [1, 1]
    assert balance_rows(db, w) == [10, 5]


def balance_rows(db, w):
    return [db.scalar(sa.select(StockBalance.quantity).where(
        StockBalance.point_id == w["a"].id, StockBalance.item_type_id == w[k].id))
        for k in ("coat", "quilt")]
