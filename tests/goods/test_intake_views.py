"""Receiving a donation at the counter: the web form, its refusals next to the right line
with everything typed kept and nothing written, the point scope, the one-time token, the
receipt, adding a missing item type without losing the typing, and the correction."""
import datetime as dt
import html as htmllib
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from charity.core.clock import org_today
from charity.goods.services import post_intake, preregister
from charity.goods.models import (DocStatus, Intake, IntakeLine, ItemType, PreRegistration,
                                  StockBalance, StockMovement)
from charity.funds.models import Receipt, ReceiptStatus
from charity.people.models import Donor
from charity.core.system import system_actor

URL = "/staff/intake/new"


class FreshClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")  # assert on the English msgids
    return c


@pytest.fixture
def org(fundraising_org):
    return fundraising_org


@pytest.fixture
def today(org):
    return org_today(org)


@pytest.fixture
def point(make_point, org):
    return make_point(org)


@pytest.fixture
def other_point(make_point, org):
    return make_point(org)


@pytest.fixture
def volunteer(make_user, org, point):
    return make_user("volunteer", org=org, points=[point])


@pytest.fixture
def manager(make_user, org):
    return make_user("manager", org=org)


@pytest.fixture
def coat(make_item, org):
    return make_item(org, barcode="6901234567892")  # 件, fair value 30.00


@pytest.fixture
def rice(make_food, org):
    return make_food(org)  # 袋, perishable, fair value 50.00


def counts(db):
    return tuple(db.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Intake, IntakeLine, StockMovement, Receipt, Donor, ItemType))


def on_hand(db, point, item):
    return db.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.quantity), 0)).where(
        StockBalance.point_id == point.id, StockBalance.item_type_id == item.id))


def token_of(html):
    marker = re.search(r'<input[^>]*name="submission_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', marker).group(1)


def value_of(html, name):
    """The value attribute of the input named `name` (None when it has none)."""
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return htmllib.unescape(value.group(1)) if value else None


def selected_of(html, name):
    select = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), html,
                       re.S)
    assert select, f"no select {name}"
    for option in re.findall(r"<option[^>]*>", select.group(1)):
        if re.search(r"\sselected[\s>]", option):
            return re.search(r'\svalue="([^"]*)"', option).group(1)
    return None


def is_checked(html, name):
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    return tag is not None and "checked" in tag.group(0)


def error_of(html, field_id):
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return htmllib.unescape(match.group(1)) if match else None


def open_form(client, query=""):
    page = client.get(URL + query)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    return html, token_of(html)


def form_data(token, point, lines, **extra):
    data = {"submission_token": token, "point_id": str(point.id), "donor_mode": "anonymous",
            "campaign_id": "", "preregistration_code": "", "received_on": "", "note": ""}
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    data.update(extra)
    return data


# --- posting ---------------------------------------------------------------------------------

def test_volunteer_receives_a_bag_of_clothes(client, login, db, volunteer, point, coat, today):
    login(volunteer)
    html, token = open_form(client)
    # The volunteer's only point is preselected; the date is today; anonymous by default.
    assert value_of(html, "point_id") == str(point.id)
    assert value_of(html, "received_on") == today.isoformat()
    assert re.search(r'<input checked[^>]*name="donor_mode"[^>]*value="anonymous"', html)
    assert 'inputmode="decimal"' in html and "js/intake.js" in html
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "3", "condition": "good"}]))
    assert response.status_code == 302
    intake = db.scalar(sa.select(Intake))
    assert response.location.endswith(f"/staff/intake/{intake.id}")
    assert intake.point_id == point.id and intake.donor_id is None
    assert intake.receipt_id is None and intake.posted_by_id == volunteer.id
    assert intake.received_on == today and intake.total_value == Decimal("90.00")
    line = intake.lines[0]
    # The unit value came from the catalogue, and the line says so.
    assert line.unit_value == Decimal("30.00") and line.valuation_basis == "目录参考价"
    assert on_hand(db, point, coat) == 3
    page = client.get(response.location).get_data(as_text=True)
    assert "Donation received" in page and coat.name in page
    assert "Print receipt" not in page


def test_receipt_issued_for_a_known_donor_when_ticked(client, login, db, volunteer, point, coat,
                                                      make_donor, org):
    donor = make_donor(org=org, name="王五", phone="13912345678")
    login(volunteer)
    html, token = open_form(client, "?donor_q=王五")
    # Found by name, preselected as the only match; the volunteer sees the phone masked.
    assert selected_of(html, "donor_id") == str(donor.id)
    assert "139****5678" in html and "13912345678" not in html
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2", "unit_value": "40",
         "valuation_basis": "同类商品市场价"}],
        donor_mode="existing", donor_id=str(donor.id), with_receipt="y"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    intake = db.scalar(sa.select(Intake))
    receipt = db.get(Receipt, intake.receipt_id)
    assert intake.donor_id == donor.id
    assert receipt.payer_name == "王五" and receipt.total == Decimal("80.00")
    page = client.get(response.location).get_data(as_text=True)
    assert "Print receipt" in page
    assert f'href="/staff/receipts/{receipt.id}"' in page


def test_finding_a_donor_keeps_the_typed_lines(client, login, db, volunteer, point, coat,
                                               make_donor, org):
    donor = make_donor(org=org, name="吴十", phone="13600004444")
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "6"}], donor_q="吴十", find_donor="1"))
    # (by name: a volunteer's search never matches phone digits, issue 16)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert selected_of(html, "donor_id") == str(donor.id)
    assert re.search(r'<input checked[^>]*name="donor_mode"[^>]*value="existing"', html)
    assert value_of(html, "lines-0-quantity") == "6"
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0


def test_new_donor_is_created_with_the_intake(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "1"}],
        donor_mode="new", new_donor_name="赵六", new_donor_phone="13800002222",
        publish_name="y", with_receipt="y"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    donor = db.scalar(sa.select(Donor).where(Donor.name == "赵六"))
    assert donor.phone == "13800002222" and donor.publish_name and not donor.publish_contact
    intake = db.scalar(sa.select(Intake))
    assert intake.donor_id == donor.id and intake.receipt_id is not None


def test_a_refused_intake_does_not_keep_the_new_donor(client, login, db, volunteer, point, rice,
                                                      today):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(rice.id), "quantity": "1",
         "expiry_date": (today - dt.timedelta(days=1)).isoformat(), "inspected": "y"}],
        donor_mode="new", new_donor_name="赵六"))
    assert response.status_code == 200
    assert counts(db) == before


@pytest.mark.parametrize("case", ["existing_without_donor", "new_without_name",
                                  "not_an_id", "foreign_donor", "bad_campaign"])
def test_donor_mistakes_are_answered_next_to_the_field(client, login, db, volunteer, point, coat,
                                                       make_donor, make_org, case):
    foreign = make_donor(org=make_org()) if case == "foreign_donor" else None
    extra, field, text = {
        "existing_without_donor": ({"donor_mode": "existing", "donor_id": ""}, "donor_id",
                                   "Choose the donor"),
        "new_without_name": ({"donor_mode": "new", "new_donor_name": ""}, "new_donor_name",
                             "Enter the donor's name"),
        "not_an_id": ({"donor_mode": "existing", "donor_id": "1 OR 1"}, "donor_id",
                      "Choose the donor from the list"),
        "foreign_donor": ({"donor_mode": "existing", "donor_id": str(getattr(foreign, "id", 0)),
                           "with_receipt": "y"}, "donor_id", "Unknown donor"),
        "bad_campaign": ({"campaign_id": "x"}, "campaign_id", "Choose a campaign"),
    }[case]
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "4"}], **extra))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in (error_of(html, field) or ""), html[:3000]
    assert value_of(html, "lines-0-quantity") == "4"
    assert counts(db) == before


def test_expired_food_is_refused_next_to_its_expiry_and_the_typing_stays(
        client, login, db, volunteer, point, coat, rice, today):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    expired = (today - dt.timedelta(days=2)).isoformat()
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2", "condition": "new",
         "unit_value": "35.50", "valuation_basis": "吊牌价"},
        {},
        {"item_type_id": str(rice.id), "quantity": "3", "batch": "B-7",
         "production_date": (today - dt.timedelta(days=300)).isoformat(),
         "expiry_date": expired, "inspected": "y"}], note="两个袋子"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The service's second line is the form's third: the message sits under its expiry field.
    assert "past its expiry date" in error_of(html, "lines-2-expiry_date"), html[:3000]
    assert error_of(html, "lines-0-quantity") is None
    # Everything typed is still there, with the same one-time token.
    assert selected_of(html, "lines-0-item_type_id") == str(coat.id)
    assert selected_of(html, "lines-0-condition") == "new"
    assert value_of(html, "lines-0-quantity") == "2"
    assert value_of(html, "lines-0-unit_value") == "35.50"
    assert value_of(html, "lines-0-valuation_basis") == "吊牌价"
    assert selected_of(html, "lines-2-item_type_id") == str(rice.id)
    assert value_of(html, "lines-2-quantity") == "3"
    assert value_of(html, "lines-2-batch") == "B-7"
    assert value_of(html, "lines-2-expiry_date") == expired
    assert is_checked(html, "lines-2-inspected")
    assert "两个袋子" in html
    assert token_of(html) == token
    assert counts(db) == before
    assert on_hand(db, point, coat) == 0


@pytest.mark.parametrize("case", ["no_expiry", "not_inspected"])
def test_food_needs_its_date_and_inspection(client, login, db, volunteer, point, rice, today,
                                            case):
    line = {"item_type_id": str(rice.id), "quantity": "1",
            "expiry_date": (today + dt.timedelta(days=90)).isoformat(), "inspected": "y"}
    field = {"no_expiry": "lines-0-expiry_date", "not_inspected": "lines-0-inspected"}[case]
    line.pop("expiry_date" if case == "no_expiry" else "inspected")
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [line]))
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), field)
    assert counts(db) == before


def test_a_barcode_finds_its_item(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"barcode": coat.barcode, "quantity": "2"}]))
    assert response.status_code == 302
    assert on_hand(db, point, coat) == 2


def test_a_barcode_that_matches_nothing(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "1"},
        {"barcode": "6900000000001", "quantity": "5"}]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No item has the barcode 6900000000001" in error_of(html, "lines-1-barcode")
    assert value_of(html, "lines-1-barcode") == "6900000000001"
    assert value_of(html, "lines-1-quantity") == "5"
    # The add-item sub-form is opened with the unknown barcode.
    assert value_of(html, "new_item_barcode") == "6900000000001"
    assert counts(db) == before


def test_looking_up_barcodes_posts_nothing(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"barcode": coat.barcode, "quantity": "2"}], lookup="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert selected_of(html, "lines-0-item_type_id") == str(coat.id)
    assert value_of(html, "lines-0-unit_value") == "30.00"
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0


@pytest.mark.parametrize("quantity, text", [
    ("0", "greater than zero"), ("-2", "greater than zero"),
    ("1.5", "counted in whole numbers"), ("", "Enter a quantity"), ("abc", "Enter a quantity")])
def test_bad_quantities(client, login, db, volunteer, point, coat, quantity, text):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [
        {}, {"item_type_id": str(coat.id), "quantity": quantity}]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in (error_of(html, "lines-1-quantity") or ""), html[:3000]
    assert counts(db) == before


def test_a_quantity_without_an_item_is_not_dropped(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "1"}, {"quantity": "2"}]))
    assert response.status_code == 200
    assert "Choose the item" in error_of(response.get_data(as_text=True),
                                          "lines-1-item_type_id")
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0


def test_at_another_point_is_forbidden_and_writes_nothing(client, login, db, volunteer, point,
                                                          other_point, coat):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, other_point, [
        {"item_type_id": str(coat.id), "quantity": "1"}]))
    assert response.status_code == 403
    assert counts(db) == before
    assert on_hand(db, other_point, coat) == 0
    assert client.get(f"{URL}?point={other_point.id}").status_code == 403


def test_auditors_cannot_receive(client, login, make_user, org):
    login(make_user("auditor", org=org))
    assert client.get(URL).status_code == 403


def test_double_submit_posts_once(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    data = form_data(token, point, [{"item_type_id": str(coat.id), "quantity": "1"}])
    first = client.post(URL, data=data)
    second = client.post(URL, data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 1
    assert on_hand(db, point, coat) == 1


def test_more_lines_keeps_the_typing(client, login, db, volunteer, point, coat):
    login(volunteer)
    _html, token = open_form(client)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "3"}], more="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # One line was posted; "add line" adds one (issue 15: forms start with one line).
    assert 'name="lines-1-quantity"' in html and 'name="lines-2-quantity"' not in html
    assert value_of(html, "lines-0-quantity") == "3"
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0


# --- adding a missing item type without leaving ----------------------------------------------

def test_the_add_item_sub_form_keeps_the_typed_lines(client, login, db, volunteer, point, coat,
                                                     category, org):
    login(volunteer)
    _html, token = open_form(client)
    before = db.scalar(sa.select(sa.func.count(ItemType.id)))
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2", "unit_value": "25"},
        {"barcode": "6911111111110", "quantity": "4"}],
        donor_mode="new", new_donor_name="钱七", note="楼下的邻居",
        new_item_name="儿童绘本", new_item_category_id=str(category("books").id),
        new_item_unit="本", new_item_value="5", new_item_barcode="6911111111110",
        add_item="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    item = db.scalar(sa.select(ItemType).where(ItemType.name == "儿童绘本"))
    assert item is not None and item.organization_id == org.id and item.countable
    assert db.scalar(sa.select(sa.func.count(ItemType.id))) == before + 1
    assert "儿童绘本 was added to the catalogue" in html
    # The typing is kept …
    assert selected_of(html, "lines-0-item_type_id") == str(coat.id)
    assert value_of(html, "lines-0-quantity") == "2"
    assert value_of(html, "lines-0-unit_value") == "25"
    assert value_of(html, "new_donor_name") == "钱七" and "楼下的邻居" in html
    assert token_of(html) == token
    # … the line that carried the new barcode now names the new item, which every line offers,
    # and the sub-form is empty again.
    assert selected_of(html, "lines-1-item_type_id") == str(item.id)
    assert value_of(html, "lines-1-quantity") == "4"
    last_line = re.search(r'<select[^>]*name="lines-1-item_type_id".*?</select>', html, re.S)
    assert re.search(rf'\svalue="{item.id}"', last_line.group(0))
    assert not value_of(html, "new_item_name")
    # Nothing was received yet; receiving now posts both lines.
    assert db.scalar(sa.select(sa.func.count(Intake.id))) == 0
    done = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2", "unit_value": "25"},
        {"barcode": "6911111111110", "item_type_id": str(item.id), "quantity": "4"}]))
    assert done.status_code == 302
    assert on_hand(db, point, item) == 4 and on_hand(db, point, coat) == 2


def test_the_add_item_sub_form_answers_next_to_its_fields(client, login, db, volunteer, point,
                                                          coat):
    login(volunteer)
    _html, token = open_form(client)
    before = counts(db)
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "2"}],
        new_item_name=coat.name, new_item_category_id=str(coat.category_id),
        new_item_unit=coat.unit, add_item="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "already in the catalogue" in error_of(html, "new_item_name")
    assert value_of(html, "lines-0-quantity") == "2"
    assert counts(db) == before


def test_food_added_at_the_counter_is_perishable(client, login, db, volunteer, point, category):
    login(volunteer)
    _html, token = open_form(client)
    client.post(URL, data=form_data(token, point, [], new_item_name="挂面",
                                    new_item_category_id=str(category("food").id),
                                    new_item_unit="袋", add_item="1"))
    assert db.scalar(sa.select(ItemType).where(ItemType.name == "挂面")).perishable


# --- drop-off codes, refused goods, campaigns ------------------------------------------------

def test_a_drop_off_code_opens_the_form_prefilled(client, login, db, volunteer, point, coat,
                                                  today):
    prereg = preregister(db, point, {"items": "三袋冬衣", "donor_name": "孙八",
                                     "donor_phone": "13700003333", "wants_receipt": True})
    db.commit()
    login(volunteer)
    html, token = open_form(client, f"?code={prereg.code.lower()}")
    assert value_of(html, "preregistration_code") == prereg.code
    assert "三袋冬衣" in html
    assert value_of(html, "new_donor_name") == "孙八" and is_checked(html, "with_receipt")
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "3"}],
        preregistration_code=prereg.code.lower()))
    assert response.status_code == 302
    intake = db.scalar(sa.select(Intake))
    assert intake.preregistration_id == prereg.id
    assert db.get(PreRegistration, prereg.id).used_at is not None
    again, token = open_form(client, f"?code={prereg.code}")
    assert "already used" in again


def _without_token(html):
    return re.sub(r'name="(submission_token|csrf_token)"[^>]*>', "", html)


def test_another_organisations_code_is_not_found_like_a_wrong_one(client, login, db, volunteer,
                                                                   make_org, make_point):
    """Issue 16: a volunteer read another organisation's drop-off (donor name and phone) by
    its code. Now their answer is the same page as for a code that does not exist."""
    foreign = make_point(make_org())
    prereg = preregister(db, foreign, {"items": "两箱图书", "donor_name": "钱九",
                                       "donor_phone": "13700004444", "wants_receipt": False})
    db.commit()
    login(volunteer)
    theirs, _token = open_form(client, f"?code={prereg.code}")
    assert "钱九" not in theirs and "13700004444" not in theirs and "两箱图书" not in theirs
    wrong = "ZZZZZZ" if prereg.code != "ZZZZZZ" else "YYYYYY"
    nothing, _token = open_form(client, f"?code={wrong}")
    assert (_without_token(theirs).replace(prereg.code, "CODE")
            == _without_token(nothing).replace(wrong, "CODE"))


def test_code_look_ups_are_limited_per_address_in_the_database(client, login, db, volunteer,
                                                               point, app):
    from charity.audit.services import address_hash
    from charity.auth.models import RateHit

    prereg = preregister(db, point, {"items": "三袋冬衣", "donor_name": "孙八",
                                     "donor_phone": "13700003333", "wants_receipt": True})
    db.commit()
    login(volunteer)
    app.config["CHARITY_DROPOFF_LOOKUP_RATE_LIMIT"] = 3
    try:
        for code in ("AAAAAA", "BBBBBB", prereg.code):
            assert "孙八" in open_form(client, f"?code={code}")[0] or code != prereg.code
        html, _token = open_form(client, f"?code={prereg.code}")  # the fourth: refused
    finally:
        app.config["CHARITY_DROPOFF_LOOKUP_RATE_LIMIT"] = 60
    assert "孙八" not in html and "Too many drop-off code look-ups" in html
    assert "孙八" not in open_form(client)[0]  # no code, no count, still works
    hashes = db.scalars(sa.select(RateHit.address_hash)
                        .where(RateHit.bucket == "dropoff_lookup")).all()
    assert hashes == [address_hash("127.0.0.1", app.config["CHARITY_ID_HASH_KEY"])] * 3


def test_refused_goods_are_listed_on_the_form(client, login, db, volunteer, org):
    from charity.goods.services.catalogue import add_refused_good

    add_refused_good(system_actor(), db, org, "内衣", "卫生原因不接收贴身衣物")
    db.commit()
    login(volunteer)
    html, _token = open_form(client)
    assert "内衣" in html and "卫生原因不接收贴身衣物" in html


def test_an_active_campaign_can_be_named(client, login, db, volunteer, point, coat,
                                         make_campaign):
    campaign = make_campaign()
    login(volunteer)
    html, token = open_form(client)
    assert campaign.name in html
    response = client.post(URL, data=form_data(token, point, [
        {"item_type_id": str(coat.id), "quantity": "1"}], campaign_id=str(campaign.id)))
    assert response.status_code == 302
    assert db.scalar(sa.select(Intake)).campaign_id == campaign.id


# --- the record, the list, the correction ----------------------------------------------------

def _receive(db, point, item, quantity="2", donor=None, receipt=False, today=None):
    data = {"lines": [{"item_type_id": item.id, "quantity": quantity,
                       "valuation_basis": "市场价"}]}
    if donor is not None:
        data.update(donor_id=donor.id, with_receipt=receipt)
    intake = post_intake(system_actor(), db, point, data, today=today)
    db.commit()
    return intake


def test_the_list_shows_the_volunteers_points_and_filters(client, login, db, volunteer, point,
                                                          other_point, coat, make_donor, org,
                                                          today):
    donor = make_donor(org=org, name="周九")
    mine = _receive(db, point, coat, donor=donor, today=today)
    theirs = _receive(db, other_point, coat, today=today)
    login(volunteer)
    html = client.get("/staff/intake/").get_data(as_text=True)
    assert f"/staff/intake/{mine.id}" in html and f"/staff/intake/{theirs.id}" not in html
    assert client.get(f"/staff/intake/{theirs.id}").status_code == 403
    by_donor = client.get("/staff/intake/?donor=周").get_data(as_text=True)
    assert f"/staff/intake/{mine.id}" in by_donor
    nobody = client.get("/staff/intake/?donor=不存在").get_data(as_text=True)
    assert f"/staff/intake/{mine.id}" not in nobody
    later = client.get(f"/staff/intake/?from={today + dt.timedelta(days=1)}")
    assert f"/staff/intake/{mine.id}" not in later.get_data(as_text=True)


def test_manager_reverses_with_a_reason(client, login, db, manager, volunteer, point, coat,
                                        make_donor, org, today):
    donor = make_donor(org=org)
    intake = _receive(db, point, coat, donor=donor, receipt=True, today=today)
    login(volunteer)
    assert client.post(f"/staff/intake/{intake.id}/reverse",
                       data={"reason": "录错"}).status_code == 403
    client.post("/logout")
    login(manager)
    no_reason = client.post(f"/staff/intake/{intake.id}/reverse", data={"reason": " "})
    assert no_reason.status_code == 200
    assert error_of(no_reason.get_data(as_text=True), "reason")
    assert db.get(Intake, intake.id).status == DocStatus.POSTED
    done = client.post(f"/staff/intake/{intake.id}/reverse", data={"reason": "数量录错"})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Intake, intake.id).status == DocStatus.REVERSED
    assert db.get(Receipt, intake.receipt_id).status == ReceiptStatus.VOIDED
    assert on_hand(db, point, coat) == 0
    assert "Reversed" in client.get(f"/staff/intake/{intake.id}").get_data(as_text=True)


def test_a_volunteer_finds_donors_at_the_counter_by_name_only(client, login, db, volunteer,
                                                              make_donor):
    make_donor(name="王大明", phone="13711112222")
    login(volunteer)
    by_digits, _token = open_form(client, "?donor_q=1111")
    assert "王大明" not in by_digits and "Find a donor by name" in by_digits
    by_name, _token = open_form(client, "?donor_q=大明")
    assert "王大明" in by_name and "137****2222" in by_name and "13711112222" not in by_name
